"""The PostgreSQL adapter of the log port: each line's exact bytes in ``events``, one row per revision in
``revisions``, and one ``head`` row that every append locks, so numbers are gapless and visible in commit order.

Why not a ``bigserial``: a sequence hands its number out before commit, so a reader can see 2 before 1, or
never see a number skipped while its writer was in flight. Here an append locks the head row (``FOR UPDATE``)
and checks it still names the line the append was stamped to follow; the next writer waits on that row
until this one commits, so row ``n + 1`` never becomes visible before row ``n``. The lines arrive stamped
(by ``archive.saved.appending``, as for the file): this adapter checks their numbers and chain against the
head and stores them, it never renumbers.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import orjson

from archive.store import faults
from archive.store.head import Head
from archive.store.pg_connect import connect, operation_error, shown_url
from archive.store.pg_schema import STALE, check_schema
from archive.store.port import MAX_LINE, as_lines
from archive.store.tail import Tail
from events.codec import GENESIS
from events.errors import ArchiveError, DamagedLog, StaleRevision, Unavailable

__all__ = ["PAGE", "PostgresLog", "Stamped", "stamped"]

PAGE = 5000
"""Rows read per query (keyset pagination on ``seq``): memory stays flat whatever the log's size."""

Warn = Callable[[str], None]

logging.getLogger("psycopg").addHandler(logging.NullHandler())
"""psycopg logs what it ignores while closing a pipeline on a lost connection; the error we raise says it."""

_SHARED: dict[tuple[str, int], Any] = {}
"""One connection per database URL and thread: a command opens the port many times (reader, saved states,
lock), and they share it; another thread is another client (its own session, its own advisory lock)."""


@dataclass(frozen=True, slots=True)
class Stamped:
    """What the tables keep of one line besides its bytes."""

    seq: int
    rev: int
    end: bool
    at: str
    by: str
    summary: str | None
    prev: str


def stamped(line: bytes, name: str) -> Stamped:
    """The stamp of one log line; ArchiveError if it carries none (this adapter stores only stamped lines)."""
    try:
        data = orjson.loads(line)
        return Stamped(data["seq"], data["rev"], data.get("end") is True, data["at"], data["by"], data.get("summary"), data["prev"])
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise ArchiveError(f"{name}: refused a line that is not a stamped event ({exc}).") from exc


class PostgresLog:
    """The change log in a PostgreSQL database (tables in the connection's current schema); the folder's
    ``.archive/`` keeps only derived state and a local lock."""

    def __init__(self, url: str, state_dir: Path | None = None, *, warn: Warn | None = None) -> None:
        self.url = url
        self.state_dir = state_dir
        self.warn = warn
        self._held: str | None = None
        self._channel: str | None = None

    @property
    def name(self) -> str:
        return shown_url(self.url)

    # ------------------------------------------------------------------ the connection

    def _key(self) -> tuple[str, int]:
        return self.url, threading.get_ident()

    def _db(self) -> Any:
        conn = _SHARED.get(self._key())
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        conn = connect(self.url)
        try:
            check_schema(conn, self.name)
        except BaseException:
            conn.close()
            raise
        _SHARED[self._key()] = conn
        return conn

    def _fail(self, exc: Exception, doing: str) -> Unavailable:
        conn = _SHARED.get(self._key())
        if conn is not None and (conn.closed or conn.broken):
            _SHARED.pop(self._key(), None)
            with suppress(Exception):
                conn.close()
        return operation_error(self.url, exc, doing)

    def _one(self, query: str, params: Sequence[Any] = (), doing: str = "read the log") -> Any:
        import psycopg  # noqa: PLC0415

        try:
            return self._db().execute(query, params).fetchone()
        except psycopg.Error as exc:
            raise self._fail(exc, doing) from exc

    def channel(self) -> str:
        """The notification channel of this log: one per schema, so logs sharing a database do not wake each other."""
        if self._channel is None:
            self._channel = f"fact_archive_{self._one('SELECT current_schema()')[0]}"[:63]
        return self._channel

    # ------------------------------------------------------------------ reading

    def witness(self) -> Head | None:
        seq, rev, offset, digest = self._one("SELECT seq, rev, end_offset, hash FROM head")
        return Head(seq=seq, rev=rev, offset=offset, hash=digest) if seq else None

    def size(self) -> int:
        return int(self._one("SELECT end_offset FROM head")[0])

    def lines(self, start: Tail | None = None) -> Iterator[bytes]:
        after = start.seq if start is not None else 0
        if after:
            row = self._one("SELECT end_offset FROM events WHERE seq = %s", (after,))
            if row is None or row[0] != start.offset:  # type: ignore[union-attr]
                raise DamagedLog(
                    f"{self.name} no longer holds line {after} ending at byte {start.offset}: "  # type: ignore[union-attr]
                    "it was cut or replaced.",
                    hint="Run 'archive verify'.",
                )
        return self._pages(after)

    def _pages(self, after: int) -> Iterator[bytes]:
        import psycopg  # noqa: PLC0415

        while True:
            try:
                with self._db().cursor(binary=True) as cur:
                    rows = cur.execute("SELECT seq, line FROM events WHERE seq > %s ORDER BY seq LIMIT %s", (after, PAGE)).fetchall()
            except psycopg.Error as exc:
                raise self._fail(exc, "read the log") from exc
            for _seq, line in rows:
                yield line
            if len(rows) < PAGE:
                return
            after = rows[-1][0]

    def holds(self, tail: Tail) -> bool:
        if tail.offset == 0:
            return tail.seq == 0
        row = self._one("SELECT end_offset, hash FROM events WHERE seq = %s", (tail.seq,))
        return row is not None and row[0] == tail.offset and row[1] == tail.hash

    def revision_at(self, moment: datetime) -> int:
        return int(self._one("SELECT coalesce(max(rev), 0) FROM revisions WHERE at <= %s", (moment,))[0])

    def last_revision(self) -> int:
        return int(self._one("SELECT rev FROM head")[0])

    # ------------------------------------------------------------------ the lock

    @contextmanager
    def locked(self, *, shared: bool = False) -> Iterator[None]:
        """The folder's lock (saved states are written under it), then a session advisory lock of the database
        that every machine's writers share; the head row's check is what makes an append safe, this lock
        only keeps writers from preparing appends that would be stale."""
        wanted = "shared" if shared else "exclusive"
        if self._held is not None:
            if self._held == "shared" and wanted == "exclusive":
                raise RuntimeError("the append lock is held shared; it cannot be upgraded")
            yield
            return
        with self._local(shared):
            suffix = "_shared" if shared else ""
            key = "hashtextextended('fact-archive ' || current_schema(), 0)"
            self._one(f"SELECT pg_advisory_lock{suffix}({key})", doing="take the append lock")
            self._held = wanted
            try:
                yield
            finally:
                self._held = None
                conn = _SHARED.get(self._key())
                if conn is not None and not conn.closed and not conn.broken:
                    with suppress(Exception):
                        conn.execute(f"SELECT pg_advisory_unlock{suffix}({key})")

    @contextmanager
    def _local(self, shared: bool) -> Iterator[None]:
        if self.state_dir is None:
            yield
            return
        try:
            self.state_dir.mkdir(exist_ok=True)
            lock = open(self.state_dir / "lock", "a+b")  # noqa: SIM115 - closed below
        except OSError:
            yield  # a read-only folder: the database's lock alone
            return
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    # ------------------------------------------------------------------ writing

    def append(self, lines: Sequence[bytes], *, expect: Tail, head: Head) -> None:
        as_lines(lines)
        rows, revisions, end = _rows(lines, expect, self.name)
        last = rows[-1]
        if Head(seq=last[0], rev=last[1], offset=end, hash=last[4]) != head:
            raise ValueError(f"the head {head} does not describe the lines given")
        with self.locked():
            self._write(rows, revisions, expect, head)

    def _write(self, rows: list[tuple[Any, ...]], revisions: list[tuple[Any, ...]], expect: Tail, head: Head) -> None:
        """One round trip does the work (``append_lines``: lock the head row, compare, insert, move the head,
        notify), a second commits; the fault point sits between them, inside the transaction."""
        import psycopg  # noqa: PLC0415

        conn = self._db()
        channel = self.channel()
        columns = list(zip(*rows, strict=True))
        by_revision = list(zip(*revisions, strict=True))
        params = (expect.seq, expect.rev, expect.offset, expect.hash, *map(list, columns), *map(list, by_revision), channel)
        committing = False
        try:
            with conn.pipeline() as pipeline, conn.transaction():
                conn.execute(
                    "SELECT append_lines(%s, %s, %s, %s, %s::int8[], %s::int8[], %s::bytea[], %s::int8[], %s::text[], "
                    "%s::int8[], %s::int8[], %s::int8[], %s::timestamptz[], %s::text[], %s::text[], %s)", params, prepare=True
                )
                pipeline.sync()
                faults.point("db-commit")
                committing = True
        except psycopg.Error as exc:
            if exc.sqlstate == STALE:
                seq, _, rev = (exc.diag.message_detail or "0 0").partition(" ")
                raise self._moved((int(seq), int(rev)), expect) from exc
            if committing:
                raise Unavailable(
                    f"Lost the connection to the database {self.name} while committing revision {head.rev}: "
                    f"it may or may not be recorded ({' '.join(str(exc).split())}).",
                    hint="Look with 'archive log' once the server is back, then append again if it is missing.",
                ) from exc
            raise self._fail(exc, f"record revision {head.rev}") from exc
        except OSError as exc:  # the transaction was rolled back as the error left it
            raise Unavailable(
                f"Could not record revision {head.rev} in {self.name} ({exc.strerror or exc}): nothing was written.",
                hint="Append again.",
            ) from exc

    def _moved(self, found: Any, expect: Tail) -> ArchiveError:
        seq, rev = found[0], found[1]
        if seq > expect.seq and self.holds(expect):
            return StaleRevision(
                f"{self.name} moved on to revision {rev} while this append was being prepared (it expected {expect.rev}).",
                hint="Read the log again and retry.",
            )
        return DamagedLog(
            f"{self.name}: its head names line {seq} of revision {rev}, but this append was made to follow line "
            f"{expect.seq} of revision {expect.rev}, which the log does not hold as read.",
            hint="Run 'archive verify'.",
        )

    def load(self, lines: Iterable[bytes], *, check: Callable[[Head | None], None] | None = None) -> Head | None:
        """Write a whole log into this empty one in one transaction (``archive copy``): the lines' numbers and
        hash chain are checked as they stream in; nothing is committed unless all of them hold, and the last
        line ends a revision; ``check`` sees the new head before the commit and may refuse it. Returns the new
        head (None for an empty log)."""
        import psycopg  # noqa: PLC0415

        conn = self._db()
        head: Head | None = None
        try:
            with self.locked(), conn.transaction():
                found = conn.execute("SELECT seq FROM head FOR UPDATE").fetchone()
                if found[0] != 0:
                    raise ArchiveError(
                        f"The database {self.name} already holds a log ({found[0]} lines).",
                        hint="Copy into an empty database (or schema); 'archive copy' never merges logs.",
                    )
                checker = _Chain(self.name)
                with conn.cursor() as cur:
                    with cur.copy("COPY events (seq, rev, line, end_offset, hash) FROM STDIN (FORMAT BINARY)") as copy:
                        copy.set_types(["int8", "int8", "bytea", "int8", "text"])
                        for line in lines:
                            copy.write_row(checker.take(line)[0])
                head = checker.finish()
                # one row per revision, from the rows just written (the chain check saw every revision whole):
                # memory stays flat, and the connection is not needed while the COPY streams
                conn.execute(_REVISIONS_OF_EVENTS)
                if check is not None:
                    check(head)
                if head is not None:
                    conn.execute(
                        "UPDATE head SET seq = %s, rev = %s, end_offset = %s, hash = %s",
                        (head.seq, head.rev, head.offset, head.hash),
                    )
                    conn.execute("SELECT pg_notify(%s, %s)", (self.channel(), str(head.seq)))
        except psycopg.Error as exc:
            raise self._fail(exc, "load the log") from exc
        return head

    # ------------------------------------------------------------------ waiting

    def changes(self, *, timeout: float | None = None, stop: Any = None) -> Iterator[None]:
        """Yields on each notification of a commit (LISTEN), and after ``timeout`` seconds of quiet. The
        notification is a hint: read the rows past your position. After a lost connection it reconnects and
        yields at once, since notifications sent meanwhile are lost: the caller polls."""
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415

        channel = self.channel()
        listener: Any = None
        wait = timeout if timeout is not None else 1.0
        try:
            while stop is None or not stop.is_set():
                if listener is None:
                    try:
                        listener = connect(self.url)
                        listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    except (Unavailable, psycopg.Error):
                        listener = None
                        time.sleep(min(wait, 1.0))
                    yield None  # (re)connected, or still down: the caller looks for itself
                    continue
                try:
                    heard = any(True for _ in listener.notifies(timeout=min(wait, 1.0) if stop is not None else wait, stop_after=1))
                except psycopg.Error:
                    with suppress(Exception):
                        listener.close()
                    listener = None
                    continue
                if heard or timeout is not None:
                    yield None
        finally:
            if listener is not None:
                with suppress(Exception):
                    listener.close()

    def close(self) -> None:
        """Close this process's connections to the log's database (the next use opens another)."""
        for key in [key for key in _SHARED if key[0] == self.url]:
            conn = _SHARED.pop(key)
            with suppress(Exception):
                conn.close()


_REVISIONS_OF_EVENTS = """
INSERT INTO revisions (rev, first_seq, last_seq, at, by, summary)
SELECT r.rev, r.first_seq, r.last_seq, (e.j ->> 'at')::timestamptz, e.j ->> 'by', e.j ->> 'summary'
FROM (SELECT rev, min(seq) AS first_seq, max(seq) AS last_seq FROM events GROUP BY rev) AS r
CROSS JOIN LATERAL (SELECT convert_from(line, 'UTF8')::json AS j FROM events WHERE seq = r.last_seq) AS e
"""
"""The revisions of a log loaded whole into an empty ``events`` (``load``): each one's last line holds its stamp."""


class _Chain:
    """Checks lines one by one as a log's next lines: ``seq`` and ``rev`` in order, ``prev`` the hash of the
    line before, every revision ended; and gives each line's row and each revision's."""

    def __init__(self, name: str, start: Tail | None = None) -> None:
        self.name = name
        start = start or Tail(0, 0, 0, GENESIS)
        self.seq, self.rev, self.offset, self.prev = start.seq, start.rev, start.offset, start.hash
        self.open = False
        self.first = 0

    def take(self, line: bytes) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
        if not line.endswith(b"\n") or len(line) > MAX_LINE:
            raise DamagedLog(f"{self.name}:{self.seq + 1}: not a whole line (cut short, or too long).", hint="Run 'archive verify'.")
        stamp = stamped(line, f"{self.name}:{self.seq + 1}")
        rev = self.rev if self.open else self.rev + 1
        if stamp.seq != self.seq + 1 or stamp.rev != rev or stamp.prev != self.prev:
            field = "seq" if stamp.seq != self.seq + 1 else "rev" if stamp.rev != rev else "prev"
            raise DamagedLog(
                f"{self.name}:{self.seq + 1}: {field} does not follow line {self.seq}: the log is not whole.",
                hint="Run 'archive verify' on it.",
            )
        if not self.open:
            self.first = stamp.seq
        self.seq, self.rev, self.open = stamp.seq, stamp.rev, not stamp.end
        self.offset += len(line)
        self.prev = sha256(line).hexdigest()
        row = (self.seq, self.rev, line, self.offset, self.prev)
        revision = (
            (self.rev, self.first, self.seq, datetime.fromisoformat(stamp.at), stamp.by, stamp.summary) if stamp.end else None
        )
        return row, revision

    def finish(self) -> Head | None:
        if self.open:
            raise DamagedLog(
                f"{self.name}:{self.seq}: the log ends inside revision {self.rev} (its last line has no end mark).",
                hint="Run 'archive recover' on it first.",
            )
        return Head(seq=self.seq, rev=self.rev, offset=self.offset, hash=self.prev) if self.seq else None


def _rows(lines: Sequence[bytes], expect: Tail, name: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """Each line's row and each revision's, checked to follow ``expect``; and the log's size after them."""
    chain = _Chain(name, expect)
    rows: list[tuple[Any, ...]] = []
    revisions: list[tuple[Any, ...]] = []
    for line in lines:
        row, revision = chain.take(line)
        rows.append(row)
        if revision is not None:
            revisions.append(revision)
    chain.finish()
    if not rows:
        raise ValueError("nothing to append")
    return rows, revisions, chain.offset
