"""``archive watch`` as a real process: appends from another process show in the views; a malformed line typed
by hand leaves the views as they were, is reported, and the watcher catches up once it is mended; Ctrl-C
exits cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import orjson

ENV = {**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "tester"}


class Watching:
    """``archive watch`` running in a subprocess, its output lines gathered by threads."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "archive", "-C", str(root), "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=ENV,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.out: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        self.threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.out.put), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append), daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _pump(stream: IO[bytes], sink: Callable[[str], None]) -> None:
        for line in stream:
            sink(line.decode("utf-8"))

    def next_line(self, timeout: float = 60) -> str:
        return self.out.get(timeout=timeout)

    def next_json(self, want: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            data = orjson.loads(self.next_line(max(0.01, deadline - time.monotonic())))
            if want(data):
                return data

    def stop(self) -> int:
        """Ctrl-C; the exit status once the process and its output have ended."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:  # pragma: no cover - only if Ctrl-C did not stop it
                self.proc.kill()
                self.proc.wait()
            for thread in self.threads:
                thread.join(timeout=10)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
        return code


def archive(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), *args], capture_output=True, env=ENV, check=False, timeout=120
    )


def wait_until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_watch_follows_appends_survives_a_bad_line_and_catches_up(example: Path) -> None:
    article = example / "views" / "siege-of-derna" / "article.txt"
    log = example / "events.jsonl"
    watching = Watching(example, "--json")
    try:
        start = watching.next_json(lambda d: d["kind"] == "start")
        assert start["revision"] == 2 and start["records"] == ["siege-of-derna"] and start["error"] is None
        assert article.is_file()

        done = archive(
            example,
            "append",
            "siege-of-derna",
            "--section",
            "Aftermath",
            "--text",
            "In March 2020 a museum opened.",
            "--source",
            "https://example.org/museum",
        )
        assert done.returncode == 0, done.stderr
        wait_until(lambda: b"a museum opened" in article.read_bytes())
        update = watching.next_json(lambda d: d["kind"] == "update")
        assert update["revision"] == 3 and update["records"] == ["siege-of-derna"] and update["error"] is None

        views = {p: p.read_bytes() for p in (example / "views").rglob("*") if p.is_file()}
        good_size = log.stat().st_size
        bad_line = log.read_bytes().count(b"\n") + 1
        with open(log, "ab") as file:
            file.write(b'{"seq": 1000, "rev": oops}\n')
        damaged = watching.next_json(lambda d: d["error"] is not None)
        assert damaged["error"].startswith(f"events.jsonl:{bad_line}: not valid JSON"), damaged
        assert damaged["revision"] == 3
        assert watching.proc.poll() is None
        assert {p: p.read_bytes() for p in views} == views

        with open(log, "r+b") as file:  # mended by hand: the bad line goes
            file.truncate(good_size)
        mended = watching.next_json(lambda d: d["kind"] == "update")
        assert mended["error"] is None and mended["revision"] == 3
        done = archive(
            example,
            "append",
            "siege-of-derna",
            "--section",
            "Aftermath",
            "--text",
            "In April 2020 it closed again.",
            "--source",
            "https://example.org/museum",
        )
        assert done.returncode == 0, done.stderr
        wait_until(lambda: b"it closed again" in article.read_bytes())
        assert watching.next_json(lambda d: d["kind"] == "update")["revision"] == 4
    finally:
        code = watching.stop()
    assert code in (0, 130)
    stderr = "".join(watching.err)
    assert "Traceback" not in stderr and "Stopped watching." in stderr


def test_watch_prints_a_status_line_per_rebuild_and_errors_on_stderr(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    watching = Watching(example, "--out", str(out))
    try:
        first = watching.next_line()
        assert first.split("  ", 1)[1].startswith(f"Watching: the views of 1 record at revision 2 are in {out}"), first
        done = archive(example, "append", "siege-of-derna", "--infobox", "Museum=2020", "--source", "https://example.org/m")
        assert done.returncode == 0, done.stderr
        line = watching.next_line()
        assert "r3  +1 revision (1 event): siege-of-derna" in line and " ms" in line, line
        with open(example / "events.jsonl", "ab") as file:
            file.write(b"not json at all\n")
        wait_until(lambda: any("Error: events.jsonl:" in e for e in watching.err))
        assert any("The views stay at revision 3" in e for e in watching.err)
    finally:
        code = watching.stop()
    assert code in (0, 130)
    assert "Traceback" not in "".join(watching.err)
    assert not (example / "views").exists()


def test_watch_help_and_a_folder_that_is_not_an_archive(tmp_path: Path) -> None:
    shown = archive(tmp_path, "watch", "--help")
    assert shown.returncode == 0 and b"--json" in shown.stdout and b"--out" in shown.stdout
    refused = archive(tmp_path / "nothing", "watch")
    assert refused.returncode == 1 and refused.stderr.startswith(b"Error:") and b"not an archive" in refused.stderr
