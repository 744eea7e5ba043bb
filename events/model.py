"""Every change the log can hold, as frozen pydantic models discriminated by ``type``.

A *change* is what a user or the importer asks for (``SentenceAdded``); an
*event* is a change stamped by the log with its place and provenance (``seq``,
``rev``, ``at``, ``by``, ``prev``), one line of ``events.jsonl``. Each event
class derives from its change class, so code that folds changes also folds
events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, Literal, TypeAlias, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from pydantic_core import SchemaValidator, core_schema

from events.ids import FactId, Slug
from events.native import Native, fast_validator, native_str, one_of
from events.source import SHA256, Source, Url
from events.text import MAX_TEXT, SPACES_ON_LINE, check_line, line_class, line_pattern, line_schema, visible_class
from events.when import When

__all__ = [
    "CHANGE_TYPES",
    "Change",
    "ChangeUnion",
    "ContentChange",
    "Event",
    "EventUnion",
    "FactMoved",
    "FactRetracted",
    "HeadingAdded",
    "HeadingRevised",
    "InfoboxAdded",
    "InfoboxPreferred",
    "InfoboxRevised",
    "ItemAdded",
    "ItemRevised",
    "Rank",
    "RecordCreated",
    "RecordRevised",
    "SentenceAdded",
    "SentenceRevised",
    "SourceCaptured",
    "Stamp",
    "TitleAdded",
    "TitleRevised",
    "change_adapter",
    "event_adapter",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)

Gap = Annotated[int, Field(ge=0, le=20)]
"""Blank lines before a block (heading, paragraph, list, infobox) in the article text."""
Sources = Annotated[tuple[Source, ...], Field(min_length=1, max_length=100)]
"""The citations behind a change that asserts content: at least one."""

_SPACE_ON_LINE = f"[{SPACES_ON_LINE}]"
"""One white-space character but the line break."""


def _ending(value: str) -> str:
    if value.strip("\n") or len(value) > 20:
        raise ValueError("ending may hold only up to 20 line breaks")
    return value


def _lead(value: str) -> str:
    if value.strip() or "\n\n" in value or len(value) > 100:
        raise ValueError("lead is the white space between two sentences")
    return value


def _bullet(value: str) -> str:
    if value.strip() not in ("-", "*") or not value.endswith(" ") or "\n" in value:
        raise ValueError("bullet is '- ' (or '* '), optionally indented")
    return value


def _key(value: str) -> str:
    check_line(value, limit=200)
    if ":" in value or value != value.strip():
        raise ValueError("an infobox key holds no ':' and no space at either end")
    return value


def _field_value(value: str) -> str:
    return value if value == "" else check_line(value)


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None or value.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
        raise ValueError("at must be a UTC time ending in Z")
    return value.astimezone(UTC)


Ending = Annotated[str, AfterValidator(_ending), native_str(r"^\n{0,20}$")]
"""What an article text ends with: up to 20 line breaks."""
Lead = Annotated[str, AfterValidator(_lead), native_str(rf"^{_SPACE_ON_LINE}*(?:\n{_SPACE_ON_LINE}+)*\n?$", 100)]
"""White space between two sentences, without a blank line."""
Bullet = Annotated[str, AfterValidator(_bullet), native_str(rf"^{_SPACE_ON_LINE}*[-*]{_SPACE_ON_LINE}* $")]
"""``- `` or ``* ``, maybe indented."""
Key = Annotated[
    str,
    AfterValidator(_key),
    native_str(rf"^{visible_class(':')}(?:{line_class(':')}*{visible_class(':')})?$", 200),
]
"""An infobox key: one line, no ``:``, no space at either end."""
By = Annotated[str, AfterValidator(partial(check_line, limit=200)), Native(line_schema(limit=200))]
"""Who recorded a revision: one line, at most 200 characters."""
Reason = Annotated[str, AfterValidator(partial(check_line, limit=2000)), Native(line_schema(limit=2000))]
"""A reason or an edit summary: one line, at most 2,000 characters."""
_UTC_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?Z$"
"""How the log writes a time: ``2024-05-01T12:30:00.123456Z``."""
UtcTime = Annotated[
    datetime,
    AfterValidator(_utc),
    Native(core_schema.no_info_after_validator_function(datetime.fromisoformat, core_schema.str_schema(pattern=_UTC_TIME))),
]
"""A UTC time (``Z`` or ``+00:00``), as a datetime in ``datetime.UTC``. Natively, the log's own way of
writing one is matched in Rust and read by ``datetime.fromisoformat`` (a fifth of pydantic's datetime,
whose time zone must then be replaced)."""


class Change(BaseModel):
    """One change to one record: the payload of a log line, before the log stamps it."""

    model_config = _FROZEN

    type: str
    """What kind of change: ``sentence.added``, ``fact.retracted`` ..."""
    record: Slug
    """The record it changes."""


class RecordCreated(Change):
    """A new record; its facts follow in the same revision."""

    type: Literal["record.created"] = "record.created"
    ending: Ending = "\n"
    """What the article text ends with after its last line: ``"\\n"`` usually."""


class RecordRevised(Change):
    """A change to the record's own layout: what its article text ends with."""

    type: Literal["record.revised"] = "record.revised"
    ending: Ending | None = None
    """The new ending (line breaks after the last line); none: unchanged."""


class _FactChange(Change):
    fact: FactId
    """The fact it adds or changes, by its id inside the record."""


class ContentChange(_FactChange):
    """A change that asserts content, and so cites at least one source."""

    sources: Sources


Line = Annotated[str, AfterValidator(check_line), Native(line_schema())]
"""One line of non-blank text without control characters."""
Multiline = Annotated[str, AfterValidator(partial(check_line, multiline=True)), Native(line_schema(multiline=True))]
"""Text that may hold single line breaks (a sentence hard-wrapped in its paragraph)."""
FieldValue = Annotated[str, AfterValidator(_field_value), native_str(f"^(?:{line_pattern()[1:-1]})?$", MAX_TEXT)]
"""An infobox value: one line of text, or nothing (``- Key:``)."""
Rank = Literal["preferred", "normal"]
"""How an infobox claim ranks among the claims of its field, as Wikidata ranks statements: the
``preferred`` one is shown; ``normal`` ones are alternatives, kept with their sources."""


class TitleAdded(ContentChange):
    """The record's title, the ``= Title =`` line."""

    type: Literal["title.added"] = "title.added"
    text: Line


class InfoboxAdded(ContentChange):
    """An infobox field, ``- Key: value``."""

    type: Literal["infobox.added"] = "infobox.added"
    key: Key
    value: FieldValue
    after: FactId | None = None
    """The field it follows; none: the first field."""
    gap: Gap = 1
    """Blank lines before the ``Infobox`` line (read from the first field only)."""
    rank: Rank | None = None
    """``normal``: an alternative claim for a field the infobox already shows (another source's value);
    it stands with that field, after its other claims. None (the default): the field's shown claim."""


class HeadingAdded(ContentChange):
    """A section heading, ``== Section ==`` (level 2) or deeper."""

    type: Literal["heading.added"] = "heading.added"
    text: Line
    level: Annotated[int, Field(ge=2, le=6)] = 2
    after: FactId | None = None
    """The body fact it follows; none: the first thing of the body."""
    gap: Gap = 1


class SentenceAdded(ContentChange):
    """A sentence of a paragraph."""

    type: Literal["sentence.added"] = "sentence.added"
    text: Multiline
    when: When | None = None
    """The date the sentence is about, if it states one."""
    after: FactId | None = None
    """The body fact it follows; none: the first thing of the body."""
    paragraph: FactId
    """The paragraph it belongs to, named by the id of the sentence that opened it."""
    lead: Lead = ""
    """The bytes between the previous sentence of its paragraph and this one (``" "``)."""
    gap: Gap = 1
    """Blank lines before its paragraph, when it opens one."""


class ItemAdded(ContentChange):
    """A list item, ``- item``."""

    type: Literal["item.added"] = "item.added"
    text: Line
    when: When | None = None
    after: FactId | None = None
    list: FactId
    """The list it belongs to, named by the id of the item that opened it."""
    bullet: Bullet = "- "
    gap: Gap = 1


class TitleRevised(ContentChange):
    """A new version of the title."""

    type: Literal["title.revised"] = "title.revised"
    text: Line


class InfoboxRevised(ContentChange):
    """A new value for an infobox field."""

    type: Literal["infobox.revised"] = "infobox.revised"
    value: FieldValue


class HeadingRevised(ContentChange):
    """A new wording (or level) of a heading."""

    type: Literal["heading.revised"] = "heading.revised"
    text: Line
    level: Annotated[int, Field(ge=2, le=6)] = 2


class SentenceRevised(ContentChange):
    """A new version of a sentence: its text and its date."""

    type: Literal["sentence.revised"] = "sentence.revised"
    text: Multiline
    when: When | None = None


class ItemRevised(ContentChange):
    """A new version of a list item."""

    type: Literal["item.revised"] = "item.revised"
    text: Line
    when: When | None = None


class FactMoved(_FactChange):
    """A fact placed elsewhere: a body fact after another body fact, maybe in another paragraph or list;
    an infobox field (with its alternative claims) after another field. Optional fields left out keep
    their value."""

    type: Literal["fact.moved"] = "fact.moved"
    after: FactId | None = None
    paragraph: FactId | None = None
    list: FactId | None = None
    lead: Lead | None = None
    gap: Gap | None = None
    bullet: Bullet | None = None
    """A list item's new bullet (``- ``, ``* ``, maybe indented)."""
    sources: tuple[Source, ...] = ()


class InfoboxPreferred(_FactChange):
    """An alternative claim of an infobox field becomes the shown one; the claim shown until now
    becomes an alternative (both keep their sources)."""

    type: Literal["infobox.preferred"] = "infobox.preferred"
    reason: Reason | None = None
    sources: tuple[Source, ...] = ()


class FactRetracted(_FactChange):
    """A fact leaves the views; its history stays."""

    type: Literal["fact.retracted"] = "fact.retracted"
    reason: Reason | None = None
    sources: tuple[Source, ...] = ()


Short = Annotated[str, AfterValidator(partial(check_line, limit=500)), Native(line_schema(limit=500))]
"""One line of at most 500 characters (a content type, a program's name, an address)."""


@one_of("url", "file")
class SourceCaptured(Change):
    """A copy of a cited page (or of a local document) kept in the archive's capture store, with its custody:
    what was asked for, what answered, the hashes, when, with what program, from where; who asked is the
    revision's ``by``. The WARC file (request and response records) is named by ``warc``, its SHA-256.
    Schema version 1."""

    type: Literal["source.captured"] = "source.captured"
    version: Literal[1] = 1
    """The version of this event's fields; a later one adds an upcaster, old lines stay as they are."""
    url: Url | None = None
    """The address asked for, as the source cites it."""
    file: Short | None = None
    """A local document stored with ``--source-file``: its name as given."""
    final_url: Url | None = None
    """The address that answered, after redirects."""
    status: Annotated[int, Field(ge=100, le=599)] | None = None
    """The HTTP status of the final answer; none when no answer came (see ``error``) or for a file."""
    content_type: Short | None = None
    size: Annotated[int, Field(ge=0)] = 0
    """Bytes of the payload (the response body, or the file)."""
    sha256: SHA256 | None = None
    """SHA-256 of the payload; none when no answer came."""
    text_sha256: SHA256 | None = None
    """SHA-256 of the payload's text as quotes are checked against (HTML reduced to text, normalised); none
    when it has no text. Drift is judged on it, so a change of markup alone is not a change."""
    warc: SHA256
    """SHA-256 of the WARC file kept in ``captures/sha256/``: what ``verify`` checks."""
    fetched: UtcTime
    """When the page was fetched (or the file read), UTC."""
    tool: Short
    """The program and version that captured it (``fact-archive 0.1.0 (warcio 1.8.1)``)."""
    address: Short | None = None
    """From where: the IP address the answer came from, or the path the file was read from, and the host."""
    error: Reason | None = None
    """Why no answer came (a timeout, a refused connection, too large ...)."""

    @model_validator(mode="after")
    def _url_or_file(self) -> SourceCaptured:
        if (self.url is None) == (self.file is None):
            raise ValueError("a capture names either a url or a file")
        return self


CHANGES: tuple[type[Change], ...] = (
    RecordCreated,
    TitleAdded,
    InfoboxAdded,
    HeadingAdded,
    SentenceAdded,
    ItemAdded,
    TitleRevised,
    InfoboxRevised,
    HeadingRevised,
    SentenceRevised,
    ItemRevised,
    FactMoved,
    FactRetracted,
    InfoboxPreferred,
    RecordRevised,
    SourceCaptured,
)
CHANGE_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in CHANGES)


class Stamp(BaseModel):
    """What the log adds to a change: its place in the log and its provenance."""

    model_config = _FROZEN

    seq: Annotated[int, Field(ge=1)]
    """The event's number, 1-based and contiguous across the archive."""
    rev: Annotated[int, Field(ge=1)]
    """The revision it belongs to."""
    at: UtcTime
    """When the revision was recorded (UTC)."""
    by: By
    """Who recorded it."""
    prev: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """SHA-256 of the previous line's bytes (its newline included); 64 zeros on line 1."""
    end: Literal[True] | None = None
    """Set on the last event of a revision: the revision is whole."""
    summary: Reason | None = None
    """The revision's edit summary, on its last event."""
    sig: Annotated[str, Field(pattern=r"^[0-9a-f]{16}:[A-Za-z0-9+/]{86}==$")] | None = None
    """On the last event of a revision signed by its author: the author's key id and Ed25519 signature over the
    revision's lines without this field (``archive.store.signatures``). Lines written before it read unchanged."""


def _stamped(change: type[Change]) -> type[Change]:
    name = change.__name__ + "Event"
    cls = type(name, (change, Stamp), {"__module__": __name__, "__doc__": change.__doc__})
    return cls


EVENTS: dict[type[Change], type[Change]] = {c: _stamped(c) for c in CHANGES}
"""Each change class and its stamped event class (a subclass of both it and Stamp)."""

ChangeUnion: TypeAlias = Annotated[Union[tuple(CHANGES)], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007
EventUnion: TypeAlias = Annotated[Union[tuple(EVENTS.values())], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007

Event: TypeAlias = Any
"""A stamped change: an instance of one of ``EVENTS.values()``, so both a Change and a Stamp."""


class FastAdapter(TypeAdapter[Change]):  # type: ignore[misc]  # TypeAdapter is final to type checkers only
    """A ``TypeAdapter`` of the changes or events that validates in Rust first (``events.native``).

    Plain ``validate_json`` and ``validate_python`` calls try the fast validator, which accepts exactly
    what the models accept and returns the same objects; when it refuses, the models' own validator
    runs, so the ``ValidationError`` is the one it always was. Calls with options, and every other
    method (``json_schema`` ...), are ``TypeAdapter``'s.
    """

    _fast: SchemaValidator

    def validate_json(self, data: str | bytes | bytearray, /, **options: Any) -> Change:
        """The change or event of one JSON line."""
        if not options:
            try:
                return self._fast.validate_json(data)  # type: ignore[no-any-return]
            except ValidationError:
                pass
        return super().validate_json(data, **options)

    @property
    def native_json(self) -> Callable[[str | bytes | bytearray], Change]:
        """The fast validator's own ``validate_json``, for a loop over many lines: it accepts and refuses
        what ``validate_json`` does, without a Python call around it, but its errors are not for people
        (call ``validate_json`` on a refused line for the message)."""
        return self._fast.validate_json  # type: ignore[return-value]

    def validate_python(self, obj: Any, /, **options: Any) -> Change:
        """The change or event of a dict (or an instance)."""
        if not options:
            try:
                return self._fast.validate_python(obj)  # type: ignore[no-any-return]
            except ValidationError:
                pass
        return super().validate_python(obj, **options)


def _fast_adapter(union: Any) -> FastAdapter:
    adapter = FastAdapter(union)
    adapter._fast = fast_validator(adapter.core_schema)
    return adapter


_change_adapter: FastAdapter | None = None
_event_adapter: FastAdapter | None = None


def change_adapter() -> FastAdapter:
    """Validates an unstamped change (a line of an ``--events`` batch)."""
    global _change_adapter  # noqa: PLW0603 - built once, on first use
    if _change_adapter is None:
        _change_adapter = _fast_adapter(ChangeUnion)
    return _change_adapter


def event_adapter() -> FastAdapter:
    """Validates a stamped event (a line of the log)."""
    global _event_adapter  # noqa: PLW0603
    if _event_adapter is None:
        _event_adapter = _fast_adapter(EventUnion)
    return _event_adapter


def stamp(change: Change, **stamp_fields: Any) -> Change:
    """The event for ``change`` with the given stamp (seq, rev, at, by, prev, end, summary, sig)."""
    cls = EVENTS[type(change)]
    return cls.model_validate({**change.model_dump(), **stamp_fields})
