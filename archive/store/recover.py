"""``archive recover``: move a torn tail (a write cut short) to ``.archive/quarantine/`` and cut the log back to its last whole revision.

The only bytes the program ever removes from the log are these, and only
after a durable copy of them is in the quarantine folder. Anything else wrong
with the log (a bad line before the tail, a changed line, a missing one) is
refused, untouched: that is for ``archive verify`` to name and a person to
decide.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from archive.store import faults
from archive.store.folder import Archive, fsync_dir, open_log
from archive.store.jsonl import JsonlLog
from archive.store.log import LogReader, locked
from events.errors import ArchiveError, DamagedLog

__all__ = ["QUARANTINE", "Recovery", "recover_log"]

QUARANTINE = "quarantine"
"""The folder inside ``.archive/`` that keeps the bytes recover moved out of the log."""

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Recovery:
    """What ``recover`` found at the end of the log, and what it did."""

    start: int
    """Where the torn bytes began (the size of the log's whole revisions)."""
    end: int
    """Where they ended (the log's size before recovery)."""
    lines: int
    """Lines in the torn bytes, a partial last line included."""
    rev: int
    """The last whole revision: the log ends with it after recovery."""
    quarantine: Path | None
    """The file that now holds the torn bytes; None when nothing was moved."""

    @property
    def torn(self) -> bool:
        """Whether the log ended with a torn tail."""
        return self.end > self.start

    def as_json(self, *, dry_run: bool) -> dict[str, object]:
        """The stable JSON shape of ``archive recover --format json``."""
        return {
            "torn": self.torn,
            "moved": self.quarantine is not None,
            "dry_run": dry_run,
            "start": self.start,
            "end": self.end,
            "bytes": self.end - self.start,
            "lines": self.lines,
            "rev": self.rev,
            "quarantine": str(self.quarantine) if self.quarantine is not None else None,
        }


def recover_log(
    archive: Archive, *, dry_run: bool = False, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Recovery:
    """Under the exclusive lock, find the torn tail; unless ``dry_run``, copy it to a new quarantine file
    (fsynced, folder fsynced), then truncate the log to the last whole revision and fsync it.

    Raises DamagedLog, changing nothing, if the log is damaged anywhere before its tail.
    """
    with locked(archive):
        port = open_log(archive)
        reader = LogReader(port)
        for _ in reader.revisions():
            pass
        tail = reader.tail
        assert tail is not None
        if tail.torn is None or not isinstance(port, JsonlLog):  # a database's revisions are whole or absent
            return Recovery(tail.offset, tail.offset, 0, tail.rev, None)
        start, end = tail.torn
        with open(archive.log, "r+b") as log:
            lines = _count_lines(log, start, end)
            if dry_run:
                return Recovery(start, end, lines, tail.rev, None)
            size = os.fstat(log.fileno()).st_size
            if size != end:
                raise DamagedLog(
                    f"{archive.log.name} changed while it was recovered (size {size}, expected {end}).",
                    hint="Someone wrote to it without the lock; run 'archive verify'.",
                )
            target = _quarantine(archive, log, start, end, clock())
            log.truncate(start)
            log.flush()
            os.fsync(log.fileno())
        return Recovery(start, end, lines, tail.rev, target)


def _count_lines(log: BinaryIO, start: int, end: int) -> int:
    """Lines in bytes ``start``-``end``, a last one without its newline included."""
    log.seek(start)
    lines, left, last = 0, end - start, b"\n"
    while left:
        chunk = log.read(min(left, _CHUNK))
        if not chunk:
            break
        lines += chunk.count(b"\n")
        left -= len(chunk)
        last = chunk[-1:]
    return lines + (last != b"\n")


def _quarantine(archive: Archive, log: BinaryIO, start: int, end: int, now: datetime) -> Path:
    """Copy bytes ``start``-``end`` of the log into a new file named for the time and the range; make it durable."""
    folder = archive.state_dir / QUARANTINE
    made = not folder.is_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{now.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-bytes-{start}-{end}.torn"
    log.seek(start)
    left = end - start
    try:
        with open(target, "xb") as out:
            while left:
                chunk = log.read(min(left, _CHUNK))
                if not chunk:
                    raise DamagedLog(f"{archive.log.name} ended at byte {end - left} while its torn tail was copied.")
                faults.point("quarantine-write")
                out.write(chunk)
                left -= len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)  # no empty or partial quarantine file: the log still holds the bytes
        raise ArchiveError(
            f"{target}: cannot keep the torn tail there ({exc.strerror or exc}); nothing was changed.",
            hint="Free space on that disk, then run 'archive recover' again.",
        ) from exc
    fsync_dir(folder)
    if made:
        fsync_dir(archive.state_dir)
    return target
