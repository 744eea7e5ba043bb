"""The text of a captured page, as quotes are checked against it: HTML reduced to its words, normalised.

HTML is parsed by selectolax's Lexbor engine (an HTML5 parser that reads pages as browsers do): scripts,
styles, ``noscript`` and templates are dropped, block elements end a line, and inline markup joins its
text without adding spaces, so ``The <a>city</a>, fell`` reads ``The city, fell``. Every text is then
normalised (``normalise``): Unicode NFKC, typographic quotes and apostrophes made plain, soft hyphens
dropped, every run of white space one space. A quote is found when its normalised words are a part of
the page's normalised words.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MissingExtra", "normalise", "page_text", "quote_found"]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00ad": None,
        "\u200b": None,
    }
)
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)
_BLOCKS = (
    "p,div,br,li,ul,ol,dl,dt,dd,h1,h2,h3,h4,h5,h6,tr,td,th,table,blockquote,pre,section,article,header,"
    "footer,nav,aside,main,figure,figcaption,hr,address,title"
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class MissingExtra(RuntimeError):
    """A library of the ``capture`` extra is not installed."""


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFKC, plain quotes, no soft hyphens, single spaces, stripped."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def quote_found(quote: str, text: str) -> bool:
    """Whether ``quote`` stands in the normalised page ``text``."""
    wanted = normalise(quote).strip("\"'")
    return bool(wanted) and wanted in text


def _charset(content_type: str | None, body: bytes) -> str:
    if content_type:
        for part in content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"' ")
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else "utf-8"


def _decode(body: bytes, content_type: str | None) -> str:
    try:
        return body.decode(_charset(content_type, body), errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def page_text(body: bytes, content_type: str | None) -> str | None:
    """The normalised text of a page or document, or None when it is not text (a PDF, a picture)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    head = body[:512].lstrip().lower()
    if kind in _HTML_TYPES or (kind in ("", "application/octet-stream") and head.startswith((b"<!doctype html", b"<html"))):
        try:
            from selectolax.lexbor import LexborHTMLParser  # noqa: PLC0415
        except ImportError as exc:
            raise MissingExtra("selectolax") from exc
        tree = LexborHTMLParser(_decode(body, content_type))
        tree.strip_tags(["script", "style", "noscript", "template"])
        for node in tree.css(_BLOCKS):
            node.insert_after("\n")
        root = tree.body if tree.body is not None else tree.root
        return normalise(root.text(separator="") if root is not None else "")
    if kind.startswith("text/") or kind in ("application/json", "application/xml"):
        return normalise(_decode(body, content_type))
    return None
