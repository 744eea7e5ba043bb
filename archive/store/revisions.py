"""Names of revisions as users write them: ``12``, ``HEAD``, ``HEAD~2``, or an ISO 8601 time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from archive.store.port import LogPort
from events.errors import InvalidInput, UnknownName

__all__ = ["parse_moment", "resolve_revision"]

_HEAD = re.compile(r"HEAD(?:~(\d+))?\Z", re.IGNORECASE)


def resolve_revision(spec: str, log: LogPort | Path, head: int | None = None) -> int:
    """The revision number ``spec`` names; refuse one that does not exist (yet). ``log``: the log port (a
    Path is read as the JSONL file); HEAD and times are asked of it (the file reads its end marks, a database
    its revisions table)."""
    if isinstance(log, Path):
        from archive.store.jsonl import JsonlLog  # noqa: PLC0415

        log = JsonlLog(log)
    text = spec.strip()
    if text.isdigit():
        rev = int(text)
        if rev < 1:
            raise UnknownName(f"Revision {spec} does not exist: revisions are numbered from 1.")
        return rev
    if (match := _HEAD.match(text)) is not None:
        if head is None:
            head = log.last_revision()
        rev = head - int(match.group(1) or 0)
        if head == 0:
            raise UnknownName("The archive has no revision yet.", hint="Import or append first.")
        if rev < 1:
            raise UnknownName(f"{spec} does not exist: the archive has {head} revisions.")
        return rev
    moment = parse_moment(text)
    if moment is None:
        raise InvalidInput(
            f"{spec!r} does not name a revision.",
            hint="Use a number (3), HEAD, HEAD~k, or an ISO 8601 time (2026-11-25T10:00Z).",
        )
    found = log.revision_at(moment)
    if not found:
        raise UnknownName(f"No revision was recorded at or before {moment.isoformat()}.")
    return found


def parse_moment(text: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (a time without a zone is UTC); None if ``text`` is not one."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
