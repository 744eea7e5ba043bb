"""Which revisions ``archive log`` lists: by record, author, and a time (or revision) range."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.store.port import LogPort
from archive.store.revisions import parse_moment, resolve_revision
from events.errors import InvalidInput
from projections.state import Revision

__all__ = ["Bound", "parse_bound", "period", "resolve_at", "select"]

_REVISION = re.compile(r"\d+\Z|HEAD(?:~\d+)?\Z", re.IGNORECASE)
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\Z")


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a range: a revision number, or a moment (UTC)."""

    rev: int | None = None
    moment: datetime | None = None


def period(spec: str, option: str) -> tuple[datetime, datetime] | None:
    """The first and last moment (UTC) of a bare day, month or year (``2026-11-25``, ``2026-11``, ``2026``); None
    for anything else. Refuses a date that does not exist (``2026-02-30``)."""
    match = _PERIOD.match(spec.strip())
    if match is None:
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day is not None:
            start = datetime(year, int(month), int(day), tzinfo=UTC)  # type: ignore[arg-type]
            stop = start + timedelta(days=1)
        elif month is not None:
            start = datetime(year, int(month), 1, tzinfo=UTC)
            stop = start + timedelta(days=monthrange(year, int(month))[1])
        else:
            start, stop = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"{option} {spec!r} is not a real date ({exc}).") from exc
    return start, stop - timedelta(microseconds=1)


def resolve_at(spec: str, log: LogPort | Path, option: str = "--at") -> int:
    """The revision ``--at`` (or A and B of ``diff``) names: as ``resolve_revision`` reads it, but a bare date
    means the end of that day (month, year), as ``--until`` does: ``show --at 2026-12-05`` is the record as it
    stood when that day was over."""
    bounds = period(spec, option) if not _REVISION.match(spec.strip()) else None
    if bounds is not None:
        return resolve_revision(bounds[1].isoformat(), log)
    return resolve_revision(spec, log)


def parse_bound(spec: str, *, end: bool, log: LogPort | Path, option: str) -> Bound:
    """``--since``/``--until`` as given: a revision (``12``, ``HEAD~3``), a day, month or year (``2026-11-25``,
    ``2026-11``, ``2026``: from its start with ``--since``, to its end with ``--until``), or an ISO 8601 time."""
    text = spec.strip()
    if _REVISION.match(text):
        return Bound(rev=resolve_revision(text, log))
    if (bounds := period(text, option)) is not None:
        return Bound(moment=bounds[1] if end else bounds[0])
    moment = parse_moment(text)
    if moment is None:
        raise InvalidInput(
            f"{option} {spec!r} is neither a time nor a revision.",
            hint="Give a revision (12, HEAD~3), a date (2026-11-25, 2026-11) or an ISO 8601 time (2026-11-25T10:00Z).",
        )
    return Bound(moment=moment)


def select(
    revisions: Iterable[Revision],
    *,
    record: str | None = None,
    by: str | None = None,
    since: Bound | None = None,
    until: Bound | None = None,
) -> list[Revision]:
    """The revisions that touch ``record``, were recorded by ``by`` (exactly, ignoring case), and fall in
    ``since``..``until`` (both ends included), in the order given."""
    wanted_by = by.casefold() if by is not None else None
    out: list[Revision] = []
    for revision in revisions:
        if record is not None and record not in revision.records:
            continue
        if wanted_by is not None and revision.by.casefold() != wanted_by:
            continue
        if since is not None and not _after(revision, since):
            continue
        if until is not None and not _after(revision, until, before=True):
            continue
        out.append(revision)
    return out


def _after(revision: Revision, bound: Bound, *, before: bool = False) -> bool:
    if bound.rev is not None:
        return revision.rev <= bound.rev if before else revision.rev >= bound.rev
    assert bound.moment is not None
    return revision.at <= bound.moment if before else revision.at >= bound.moment
