"""The JSONL file adapter of the log port: ``events.jsonl``, its lock, and its witness ``.archive/head.json``."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from archive.store import faults
from archive.store.head import Head, read_head, write_head
from archive.store.port import MAX_LINE, as_lines
from archive.store.tail import Tail, covers
from events.errors import ArchiveError, DamagedLog, StaleRevision

__all__ = ["MAX_LINE", "JsonlLog"]


Warn = Callable[[str], None]


class JsonlLog:
    """The change log as one file of JSON lines, appended under ``flock`` and fsynced, with its witness
    in ``state_dir``."""

    def __init__(self, path: Path, state_dir: Path | None = None, *, warn: Warn | None = None) -> None:
        self.path = path
        self.state_dir = state_dir if state_dir is not None else path.parent / ".archive"
        self.warn = warn
        self._held: str | None = None  # "shared" or "exclusive" while this object holds the lock
        self._depth = 0

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def lock_file(self) -> Path:
        """The file appenders lock, one at a time."""
        return self.state_dir / "lock"

    def witness(self) -> Head | None:
        return read_head(self.state_dir)

    def size(self) -> int:
        try:
            return os.stat(self.path).st_size
        except FileNotFoundError as exc:
            raise DamagedLog(f"{self.path} is missing: it was deleted or is being replaced.", hint=_RESTORE) from exc

    def lines(self, start: Tail | None = None) -> Iterator[bytes]:
        offset = start.offset if start is not None else 0
        try:
            log = open(self.path, "rb")  # noqa: SIM115 - closed when the generator ends or is closed
        except FileNotFoundError as exc:
            raise DamagedLog(f"{self.path} is missing: it was deleted or is being replaced.", hint=_RESTORE) from exc
        with log:
            size = os.fstat(log.fileno()).st_size
            if size < offset:
                raise DamagedLog(
                    f"{self.name} is {size} bytes, shorter than the {offset} already read: it was cut or replaced.",
                    hint="Run 'archive verify'.",
                )
            log.seek(offset)
            readline = log.readline
            while raw := readline(MAX_LINE + 1):
                yield raw

    def holds(self, tail: Tail) -> bool:
        return covers(self.path, tail)

    @contextmanager
    def locked(self, *, shared: bool = False) -> Iterator[None]:
        wanted = "shared" if shared else "exclusive"
        if self._held is not None:
            if self._held == "shared" and wanted == "exclusive":
                raise RuntimeError("the append lock is held shared; it cannot be upgraded")
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.state_dir.mkdir(exist_ok=True)
        with open(self.lock_file, "a+b") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            self._held = wanted
            try:
                yield
            finally:
                self._held = None
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def append(self, lines: Sequence[bytes], *, expect: Tail, head: Head) -> None:
        data = as_lines(lines)
        with self.locked():
            self._write(data, expect)
            faults.point("after-log-fsync")
            try:
                faults.point("witness-write")
                write_head(self.state_dir, head)
            except OSError as exc:
                if self.warn is not None:
                    self.warn(
                        f"revision {head.rev} is recorded, but {self.state_dir.name}/head.json could not be updated "
                        f"({exc.strerror or exc}): until the next append, a cut at the end of the log goes unseen."
                    )

    def _write(self, data: bytes, expect: Tail) -> None:
        """Write ``data`` at ``expect.offset`` and fsync; on failure cut the log back to where it was."""
        try:
            log = open(self.path, "r+b")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ArchiveError(f"{self.path}: cannot open the log to append ({exc.strerror or exc}).") from exc
        with log:
            end = log.seek(0, os.SEEK_END)
            if end != expect.offset:
                raise self._moved(end, expect)
            try:
                faults.point("log-write")
                if faults.active("log-write-partial"):
                    log.write(data[: len(data) // 2])
                    log.flush()
                    faults.point("log-write-partial")
                log.write(data)
                log.flush()
                faults.point("log-fsync")
                os.fsync(log.fileno())
            except OSError as exc:
                undone = self._cut_back(log, expect.offset)
                full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
                raise ArchiveError(
                    f"{self.path}: the write failed ({exc.strerror or exc}); the revision was not recorded"
                    + (" and the log is as it was." if undone else ", and the partial write could not be cut back."),
                    hint=("Free space on the disk, then append again." if full else "Check the disk, then append again.")
                    + ("" if undone else " Run 'archive recover' to move the partial write aside."),
                ) from exc

    @staticmethod
    def _cut_back(log: IO[bytes], offset: int) -> bool:
        """Remove this append's own unacknowledged bytes (we hold the lock: nobody else wrote them)."""
        try:
            os.ftruncate(log.fileno(), offset)
            os.fsync(log.fileno())
        except OSError:
            return False
        return True

    def _moved(self, end: int, expect: Tail) -> ArchiveError:
        if end > expect.offset and self.holds(expect):
            rev = self.last_revision()
            if rev > expect.rev:
                return StaleRevision(
                    f"{self.name} moved on to revision {rev} while this append was being prepared (it expected {expect.rev}).",
                    hint="Read the log again and retry.",
                )
            return DamagedLog(
                f"{self.name} ends with an unfinished revision (bytes {expect.offset}-{end}).",
                hint="Run 'archive recover' to move it to .archive/quarantine/, then append again.",
            )
        return DamagedLog(
            f"{self.name} changed while it was read (size {end}, expected {expect.offset}).",
            hint="Someone edited it without the lock; run 'archive verify'.",
        )

    def revision_at(self, moment: datetime) -> int:
        found = 0
        for rev, at in self._stamps():
            if at <= moment:
                found = max(found, rev)
        return found

    def last_revision(self) -> int:
        """Read backwards from the end to the last whole line that ends a revision."""
        try:
            with open(self.path, "rb") as log:
                end = log.seek(0, os.SEEK_END)
                chunk, tail = 1 << 16, b""
                position = end
                while position > 0:
                    step = min(chunk, position)
                    position -= step
                    log.seek(position)
                    block = log.read(step) + tail
                    parts = block.split(b"\n")
                    tail = parts[0]  # may be cut at the chunk's start: kept for the next block
                    whole = parts[1:-1] if position > 0 else parts[:-1]
                    for raw in reversed(whole):
                        if b'"end":true' in raw:
                            with suppress(orjson.JSONDecodeError, KeyError, TypeError):
                                return int(orjson.loads(raw)["rev"])
                    chunk = min(chunk * 2, 1 << 24)
        except FileNotFoundError:
            return 0
        return 0

    def _stamps(self) -> Iterator[tuple[int, datetime]]:
        """``(rev, at)`` of each whole revision, read from the end marks (no other checks: readers do them)."""
        with open(self.path, "rb") as lines:
            for raw in lines:
                if b'"end":true' in raw and raw.endswith(b"\n"):
                    data = orjson.loads(raw)
                    yield data["rev"], datetime.fromisoformat(data["at"])

    def changes(self, *, timeout: float | None = None, stop: Any = None) -> Iterator[None]:
        from watchfiles import watch  # noqa: PLC0415 - a Rust extension, loaded only to watch

        names = {self.path.name, "head.json"}
        folders = [self.path.parent]
        with suppress(OSError):
            self.state_dir.mkdir(exist_ok=True)
            folders.append(self.state_dir)
        for _batch in watch(
            *folders,
            watch_filter=lambda _change, path: Path(path).name in names,
            debounce=50,
            step=10,
            rust_timeout=int((timeout or 0) * 1000),
            yield_on_timeout=timeout is not None,
            recursive=False,
            stop_event=stop,
        ):
            yield None


_RESTORE = "Restore events.jsonl from a backup, or name the right archive with -C."
