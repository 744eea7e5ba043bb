"""Kill: a real appender process, killed with SIGKILL at random moments during a long run of appends, 50 times.
After ``recover``, ``verify`` passes and every revision the appender had reported as written is there.

The appender is a child process forked from the test (so it starts without re-importing the program); it
appends through the command line's ``main(argv)``, single sentences and batches of 1-12 events, and after each
append returns (the log is fsynced) writes the revision number it was given to a report file. The test waits a
random number of reports and a random fraction of a second, then kills it.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import signal
import sys
import time
import traceback
from pathlib import Path

import orjson
import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.log import replay
from archive.store.recover import QUARANTINE, recover_log
from archive.store.verify import verify_log

KILLS = 50
ARTICLE = "= Killing Floor =\n\nThe floor was built in 1901.\n\n== Kills ==\nThe first kill came in 1902.\n"
_RECORDED = re.compile(rb"Recorded revision (\d+) of 'killing-floor'")

if sys.platform != "linux":  # pragma: no cover
    pytest.skip("fork and SIGKILL as on Linux", allow_module_level=True)


def _appender(root: Path, report: Path, seed: int) -> None:
    """Run in the child: append forever, reporting ``REV TOKEN`` after each append returns."""
    rng = random.Random(seed)
    captured = io.BytesIO()
    sys.stdout = io.TextIOWrapper(captured, encoding="utf-8", write_through=True)
    sys.stderr = sys.stdout
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    batch = root.parent / f"batch-{seed}.jsonl"
    number = 0
    while True:
        number += 1
        token = f"Kill {seed}.{number} came in 19{number % 100:02d}."
        base = ["-C", str(root), "append", "killing-floor", "--source", "https://example.org/k", "--by", f"appender-{seed}"]
        if number % 3:
            args = [*base, "--section", "Kills", "--text", token]
        else:
            texts = [token] + [f"Filler {seed}.{number}.{i}: " + "x" * rng.randrange(2000) for i in range(rng.randrange(12))]
            batch.write_bytes(b"".join(orjson.dumps({"type": "sentence.added", "text": text}) + b"\n" for text in texts))
            args = [*base, "--events", str(batch)]
        captured.seek(0)
        captured.truncate()
        code = main(args)
        if code != 0:
            raise AssertionError(f"append exited {code}: {captured.getvalue()!r}")
        [rev] = _RECORDED.findall(captured.getvalue())
        os.write(fd, rev + b" " + token.encode() + b"\n")


def _reports(report: Path) -> list[bytes]:
    return report.read_bytes().splitlines() if report.exists() else []


def test_sigkill_at_random_moments(tmp_path: Path) -> None:
    article = tmp_path / "killing-floor.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    root = tmp_path / "a"
    assert main(["init", str(root)]) == 0
    assert main(["-C", str(root), "import", str(article)]) == 0
    archive = Archive(root)
    report = tmp_path / "report"
    failure = tmp_path / "failure"
    rng = random.Random(5)
    torn = 0
    for cycle in range(KILLS):
        seen = len(_reports(report))
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _appender(root, report, cycle)
            except BaseException:
                failure.write_text(traceback.format_exc())
            finally:
                os._exit(1)
        wanted = seen + rng.choice((0, 1, 1, 2, 3))
        deadline = time.monotonic() + 60
        while len(_reports(report)) < wanted and time.monotonic() < deadline and not failure.exists():
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert not failure.exists(), failure.read_text()
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"cycle {cycle}: the appender stopped early"

        result = recover_log(archive)
        torn += result.torn
        checked = verify_log(archive)
        assert checked.ok, (cycle, checked.finding)
        state, tail = replay(archive)
        assert tail is not None
        assert tail.torn is None
        added = {f.text: f.added for f in state.records["killing-floor"].facts.values()}
        for line in _reports(report):
            rev, token = line.split(b" ", 1)
            assert added.get(token.decode()) == int(rev), f"cycle {cycle}: reported revision {int(rev)} is lost"
        assert [r.rev for r in state.revisions] == list(range(1, state.head + 1))
    quarantined = list((root / ".archive" / QUARANTINE).glob("*.torn")) if torn else []
    assert len(quarantined) == torn
    reported = len(_reports(report))
    assert reported >= KILLS / 2, f"only {reported} appends were reported in {KILLS} runs"
    with contextlib.suppress(OSError):
        (tmp_path / "figures").write_text(f"kills={KILLS} reported={reported} torn={torn}\n")
