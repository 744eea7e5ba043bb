"""Which sources a revised fact cites: the ones it had and the new ones (the union), unless replacing is asked for.

A ``*.revised`` event replaces the fact's sources when folded (so old log lines keep their meaning); the code
that writes one therefore writes the union: the fact's current sources first, then the ones given for the
revision, each once. ``--replace-sources`` writes only the given ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from events.errors import InvalidInput
from events.model import (
    Change,
    ContentChange,
    HeadingRevised,
    InfoboxRevised,
    ItemRevised,
    SentenceRevised,
    TitleRevised,
)
from events.source import Source
from projections.state import RecordState

__all__ = ["MAX_SOURCES", "REVISED", "merged_sources", "with_kept_sources"]

REVISED: tuple[type[Change], ...] = (TitleRevised, InfoboxRevised, HeadingRevised, SentenceRevised, ItemRevised)
"""The change types that give a fact new content, and with it (when folded) its list of sources."""
MAX_SOURCES = 100
"""As many sources as one event may cite (``events.model.Sources``)."""


def merged_sources(kept: Iterable[Source], given: Iterable[Source]) -> tuple[Source, ...]:
    """``kept`` then ``given``, each source once, in that order."""
    out: dict[Source, None] = {}
    for source in (*kept, *given):
        out.setdefault(source, None)
    return tuple(out)


def with_kept_sources(record: RecordState, changes: list[Change], *, replace: bool = False) -> list[Change]:
    """``changes`` with every revision of an existing fact citing the fact's sources as well as its own.

    Several revisions of one fact in one list chain: each keeps what the one before it cited. With
    ``replace``, the changes are returned as they are.
    """
    if replace:
        return changes
    current: dict[str, tuple[Source, ...]] = {}
    out: list[Change] = []
    for change in changes:
        if isinstance(change, REVISED):
            fid = change.fact  # type: ignore[attr-defined]
            fact = record.facts.get(fid)
            before = current.get(fid, fact.sources if fact is not None else ())
            sources = merged_sources(before, change.sources)  # type: ignore[attr-defined]
            if len(sources) > MAX_SOURCES:
                raise InvalidInput(
                    f"Fact '{fid}' would cite {len(sources)} sources, more than the {MAX_SOURCES} a fact may have.",
                    hint="Give --replace-sources to cite only the sources given now.",
                )
            current[fid] = sources
            change = change.model_copy(update={"sources": sources})  # noqa: PLW2901
        elif isinstance(change, ContentChange):  # a fact added in the same list
            current[change.fact] = change.sources
        out.append(change)
    return out
