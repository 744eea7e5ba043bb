"""Kept copies of sources: a fetch or a local file made into a stored WARC and a ``source.captured`` change,
and a stored copy read back as text to check quotes against."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.ingest.capture import Fetched, Limits, capture_file, decoded_body, fetch, text_hash, tool_name
from archive.ingest.page_text import MissingExtra, page_text, quote_found
from archive.store.captures import open_capture, put_capture
from events.errors import InvalidInput
from events.model import SourceCaptured
from events.source import Source
from projections.sources import captures_of, visible_facts
from projections.state import Capture, RecordState

__all__ = [
    "EXTRA_HINT",
    "Kept",
    "QuoteMiss",
    "capture_text",
    "keep_file",
    "keep_url",
    "missing_extra",
    "quote_misses",
]

EXTRA_HINT = "Install the capture extra: pip install 'fact-archive[capture]'."


def missing_extra(exc: MissingExtra) -> InvalidInput:
    """The refusal to show when warcio or selectolax is missing."""
    return InvalidInput(f"Capturing sources needs {exc} (the 'capture' extra), which is not installed.", hint=EXTRA_HINT)


@dataclass(frozen=True, slots=True)
class Kept:
    """A capture stored in the archive, ready to be recorded for any record: ``change_for(slug)``."""

    fields: dict[str, Any]
    text: str | None
    """The normalised text of its payload, for quote checks; None when it has none."""

    def change_for(self, record: str) -> SourceCaptured:
        """The ``source.captured`` change of this capture for ``record``."""
        return SourceCaptured(record=record, **self.fields)

    @property
    def summary(self) -> str:
        """One line for people: what answered."""
        f = self.fields
        if f.get("error"):
            return f"gone ({f['error']})"
        if f.get("status") is None:
            return f"file, {f['size']} bytes"
        return f"HTTP {f['status']}, {f.get('content_type') or 'no type'}, {f['size']} bytes"


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def keep_url(root: Path, url: str, limits: Limits) -> Kept:
    """Fetch ``url`` (raises ``capture.Refused``), store its WARC durably, and say what to record."""
    try:
        fetched: Fetched = fetch(url, limits)
        tool = tool_name()
    except MissingExtra as exc:
        raise missing_extra(exc) from exc
    warc = put_capture(root, fetched.warc)
    last = fetched.last
    fields: dict[str, Any] = {"url": url, "warc": warc, "fetched": fetched.fetched, "tool": tool[:500]}
    text = None
    if fetched.hops:
        fields["final_url"] = fetched.hops[-1].url
        fields["address"] = fetched.hops[-1].ip
    if last is not None:
        content_type = _header(last.headers, "content-type")
        body = decoded_body(last.headers, last.body)
        text = page_text(body, content_type)
        fields |= {
            "status": last.status,
            "content_type": content_type[:500] if content_type else None,
            "size": len(last.body),
            "sha256": hashlib.sha256(last.body).hexdigest(),
            "text_sha256": None if text is None else hashlib.sha256(text.encode()).hexdigest(),
        }
    else:
        fields["error"] = (fetched.error or "no answer")[:2000]
    return Kept(fields, text)


def keep_file(root: Path, path: Path, limits: Limits) -> tuple[Kept, Source]:
    """Store a local document as a WARC resource record; what to record, and the Source that cites it."""
    try:
        stored = capture_file(path, limits)
        tool = tool_name()
        text = page_text(stored_body(stored.warc)[1], stored.content_type)
    except MissingExtra as exc:
        raise missing_extra(exc) from exc
    warc = put_capture(root, stored.warc)
    fields = {
        "file": str(path)[:500],
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "text_sha256": text_hash(stored_body(stored.warc)[1], stored.content_type) if text is not None else None,
        "warc": warc,
        "fetched": stored.fetched,
        "tool": tool[:500],
        "address": stored.address[:500],
    }
    return Kept(fields, text), Source(title=path.name, sha256=stored.sha256)


def stored_body(warc: bytes) -> tuple[str | None, bytes]:
    """The content type and payload of a WARC file's last response (or resource) record; (None, b"") if none."""
    try:
        from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415
    except ImportError as exc:
        raise MissingExtra("warcio") from exc
    found: tuple[str | None, bytes] = (None, b"")
    for record in ArchiveIterator(io.BytesIO(warc)):
        if record.rec_type == "response":
            kind = record.http_headers.get_header("Content-Type") if record.http_headers else None
            found = (kind, record.content_stream().read())
        elif record.rec_type == "resource":
            found = (record.rec_headers.get_header("Content-Type"), record.content_stream().read())
    return found


def capture_text(root: Path, capture: Capture) -> str | None:
    """The normalised text of a stored copy, as quotes are checked against; None when it has none.

    Raises FileNotFoundError or ValueError when the stored copy is missing or altered.
    """
    try:
        kind, body = stored_body(open_capture(root, capture.warc))
    except MissingExtra as exc:
        raise missing_extra(exc) from exc
    if capture.error is not None:
        return None
    return page_text(body, kind or capture.content_type)


@dataclass(frozen=True, slots=True)
class QuoteMiss:
    """A quoted source whose words are not in its kept copy."""

    source: Source
    facts: tuple[str, ...]
    capture: Capture | None
    """The copy checked; None when the source has none that answered."""
    problem: str


def quote_misses(root: Path, record: RecordState, texts: dict[str, str | None] | None = None) -> list[QuoteMiss]:
    """Every visible fact's quoted source whose quote is not in the text of its latest good copy.

    ``texts``: texts already at hand, by WARC hash (a capture just made).
    """
    backing: dict[Source, list[str]] = {}
    for fact in visible_facts(record):
        for source in fact.sources:
            if source.quote:
                backing.setdefault(source, []).append(fact.id)
    misses = []
    for source, facts in backing.items():
        good = [c for c in captures_of(record, source) if c.answered]
        if not good:
            misses.append(QuoteMiss(source, tuple(facts), None, "no archived copy to check it against"))
            continue
        latest = good[-1]
        try:
            text = (texts or {}).get(latest.warc) if latest.warc in (texts or {}) else capture_text(root, latest)
        except (FileNotFoundError, ValueError) as exc:
            misses.append(QuoteMiss(source, tuple(facts), latest, f"its archived copy cannot be read: {exc}"))
            continue
        if text is None:
            misses.append(QuoteMiss(source, tuple(facts), latest, f"its archived copy ({latest.content_type}) holds no text"))
        elif not quote_found(source.quote or "", text):
            misses.append(QuoteMiss(source, tuple(facts), latest, f"not found in its archived copy of {latest.fetched}"))
    return misses
