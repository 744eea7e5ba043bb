"""Concurrent appenders: any number of processes append at once through the exclusive lock, and revisions are
numbered without gaps or repeats; with ``--expect-rev``, exactly one of two racing appends wins.

The 8 x 100 run uses 8 real processes, each calling the command line's ``main(argv)`` 100 times: the same
argument parsing, lock and write as ``archive append``, without paying 800 interpreter start-ups (about half a
second of CPU each; see docs/RELIABILITY.md for the figures). ``test_writers_through_the_real_command_line``
runs 8 real ``python -m archive append`` processes side by side (``ARCHIVE_STRESS_CLI_ROUNDS=100`` for 8 x 100).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.log import locked, replay
from archive.store.verify import verify_log

WRITERS = 8
APPENDS = 100
ARTICLE = "= Busy Harbour =\n\nThe harbour is busy.\n"
CLI_ROUNDS = int(os.environ.get("ARCHIVE_STRESS_CLI_ROUNDS", "1"))
"""Rounds of 8 real ``python -m archive append`` processes at once; ARCHIVE_STRESS_CLI_ROUNDS=100 makes it the full
8 x 100 through real processes (minutes: every append is a new interpreter that replays the log)."""
_RECORDED = re.compile(r"Recorded revision (\d+) of 'busy-harbour'")

# One writer: appends N sentences to its own section through the command line's main(), one revision each,
# and prints what main printed (the revision number it was given) on stdout.
WRITER = """
import sys
from archive.cli.main import main

root, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for number in range(count):
    code = main(["-C", root, "append", "busy-harbour", "--section", f"Writer {writer}",
                 "--text", f"Writer {writer} wrote line {number}.", "--source", "https://example.org/w",
                 "--by", f"writer-{writer}"])
    if code != 0:
        sys.exit(code)
"""


def _archive(base: Path) -> Path:
    article = base / "busy-harbour.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    root = base / "a"
    assert main(["init", str(root)]) == 0
    assert main(["-C", str(root), "import", str(article)]) == 0
    return root


def _check_writers(root: Path, reported: dict[str, list[int]], appends: int) -> None:
    """Every reported revision is there with its writer's line; numbering is contiguous; verify passes."""
    state, tail = replay(Archive(root))
    assert tail is not None
    assert tail.torn is None
    total = len(reported) * appends
    assert state.head == 1 + total
    assert [r.rev for r in state.revisions] == list(range(1, total + 2))
    all_reported = sorted(rev for revs in reported.values() for rev in revs)
    assert all_reported == list(range(2, total + 2)), "a revision number was given twice or skipped"
    by_rev = {r.rev: r for r in state.revisions}
    record = state.records["busy-harbour"]
    texts = {f.text for f in record.facts.values() if f.kind == "sentence"}
    for writer, revs in reported.items():
        assert len(revs) == appends
        assert {by_rev[rev].by for rev in revs} == {f"writer-{writer}"}
        assert {f"Writer {writer} wrote line {n}." for n in range(appends)} <= texts
    report = verify_log(Archive(root))
    assert report.ok, report.finding
    assert report.revisions == total + 1


def test_eight_processes_append_a_hundred_times_each(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    procs = {
        str(w): subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(w), str(APPENDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(WRITERS)
    }
    reported: dict[str, list[int]] = {}
    for writer, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
        assert b"Traceback" not in err
        reported[writer] = [int(m) for m in _RECORDED.findall(out.decode())]
    _check_writers(root, reported, APPENDS)


def test_writers_through_the_real_command_line(tmp_path: Path, ok: Callable[..., Any]) -> None:
    root = _archive(tmp_path)
    rounds = CLI_ROUNDS
    reported: dict[str, list[int]] = {str(w): [] for w in range(WRITERS)}
    for number in range(rounds):
        procs = {
            writer: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "archive",
                    "-C",
                    str(root),
                    "append",
                    "busy-harbour",
                    "--section",
                    f"Writer {writer}",
                    "--text",
                    f"Writer {writer} wrote line {number}.",
                    "--source",
                    "https://example.org/w",
                    "--by",
                    f"writer-{writer}",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for writer in reported
        }
        for writer, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err.decode()
            reported[writer] += [int(m) for m in _RECORDED.findall(out.decode())]
    _check_writers(root, reported, rounds)
    assert ok("-C", root, "verify").text.startswith("events.jsonl is sound:")


def _wait_for_lock_waiters(lock_file: Path, count: int) -> None:
    """Poll /proc/locks (bounded) until ``count`` processes are blocked on ``lock_file``'s flock."""
    inode = f":{os.stat(lock_file).st_ino} "
    locks = Path("/proc/locks")
    deadline = time.monotonic() + 60
    while locks.exists() and time.monotonic() < deadline:
        waiting = [line for line in locks.read_text().splitlines() if "->" in line and inode in line + " "]
        if len(waiting) >= count:
            return
        time.sleep(0.01)


def test_expect_rev_race_has_exactly_one_winner(tmp_path: Path) -> None:
    root = _archive(tmp_path)
    before = (root / "events.jsonl").read_bytes()
    # Hold the lock while both start, so that both are waiting on it with --expect-rev 1 when it is let go.
    with locked(Archive(root)):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "archive",
                    "-C",
                    str(root),
                    "append",
                    "busy-harbour",
                    "--lead",
                    "--text",
                    f"Racer {racer} got there first.",
                    "--source",
                    "https://example.org/r",
                    "--expect-rev",
                    "1",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for racer in range(2)
        ]
        _wait_for_lock_waiters(root / ".archive" / "lock", 2)
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out.decode(), err.decode()))
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 3], results
    [(_, won, _)] = [r for r in results if r[0] == 0]
    [(_, _, lost)] = [r for r in results if r[0] == 3]
    assert won.startswith("Recorded revision 2 of 'busy-harbour'")
    assert lost == (
        "Error: --expect-rev 1 no longer holds: the archive is at revision 2. "
        "Look at what changed ('archive log'), then retry with --expect-rev 2.\n"
    )
    after = (root / "events.jsonl").read_bytes()
    assert after.startswith(before)
    assert after.count(b"\n") == before.count(b"\n") + 1
    assert verify_log(Archive(root)).ok


def test_expect_rev_ahead_of_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _archive(tmp_path)
    before = (root / "events.jsonl").read_bytes()
    code = main(
        ["-C", str(root), "append", "busy-harbour", "--lead", "--text", "Too soon.", "--source", "s", "--expect-rev", "5"]
    )
    assert code == 3
    assert capsys.readouterr().err == (
        "Error: --expect-rev 5 does not hold: the archive is at revision 1. "
        "Look at what changed ('archive log'), then retry with --expect-rev 1.\n"
    )
    assert (root / "events.jsonl").read_bytes() == before
