"""The change log on disk: streaming whole revisions out of it, and appending revisions to it durably."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from contextlib import AbstractContextManager
from hashlib import sha256
from pathlib import Path
from typing import Any, NoReturn

import orjson
from pydantic import TypeAdapter, ValidationError

from archive.store.collector import paused_gc
from archive.store.folder import Archive, open_log
from archive.store.head import Head
from archive.store.jsonl import MAX_LINE, JsonlLog
from archive.store.port import LogPort
from archive.store.tail import Tail
from events.codec import GENESIS
from events.errors import ArchiveError, DamagedLog
from events.model import Change, event_adapter
from events.source import first_problem
from events.wire import Malformed, event_fields
from projections.fold import Fields, apply_fields
from projections.state import ArchiveState, Revision

__all__ = ["MAX_LINE", "LogReader", "Tail", "fold", "locked", "paused_gc", "replay"]

Warn = Callable[[str], None]

_WITNESS: Any = object()
"""LogReader's default ``head``: the witness the log port reports, read before the first line."""


class LogReader:
    """Streams the whole revisions of a log, checking ``seq``, ``rev`` and the hash chain of every line.

    With ``head`` (the witness of the last append, read *before* the log is
    opened), it also checks that the line the witness names is still there,
    unchanged, and whole.
    """

    def __init__(
        self,
        log: LogPort | Path,
        *,
        warn: Warn | None = None,
        name: str | None = None,
        start: Tail | None = None,
        head: Head | None = _WITNESS,
    ) -> None:
        self.log: LogPort = JsonlLog(log) if isinstance(log, Path) else log
        self.name = name or self.log.name
        self.warn = warn
        self.start = start
        """Where to begin: after the whole revisions a previous read (or a checkpoint) covered."""
        self.head = self.log.witness() if head is _WITNESS else head
        """The witness of the last append, read before the log (None: a log with no witness, or verify's own checks)."""
        self.tail: Tail | None = None
        """Set once the revisions have been read to the end."""

    def revisions(self) -> Iterator[list[Change]]:
        """Each whole revision's events in order, every line validated in full; an unfinished revision at
        the end is left out, with a warning.

        Line ``n`` of the log holds event ``seq == n``, so errors name the line even when reading starts
        past the beginning.
        """
        return self._read(typed=True)  # type: ignore[return-value]

    def fields(self, only: Container[str] | None = None) -> Iterator[list[Fields]]:
        """Each whole revision as the fields of its events (``events.wire.event_fields``), for folding with
        ``projections.fold.apply_fields``; otherwise as ``revisions``.

        A line up to the one the head witness names is not validated again: it was validated when it was
        appended, and the hash chain from it to the witnessed line (checked here) proves it unchanged.
        Lines past the witness, or every line when there is none, are validated in full. With ``only``,
        the witnessed lines of other records come as their decoded JSON, not completed (for
        ``projections.fold.apply_fields_of``, which only counts them).
        """
        return self._read(typed=False, only=only)  # type: ignore[return-value]

    def _read(self, *, typed: bool, only: Container[str] | None = None) -> Iterator[list[Change] | list[Fields]]:
        adapter = event_adapter()
        start = self.start or Tail(0, 0, 0, GENESIS)
        head = self.head
        witnessed = head.seq if head is not None and not typed else 0
        prev, seq, rev = start.hash, start.seq, start.rev
        offset = whole_offset = read_end = start.offset
        whole = (seq, rev, prev)
        pending: list[Any] = []
        if head is not None and head.seq == start.seq and head.hash != start.hash:
            raise _changed_head(self.name, head)
        loads = orjson.loads
        # the lines come from the log port, whatever its backend
        number = start.seq
        for raw in self.log.lines(start if start.seq else None):
            number += 1
            read_end += len(raw)
            if len(raw) > MAX_LINE:
                raise DamagedLog(
                    f"{self.name}:{number}: the line is longer than the {MAX_LINE} bytes a log line may hold.",
                    hint=_VERIFY,
                )
            if not raw.endswith(b"\n"):
                break  # a partial last line: torn tail
            try:
                data = loads(raw)
                line_seq, line_rev, line_prev, end = data["seq"], data["rev"], data["prev"], data.get("end")
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                self._invalid(adapter, raw, number)
            if line_seq != seq + 1 or line_rev.__class__ is not int:
                if line_seq.__class__ is not int or line_rev.__class__ is not int:
                    self._invalid(adapter, raw, number)
                raise DamagedLog(
                    f"{self.name}:{number}: seq is {line_seq}, expected {seq + 1}: a line is missing, repeated or "
                    "out of order.",
                    hint=_VERIFY,
                )
            if line_prev != prev:
                raise DamagedLog(
                    f"{self.name}:{number}: prev does not match the hash of line {number - 1}: the log was changed "
                    "at or before this line.",
                    hint=_VERIFY,
                )
            expected_rev = rev if pending else rev + 1
            if line_rev != expected_rev:
                raise DamagedLog(f"{self.name}:{number}: rev is {line_rev}, expected {expected_rev}.", hint=_VERIFY)
            seq, rev, prev = line_seq, line_rev, sha256(raw).hexdigest()  # events.codec.line_hash, inlined
            if head is not None and seq == head.seq and (prev != head.hash or end is not True):
                raise _changed_head(self.name, head)
            if typed:
                pending.append(self._validated(adapter, raw, number))
            elif seq <= witnessed and only is not None and data.get("record") not in only:
                pending.append(data)
            elif seq <= witnessed:
                try:
                    pending.append(event_fields(data))
                except Malformed:
                    pending.append(self._validated(adapter, raw, number).__dict__)
            else:
                pending.append(self._validated(adapter, raw, number).__dict__)
            offset += len(raw)
            if end is True:
                whole_offset, whole = offset, (seq, rev, prev)
                yield pending
                pending = []
            elif end is not None:
                self._invalid(adapter, raw, number)
        if head is not None and head.seq > whole[0]:
            raise DamagedLog(
                f"{self.name}:{head.seq}: missing: revision {head.rev} was written up to line {head.seq}, "
                f"but the whole revisions of the log end at line {whole[0]}: lines were removed or cut from the end.",
                hint="Restore events.jsonl from a backup; if you put an older copy back on purpose, delete .archive/head.json.",
            )
        torn = (whole_offset, read_end) if read_end > whole_offset else None
        if torn is not None and self.warn is not None:
            self.warn(
                f"{self.name}: bytes {torn[0]}-{torn[1]} at the end are an unfinished revision (being written now, "
                "or cut short by a crash) and were ignored; 'archive recover' moves them to .archive/quarantine/."
            )
        self.tail = Tail(whole_offset, *whole, torn=torn)

    def _validated(self, adapter: TypeAdapter[Change], raw: bytes, number: int) -> Change:
        try:
            return adapter.validate_json(raw)
        except ValidationError as exc:
            raise DamagedLog(f"{self.name}:{number}: {_problem(exc)}.", hint=_VERIFY) from exc

    def _invalid(self, adapter: TypeAdapter[Change], raw: bytes, number: int) -> NoReturn:
        self._validated(adapter, raw, number)
        raise DamagedLog(
            f"{self.name}:{number}: not an event line as the log writes it (seq and rev are numbers, prev a hash, "
            "end true or left out).",
            hint=_VERIFY,
        )


_VERIFY = "Run 'archive verify' for details."


def _changed_head(name: str, head: Head) -> DamagedLog:
    return DamagedLog(
        f"{name}:{head.seq}: the line differs from the one revision {head.rev} wrote there "
        "(its hash is not the one in .archive/head.json): it was changed after it was written.",
        hint="Run 'archive verify'; restore events.jsonl from a backup.",
    )


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    if err["type"] == "json_invalid":
        return f"not valid JSON ({err['msg'].removeprefix('Invalid JSON: ')})"
    return first_problem(exc)


def replay(
    archive: Archive,
    *,
    until: int | None = None,
    warn: Warn | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ArchiveState, Tail | None]:
    """Fold the log into state, up to revision ``until`` (all when None).

    Returns the state and, when the whole log was read, its tail.
    """
    state = ArchiveState()
    reader = LogReader(open_log(archive), warn=warn)
    with paused_gc():
        for events in reader.fields():
            if until is not None and events[0]["rev"] > until:
                return state, None
            fold(state, events, reader.name)
            if progress is not None:
                progress(len(events))
    return state, reader.tail


def fold(state: ArchiveState, events: list[Fields], name: str) -> Revision:
    """Fold one revision that ``LogReader.fields`` read from the log called ``name`` into ``state``.

    Raises DamagedLog when it cannot apply: the log holds what no valid append could have written.
    """
    try:
        return apply_fields(state, events)
    except ArchiveError as exc:
        raise DamagedLog(f"{name}: revision {events[0]['rev']} cannot apply: {exc}", hint=_VERIFY) from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        adapter = event_adapter()
        for event in events:  # which line: validate each in full now
            try:
                adapter.validate_python(dict(event))
            except ValidationError as invalid:
                raise DamagedLog(f"{name}:{event.get('seq')}: {_problem(invalid)}.", hint=_VERIFY) from exc
        raise DamagedLog(
            f"{name}: revision {events[0]['rev']} (from line {events[0]['seq']}) cannot be read ({type(exc).__name__}: {exc}).",
            hint=_VERIFY,
        ) from exc


def locked(archive: Archive, *, shared: bool = False) -> AbstractContextManager[None]:
    """Hold the archive's append lock (blocks until it is free): exclusive to write, ``shared`` to read a still log."""
    return open_log(archive).locked(shared=shared)
