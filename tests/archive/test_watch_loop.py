"""The watch loop in-process, fed a scripted iterable of change sets: what it reads, writes and reports
when the log grows, breaks, is mended, is cut mid-write or is rewritten; and once with real watchfiles."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.log import Tail, replay
from archive.web import watch as watch_module
from archive.web.watch import Rebuild, Watcher, run_watch, watch_loop
from events.codec import encode_line, line_hash
from events.model import RecordCreated, SentenceAdded, stamp
from events.source import Source

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
CHANGED = {("modified", "events.jsonl")}
"""A change set as watchfiles gives one (its contents do not matter to the loop)."""


def cli(root: Path, *args: str) -> None:
    """Run the real command line in-process; fail the test if it fails."""
    assert main(["-C", str(root), *args]) == 0, args


def make_archive(tmp_path: Path, *articles: str) -> Path:
    root = tmp_path / "archive"
    cli(root, "init")
    for name in articles:
        cli(root, "import", str(ARTICLES / name), "--source", "https://example.org/article")
    return root


def add(root: Path, record: str, text: str) -> None:
    cli(root, "append", record, "--section", "Notes", "--text", text, "--source", "https://example.org/note")


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def tail_of(root: Path) -> Tail:
    _, tail = replay(Archive(root))
    assert tail is not None
    return tail


def line_for(root: Path, *changes: object, tail: Tail | None = None, prev: str | None = None) -> bytes:
    """Log lines for ``changes`` as the next revision, chained to the log's end (or ``prev``)."""
    tail = tail or tail_of(root)
    lines, hash_ = [], prev or tail.hash
    for index, change in enumerate(changes):
        event = stamp(
            change,  # type: ignore[arg-type]
            seq=tail.seq + 1 + index,
            rev=tail.rev + 1,
            at="2026-01-02T03:04:05Z",
            by="hand",
            prev=hash_,
            end=True if index == len(changes) - 1 else None,
        )
        line = encode_line(event)
        hash_ = line_hash(line)
        lines.append(line)
    return b"".join(lines)


def append_bytes(root: Path, data: bytes) -> None:
    with open(root / "events.jsonl", "ab") as log:
        log.write(data)


def cut_to(root: Path, size: int) -> None:
    with open(root / "events.jsonl", "r+b") as log:
        log.truncate(size)


def sentence(record: str, fact: str, text: str) -> SentenceAdded:
    return SentenceAdded(record=record, fact=fact, text=text, paragraph=fact, after=None, sources=(Source(title="By hand"),))


def run(root: Path, script: Callable[[], Iterator[object]], **kwargs: object) -> list[Rebuild]:
    """Run the loop over the scripted change sets; return every Rebuild it reported."""
    rebuilds: list[Rebuild] = []
    run_watch(Archive(root), root / "views", changes=script(), on_rebuild=rebuilds.append, **kwargs)  # type: ignore[arg-type]
    return rebuilds


def test_start_builds_every_view_then_an_append_rewrites_only_its_record(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    out = root / "views"
    before: dict[str, bytes] = {}

    def script() -> Iterator[object]:
        before.update(snapshot(out))
        add(root, "structure", "In May 1870 a bridge was built.")
        yield CHANGED
        yield CHANGED  # nothing new: no rebuild

    rebuilds = run(root, script)
    assert [r.kind for r in rebuilds] == ["start", "update"]
    start, update = rebuilds
    assert start.records == ("structure", "unicode") and start.revision == 2 and start.error is None
    assert {"structure/article.txt", "unicode/timeline.json", "index.html"} <= before.keys()
    assert (
        update.revision == 3 and update.records == ("structure",) and update.revisions == 1 and update.events == 2
    )  # a new heading and its sentence
    after = snapshot(out)
    assert b"In May 1870 a bridge was built." in after["structure/article.txt"]
    assert all(after[name] == data for name, data in before.items() if name.startswith("unicode/"))
    assert update.files >= 5


def test_a_malformed_line_keeps_the_views_is_reported_once_and_a_mend_catches_up(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    out = root / "views"
    size = (root / "events.jsonl").stat().st_size
    bad_line = (root / "events.jsonl").read_bytes().count(b"\n") + 1
    seen: dict[str, dict[str, bytes]] = {}

    def script() -> Iterator[object]:
        seen["before"] = snapshot(out)
        append_bytes(root, b'{"seq": 99, this is not json\n')
        yield CHANGED
        yield CHANGED  # the same damage: told once
        seen["damaged"] = snapshot(out)
        cut_to(root, size)  # mended by hand: the line is gone
        yield CHANGED
        add(root, "structure", "In June 1871 the ferry stopped.")
        yield CHANGED

    rebuilds = run(root, script)
    assert [(r.kind, r.revisions) for r in rebuilds] == [("start", 1), ("update", 0), ("update", 0), ("update", 1)]
    damaged, mended, appended = rebuilds[1:]
    assert damaged.error is not None and damaged.error.startswith(f"events.jsonl:{bad_line}: not valid JSON"), damaged.error
    assert damaged.revision == 1 and damaged.records == ()
    assert seen["damaged"] == seen["before"]
    assert mended.error is None and mended.revision == 1
    assert appended.error is None and appended.records == ("structure",)
    assert b"the ferry stopped" in (out / "structure" / "article.txt").read_bytes()


def test_a_broken_hash_chain_is_reported_with_its_line(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    bad = line_for(root, sentence("structure", "hand1", "A line typed by hand."), prev="f" * 64)

    def script() -> Iterator[object]:
        append_bytes(root, bad)
        yield CHANGED

    rebuilds = run(root, script)
    lines = (root / "events.jsonl").read_bytes().count(b"\n")
    assert rebuilds[-1].error is not None
    assert rebuilds[-1].error.startswith(f"events.jsonl:{lines}: prev does not match the hash of line {lines - 1}")


def test_a_revision_that_cannot_apply_leaves_no_half_of_it_behind(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    size = (root / "events.jsonl").stat().st_size
    # Two events: the first would apply, the second cannot (the record exists already).
    bad = line_for(root, sentence("structure", "half1", "Half of a revision."), RecordCreated(record="structure"))
    watcher = Watcher(Archive(root), root / "views")

    def script() -> Iterator[object]:
        append_bytes(root, bad)
        yield CHANGED
        cut_to(root, size)
        yield CHANGED
        add(root, "structure", "In July 1872 the mill closed.")
        yield CHANGED

    rebuilds: list[Rebuild] = []
    watch_loop(watcher, script(), rebuilds.append)
    assert "revision 2 cannot apply" in (rebuilds[1].error or "")
    assert watcher.state is not None
    assert "half1" not in watcher.state.records["structure"].facts
    assert rebuilds[-1].error is None and rebuilds[-1].revision == 2
    text = (root / "views" / "structure" / "article.txt").read_bytes()
    assert b"the mill closed" in text and b"Half of a revision" not in text
    state, _ = replay(Archive(root))
    assert watcher.state == state


def test_a_half_written_line_is_waited_for_quietly(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    line = line_for(root, sentence("structure", "slow1", "Written in two goes."))
    told: list[str] = []
    now = [0.0]
    watcher = Watcher(Archive(root), root / "views", clock=lambda: now[0], warn=told.append)

    def script() -> Iterator[object]:
        append_bytes(root, line[:25])
        yield CHANGED
        now[0] += 11.0
        yield set()  # a quiet tick, long after: said once
        yield set()
        append_bytes(root, line[25:])
        yield CHANGED

    rebuilds: list[Rebuild] = []
    watch_loop(watcher, script(), rebuilds.append)
    updates = [r for r in rebuilds if r.kind == "update"]
    assert len(updates) == 1 and updates[0].error is None and updates[0].records == ("structure",)
    assert len(told) == 1 and "unfinished revision" in told[0] and "archive recover" in told[0]
    assert b"Written in two goes." in (root / "views" / "structure" / "article.txt").read_bytes()


def test_a_rewritten_history_is_replayed_with_a_loud_warning_naming_the_first_changed_line(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    other = tmp_path / "other"
    shutil.copytree(root, other)
    first_changed = tail_of(root).seq + 1  # the first line of revision 3, which differs
    add(root, "structure", "In May 1880 the first version was written.")
    add(other, "structure", "In May 1880 another version was written.")
    cli(other, "append", "structure", "--section", "More", "--text", "In 1881 more happened.", "--source", "x")

    def script() -> Iterator[object]:
        shutil.copy(other / "events.jsonl", root / "events.jsonl")
        shutil.copy(other / ".archive" / "head.json", root / ".archive" / "head.json")
        yield CHANGED

    rebuilds = run(root, script)
    replayed = rebuilds[-1]
    assert replayed.kind == "replay" and replayed.error is None and replayed.revision == 4
    assert any(f"History was rewritten: events.jsonl:{first_changed} " in w for w in replayed.warnings), replayed.warnings
    text = (root / "views" / "structure" / "article.txt").read_bytes()
    assert b"another version" in text and b"first version" not in text


def test_records_gone_from_a_rewritten_log_lose_their_views(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    shorter = make_archive(tmp_path / "b", "structure.txt")

    def script() -> Iterator[object]:
        shutil.copy(shorter / "events.jsonl", root / "events.jsonl")
        shutil.copy(shorter / ".archive" / "head.json", root / ".archive" / "head.json")
        yield CHANGED

    rebuilds = run(root, script)
    assert rebuilds[-1].kind == "replay" and rebuilds[-1].removed == ("unicode",)
    assert not (root / "views" / "unicode").exists()
    assert (root / "views" / "structure" / "article.txt").is_file()


def test_a_missing_log_is_reported_and_its_return_is_read(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    log = root / "events.jsonl"

    def script() -> Iterator[object]:
        log.rename(root / "moved.jsonl")
        yield CHANGED
        (root / "moved.jsonl").rename(log)
        add(root, "structure", "In 1890 the log came back.")
        yield CHANGED

    rebuilds = run(root, script)
    assert "events.jsonl is missing" in (rebuilds[1].error or "")
    assert rebuilds[-1].error is None and rebuilds[-1].revision == 2


def test_quiet_ticks_save_a_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_archive(tmp_path, "structure.txt")
    monkeypatch.setattr(watch_module, "CHECKPOINT_EVERY", 1)
    now = [0.0]
    watcher = Watcher(Archive(root), root / "views", clock=lambda: now[0])
    checkpoint = root / ".archive" / "checkpoint"

    def script() -> Iterator[object]:
        add(root, "structure", "In 1900 a tick came.")
        yield CHANGED
        yield set()  # quiet, but not for long enough to save a checkpoint
        assert not checkpoint.exists()
        now[0] += 6.0
        yield set()

    rebuilds: list[Rebuild] = []
    watch_loop(watcher, script(), rebuilds.append)
    assert [r.kind for r in rebuilds] == ["start", "update"]  # a cheap list of records is part of the update
    assert checkpoint.is_file()


def test_a_slow_list_of_records_is_written_by_a_thread_and_holds_no_append_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    out = root / "views"
    release, writing = threading.Event(), threading.Event()
    real_write_index = watch_module.write_index

    def slow_write_index(state: object, where: Path) -> bool:
        if threading.current_thread() is not threading.main_thread():
            writing.set()
            assert release.wait(30)
        return real_write_index(state, where)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "write_index", slow_write_index)
    monkeypatch.setattr(watch_module, "INDEX_INLINE", -1.0)  # as if it took seconds: always in a thread
    seen: dict[str, object] = {}

    def script() -> Iterator[object]:
        seen["index at start"] = (out / "index.html").read_bytes()
        add(root, "structure", "In 1920 the first append came.")
        yield CHANGED
        yield set()  # quiet: the list of records goes to a thread, which waits
        assert writing.wait(30)
        add(root, "unicode", "In 1921 the second append came.")
        add(root, "structure", "In 1922 the third append came.")
        yield CHANGED  # read and written while the thread still waits
        seen["views"] = snapshot(out)
        seen["index"] = (out / "index.html").read_bytes()
        release.set()
        for _ in range(200):
            yield set()
            if any(r.kind == "index" for r in rebuilds):
                break
            time.sleep(0.01)

    rebuilds: list[Rebuild] = []
    watch_loop(Watcher(Archive(root), out), script(), rebuilds.append)
    kinds = [r.kind for r in rebuilds]
    assert kinds[:3] == ["start", "update", "update"] and "index" in kinds, kinds
    assert rebuilds[2].records == ("unicode", "structure") and rebuilds[2].revision == 5
    views = seen["views"]
    assert isinstance(views, dict)
    assert b"the third append came" in views["structure/article.txt"]
    assert b"the second append came" in views["unicode/article.txt"]
    assert seen["index"] == seen["index at start"]  # the thread had not written it yet
    assert (out / "index.html").read_bytes() != seen["index at start"]


def test_a_restart_renders_only_the_views_that_are_not_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    out = root / "views"
    rendered: list[str] = []
    real_write_record = watch_module.write_record

    def counting(state: object, slug: str, where: Path) -> int:
        rendered.append(slug)
        return real_write_record(state, slug, where)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "write_record", counting)

    def nothing() -> Iterator[object]:
        yield from ()

    def one_append() -> Iterator[object]:
        add(root, "unicode", "In 1930 one record changed.")
        yield CHANGED

    assert run(root, nothing)[0].files > 0 and sorted(rendered) == ["structure", "unicode"]
    rendered.clear()
    assert run(root, nothing)[0].records == ("structure", "unicode") and rendered == []  # all current
    run(root, one_append)
    assert rendered == ["unicode"]
    rendered.clear()
    run(root, nothing)  # (only the list of records, left stale by the last run, is written)
    assert rendered == []
    cli(root, "build", "--at", "1")  # another command wrote older views of one record there
    rendered.clear()
    run(root, nothing)
    assert rendered == ["structure"]
    assert b"1930" not in (out / "structure" / "article.txt").read_bytes()
    cli(root, "build")
    assert b"1930" in (out / "unicode" / "article.txt").read_bytes()


def test_a_restart_writes_again_a_view_changed_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file edited in place (same size, its time and its folder's time put back) is noticed by its content."""
    root = make_archive(tmp_path, "structure.txt", "unicode.txt")
    out = root / "views"
    rendered: list[str] = []
    real_write_record = watch_module.write_record

    def counting(state: object, slug: str, where: Path) -> int:
        rendered.append(slug)
        return real_write_record(state, slug, where)  # type: ignore[arg-type]

    monkeypatch.setattr(watch_module, "write_record", counting)

    def nothing() -> Iterator[object]:
        yield from ()

    run(root, nothing)
    article = out / "structure" / "article.txt"
    good = article.read_bytes()
    times = article.stat(), (out / "structure").stat()
    with open(article, "r+b") as handle:  # in place: no rename, so the folder's time stays
        handle.write(b"X" + good[1:2])
    os.utime(article, ns=(times[0].st_atime_ns, times[0].st_mtime_ns))
    os.utime(out / "structure", ns=(times[1].st_atime_ns, times[1].st_mtime_ns))
    assert article.read_bytes() != good
    rendered.clear()
    run(root, nothing)
    assert rendered == ["structure"]
    assert article.read_bytes() == good


def test_stop_ends_the_loop(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    stop = threading.Event()

    def script() -> Iterator[object]:
        stop.set()
        yield CHANGED
        raise AssertionError("the loop went on after stop")  # pragma: no cover

    assert [r.kind for r in run(root, script, stop=stop)] == ["start"]


def test_real_watchfiles_in_a_thread_sees_an_append(tmp_path: Path) -> None:
    root = make_archive(tmp_path, "structure.txt")
    stop = threading.Event()
    rebuilds: list[Rebuild] = []
    thread = threading.Thread(
        target=run_watch, args=(Archive(root), root / "views"), kwargs={"on_rebuild": rebuilds.append, "stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not rebuilds and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rebuilds and rebuilds[0].kind == "start"
        add(root, "structure", "In 1910 the watcher was real.")
        while not any(r.kind == "update" for r in rebuilds) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(r.kind == "update" and r.records == ("structure",) for r in rebuilds), rebuilds
        assert b"the watcher was real" in (root / "views" / "structure" / "article.txt").read_bytes()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
