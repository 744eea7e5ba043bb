"""The history of one fact: every version of it, each with its revision, author, sources and place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.corrections import Correction, correction_json, corrections
from projections.diff import FactSnapshot, snapshot, snapshot_json
from projections.replay import RevisionEvents, events_of, fold_revision
from projections.state import ArchiveState, Fact, RecordState

__all__ = ["FactVersion", "fact_history", "history_json"]


@dataclass(frozen=True, slots=True)
class FactVersion:
    """The fact as one revision left it."""

    rev: int
    at: datetime
    by: str
    summary: str | None
    changes: tuple[tuple[str, str], ...]
    """``(type, fact)`` of the events of the revision behind this version: those naming the fact, or, when
    another claim's event changed it (an alternative preferred over it, its field's shown claim retracted),
    those events."""
    fact: FactSnapshot
    """Its content and section after the revision."""
    after: str | None
    """The fact it then followed in its order (body or infobox, retracted ones skipped); None: the first."""
    retracted: bool
    reason: str | None
    corrections: tuple[Correction, ...] = ()
    """The retractions, moves and preferences of this revision naming the fact, with their reasons and sources."""


def _state(fact: Fact | None) -> tuple[Any, ...] | None:
    if fact is None:
        return None
    return (fact.text, fact.key, fact.level, fact.when, fact.sources, fact.rank, fact.retracted)


def _previous(record: RecordState, fact: Fact) -> str | None:
    order = record.infobox if fact.kind == "infobox" else record.body
    previous: str | None = None
    for fid in order:
        if fid == fact.id:
            return previous
        other = record.facts[fid]
        if not other.retracted and other.rank == "preferred":
            previous = fid
    return previous


def fact_history(revisions: Iterable[RevisionEvents], slug: str, fact_id: str) -> tuple[list[FactVersion], ArchiveState]:
    """Fold ``revisions`` (in order; see ``projections.replay.RevisionEvents``) once, keeping a version of fact ``fact_id`` of
    record ``slug`` at each revision that named it or changed it. Also returns the folded state, so the caller
    can tell an unknown record from an unknown fact. Fold errors propagate (the caller names the file)."""
    state = ArchiveState()
    versions: list[FactVersion] = []
    for item in revisions:
        events = events_of(item)
        record = state.records.get(slug)
        before = _state(record.facts.get(fact_id)) if record is not None else None
        revision = fold_revision(state, item)
        record = state.records.get(slug)
        fact = record.facts.get(fact_id) if record is not None else None
        if record is None or fact is None:
            continue
        naming = tuple((e.type, e.fact) for e in events if e.record == slug and getattr(e, "fact", None) == fact_id)
        if not naming and before == _state(fact):
            continue
        if not naming and fact.kind == "infobox":
            naming = tuple(
                (e.type, e.fact)
                for e in events
                if e.record == slug
                and (other := record.facts.get(getattr(e, "fact", "") or "")) is not None
                and other.key == fact.key
            )
        heading = record.section_of(fact_id) if fact.kind in ("heading", "sentence", "item") else None
        versions.append(
            FactVersion(
                rev=revision.rev,
                at=revision.at,
                by=revision.by,
                summary=revision.summary,
                changes=naming,
                fact=snapshot(fact, record.facts[heading].text if heading is not None else None),
                after=_previous(record, fact) if fact.kind != "title" else None,
                retracted=fact.retracted,
                reason=fact.reason,
                corrections=tuple(c for c in corrections(events, slug) if c.fact in {f for _, f in naming}),
            )
        )
    return versions, state


def history_json(record: str, fact_id: str, versions: Sequence[FactVersion]) -> dict[str, Any]:
    """The history as the JSON of ``archive history --format json``: ``record, fact, kind, versions: [{rev, at, by,
    summary, changes: [{type, fact}], after, retracted, reason, corrections: [{rev, kind, fact, reason, sources}],
    fact: {snapshot}}]``."""
    return {
        "record": record,
        "fact": fact_id,
        "kind": versions[-1].fact.kind if versions else None,
        "versions": [
            {
                "rev": v.rev,
                "at": v.at.isoformat().replace("+00:00", "Z"),
                "by": v.by,
                "summary": v.summary,
                "changes": [{"type": t, "fact": f} for t, f in v.changes],
                "after": v.after,
                "retracted": v.retracted,
                "reason": v.reason,
                "corrections": [correction_json(c) for c in v.corrections],
                "fact": snapshot_json(v.fact),
            }
            for v in versions
        ],
    }
