"""Smoke test of the benchmarks (issue 6): the corpus generator and the runner work at 1,000 events. No timings asserted."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


def test_corpus_is_deterministic_valid_and_reused(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    made = _run(str(BENCHMARKS / "corpus.py"), "--events", "1000", "--data", str(first), "--jobs", "1", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    again = _run(str(BENCHMARKS / "corpus.py"), "--events", "1000", "--data", str(second), "--jobs", "2", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    log = (first / "corpus-1000" / "events.jsonl").read_bytes()
    assert log == (second / "corpus-1000" / "events.jsonl").read_bytes()  # same seed, same bytes, whatever the workers
    manifest = json.loads((first / "corpus-1000.json").read_text())
    assert manifest["events"] == 1000 == log.count(b"\n")
    types = {json.loads(line)["type"] for line in log.splitlines()}
    assert {"record.created", "sentence.added", "sentence.revised", "fact.retracted", "infobox.revised"} <= types
    verify = _run("-m", "archive", "-C", str(first / "corpus-1000"), "verify", cwd=tmp_path)
    assert verify.returncode == 0, verify.stderr
    reused = _run(str(BENCHMARKS / "corpus.py"), "--events", "1000", "--data", str(first), cwd=tmp_path)
    assert "cached" in reused.stdout


def test_runner_prints_every_operation(tmp_path: Path) -> None:
    result = _run(
        str(BENCHMARKS / "run.py"),
        "--sizes",
        "1000",
        "--runs",
        "1",
        "--import-files",
        "3",
        "--appends",
        "1",
        "--data",
        str(tmp_path / "data"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.stdout.split("# Results", 1)[1]
    operations = [
        "floor",
        "floor-process",
        "replay",
        "show-head",
        "show-middle",
        "diff",
        "blame",
        "verify",
        "build",
        "build-again",
        "build-again-in",
        "append-process",
        "append",
        "write+fsync",
        "appenders-1",
        "appenders-8",
        "import",
        "show-1k",
    ]
    if importlib.util.find_spec("eventsourcing") is not None:
        operations.append("eventsourcing")
    else:
        assert "eventsourcing   skipped" in result.stdout
    for name in operations:
        assert f"| {name} |" in report, name
    assert "| target (issue 6, §3) | measured | verdict |" in report
    assert not list((tmp_path / "data").glob("scratch*"))
