"""The watch latency benchmark runs end to end at a small size (figures are not checked: timing is not a test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "watch_latency.py"


def test_the_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    small = ["--events", "1000", "--appends", "3", "--cli-appends", "1", "--show-runs", "1", "--dates", "6"]
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), *small, "--work", str(tmp_path / "work"), "--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    [result] = orjson.loads(figures.read_bytes())
    assert result["events"] == 1000 and result["appends"] == 3 and result["cli_appends"] == 1
    for key in ("view_p50_ms", "view_p95_ms", "rebuild_p50_ms", "show_from_checkpoint_s_median", "full_replay_show_s"):
        assert result[key] is not None and result[key] > 0, key
    assert result["watch_exit"] in (0, 130)
