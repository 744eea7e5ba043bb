"""Reads one record's events out of the log quickly: every line's place in the chain is checked, only that
record's events are completed and validated.

``diff`` and ``history`` need one record's events at every revision. ``LogReader.fields(only=...)``
checks every line (``seq``, ``rev``, the ``prev`` hash, the end marks, the head witness) and completes
only the wanted record's lines; those are validated here as events, as the folds of ``projections.replay``
and ``projections.history`` take them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import ValidationError

from archive.store.head import Head
from archive.store.log import LogReader
from archive.store.port import LogPort
from events.errors import DamagedLog
from events.model import Change, event_adapter
from events.source import first_problem
from projections.fold import revision_of
from projections.state import Revision

__all__ = ["record_revisions"]

Warn = Callable[[str], None]


def record_revisions(
    log: LogPort | Path, slug: str, *, warn: Warn | None = None, head: Head | None = None
) -> Iterator[tuple[Revision, list[Change]]]:
    """Each whole revision of the log: its stamp (number, time, author, summary, records, events) and the
    validated events of record ``slug`` in it (often none). Lines after the last whole revision are a torn
    tail: left out, with a warning. ``head``: the witness of the last append, checked as readers do."""
    adapter = event_adapter()
    reader = LogReader(log, warn=warn, head=head)
    for events in reader.fields(only=(slug,)):
        mine: list[Change] = []
        for fields in events:
            if fields["record"] == slug:
                try:
                    mine.append(adapter.validate_python(dict(fields)))
                except ValidationError as exc:
                    raise DamagedLog(
                        f"{reader.name}:{fields['seq']}: {first_problem(exc)}.", hint="Run 'archive verify'."
                    ) from exc
        records = tuple(dict.fromkeys(fields["record"] for fields in events))
        yield revision_of(events[-1], len(events), records, events[0]["seq"]), mine
