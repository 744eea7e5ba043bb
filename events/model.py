"""Every change the log can hold, as frozen pydantic models discriminated by ``type``.

A *change* is what a user or the importer asks for (``SentenceAdded``); an
*event* is a change stamped by the log with its place and provenance (``seq``,
``rev``, ``at``, ``by``, ``prev``), one line of ``events.jsonl``. Each event
class derives from its change class, so code that folds changes also folds
events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any, Literal, TypeAlias, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from events.ids import FactId, Slug
from events.source import Source
from events.text import check_line
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
    "Stamp",
    "TitleAdded",
    "TitleRevised",
    "change_adapter",
    "event_adapter",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

Gap = Annotated[int, Field(ge=0, le=20)]
"""Blank lines before a block (heading, paragraph, list, infobox) in the article text."""
Sources = Annotated[tuple[Source, ...], Field(min_length=1, max_length=100)]
"""The citations behind a change that asserts content: at least one."""


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
    ending: str = "\n"
    """What the article text ends with after its last line: ``"\\n"`` usually."""

    @field_validator("ending")
    @classmethod
    def _newlines(cls, value: str) -> str:
        if value.strip("\n") or len(value) > 20:
            raise ValueError("ending may hold only up to 20 line breaks")
        return value


class RecordRevised(Change):
    """A change to the record's own layout: what its article text ends with."""

    type: Literal["record.revised"] = "record.revised"
    ending: str | None = None
    """The new ending (line breaks after the last line); none: unchanged."""

    @field_validator("ending")
    @classmethod
    def _newlines(cls, value: str | None) -> str | None:
        if value is not None and (value.strip("\n") or len(value) > 20):
            raise ValueError("ending may hold only up to 20 line breaks")
        return value


class _FactChange(Change):
    fact: FactId
    """The fact it adds or changes, by its id inside the record."""


class ContentChange(_FactChange):
    """A change that asserts content, and so cites at least one source."""

    sources: Sources


Line = Annotated[str, AfterValidator(check_line)]
"""One line of non-blank text without control characters."""
Multiline = Annotated[str, AfterValidator(partial(check_line, multiline=True))]
"""Text that may hold single line breaks (a sentence hard-wrapped in its paragraph)."""
FieldValue = Annotated[str, AfterValidator(lambda v: v if v == "" else check_line(v))]
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
    key: str
    value: FieldValue
    after: FactId | None = None
    """The field it follows; none: the first field."""
    gap: Gap = 1
    """Blank lines before the ``Infobox`` line (read from the first field only)."""
    rank: Rank | None = None
    """``normal``: an alternative claim for a field the infobox already shows (another source's value);
    it stands with that field, after its other claims. None (the default): the field's shown claim."""

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        check_line(value, limit=200)
        if ":" in value or value != value.strip():
            raise ValueError("an infobox key holds no ':' and no space at either end")
        return value


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
    lead: str = ""
    """The bytes between the previous sentence of its paragraph and this one (``" "``)."""
    gap: Gap = 1
    """Blank lines before its paragraph, when it opens one."""

    @field_validator("lead")
    @classmethod
    def _lead(cls, value: str) -> str:
        if value.strip() or "\n\n" in value or len(value) > 100:
            raise ValueError("lead is the white space between two sentences")
        return value


class ItemAdded(ContentChange):
    """A list item, ``- item``."""

    type: Literal["item.added"] = "item.added"
    text: Line
    when: When | None = None
    after: FactId | None = None
    list: FactId
    """The list it belongs to, named by the id of the item that opened it."""
    bullet: str = "- "
    gap: Gap = 1

    @field_validator("bullet")
    @classmethod
    def _bullet(cls, value: str) -> str:
        if value.strip() not in ("-", "*") or not value.endswith(" ") or "\n" in value:
            raise ValueError("bullet is '- ' (or '* '), optionally indented")
        return value


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
    lead: str | None = None
    gap: Gap | None = None
    bullet: str | None = None
    """A list item's new bullet (``- ``, ``* ``, maybe indented)."""
    sources: tuple[Source, ...] = ()

    @field_validator("bullet")
    @classmethod
    def _bullet(cls, value: str | None) -> str | None:
        if value is not None and (value.strip() not in ("-", "*") or not value.endswith(" ") or "\n" in value):
            raise ValueError("bullet is '- ' (or '* '), optionally indented")
        return value


class InfoboxPreferred(_FactChange):
    """An alternative claim of an infobox field becomes the shown one; the claim shown until now
    becomes an alternative (both keep their sources)."""

    type: Literal["infobox.preferred"] = "infobox.preferred"
    reason: str | None = None
    sources: tuple[Source, ...] = ()

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return None if value is None else check_line(value, limit=2000)


class FactRetracted(_FactChange):
    """A fact leaves the views; its history stays."""

    type: Literal["fact.retracted"] = "fact.retracted"
    reason: str | None = None
    sources: tuple[Source, ...] = ()

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return None if value is None else check_line(value, limit=2000)


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
)
CHANGE_TYPES: tuple[str, ...] = tuple(c.model_fields["type"].default for c in CHANGES)


class Stamp(BaseModel):
    """What the log adds to a change: its place in the log and its provenance."""

    model_config = _FROZEN

    seq: Annotated[int, Field(ge=1)]
    """The event's number, 1-based and contiguous across the archive."""
    rev: Annotated[int, Field(ge=1)]
    """The revision it belongs to."""
    at: datetime
    """When the revision was recorded (UTC)."""
    by: str
    """Who recorded it."""
    prev: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """SHA-256 of the previous line's bytes (its newline included); 64 zeros on line 1."""
    end: Literal[True] | None = None
    """Set on the last event of a revision: the revision is whole."""
    summary: str | None = None
    """The revision's edit summary, on its last event."""

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.utcoffset() is None or value.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
            raise ValueError("at must be a UTC time ending in Z")
        return value.astimezone(UTC)

    @field_validator("by")
    @classmethod
    def _by(cls, value: str) -> str:
        return check_line(value, limit=200)

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str | None) -> str | None:
        return None if value is None else check_line(value, limit=2000)


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

_change_adapter: TypeAdapter[Change] | None = None
_event_adapter: TypeAdapter[Change] | None = None


def change_adapter() -> TypeAdapter[Change]:
    """Validates an unstamped change (a line of an ``--events`` batch)."""
    global _change_adapter  # noqa: PLW0603 - built once, on first use
    if _change_adapter is None:
        _change_adapter = TypeAdapter(ChangeUnion)
    return _change_adapter


def event_adapter() -> TypeAdapter[Change]:
    """Validates a stamped event (a line of the log)."""
    global _event_adapter  # noqa: PLW0603
    if _event_adapter is None:
        _event_adapter = TypeAdapter(EventUnion)
    return _event_adapter


def stamp(change: Change, **stamp_fields: Any) -> Change:
    """The event for ``change`` with the given stamp (seq, rev, at, by, prev, end, summary)."""
    cls = EVENTS[type(change)]
    return cls.model_validate({**change.model_dump(), **stamp_fields})
