"""The record files in ``.archive/records/``: ``show`` and ``append`` read one record from them and the log
lines after them, and give what a full replay gives, whatever state the files were left in (a crash between
the log write and the files, a file ahead of the tail, a damaged file, another program version, a rewritten
log)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from archive.cli.main import main
from archive.saved import record_cache
from archive.saved.record_codec import decode_record, encode_record
from archive.store.folder import Archive
from archive.store.log import replay
from projections.views import render_view

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
ENV = {**{k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR", "ARCHIVE_NO_CHECKPOINT")}, "ARCHIVE_USER": "tester"}
SRC = "https://example.org/notes"


def _archive(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), *args], capture_output=True, text=True, env=ENV, check=False
    )


def _ok(root: Path, *args: str) -> str:
    result = _archive(root, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive of two records, made through the command line in this process."""
    monkeypatch.delenv("ARCHIVE_NO_CHECKPOINT", raising=False)
    monkeypatch.setenv("ARCHIVE_USER", "tester")
    root = tmp_path / "archive"
    assert main(["init", str(root)]) == 0
    for name in ("structure.txt", "unicode.txt"):
        assert main(["-C", str(root), "import", str(ARTICLES / name)]) == 0
    return root


def _full(root: Path, slug: str, view: str = "article", fmt: str = "text") -> str:
    state, _ = replay(Archive(root))
    return render_view(state.records[slug], view, fmt)


def _usable(root: Path, slug: str = "structure") -> bool:
    """Whether a new process (which keeps nothing in memory) can use the record files."""
    code = f"from archive.saved import record_cache; from archive.store.folder import Archive; from pathlib import Path; print(record_cache.load_records(Archive(Path({str(root)!r})), [{slug!r}]) is not None)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True)
    return result.stdout.strip() == "True"


def _append(root: Path, text: str, slug: str = "structure") -> None:
    assert main(["-C", str(root), "append", slug, "--section", "Aftermath", "--text", text, "--source", SRC]) == 0


def test_appends_keep_the_files_and_show_reads_them(two: Path) -> None:
    for n in range(3):
        _append(two, f"Report {n} came in 1863.")
    files = sorted(p.name for p in (two / ".archive" / "records").iterdir())
    assert files == ["structure.state", "unicode.state"]
    meta = orjson.loads((two / ".archive" / "records.json").read_bytes())
    assert meta["tail"]["offset"] == (two / "events.jsonl").stat().st_size
    partial = record_cache.load_records(Archive(two), ["structure"])
    assert partial is not None and partial.base == partial.tail  # nothing past the files to read
    assert render_view(partial.state.records["structure"], "article", "text") == _full(two, "structure")
    for view, fmt in (("article", "text"), ("timeline", "json"), ("infobox", "json"), ("sources", "json"), ("facts", "text")):
        assert _ok(two, "show", "structure", "--view", view, "--format", fmt) == _full(two, "structure", view, fmt)


def test_lines_after_the_files_are_folded_in(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the log write and before the files: the next reader folds the lines past the tail."""
    _append(two, "First report of 1863.")
    monkeypatch.setattr(record_cache, "write_records", lambda *a, **k: None)
    _append(two, "Second report of 1863.")
    _append(two, "A third, for the other record, in 1990.", slug="unicode")
    partial = record_cache.load_records(Archive(two), ["structure", "unicode"])
    assert partial is not None and partial.tail.offset > partial.base.offset
    for slug in ("structure", "unicode"):
        assert render_view(partial.state.records[slug], "article", "text") == _full(two, slug)
    assert partial.state.head == replay(Archive(two))[0].head


def test_a_file_ahead_of_the_tail_is_not_folded_twice(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after a record's file and before records.json: its own seq says what it already holds."""
    _append(two, "First report of 1863.")
    meta = (two / ".archive" / "records.json").read_bytes()
    _append(two, "Second report of 1863.")
    (two / ".archive" / "records.json").write_bytes(meta)  # as if the crash came before records.json
    assert _ok(two, "show", "structure") == _full(two, "structure")
    _append(two, "Third report of 1863.")
    assert _ok(two, "show", "structure") == _full(two, "structure")


@pytest.mark.parametrize("damage", ["flip", "cut", "version", "empty"])
def test_a_damaged_or_foreign_file_is_not_used(two: Path, damage: str) -> None:
    _append(two, "First report of 1863.")
    path = two / ".archive" / "records" / "structure.state"
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-3] ^= 0xFF
    elif damage == "cut":
        del data[-10:]
    elif damage == "version":
        end = data.index(b"\n")
        header = orjson.loads(bytes(data[:end]))
        header["code"] = "0" * 64
        data[:end] = orjson.dumps(header)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    assert not _usable(two)
    assert _ok(two, "show", "structure") == _full(two, "structure")
    assert _usable(two)  # show wrote them anew
    _append(two, "Second report of 1863.")
    assert _ok(two, "show", "structure") == _full(two, "structure")


def test_a_rewritten_log_is_noticed(two: Path) -> None:
    """The log put back to an older copy and appended to differently: the files no longer match it."""
    log = two / "events.jsonl"
    older = log.read_bytes()
    _append(two, "First report of 1863.")
    log.write_bytes(older)
    (two / ".archive" / "head.json").unlink()  # the user restored a backup on purpose
    _append(two, "A different report of 1864.")
    assert _usable(two)
    shown = _ok(two, "show", "structure")
    assert "1864" in shown and "First report" not in shown
    assert shown == _full(two, "structure")


def test_a_new_record_and_an_unknown_one(two: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(two, "First report of 1863.")
    assert main(["-C", str(two), "import", str(ARTICLES / "headings.txt")]) == 0
    assert _ok(two, "show", "headings") == _full(two, "headings")
    assert (two / ".archive" / "records" / "headings.state").is_file()
    capsys.readouterr()
    assert main(["-C", str(two), "append", "nope", "--lead", "--text", "Nothing here.", "--source", SRC]) == 1
    assert "Records: headings, structure, unicode." in capsys.readouterr().err  # every record, not only those read
    result = _archive(two, "show", "nope")
    assert result.returncode == 1 and "Records: headings, structure, unicode." in result.stderr


def test_import_of_an_existing_record_is_refused_from_the_files(two: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _append(two, "First report of 1863.")
    before = (two / "events.jsonl").read_bytes()
    assert main(["-C", str(two), "import", str(ARTICLES / "structure.txt")]) == 1
    assert "record 'structure' already exists" in capsys.readouterr().err
    assert (two / "events.jsonl").read_bytes() == before


def test_no_checkpoint_means_no_record_files(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NO_CHECKPOINT", "1")
    for path in (two / ".archive" / "records").iterdir():
        path.unlink()
    _append(two, "First report of 1863.")
    assert not any((two / ".archive" / "records").iterdir())
    assert not _usable(two)


def test_the_fingerprints_are_the_same_in_every_process() -> None:
    """Saved states are found by fingerprint: one that printed a validator's address would never match."""
    code = "from archive.saved.fingerprint import fingerprints; print(*fingerprints())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert len(runs) == 1 and len(runs.pop().split()) == 2


def test_show_at_head_reads_neither_the_log_nor_the_event_models(two: Path) -> None:
    """What keeps ``show`` fast on a big log: with the record files current, it imports no log reader
    and builds no event model, and its output is still the full replay's."""
    _append(two, "First report of 1863.")
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['archive', '-C', sys.argv[1], 'show', 'structure']\n"
        "try:\n"
        "    runpy.run_module('archive', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', ' '.join(m for m in ('archive.store.log', 'events.model', 'archive.saved.checkpoint') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(two)], capture_output=True, text=True, env=ENV, check=True)
    shown, _, loaded = result.stdout.rpartition("LOADED")
    assert loaded.strip() == ""
    assert shown == _full(two, "structure")


def test_a_record_file_holds_the_record_exactly(two: Path) -> None:
    """Every field of every fact survives the file: sources, dates, retractions, alternatives, layout."""
    for args in (
        ["--retract", "s2", "--reason", "Doubtful"],
        ["--infobox", "Result=Northern victory", "--alternative"],
        ["--revise", "s1", "--text", "The battle was fought in early June 1862.", "--when", "by 1862-06"],
    ):
        assert main(["-C", str(two), "append", "structure", *args, "--source", '{"title": "A history", "author": "Ṣāliḥ"}']) == 0
    state, _ = replay(Archive(two))
    for slug, record in state.records.items():
        assert decode_record(encode_record(record)) == record, slug
        assert record_cache.load_records(Archive(two), [slug]).state.records[slug] == record  # type: ignore[union-attr]


def test_a_process_that_appends_again_keeps_its_record_in_memory(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second append of a process reads no record file while the files are still the ones it wrote;
    once another process has appended, it reads them again, and every append lands where a replay says."""
    reads: list[str] = []
    real = record_cache._read_file

    def counting(path: Path, slug: str) -> object:
        reads.append(slug)
        return real(path, slug)

    monkeypatch.setattr(record_cache, "_read_file", counting)
    _append(two, "First report of 1863.")
    reads.clear()
    _append(two, "Second report of 1863.")
    assert reads == []
    _ok(two, "append", "structure", "--section", "Aftermath", "--text", "A report from elsewhere in 1863.", "--source", SRC)
    _append(two, "Third report of 1863.")
    assert reads == ["structure"]
    shown = _ok(two, "show", "structure")
    assert shown == _full(two, "structure")
    assert shown.index("Second report") < shown.index("elsewhere") < shown.index("Third report")
