"""The sources view: each distinct source cited by a visible fact, with the facts it backs."""

from __future__ import annotations

from events.source import Source
from projections.entries import SourceRow
from projections.state import Fact, RecordState

__all__ = ["source_rows", "visible_facts"]


def visible_facts(record: RecordState) -> list[Fact]:
    """Title, infobox fields (each with its alternative claims), then body facts: every visible fact in article order."""
    title = [record.facts[record.title]] if record.title_text() is not None else []
    return title + record.visible_claims() + record.visible_body()  # type: ignore[list-item]


def source_rows(record: RecordState) -> list[SourceRow]:
    """Sources in order of first citation, each with the ids of the facts that cite it."""
    backing: dict[Source, list[str]] = {}
    for fact in visible_facts(record):
        for source in fact.sources:
            backing.setdefault(source, []).append(fact.id)
    return [SourceRow(source, tuple(facts)) for source, facts in backing.items()]
