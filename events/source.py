"""`Source`: a citation that backs a fact, and how a command-line `--source` becomes one."""

from __future__ import annotations

import re
from typing import Annotated

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from events.errors import InvalidInput
from events.native import Native, native_str, one_of
from events.text import check_line, line_schema, visible_class
from events.when import PLAIN_DATE, check_edtf

__all__ = ["SHA256", "Source", "Url", "parse_source"]

_URL = re.compile(r"https?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)
_MAX_FIELD = 2000


def _text(value: str) -> str:
    return check_line(value, limit=_MAX_FIELD, multiline=True)


def _url(value: str) -> str:
    if len(value) > _MAX_FIELD or not _URL.match(value):
        raise ValueError("a source url must start with http:// or https:// and hold no spaces")
    return check_line(value, limit=_MAX_FIELD)


_Text = Annotated[str, AfterValidator(_text), Native(line_schema(limit=_MAX_FIELD, multiline=True))]
_Url = Annotated[
    str,
    AfterValidator(_url),
    native_str(f"^[hH][tT][tT][pP][sS]?://{visible_class('/$.?#')}{visible_class()}*$", _MAX_FIELD),
]
"""In Rust, only ``http``/``https`` in ASCII letters (Python's case folding also lets U+017F, the long s, be an ``s``)."""
_Date = Annotated[str, AfterValidator(check_edtf), PLAIN_DATE]
Url = _Url
"""An http(s) address: ``http://`` or ``https://`` and no spaces, at most 2,000 characters."""
SHA256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 in lower-case hex."""


@one_of("title", "url")
class Source(BaseModel):
    """A citation: a title and/or a URL, plus what else is known of it."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    title: _Text | None = None
    """The work's title, or a free-text citation."""
    url: _Url | None = None
    """An http(s) address of the work."""
    publisher: _Text | None = None
    author: _Text | None = None
    published: _Date | None = None
    """When the work was published, as EDTF (``2018-05-07``)."""
    accessed: _Date | None = None
    """When the URL was read, as EDTF (``2026-11-25``)."""
    quote: _Text | None = None
    """The words of the source that back the fact."""
    sha256: SHA256 | None = None
    """A local document stored in the archive (``--source-file``): the SHA-256 of its bytes, which names its
    capture (``source.captured`` with ``file``)."""

    @model_validator(mode="after")
    def _title_or_url(self) -> Source:
        if self.title is None and self.url is None:
            raise ValueError("a source needs a title or a url")
        return self

    def label(self) -> str:
        """A one-line name for people: the title, else the URL."""
        return self.title or self.url or ""


def parse_source(text: str) -> Source:
    """Turn a command-line ``--source`` into a Source: a URL, a JSON object, or free text."""
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("--source is empty.", hint="Give a URL, a citation, or a JSON Source object.")
    try:
        if stripped.startswith("{"):
            try:
                data = orjson.loads(stripped)
            except orjson.JSONDecodeError as exc:
                raise InvalidInput(
                    f"--source {stripped[:60]!r} starts like JSON but is not: {exc}.",
                    hint='Write it as {"title": "...", "url": "https://..."}.',
                ) from exc
            return Source.model_validate(data)
        if re.match(r"[a-z][a-z0-9+.-]*://|(?:javascript|vbscript|data|file|blob):", stripped, re.IGNORECASE):
            return Source(url=stripped)
        return Source(title=stripped)
    except ValidationError as exc:
        raise InvalidInput(f"--source {stripped[:60]!r} is not a valid source: {first_problem(exc)}.") from exc


def first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, as ``field: message``."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg
