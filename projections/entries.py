"""The rows of the infobox, timeline, sources and facts views, as typed records with a stable JSON shape."""

from __future__ import annotations

from dataclasses import dataclass

from events.source import Source
from projections.state import Capture

__all__ = ["FactRow", "InfoboxRow", "SourceRow", "TimelineRow"]


@dataclass(slots=True, frozen=True)
class InfoboxRow:
    """One infobox field as shown."""

    key: str
    value: str
    fact: str
    rev: int
    sources: tuple[Source, ...]
    alternatives: tuple[InfoboxRow, ...] = ()
    """Other claims for the field from other sources (rank normal), kept but not shown."""


@dataclass(slots=True, frozen=True)
class TimelineRow:
    """One dated fact: its EDTF date at its real precision, the qualifier the text uses, and its words."""

    date: str
    qualifier: str | None
    text: str
    fact: str
    rev: int
    sources: tuple[Source, ...]
    section: str | None
    """The heading it stands under; None in the lead."""
    inferred: str | None = None
    """What of the date was taken from the story, not the text ("year"); None: the text states it all."""


@dataclass(slots=True, frozen=True)
class SourceRow:
    """One distinct source and the facts it backs, in article order."""

    source: Source
    facts: tuple[str, ...]
    captures: tuple[Capture, ...] = ()
    """The kept copies of it, oldest first."""
    drift: str | None = None
    """Since it was first kept: ``unchanged``, ``changed`` (its text differs now), ``gone`` (the last try got an
    error or no answer); None when it has no copy."""


@dataclass(slots=True, frozen=True)
class FactRow:
    """One visible fact: id, kind, words, and where it came from."""

    fact: str
    kind: str
    text: str
    key: str | None
    section: str | None
    date: str | None
    rev: int
    added: int
    sources: tuple[Source, ...]
