"""The changes that carry a reason or sources but no new words: retractions, moves and preferences, for diff and history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from events.source import Source

__all__ = ["Correction", "correction_json", "corrections"]

_KINDS = {"fact.retracted": "retracted", "fact.moved": "moved", "infobox.preferred": "preferred"}


@dataclass(frozen=True, slots=True)
class Correction:
    """One retraction, move or preference: which fact, in which revision, why, and on which sources."""

    rev: int
    kind: str
    """``retracted``, ``moved`` or ``preferred``."""
    fact: str
    reason: str | None
    sources: tuple[Source, ...]


def corrections(events: Iterable[Any], record: str) -> list[Correction]:
    """The corrections among stamped ``events`` of ``record``, in log order. A move that cites nothing (a fact
    that only makes room for another) is left out."""
    out: list[Correction] = []
    for event in events:
        kind = _KINDS.get(event.type)
        if kind is None or event.record != record:
            continue
        reason = getattr(event, "reason", None)
        if kind == "moved" and not event.sources:
            continue
        out.append(Correction(event.rev, kind, event.fact, reason, tuple(event.sources)))
    return out


def correction_json(correction: Correction) -> dict[str, Any]:
    """``{rev, kind, fact, reason, sources}``."""
    return {
        "rev": correction.rev,
        "kind": correction.kind,
        "fact": correction.fact,
        "reason": correction.reason,
        "sources": list(correction.sources),
    }
