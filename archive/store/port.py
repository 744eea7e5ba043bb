"""The log port: what every backend of the change log offers (the JSONL file, PostgreSQL), as one typed Protocol.

A backend stores each line's exact bytes, stamped above it by the same code, so a revision is the same
bytes on every backend. It checks nothing of a line's meaning: ``archive.store.log.LogReader`` checks
``seq``, ``rev``, the hash chain and the witness on top of ``lines``, whatever the backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, runtime_checkable

from archive.store.head import Head
from archive.store.tail import Tail

__all__ = ["MAX_LINE", "LogPort", "as_lines"]

MAX_LINE = 8 * 1024 * 1024
"""The most bytes one log line may hold (newline included); appends refuse longer lines, readers stop at them."""


@runtime_checkable
class LogPort(Protocol):
    """One archive's change log, wherever it is kept."""

    @property
    def name(self) -> str:
        """How messages name the log: ``events.jsonl``, or the database without its password."""
        ...

    def witness(self) -> Head | None:
        """What the last append wrote (its last line's seq, rev, end offset and hash), or None if nothing
        says (a new log, or a file copied without its witness). Integrity, not a cache: every reader checks it."""
        ...

    def size(self) -> int:
        """The bytes the log holds, an unfinished revision at the end included: cheap, for "anything new?"."""
        ...

    def lines(self, start: Tail | None = None) -> Iterator[bytes]:
        """Each line's exact bytes (with its newline) after the whole revisions ``start`` ends (from line 1
        when None), in order. A last line without a newline is a write cut short. Raises DamagedLog when
        the log no longer reaches ``start``."""
        ...

    def holds(self, tail: Tail) -> bool:
        """Whether line ``tail.seq`` is still there, ends at byte ``tail.offset`` and hashes to ``tail.hash``:
        by the hash chain, that the log still holds the whole prefix ``tail`` describes."""
        ...

    def locked(self, *, shared: bool = False) -> AbstractContextManager[None]:
        """Hold the append lock (waits for it): exclusive to read, build and append; ``shared`` to read a
        still log. Re-entrant within one port object."""
        ...

    def append(self, lines: Sequence[bytes], *, expect: Tail, head: Head) -> None:
        """Write ``lines`` (whole revisions, stamped to follow ``expect``) after ``expect``, durably, all
        or nothing, then record ``head`` as the witness. Raises StaleRevision when the log's whole
        revisions no longer end at ``expect`` (another writer came first), ArchiveError when the write
        fails (the log is left as it was). Takes the lock if the caller does not hold it."""
        ...

    def revision_at(self, moment: datetime) -> int:
        """The last whole revision recorded at or before ``moment``; 0 when there is none."""
        ...

    def last_revision(self) -> int:
        """The number of the last whole revision; 0 for an empty log."""
        ...

    def changes(self, *, timeout: float | None = None) -> Iterator[None]:
        """Yields whenever the log may have grown or changed (a hint: read past your position to know), for
        as long as the caller iterates; with ``timeout``, also after that many seconds of quiet."""
        ...


def as_lines(data: Sequence[bytes]) -> bytes:
    """The bytes of ``data`` joined, each checked to be one whole line."""
    for line in data:
        if not line.endswith(b"\n") or b"\n" in line[:-1]:
            raise ValueError("each line must end with one newline and hold no other")
    return b"".join(data)
