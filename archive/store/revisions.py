"""Names of revisions as users write them: ``12``, ``HEAD``, ``HEAD~2``, or an ISO 8601 time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

from events.errors import InvalidInput, UnknownName

__all__ = ["resolve_revision"]

_HEAD = re.compile(r"HEAD(?:~(\d+))?\Z", re.IGNORECASE)


def _stamps(log: Path) -> Iterator[tuple[int, datetime]]:
    """``(rev, at)`` of each whole revision, read from the end marks (no other checks: replay does them)."""
    with open(log, "rb") as lines:
        for raw in lines:
            if b'"end":true' in raw and raw.endswith(b"\n"):
                data = orjson.loads(raw)
                yield data["rev"], datetime.fromisoformat(data["at"])


def resolve_revision(spec: str, log: Path, head: int | None = None) -> int:
    """The revision number ``spec`` names; refuse one that does not exist (yet)."""
    text = spec.strip()
    if text.isdigit():
        rev = int(text)
        if rev < 1:
            raise UnknownName(f"Revision {spec} does not exist: revisions are numbered from 1.")
        return rev
    if (match := _HEAD.match(text)) is not None:
        if head is None:
            head = max((rev for rev, _ in _stamps(log)), default=0)
        rev = head - int(match.group(1) or 0)
        if head == 0:
            raise UnknownName("The archive has no revision yet.", hint="Import or append first.")
        if rev < 1:
            raise UnknownName(f"{spec} does not exist: the archive has {head} revisions.")
        return rev
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            f"{spec!r} does not name a revision.",
            hint="Use a number (3), HEAD, HEAD~k, or an ISO 8601 time (2026-11-25T10:00Z).",
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    found = [rev for rev, at in _stamps(log) if at <= moment]
    if not found:
        raise UnknownName(f"No revision was recorded at or before {moment.isoformat()}.")
    return max(found)
