"""One pass over the revisions of a log, keeping copies of one record as it stood at chosen revisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from events.model import Change
from projections.fold import apply_revision
from projections.state import ArchiveState, RecordState

__all__ = ["Captured", "capture"]


@dataclass(slots=True)
class Captured:
    """What one pass gave: the record at each asked-for revision, and the archive as far as it was read."""

    states: dict[int, RecordState | None] = field(default_factory=dict)
    """A copy of the record at each revision asked for that the log reaches; None where it did not exist yet."""
    archive: ArchiveState = field(default_factory=ArchiveState)
    """The state folded so far (up to the last revision asked for, or the whole log if it ends first)."""


def capture(revisions: Iterable[Sequence[Change]], slug: str, at: Iterable[int]) -> Captured:
    """Fold ``revisions`` (each the events of one whole revision, in order) once, copying record ``slug`` as it
    stands after each revision in ``at``; stop after the last of them.

    Revision 0 means before the first revision. A revision the log does not reach is missing from
    ``states``: compare ``archive.head``. Errors of the fold (``ArchiveError``) propagate: the caller, who
    knows the file, says where the log is damaged.
    """
    wanted = sorted(set(at))
    out = Captured()
    pending = list(wanted)
    while pending and pending[0] <= 0:
        out.states[pending.pop(0)] = None
    if not pending:
        return out
    for events in revisions:
        revision = apply_revision(out.archive, events)
        while pending and pending[0] <= revision.rev:
            record = out.archive.records.get(slug)
            out.states[pending.pop(0)] = None if record is None else record.copy()
        if not pending:
            break
    return out
