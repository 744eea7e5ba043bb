"""The log port's contract, written once and run on every adapter (the JSONL file, PostgreSQL).

Each adapter supplies a ``Backend``: how to open a port on a fresh, empty log (``open`` may be called again
for a second client of the same log) and the fault point that fails an append before it is recorded. To
cover a new adapter, add a factory to ``_FACTORIES``; to add a case, write a test taking ``backend``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import orjson
import pytest

from archive.store import faults
from archive.store.head import Head
from archive.store.port import LogPort
from archive.store.tail import Tail
from events.codec import GENESIS
from events.errors import ArchiveError, StaleRevision
from tests.pg import pg_url  # noqa: F401 - a fixture

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class Backend:
    """One adapter under test."""

    name: str
    open: Callable[[], LogPort]
    """A port on the test's log (a new client each call)."""
    fail_point: str
    """The fault point (``archive.store.faults``) at which an append fails before it is recorded."""


def _jsonl(tmp_path: Path, _request: pytest.FixtureRequest) -> Backend:
    from archive.store.jsonl import JsonlLog  # noqa: PLC0415

    (tmp_path / ".archive").mkdir()
    log = tmp_path / "events.jsonl"
    log.write_bytes(b"")
    return Backend("jsonl", lambda: JsonlLog(log, tmp_path / ".archive"), "log-write")


def _postgres(tmp_path: Path, request: pytest.FixtureRequest) -> Backend:
    from archive.store.pg_connect import connect  # noqa: PLC0415
    from archive.store.pg_schema import create_schema  # noqa: PLC0415
    from archive.store.postgres import PostgresLog  # noqa: PLC0415

    url = request.getfixturevalue("pg_url")
    conn = connect(url)
    create_schema(conn, "test")
    conn.close()
    (tmp_path / ".archive").mkdir()
    return Backend("postgres", lambda: PostgresLog(url, tmp_path / ".archive"), "db-commit")


_FACTORIES = {"jsonl": _jsonl, "postgres": _postgres}


@pytest.fixture(params=sorted(_FACTORIES))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return _FACTORIES[request.param](tmp_path, request)


# ---------------------------------------------------------------------- stamping lines as an append does


@dataclass
class Written:
    lines: list[bytes]
    tail: Tail
    head: Head


def revisions(after: Tail, *sizes: int, at: datetime = T0, step: timedelta = timedelta(minutes=1)) -> Written:
    """Stamped lines of revisions of ``sizes`` events each, following ``after`` (the port reads only the stamp)."""
    seq, rev, offset, prev = after.seq, after.rev, after.offset, after.hash
    lines: list[bytes] = []
    for number, size in enumerate(sizes):
        rev += 1
        when = (at + step * number).isoformat().replace("+00:00", "Z")
        for index in range(size):
            seq += 1
            data: dict[str, object] = {"seq": seq, "rev": rev, "type": "test", "record": "r", "at": when, "by": "tester", "prev": prev}
            if index == size - 1:
                data["end"] = True
                data["summary"] = f"revision {rev} é"
            line = orjson.dumps(data) + b"\n"
            lines.append(line)
            prev = sha256(line).hexdigest()
            offset += len(line)
    return Written(lines, Tail(offset, seq, rev, prev), Head(seq=seq, rev=rev, offset=offset, hash=prev))


EMPTY = Tail(0, 0, 0, GENESIS)


def append(port: LogPort, after: Tail, *sizes: int, at: datetime = T0) -> Written:
    written = revisions(after, *sizes, at=at)
    port.append(written.lines, expect=after, head=written.head)
    return written


# ---------------------------------------------------------------------- the cases


def test_an_empty_log(backend: Backend) -> None:
    port = backend.open()
    assert port.witness() is None
    assert port.size() == 0
    assert list(port.lines()) == []
    assert port.last_revision() == 0
    assert port.revision_at(T0) == 0
    assert port.holds(EMPTY)
    assert isinstance(port.name, str) and port.name


def test_append_then_read_the_same_bytes(backend: Backend) -> None:
    port = backend.open()
    written = append(port, EMPTY, 3, 1)
    assert list(port.lines()) == written.lines
    assert list(backend.open().lines()) == written.lines  # another client sees it too
    assert port.witness() == written.head
    assert port.size() == written.tail.offset == sum(map(len, written.lines))
    assert port.last_revision() == 2
    assert port.holds(written.tail)


def test_read_from_a_position(backend: Backend) -> None:
    port = backend.open()
    first = append(port, EMPTY, 2)
    second = append(port, first.tail, 1, 2)
    assert list(port.lines(first.tail)) == second.lines
    assert list(port.lines(second.tail)) == []
    assert list(port.lines()) == first.lines + second.lines


def test_holds_only_the_prefix_it_describes(backend: Backend) -> None:
    port = backend.open()
    first = append(port, EMPTY, 2)
    second = append(port, first.tail, 1)
    assert port.holds(first.tail) and port.holds(second.tail)
    t = first.tail
    assert not port.holds(Tail(t.offset, t.seq, t.rev, "f" * 64))  # another line there
    assert not port.holds(Tail(t.offset + 1, t.seq, t.rev, t.hash))  # another length
    assert not port.holds(Tail(second.tail.offset + 100, second.tail.seq + 1, 3, "a" * 64))  # beyond the end


def test_a_stale_expectation_is_refused_and_writes_nothing(backend: Backend) -> None:
    port = backend.open()
    first = append(port, EMPTY, 1)
    append(backend.open(), first.tail, 2)  # another writer came first
    before = list(port.lines())
    late = revisions(first.tail, 1)
    with pytest.raises(StaleRevision):
        port.append(late.lines, expect=first.tail, head=late.head)
    assert list(port.lines()) == before
    assert port.last_revision() == 2


def test_two_writers_racing_one_expectation_one_wins(backend: Backend) -> None:
    first = append(backend.open(), EMPTY, 1)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def write(events: int) -> None:
        port = backend.open()
        written = revisions(first.tail, events)
        barrier.wait()
        try:
            port.append(written.lines, expect=first.tail, head=written.head)
            results.append(written)
        except StaleRevision as exc:
            results.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = [r for r in results if isinstance(r, Written)]
    assert len(won) == 1 and sum(isinstance(r, StaleRevision) for r in results) == 1
    assert list(backend.open().lines()) == first.lines + won[0].lines  # type: ignore[union-attr]


def test_revision_at_a_time(backend: Backend) -> None:
    port = backend.open()
    append(port, EMPTY, 1, 2, 1, at=T0)  # revisions 1, 2, 3 at T0, T0+1min, T0+2min
    assert port.revision_at(T0 - timedelta(seconds=1)) == 0
    assert port.revision_at(T0) == 1
    assert port.revision_at(T0 + timedelta(seconds=90)) == 2
    assert port.revision_at(T0 + timedelta(days=1)) == 3


def test_a_failed_append_leaves_the_log_as_it_was(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    port = backend.open()
    first = append(port, EMPTY, 2)
    before = (list(port.lines()), port.witness(), port.size(), port.last_revision())
    monkeypatch.setitem(faults._WANTED, backend.fail_point, "eio")
    late = revisions(first.tail, 3, 1)
    with pytest.raises(ArchiveError):
        port.append(late.lines, expect=first.tail, head=late.head)
    monkeypatch.delitem(faults._WANTED, backend.fail_point)
    fresh = backend.open()
    assert (list(fresh.lines()), fresh.witness(), fresh.size(), fresh.last_revision()) == before
    append(fresh, first.tail, 1)  # and the next append goes through
    assert fresh.last_revision() == 2


def test_the_lock_is_reentrant_and_excludes_another_client(backend: Backend) -> None:
    port, other = backend.open(), backend.open()
    entered = threading.Event()

    def take() -> None:
        with other.locked():
            entered.set()

    with port.locked(), port.locked():
        thread = threading.Thread(target=take)
        thread.start()
        assert not entered.wait(0.3)
    thread.join(30)
    assert entered.is_set()


def test_changes_wake_a_waiting_reader(backend: Backend) -> None:
    writer, reader = backend.open(), backend.open()
    stop = threading.Event()
    woke = threading.Event()

    def follow() -> None:
        for _ in reader.changes(stop=stop):  # type: ignore[call-arg]
            if reader.size() > 0:
                woke.set()
                return

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    tail = EMPTY
    try:
        for _ in range(20):  # the watcher may not be watching yet: append until it is woken
            tail = append(writer, tail, 1).tail
            if woke.wait(1.0):
                break
        assert woke.is_set()
    finally:
        stop.set()
        thread.join(10)


@pytest.fixture
def many(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Backend, Written]]:
    if backend.name == "postgres":
        monkeypatch.setattr("archive.store.postgres.PAGE", 100)  # many pages
    port = backend.open()
    written = append(port, EMPTY, *([3] * 400))
    yield backend, written


def test_a_long_log_reads_whole_and_in_order(many: tuple[Backend, Written]) -> None:
    backend, written = many
    port = backend.open()
    assert list(port.lines()) == written.lines  # more lines than one page of a paged reader
    middle = revisions(EMPTY, *([3] * 250))
    assert list(port.lines(middle.tail)) == written.lines[750:]


def test_postgres_loads_a_whole_log_and_its_revisions(pg_url: str) -> None:  # noqa: F811 - the fixture
    """``archive copy``'s path into a database: thousands of revisions in one transaction, then appends go on."""
    from archive.store.pg_connect import connect  # noqa: PLC0415
    from archive.store.pg_schema import create_schema  # noqa: PLC0415
    from archive.store.postgres import PostgresLog  # noqa: PLC0415

    conn = connect(pg_url)
    create_schema(conn, "test")
    conn.close()
    port = PostgresLog(pg_url)
    written = revisions(EMPTY, *([1, 2] * 3000), step=timedelta(seconds=1))
    assert port.load(written.lines) == written.head
    assert list(port.lines()) == written.lines
    assert port.last_revision() == 6000 and port.witness() == written.head
    assert port.revision_at(T0 + timedelta(seconds=4999, microseconds=1)) == 5000
    more = append(port, written.tail, 2)
    assert port.last_revision() == 6001 and port.holds(more.tail)
