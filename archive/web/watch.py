"""The watch loop: keeps the views current as the log grows, reading only its new lines and re-rendering only
the records they touch.

``run_watch`` is the entry point (the ``watch`` command and the web server use it). It consumes an
iterable of change sets: watchfiles' by default, fakes in tests. Each item makes the watcher look at the
log (a ``stat``, then the bytes past the last offset); an empty item is a quiet tick, when the
list of records (``index.html``) and checkpoints are brought up to date.

What the watcher does with the log, change by change:

- new whole revisions: fold them, write the views of the records they touch (each file atomically);
- a line that does not read (bad JSON, a broken hash chain, a revision that cannot apply): report it
  with its line; the views stay as they were; read again on the next change;
- an unfinished revision at the end (an appender mid-write): wait for the rest, quietly;
- a changed past line (the prefix read before is not there any more): replay everything, warn loudly
  naming the first changed line, rebuild every view.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from archive.saved.checkpoint import (
    CHECKPOINT_EVERY,
    KEY_SIZE,
    Loaded,
    all_keys,
    covers,
    first_changed_line,
    line_key,
    load,
    open_reader,
    save_checkpoint,
)
from archive.saved.signed_revisions import KnownSignatures
from archive.store.folder import Archive, open_log
from archive.store.jsonl import JsonlLog
from archive.store.log import Tail, fold
from archive.store.port import LogPort
from archive.web.view_manifest import MANIFEST, Entries, load_manifest, view_entry, write_manifest
from archive.web.views_out import write_index, write_record
from events.codec import line_hash
from events.errors import ArchiveError, DamagedLog, Unavailable
from projections.signed import Signature
from projections.state import ArchiveState, Revision
from projections.views import BUILD_FILES

__all__ = ["DEBOUNCE_MS", "STEP_MS", "TICK_MS", "Rebuild", "Watcher", "log_changes", "run_watch", "watch_loop"]

STEP_MS = 10
"""watchfiles' step: a write is noticed within one to two steps (10 to 20 ms)."""
DEBOUNCE_MS = 200
"""The longest watchfiles groups a stream of changes before handing them over."""
TICK_MS = 250
"""A quiet tick after this long without a change: look at the log anyway (a shared folder may send no
notifications), then write the list of records and, after a longer quiet, a checkpoint."""
CHECKPOINT_QUIET = 5.0
"""Seconds without a change before the watcher saves a checkpoint (if CHECKPOINT_EVERY events are new)."""
INDEX_LAG = 2.0
"""The longest the list of records (index.html) lags behind the records while changes keep coming."""
INDEX_INLINE = 0.05
"""Seconds the list of records may take to be written in the loop; a slower one (it renders every record:
seconds on a million events) is written by a thread from a snapshot, so no append ever waits for it."""
INDEX_LAG_SLOW = 30.0
"""The longest a list of records that needs a thread waits for a quiet moment while changes keep coming."""
_SWITCH = 0.0005
"""Python's thread switch interval while that thread runs: the loop gets the interpreter back within half a
millisecond after each read or write, instead of five."""
TORN_PATIENCE = 10.0
"""Seconds an unfinished revision may sit at the end before the watcher says so (once)."""

Kind = Literal["start", "update", "replay", "index"]
Clock = Callable[[], float]
Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Rebuild:
    """What one pass of the watcher did: for a status line, a JSON line, or a page that reloads."""

    revision: int
    """The revision the views show now."""
    records: tuple[str, ...]
    """The records whose views were written; on ``start`` and ``replay`` every record (a restarted watcher
    does not render again the views its manifest shows current)."""
    seconds: float
    """How long the pass took."""
    error: str | None = None
    """Why the log cannot be read past ``revision`` (line and reason); None when it reads to its end."""
    kind: Kind = "update"
    """``start``: the first build; ``update``: new lines read; ``replay``: the log was rewritten and read
    again from line 1; ``index``: only the list of records (``index.html``) was written."""
    revisions: int = 0
    """How many revisions were folded in this pass."""
    events: int = 0
    """How many events those revisions held."""
    files: int = 0
    """How many view files changed (a file whose bytes stay the same is not rewritten)."""
    removed: tuple[str, ...] = ()
    """Records whose views were removed: a rewritten log no longer has them."""
    warnings: tuple[str, ...] = ()
    """Things to tell a person: a discarded checkpoint, a rewritten history."""

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON-ready data."""
        return asdict(self)


class Watcher:
    """Keeps ``out`` current with one archive's log: ``start`` once, then ``update`` after each change, ``idle`` when quiet.

    ``warn`` hears what is not part of a rebuild (a revision unfinished for long, a checkpoint that cannot be
    saved); without it those warnings ride on the next Rebuild.
    """

    def __init__(self, archive: Archive, out: Path, *, clock: Clock = time.perf_counter, warn: Warn | None = None) -> None:
        self.archive = archive
        self.port: LogPort = open_log(archive)
        """The log, wherever it is kept: the file is watched through its stat signature, a database through its head row."""
        self._on_file = isinstance(self.port, JsonlLog)
        self.out = out
        self.clock = clock
        self._warn = warn
        self._pending: list[str] = []
        self.state: ArchiveState | None = None
        """The state the views show; None until the log could be read."""
        self.tail: Tail | None = None
        """Where the whole revisions folded into ``state`` end."""
        self._lines = bytearray()
        self._kept_keys = b""
        self._shown = 0
        self._seen: tuple[int, ...] | None = None
        self._error: str | None = None
        self._saved_seq = 0
        self._last_change = clock()
        self._index = _Index(out)
        self._built: Entries = {}
        self._signatures = KnownSignatures(archive)
        """Each record's (revision, folder stamp) as its views were last written: the manifest."""
        self._manifest_dirty = False
        self._pages = False
        """Whether the diff pages in ``out`` come from this log (a build's, vouched by its manifest): kept for the next build."""
        self._torn: tuple[int, float] | None = None
        self._torn_told = False
        self._save_failed = False

    # ------------------------------------------------------------------ the three entry points

    def start(self, stop: threading.Event | None = None) -> Rebuild:
        """Read the log (from the checkpoint when it holds) and write every view."""
        return self._replay(self.clock(), "start", stop)

    def update(self) -> Rebuild | None:
        """Look at the log; fold and write what is new. None when there is nothing to tell."""
        started = self.clock()
        try:
            sig = self._stat()
        except Unavailable as exc:
            self._seen = None
            return self._fail(started, str(exc))
        if self.state is None or self.tail is None:
            if sig is None or sig == self._seen:
                return None
            return self._replay(started, "replay")
        if sig is None:
            self._seen = None
            return self._fail(started, f"{self.port.name} is missing: it was deleted or is being replaced.")
        if sig == self._seen:
            return None
        previous, self._seen = self._seen, sig
        self._last_change = started
        tail = self.tail
        replaced = previous is None or previous[0] != sig[0] or (previous[1] == sig[1] and previous[2] != sig[2])
        try:
            if sig[1] < tail.offset or not self._holds(tail) or (replaced and self._prefix_changed(tail)):
                return self._replay(started, "replay")
        except OSError as exc:
            return self._fail(started, f"{self.port.name} cannot be read: {exc.strerror or exc}.")
        except Unavailable as exc:
            self._seen = None
            return self._fail(started, str(exc))
        if sig[1] == tail.offset:
            self._torn = None
            if self._error is not None:
                self._error = None
                return self._rebuild(started, (), 0, 0, 0)
            return None
        return self._read_tail(started, tail)

    def idle(self) -> Rebuild | None:
        """A quiet moment: write a stale list of records; say so if an unfinished revision sits there for long;
        save a checkpoint when many events came since the last and the log has been quiet a while."""
        now = self.clock()
        if self._torn is not None and not self._torn_told and now - self._torn[1] >= TORN_PATIENCE:
            self._torn_told = True
            self._say(
                f"{self.archive.log.name} has ended with an unfinished revision (from byte {self._torn[0]}) for "
                f"{TORN_PATIENCE:.0f} s. If no append is running, 'archive recover' moves it to .archive/quarantine/."
            )
        state, tail = self.state, self.tail
        if (
            state is not None
            and tail is not None
            and self._error is None
            and not self._save_failed
            and tail.seq - self._saved_seq >= CHECKPOINT_EVERY
            and now - self._last_change >= CHECKPOINT_QUIET
        ):
            try:
                save_checkpoint(self.archive, state, tail, self._lines)
                self._saved_seq = tail.seq
            except (OSError, ValueError) as exc:
                self._save_failed = True
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                self._say(f"Cannot save a checkpoint in {self.archive.state_dir} ({reason}).")
        if self._manifest_dirty:
            self._save_manifest()
        return self._index_pass(now, quiet=True)

    # ------------------------------------------------------------------ reading

    def _stat(self) -> tuple[int, ...] | None:
        """The log's inode, size and time of change, then its head witness's (the witness decides too whether
        the log reads: a change to it alone is worth another look). A database: its head row's end and line."""
        if not self._on_file:
            head = self.port.witness()
            return (0, 0, 0) if head is None else (0, head.offset, head.seq)
        try:
            st = os.stat(self.archive.log)
        except FileNotFoundError:
            return None
        try:
            witness = os.stat(self.archive.state_dir / _witness_name())
            also: tuple[int, ...] = (witness.st_ino, witness.st_size, witness.st_mtime_ns)
        except OSError:
            also = ()
        return st.st_ino, st.st_size, st.st_mtime_ns, *also

    def _holds(self, tail: Tail) -> bool:
        return covers(self.archive.log, tail) if self._on_file else self.port.holds(tail)

    def _read_tail(self, started: float, tail: Tail) -> Rebuild | None:
        """Fold the whole revisions past ``tail``, up to the end or to the first line that does not read."""
        state = self.state
        assert state is not None
        applied: list[Revision] = []
        touched: dict[str, None] = {}
        events = 0
        error: str | None = None
        broken = False
        reader = open_reader(self.archive, start=tail)
        try:
            for batch in reader.fields():
                if self._index.busy():  # the thread reads the records as they were: change copies of them
                    for slug in {event["record"] for event in batch}:
                        if slug in state.records:
                            state.records[slug] = _detached(state.records[slug])
                try:
                    revision = fold(state, batch, reader.name)
                except DamagedLog as exc:
                    error, broken = str(exc), True
                    break
                self._lines += b"".join(line_key(e["prev"]) for e in batch if e["seq"] > 1)
                applied.append(revision)
                touched.update(dict.fromkeys(revision.records))
                events += len(batch)
        except DamagedLog as exc:
            error = str(exc)
        except OSError as exc:
            error = f"{reader.name} cannot be read: {exc.strerror or exc}."
        except Unavailable as exc:
            error = str(exc)
        if error is None and reader.tail is not None:
            self.tail = Tail(reader.tail.offset, reader.tail.seq, reader.tail.rev, reader.tail.hash)
            torn = reader.tail.torn
            if torn is None:
                self._torn = None
            elif self._torn is None or self._torn[0] != torn[0]:
                self._torn, self._torn_told = (torn[0], started), False
        elif applied:
            self.tail = _tail_after(self.port, tail, applied[-1])
        if broken:
            self._restore(applied[-1].rev if applied else tail.rev)
        files = self._write_records(touched)
        index = self._index
        if applied and index.cost <= INDEX_INLINE and not index.busy() and self.state is not None:
            files += index.write(self.state)  # cheap: part of this rebuild, so one reload shows it all
        elif applied and index.stale_since is None:
            index.stale_since = started
        if index.stale_since is not None and started - index.stale_since >= (
            INDEX_LAG if index.cost <= INDEX_INLINE else INDEX_LAG_SLOW
        ):
            self._index_pass(started, quiet=False)  # changes keep coming: do not let the list of records lag further
        if not applied and error == self._error:
            return None
        self._error = error
        return self._rebuild(started, tuple(touched), len(applied), events, files, error=error)

    def _restore(self, rev: int) -> None:
        """Go back to revision ``rev`` after a revision that could not apply left the state half changed."""
        try:
            loaded = load(self.archive, until=rev, save=False, warn_torn=False)
        except (DamagedLog, OSError):
            self.state = None  # read everything again on the next change
            return
        self.state, self._lines = loaded.state, loaded.lines

    def _prefix_changed(self, tail: Tail) -> bool:
        """Whether any line up to ``tail`` differs from what was read (the file was replaced or edited in place)."""
        if not self._on_file:
            return False  # a database's rows cannot be replaced in place (the signature never says "replaced")
        keys = bytearray()
        with open(self.archive.log, "rb") as log:
            size = 0
            while size < tail.offset and (raw := log.readline()):
                size += len(raw)
                keys += hashlib.sha256(raw).digest()[:KEY_SIZE]
        return bytes(keys) != all_keys(self._lines, tail)

    def _replay(self, started: float, kind: Kind, stop: threading.Event | None = None) -> Rebuild | None:
        """Read the whole log again (from the checkpoint when it holds) and write every view."""
        before = all_keys(self._lines, self.tail) if self.state is not None and self.tail is not None else self._kept_keys
        gone = set(self.state.records) if self.state is not None else set()
        warnings: list[str] = []
        try:
            self._seen = self._stat()
            loaded = load(self.archive, warn=warnings.append, warn_torn=False, name_changed_line=False)
        except (DamagedLog, Unavailable, OSError) as exc:
            if self.state is not None:
                self._shown = self.state.head
            self._kept_keys, self.state, self.tail = before, None, None
            error = str(exc) if isinstance(exc, ArchiveError) else f"{self.port.name} cannot be read: {exc}."
            if kind != "start" and error == self._error:
                return None
            self._error = error
            return self._rebuild(started, (), 0, 0, 0, error=error, kind=kind, warnings=warnings)
        if kind == "replay" and before:
            changed = first_changed_line(before, all_keys(loaded.lines, loaded.tail) if loaded.tail else b"")
            if changed is not None:
                warnings.insert(
                    0,
                    f"History was rewritten: {self.archive.log.name}:{changed} is not the line it was. "
                    "Read the whole log again and rewrote every view.",
                )
        self._index.wait()
        self._adopt(loaded)
        state = self.state
        assert state is not None
        gc.freeze()  # the state lives as long as the watcher: keep the collector from walking it again and again
        vouched = load_manifest(self.out, self.archive) if kind == "start" else None
        self._pages = vouched is not None and vouched.pages  # a replayed log: diff pages there may be of the old one
        self._built = {}
        files = 0
        for slug, record in state.records.items():
            if stop is not None and stop.is_set():
                break
            entry = vouched.vouches(slug, record.rev, self.out / slug) if vouched is not None else None
            if entry is not None:
                self._built[slug] = entry  # its views are those of this revision already
                continue
            files += self._write_records((slug,))
        removed = tuple(sorted(gone - state.records.keys()))
        for slug in removed:
            _remove_views(self.out / slug)
        files += self._index.write(state)
        self._save_manifest()
        self._error = None
        self._shown = state.head
        gc.freeze()
        return self._rebuild(
            started, tuple(state.records), len(state.revisions), state.seq, files, kind=kind, removed=removed, warnings=warnings
        )

    def _adopt(self, loaded: Loaded) -> None:
        assert loaded.tail is not None
        tail = loaded.tail
        self.state, self._lines = loaded.state, loaded.lines
        self.tail = Tail(tail.offset, tail.seq, tail.rev, tail.hash)
        self._torn = None if tail.torn is None else (tail.torn[0], self.clock())
        self._torn_told = False
        saved = loaded.replayed >= CHECKPOINT_EVERY
        self._saved_seq = tail.seq if saved else (loaded.start.seq if loaded.start is not None else 0)

    # ------------------------------------------------------------------ writing and telling

    def _write_records(self, slugs: Iterable[str]) -> int:
        state = self.state
        if state is None:
            return 0
        files = 0
        signatures: dict[int, Signature] | None = None
        for slug in slugs:
            record = state.records.get(slug)
            if record is not None:
                if signatures is None:
                    signatures = self._signatures.now()  # only the lines after the last call are read
                files += write_record(state, slug, self.out, signatures=signatures)
                self._built[slug] = view_entry(self.out / slug, record.rev)
                self._manifest_dirty = True
        return files

    def _save_manifest(self) -> None:
        if self.tail is None:
            return
        self._manifest_dirty = False
        try:
            write_manifest(self.out, self.tail, self._built, pages=self._pages)
        except OSError as exc:
            self._say(f"Cannot write {self.out / MANIFEST} ({exc.strerror or exc}); a restart renders every view again.")

    def _index_pass(self, now: float, *, quiet: bool) -> Rebuild | None:
        """Report a list of records a thread finished; write a stale one, in the loop if it is cheap, else by a
        thread. Only on a quiet tick is a Rebuild reported (an update reports its own)."""
        index = self._index
        finished = index.collect()
        if isinstance(finished, BaseException):
            self._say(f"Cannot write {self.out / 'index.html'}: {finished}.")
        elif finished is not None and finished[0] and quiet:
            return dataclasses.replace(self._rebuild(now, (), 0, 0, 1, kind="index"), seconds=finished[1])
        if index.stale_since is None or index.busy() or self.state is None:
            return None
        if index.cost > INDEX_INLINE:
            index.start(self.state)
            return None
        changed = index.write(self.state)
        return self._rebuild(now, (), 0, 0, 1, kind="index") if changed and quiet else None

    def close(self) -> None:
        """Wait for a list of records being written, and save the manifest (the loop calls this when it ends)."""
        self._index.wait()
        if self._manifest_dirty:
            self._save_manifest()

    def _fail(self, started: float, error: str) -> Rebuild | None:
        if error == self._error:
            return None
        self._error = error
        return self._rebuild(started, (), 0, 0, 0, error=error)

    def _say(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)
        else:
            self._pending.append(message)

    def _rebuild(
        self,
        started: float,
        records: tuple[str, ...],
        revisions: int,
        events: int,
        files: int,
        *,
        error: str | None = None,
        kind: Kind = "update",
        removed: tuple[str, ...] = (),
        warnings: Iterable[str] = (),
    ) -> Rebuild:
        told = (*self._pending, *warnings)
        self._pending.clear()
        return Rebuild(
            revision=self.state.head if self.state is not None else self._shown,
            records=records,
            seconds=self.clock() - started,
            error=error,
            kind=kind,
            revisions=revisions,
            events=events,
            files=files,
            removed=removed,
            warnings=told,
        )


class _Index:
    """The list of records (``index.html``): when it is stale, what it last cost, and the thread writing it."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.stale_since: float | None = None
        self.cost = 0.0
        """Seconds the last write took."""
        self._thread: threading.Thread | None = None
        self._result: tuple[bool, float] | BaseException | None = None

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def write(self, state: ArchiveState) -> bool:
        """Write it now, in this thread; whether it changed."""
        started = time.perf_counter()
        changed = write_index(state, self.out)
        self.cost, self.stale_since = time.perf_counter() - started, None
        return changed

    def start(self, state: ArchiveState) -> None:
        """Write it in a thread, from a snapshot: the record objects of now (the loop changes copies of them)."""
        snapshot = ArchiveState(records=dict(state.records), revisions=list(state.revisions), seq=state.seq)
        self.stale_since = None

        def run() -> None:
            started = time.perf_counter()
            try:
                self._result = (write_index(snapshot, self.out), time.perf_counter() - started)
            except Exception as exc:  # reported by the loop, which goes on
                self._result = exc
            finally:
                sys.setswitchinterval(switch)

        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, _SWITCH))
        self._thread = threading.Thread(target=run, name="archive-watch-index", daemon=True)
        self._thread.start()

    def collect(self) -> tuple[bool, float] | BaseException | None:
        """What a finished thread did (whether the file changed, and how long it took); None if none finished."""
        if self._thread is None or self._thread.is_alive():
            return None
        self._thread.join()
        self._thread, result, self._result = None, self._result, None
        if isinstance(result, tuple):
            self.cost = result[1]
        return result

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self.collect()


def _detached(record: Any) -> Any:
    """A copy of a record that folding can change while a thread still reads the original: its lists and dicts
    copied, and the objects in its dicts (facts) copied one by one; frozen values are shared."""
    copied = copy.copy(record)
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        if isinstance(value, list):
            setattr(copied, item.name, list(value))
        elif isinstance(value, dict):
            setattr(copied, item.name, {key: copy.copy(inner) for key, inner in value.items()})
        elif isinstance(value, set):
            setattr(copied, item.name, set(value))
    return copied


def _witness_name() -> str:
    """The name of the head witness in ``.archive/`` (written after every append)."""
    try:
        from archive.store.head import HEAD_NAME  # noqa: PLC0415 - where the witness is installed
    except ImportError:  # pragma: no cover
        return "head.json"
    return HEAD_NAME


def _tail_after(log: LogPort, start: Tail, revision: Revision) -> Tail:
    """Where ``revision`` (read from ``start`` on) ends: counted again from ``start``, since a later line stopped the reader."""
    last = revision.first_seq + revision.events - 1
    offset, raw = start.offset, b""
    lines = log.lines(start if start.seq else None)
    try:
        for _ in range(last - start.seq):
            raw = next(lines, b"")
            offset += len(raw)
    finally:
        getattr(lines, "close", lambda: None)()
    return Tail(offset, last, revision.rev, line_hash(raw))


def _remove_views(folder: Path) -> None:
    """Remove the view files of a record that no longer exists, and its folder if that leaves it empty."""
    names = {name for name, _, _ in BUILD_FILES}
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and (path.name in names or path.suffix == ".html"):
            path.unlink(missing_ok=True)
    with suppress(OSError):  # something else lives there: leave it
        folder.rmdir()


def log_changes(archive: Archive, stop: threading.Event | None = None) -> Iterator[set[Any]]:
    """watchfiles' change sets for ``events.jsonl`` and the head witness (their folders are watched, so a
    replaced file is seen too), and an empty set after each TICK_MS without one. Raises KeyboardInterrupt on Ctrl-C.

    A database archive: its notifications (LISTEN), as ``{"log"}`` when the head row moved and an empty set
    otherwise (a quiet tick, or a notification already read)."""
    port = open_log(archive)
    if not isinstance(port, JsonlLog):
        return _database_changes(port, stop)
    from watchfiles import watch  # noqa: PLC0415 - a Rust extension, loaded only to watch

    names = {archive.log.name, _witness_name()}
    folders = [archive.root]
    with suppress(OSError):
        archive.state_dir.mkdir(exist_ok=True)
        folders.append(archive.state_dir)
    return watch(
        *folders,
        watch_filter=lambda _change, path: Path(path).name in names,
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        rust_timeout=TICK_MS,
        yield_on_timeout=True,
        recursive=False,
        stop_event=stop,
    )


def _database_changes(port: LogPort, stop: threading.Event | None) -> Iterator[set[Any]]:
    """A database log's change sets: the notification is a hint, the head row says whether anything moved."""
    seen: object = None
    for _ in port.changes(timeout=TICK_MS / 1000, stop=stop):  # type: ignore[call-arg]
        try:
            head = port.witness()
        except Unavailable:
            yield {"log"}  # the watcher looks and reports the server down; polled again on the next tick
            continue
        if head != seen:
            seen = head
            yield {"log"}
        else:
            yield set()


def watch_loop(
    watcher: Watcher,
    changes: Iterable[object],
    on_rebuild: Callable[[Rebuild], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Start the watcher, then look at the log on every item of ``changes`` (and do quiet work on empty ones)
    until ``changes`` ends or ``stop`` is set."""
    emit = on_rebuild if on_rebuild is not None else (lambda _rebuild: None)
    try:
        emit(watcher.start(stop))
        for batch in changes:
            if stop is not None and stop.is_set():
                return
            result = watcher.update()
            if result is not None:
                emit(result)
            if not batch:
                result = watcher.idle()
                if result is not None:
                    emit(result)
    finally:
        watcher.close()


def run_watch(
    archive: Archive,
    out: Path,
    *,
    changes: Iterable[object] | None = None,
    on_rebuild: Callable[[Rebuild], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Keep ``out`` current with ``archive``'s log until ``stop`` is set (or ``changes`` ends), calling
    ``on_rebuild`` after each rebuild. ``changes`` defaults to watchfiles watching the archive folder.
    Safe to run in a thread; Ctrl-C in the main thread raises KeyboardInterrupt."""
    source = changes if changes is not None else log_changes(archive, stop)
    watch_loop(Watcher(archive, out), source, on_rebuild, stop)
