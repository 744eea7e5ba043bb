"""The sources view: each distinct source cited by a visible fact, with the facts it backs and its kept copies."""

from __future__ import annotations

from collections.abc import Sequence

from events.source import Source
from projections.entries import SourceRow
from projections.state import Capture, Fact, RecordState, source_key

__all__ = ["DRIFTED", "captures_of", "drift", "drifted_facts", "source_rows", "visible_facts"]

DRIFTED = frozenset({"changed", "gone"})
"""The drift of a source that no longer says what it said when it was first kept."""


def visible_facts(record: RecordState) -> list[Fact]:
    """Title, infobox fields (each with its alternative claims), then body facts: every visible fact in article order."""
    title = [record.facts[record.title]] if record.title_text() is not None else []
    return title + record.visible_claims() + record.visible_body()  # type: ignore[list-item]


def captures_of(record: RecordState, source: Source) -> tuple[Capture, ...]:
    """The kept copies of ``source``, oldest first."""
    key = source_key(source)
    return record.captures.get(key, ()) if key is not None else ()


def drift(captures: Sequence[Capture]) -> str | None:
    """How the last copy compares with the first that answered: ``unchanged``, ``changed`` or ``gone``; None with no copy.

    ``gone``: the last try got no answer or an error status. ``changed``: its text (its bytes, when it has no
    text) differs from the first good copy's.
    """
    if not captures:
        return None
    last = captures[-1]
    if not last.answered:
        return "gone"
    first = next((c for c in captures if c.answered), last)
    return "unchanged" if first.fingerprint == last.fingerprint else "changed"


def source_rows(record: RecordState) -> list[SourceRow]:
    """Sources in order of first citation, each with the ids of the facts that cite it and its copies."""
    backing: dict[Source, list[str]] = {}
    for fact in visible_facts(record):
        for source in fact.sources:
            backing.setdefault(source, []).append(fact.id)
    rows = []
    for source, facts in backing.items():
        kept = captures_of(record, source)
        rows.append(SourceRow(source, tuple(facts), kept, drift(kept)))
    return rows


def drifted_facts(record: RecordState) -> frozenset[str]:
    """The visible facts every source of which has changed or gone since it was kept ("source changed since cited")."""
    flagged = set()
    for fact in visible_facts(record):
        states = [drift(captures_of(record, source)) for source in fact.sources]
        if states and all(state in DRIFTED for state in states):
            flagged.add(fact.id)
    return frozenset(flagged)
