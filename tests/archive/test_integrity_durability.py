"""Durability, by the order of the calls that make it: an append fsyncs the log (once) before the head witness names
the new line; recover fsyncs the quarantined copy (and its folder) before it cuts the log, then fsyncs the log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.head import read_head
from archive.store.recover import QUARANTINE, recover_log

if not Path("/proc/self/fd").is_dir():  # pragma: no cover
    pytest.skip("reads the names of open files from /proc", allow_module_level=True)

ARTICLE = "= Durable =\n\nIt was written in 1999.\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An archive with record ``durable`` (revision 1)."""
    article = tmp_path / "durable.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["init", str(tmp_path / "a")]) == 0
    assert main(["-C", str(tmp_path / "a"), "import", str(article)]) == 0
    return tmp_path / "a"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, root: Path) -> Iterator[list[tuple[str, str, int]]]:
    """Every fsync and rename, in order, as ``(call, path, size of the log at that moment)``."""
    seen: list[tuple[str, str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace
    log = root / "events.jsonl"

    def fsync(fd: int) -> None:
        real_fsync(fd)
        seen.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"), log.stat().st_size))

    def replace(src: str | Path, dst: str | Path) -> None:
        real_replace(src, dst)
        seen.append(("replace", str(dst), log.stat().st_size))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    yield seen


def test_append_fsyncs_the_log_before_the_witness(root: Path, calls: list[tuple[str, str, int]]) -> None:
    before = (root / "events.jsonl").stat().st_size
    assert main(["-C", str(root), "append", "durable", "--lead", "--text", "Then in 2000.", "--source", "s"]) == 0
    after = (root / "events.jsonl").stat().st_size
    log = str((root / "events.jsonl").resolve())
    state = str((root / ".archive").resolve())
    assert calls[0] == ("fsync", log, after), calls
    assert after > before
    witness = [i for i, c in enumerate(calls) if c[0] == "replace" and c[1].endswith("head.json")]
    assert witness and witness[0] > 0
    # The witness itself is not fsynced: one it names is always durable, and one a crash leaves behind (older,
    # or empty) is still true, or read as absent. One fsync per append.
    assert [c for c in calls if c[0] == "fsync"] == [("fsync", log, after)]
    assert state.endswith(".archive")


def test_an_empty_witness_left_by_a_crash_reads_as_none(root: Path) -> None:
    assert main(["-C", str(root), "append", "durable", "--lead", "--text", "Then in 2000.", "--source", "s"]) == 0
    (root / ".archive" / "head.json").write_bytes(b"")
    assert read_head(root / ".archive") is None
    assert main(["-C", str(root), "append", "durable", "--lead", "--text", "Then in 2001.", "--source", "s"]) == 0
    head = read_head(root / ".archive")
    assert head is not None and head.offset == (root / "events.jsonl").stat().st_size


def test_recover_makes_the_copy_durable_before_it_cuts(root: Path, calls: list[tuple[str, str, int]]) -> None:
    log_path = root / "events.jsonl"
    whole = log_path.stat().st_size
    with open(log_path, "ab") as log:
        log.write(b'{"seq":3,"rev":2,"ty')
    torn = log_path.stat().st_size
    calls.clear()
    result = recover_log(Archive(root))
    assert result.quarantine is not None
    folder = str((root / ".archive" / QUARANTINE).resolve())
    assert calls[0] == ("fsync", str(result.quarantine.resolve()), torn), "the copy is fsynced while the log is whole"
    assert ("fsync", folder, torn) in calls[1:3], "and its folder, before the log is cut"
    assert calls[-1] == ("fsync", str(log_path.resolve()), whole), "the cut log is fsynced last"
