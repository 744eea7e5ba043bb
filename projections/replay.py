"""One pass over the revisions of a log, keeping copies of one record as it stood at chosen revisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from events.model import Change
from projections.fold import apply_event, apply_revision
from projections.state import ArchiveState, RecordState, Revision

__all__ = ["Captured", "RevisionEvents", "capture", "events_of", "fold_revision"]

RevisionEvents = Sequence[Change] | tuple[Revision, Sequence[Change]]
"""One revision to fold: all its events (stamped, the last one marked ``end``), or its stamp and only the
events the caller needs (one record's, as ``archive.store.folder.record_log`` reads them)."""


def _stamped(item: RevisionEvents) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Revision)


def events_of(item: RevisionEvents) -> Sequence[Change]:
    """The events a revision to fold holds."""
    return item[1] if _stamped(item) else item  # type: ignore[return-value]


def fold_revision(state: ArchiveState, item: RevisionEvents) -> Revision:
    """Fold one revision into ``state`` and return its stamp."""
    if _stamped(item):
        revision, events = item  # type: ignore[misc]
        for event in events:
            apply_event(state, event)
        state.revisions.append(revision)
        return revision
    return apply_revision(state, item)  # type: ignore[arg-type]


@dataclass(slots=True)
class Captured:
    """What one pass gave: the record at each asked-for revision, and the archive as far as it was read."""

    states: dict[int, RecordState | None] = field(default_factory=dict)
    """A copy of the record at each revision asked for that the log reaches; None where it did not exist yet."""
    archive: ArchiveState = field(default_factory=ArchiveState)
    """The state folded so far (up to the last revision asked for, or the whole log if it ends first)."""


def capture(revisions: Iterable[RevisionEvents], slug: str, at: Iterable[int]) -> Captured:
    """Fold ``revisions`` (in order; see ``RevisionEvents``) once, copying record ``slug`` as it stands after
    each revision in ``at``; stop after the last of them.

    Revision 0 means before the first revision. A revision the log does not reach is missing from
    ``states``: compare ``archive.store.folder.head``. Errors of the fold (``ArchiveError``) propagate: the caller, who
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
        revision = fold_revision(out.archive, events)
        while pending and pending[0] <= revision.rev:
            record = out.archive.records.get(slug)
            out.states[pending.pop(0)] = None if record is None else record.copy()
        if not pending:
            break
    return out
