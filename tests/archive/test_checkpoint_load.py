"""Checkpoints through the command line and ``load``: written after long reads, used by show/build/append,
equal to a full replay, discarded with a warning when the log's prefix changed or the file is damaged,
ignored when made by another format, and never code (a planted pickle does not run)."""

from __future__ import annotations

import importlib.util
import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from archive.cli.main import main
from archive.saved.checkpoint import CHECKPOINT_EVERY, FORMAT, checkpoint_path, first_changed_line, load
from archive.store.folder import Archive
from archive.store.log import replay
from events.codec import GENESIS, line_hash

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
ENV = {**{k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR", "ARCHIVE_NO_CHECKPOINT")}, "ARCHIVE_USER": "tester"}
RECORD = "record-000002"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCHMARKS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 1,300 events (7 records), made once; tests copy it."""
    root = tmp_path_factory.mktemp("big") / "archive"
    _generator().generate(root, events=1300, facts=200, dates=6)
    return root


@pytest.fixture
def big(tmp_path: Path, big_template: Path) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    (root / ".archive").mkdir()
    (root / "events.jsonl").write_bytes((big_template / "events.jsonl").read_bytes())
    return root


class Run:
    """The command line in-process, its output captured: what a full replay prints, and what the checkpoint gives."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, root: Path, *args: str, checkpoints: bool = True) -> tuple[str, str]:
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            if checkpoints:
                patch.delenv("ARCHIVE_NO_CHECKPOINT", raising=False)
            else:
                patch.setenv("ARCHIVE_NO_CHECKPOINT", "1")
            code = main(["-C", str(root), *args])
        out, err = self.capsys.readouterr()
        assert code == 0, err
        return out, err.replace("\n", " ")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("ARCHIVE_USER", "tester")
    return Run(capsys, monkeypatch)


def archive(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), *args],
        capture_output=True,
        env={**ENV, **env},
        check=False,
        timeout=120,
        text=True,
    )


def ok(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = archive(root, *args, **env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def rechain(lines: list[bytes], start: int) -> list[bytes]:
    """Fix the ``prev`` of every line from index ``start`` on, as an editor that knows the format would."""
    out = lines[:start]
    prev = line_hash(out[-1]) if out else GENESIS
    for raw in lines[start:]:
        data = orjson.loads(raw)
        data["prev"] = prev
        line = orjson.dumps(data) + b"\n"
        out.append(line)
        prev = line_hash(line)
    return out


def test_a_long_read_saves_a_checkpoint_that_later_commands_start_from(big: Path) -> None:
    path = checkpoint_path(Archive(big))
    expected = ok(big, "show", RECORD, "--view", "timeline", "--format", "json", ARCHIVE_NO_CHECKPOINT="1").stdout
    assert not path.exists()
    ok(big, "records")
    header = orjson.loads(path.read_bytes().split(b"\n", 1)[0])
    assert header["format"] == FORMAT and header["tail"]["seq"] == 1300 and header["tail"]["rev"] == 7
    shown = ok(big, "show", RECORD, "--view", "timeline", "--format", "json")
    assert shown.stdout == expected and shown.stderr == ""
    loaded = load(Archive(big))
    assert loaded.start is not None and loaded.start.seq == 1300 and loaded.replayed == 0
    state, _ = replay(Archive(big))
    assert loaded.state == state


def test_append_and_show_read_the_checkpoint_and_the_tail(big: Path, run: Run) -> None:
    run(big, "records")
    run(big, "append", RECORD, "--section", "Section 1", "--text", "In May 2021 a note was added.", "--source", "x")
    assert load(Archive(big)).replayed == 1
    for command in (["show", RECORD], ["show", RECORD, "--view", "facts", "--at", "3"], ["log", "--format", "json"]):
        assert run(big, *command) == run(big, *command, checkpoints=False)


def test_a_rewritten_history_discards_the_checkpoint_loudly_and_names_the_line(big: Path, run: Run) -> None:
    run(big, "records")
    log = big / "events.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    changed = 500  # a sentence of record-000002 (lines 401-600)
    data = orjson.loads(lines[changed - 1])
    data["text"] = "In June 1950 the history was rewritten."
    lines[changed - 1] = orjson.dumps(data) + b"\n"
    log.write_bytes(b"".join(rechain(lines, changed - 1)))
    out, err = run(big, "show", RECORD)
    assert "no longer matches events.jsonl" in err and "replaying the whole log" in err
    assert f"History was rewritten: events.jsonl:{changed} " in err
    assert "the history was rewritten" in out
    assert run(big, "show", RECORD, checkpoints=False)[0] == out
    assert run(big, "show", RECORD) == (out, "")  # a new checkpoint was saved after the full replay


def test_a_cut_log_discards_the_checkpoint(big: Path, run: Run) -> None:
    run(big, "records")
    log = big / "events.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:1200]))  # revisions 1-6 stay whole
    out, err = run(big, "records", "--format", "json")
    assert "no longer matches" in err and "events.jsonl:1201 " in err
    assert len(orjson.loads(out)) == 6


def test_a_damaged_checkpoint_is_discarded_and_replaced(big: Path, run: Run) -> None:
    run(big, "records")
    path = checkpoint_path(Archive(big))
    data = bytearray(path.read_bytes())
    data[-50] ^= 0x20
    path.write_bytes(bytes(data))
    out, err = run(big, "show", RECORD)
    assert ".archive/checkpoint is damaged" in err
    assert out == run(big, "show", RECORD, checkpoints=False)[0]
    assert run(big, "show", RECORD) == (out, "")


def test_a_checkpoint_of_another_format_is_ignored_quietly(big: Path, run: Run) -> None:
    run(big, "records")
    path = checkpoint_path(Archive(big))
    head, rest = path.read_bytes().split(b"\n", 1)
    header = orjson.loads(head)
    header["format"] = 99
    path.write_bytes(orjson.dumps(header) + b"\n" + rest)
    out, err = run(big, "show", RECORD)
    assert err == "" and out == run(big, "show", RECORD, checkpoints=False)[0]
    assert orjson.loads(path.read_bytes().split(b"\n", 1)[0])["format"] == FORMAT  # replaced by this version's


class _Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_a_planted_pickle_is_data_that_does_not_read_never_code(
    big: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    checkpoint_path(Archive(big)).write_bytes(pickle.dumps(_Planted()))
    _, err = run(big, "show", RECORD)
    assert "is damaged" in err
    assert not (tmp_path / "pwned").exists()


def test_checkpoints_are_not_written_for_short_reads(example: Path, run: Run) -> None:
    run(example, "build")
    assert not checkpoint_path(Archive(example)).exists()
    assert CHECKPOINT_EVERY == 1000


def test_first_changed_line() -> None:
    keys = b"".join(bytes([n]) * 8 for n in range(1, 6))
    assert first_changed_line(keys, keys) is None
    assert first_changed_line(keys, keys + b"x" * 8) is None  # lines were added
    assert first_changed_line(keys, keys[:24]) == 4  # the log was cut after line 3
    for line in range(1, 6):
        changed = bytearray(keys)
        changed[(line - 1) * 8] ^= 1
        assert first_changed_line(keys, bytes(changed)) == line
