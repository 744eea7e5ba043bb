"""Reads one record's events out of the log quickly: every line's place in the chain is checked, only that
record's lines are validated.

``diff`` and ``history`` need one record's events at every revision. ``archive.log.LogReader`` validates
every line of every record with pydantic (most of a replay's time); here each line is parsed with orjson
and checked for its place (``seq``, ``rev``, the ``prev`` hash, the end marks, exactly as LogReader does),
and only the lines of the wanted record are validated as events. A line of another record whose payload
is malformed is left to ``archive verify`` and the other commands, which read every line in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import orjson
from pydantic import ValidationError

from events.codec import GENESIS, line_hash
from events.errors import DamagedLog
from events.model import Change, event_adapter
from events.source import first_problem
from projections.state import Revision

__all__ = ["record_revisions"]

Warn = Callable[[str], None]


def _damaged(where: str, problem: str) -> DamagedLog:
    return DamagedLog(f"{where}: {problem}.", hint="Run 'archive verify' for details.")


def record_revisions(log: Path, slug: str, *, warn: Warn | None = None) -> Iterator[tuple[Revision, list[Change]]]:
    """Each whole revision of the log: its stamp (number, time, author, summary, records, events) and the
    validated events of record ``slug`` in it (often none). Lines after the last whole revision are a torn
    tail: left out, with a warning, as ``LogReader`` does."""
    adapter = event_adapter()
    name = log.name
    prev, seq, rev = GENESIS, 0, 0
    read = whole = 0
    pending: list[Change] = []
    records: dict[str, None] = {}
    count = 0
    first_seq = 0
    with open(log, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            read += len(raw)
            if not raw.endswith(b"\n"):
                break  # a partial last line: torn tail
            where = f"{name}:{number}"
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise _damaged(where, f"not valid JSON ({exc})") from exc
            if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in _STAMP):
                raise _damaged(where, "not an event line (seq, rev, record, prev, at and by are needed)")
            if data["seq"] != seq + 1:
                raise DamagedLog(
                    f"{where}: seq is {data['seq']}, expected {seq + 1}: a line is missing, repeated or out of order."
                )
            if data["prev"] != prev:
                raise DamagedLog(
                    f"{where}: prev does not match the hash of line {number - 1}: the log was changed at or before this line."
                )
            expected = rev if count else rev + 1
            if data["rev"] != expected:
                raise DamagedLog(f"{where}: rev is {data['rev']}, expected {expected}.")
            seq, rev, prev = data["seq"], data["rev"], line_hash(raw)
            if not count:
                first_seq = seq
            count += 1
            records[data["record"]] = None
            if data["record"] == slug:
                try:
                    pending.append(adapter.validate_json(raw))
                except ValidationError as exc:
                    raise _damaged(where, first_problem(exc)) from exc
            if data.get("end") is True:
                try:
                    at = datetime.fromisoformat(data["at"])
                except ValueError as exc:
                    raise _damaged(where, f"at {data['at']!r} is not a time") from exc
                stamp = Revision(rev, at, data["by"], data.get("summary"), count, tuple(records), first_seq)
                yield stamp, pending
                pending, records, count, whole = [], {}, 0, read
    if read > whole and warn is not None:
        warn(
            f"{name}: bytes {whole}-{read} at the end are an unfinished revision and were ignored; "
            "'archive recover' moves them to .archive/quarantine/."
        )


_STAMP = (("seq", int), ("rev", int), ("record", str), ("prev", str), ("at", str), ("by", str))
