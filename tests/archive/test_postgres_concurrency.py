"""PostgreSQL under contention and failure, with real processes: eight writers at once (gapless, in commit
order, a tailing reader misses none), two racing ``--expect-rev`` appends, a client killed inside its
transaction, ``watch`` woken by another machine's append, and the server lost in the middle of an append."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson

from archive.store.postgres import PostgresLog
from archive.store.tail import Tail
from events.codec import GENESIS
from tests.conftest import EXAMPLE, _env, run_archive
from tests.pg import pg_env, pg_url  # noqa: F401 - pg_url is a fixture

DERNA = "siege-of-derna"

_WRITER = """
import sys
from archive.cli.main import main
root, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    code = main(["-C", root, "append", "siege-of-derna", "--infobox", f"{name}-{i}=v{i}", "--source", "s", "--by", name])
    if code != 0:
        sys.exit(code)
"""


def _folder(path: Path, url: str) -> Path:
    """Another machine's folder on the same database: its own settings, no saved state."""
    path.mkdir(parents=True)
    (path / "archive.json").write_text(json.dumps({"database": url}))
    return path


def _copied(url: str) -> None:
    result = run_archive("copy", EXAMPLE, url, env=pg_env(url))
    assert result.code == 0, result.err


def _until(check, limit: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


class _Tailer(threading.Thread):
    """Reads the rows past its position again and again, as a watcher does, noting any gap it meets."""

    def __init__(self, url: str, last: int) -> None:
        super().__init__(daemon=True)
        self.port = PostgresLog(url)
        self.last = last
        self.seqs: list[int] = []
        self.gaps: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        tail = Tail(0, 0, 0, GENESIS)
        while True:
            finishing = self.done.is_set()
            for line in self.port.lines(tail if tail.seq else None):
                data = orjson.loads(line)
                if data["seq"] != tail.seq + 1:
                    self.gaps.append(f"read {data['seq']} after {tail.seq}")
                tail = Tail(tail.offset + len(line), data["seq"], data["rev"], "")
                self.seqs.append(data["seq"])
            if finishing:
                return
            time.sleep(0.002)


def test_eight_writers_at_once_gapless_and_in_commit_order(tmp_path: Path, pg_url: str) -> None:
    _copied(pg_url)  # revisions 1-2, 30 lines
    tailer = _Tailer(pg_url, 30)
    tailer.start()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(_folder(tmp_path / f"m{n}", pg_url)), f"w{n}", "3"],
            env=_env(pg_env(pg_url)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(8)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()
    tailer.done.set()
    tailer.join(60)
    assert tailer.gaps == []
    assert tailer.seqs == list(range(1, 30 + 8 * 3 + 1))  # one event per append, every one read once, in order
    log = json.loads(run_archive("-C", tmp_path / "m0", "log", "--format", "json", env=pg_env(pg_url)).out)
    assert [entry["rev"] for entry in log] == list(range(26, 0, -1))
    by = [entry["by"] for entry in log[:24]]
    assert sorted(by) == sorted(f"w{n}" for n in range(8) for _ in range(3))
    report = json.loads(run_archive("-C", tmp_path / "m0", "verify", "--format", "json", env=pg_env(pg_url)).out)
    assert report["ok"] and report["revisions"] == 26


def test_two_racing_expect_rev_appends_one_wins(tmp_path: Path, pg_url: str) -> None:
    _copied(pg_url)
    racers = [
        subprocess.Popen(
            [
                sys.executable, "-m", "archive", "-C", str(_folder(tmp_path / f"m{n}", pg_url)), "append", DERNA,
                "--infobox", f"Racer={n}", "--source", "s", "--expect-rev", "2",
            ],
            env=_env(pg_env(pg_url)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(2)
    ]
    errors = [racer.communicate(timeout=300)[1].decode() for racer in racers]
    assert sorted(racer.returncode for racer in racers) == [0, 3], errors
    assert any("--expect-rev 2 no longer holds: the archive is at revision 3" in error for error in errors), errors
    assert PostgresLog(pg_url).last_revision() == 3


def test_a_client_killed_inside_its_transaction_leaves_no_trace(tmp_path: Path, pg_url: str) -> None:
    _copied(pg_url)
    root = _folder(tmp_path / "m", pg_url)
    port = PostgresLog(pg_url)
    before = list(port.lines())
    killed = run_archive(
        "-C", root, "append", DERNA, "--infobox", "Dead=1", "--source", "s", env={**pg_env(pg_url), "ARCHIVE_FAULTS": "db-commit=kill"}
    )
    assert killed.code == -signal.SIGKILL
    assert list(port.lines()) == before and port.last_revision() == 2
    after = run_archive("-C", root, "append", DERNA, "--infobox", "Alive=1", "--source", "s", env=pg_env(pg_url))
    assert after.code == 0, after.err  # the head row was released: not blocked, not stale
    assert port.last_revision() == 3
    report = json.loads(run_archive("-C", root, "verify", "--format", "json", env=pg_env(pg_url)).out)
    assert report["ok"] and report["revisions"] == 3


def test_watch_follows_another_machines_appends(tmp_path: Path, pg_url: str) -> None:
    _copied(pg_url)
    watching, writing = _folder(tmp_path / "watching", pg_url), _folder(tmp_path / "writing", pg_url)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "archive", "-C", str(watching), "watch", "--json"],
        env=_env(pg_env(pg_url)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = watcher.stdout.readline()  # type: ignore[union-attr]
        assert json.loads(first)["kind"] == "start", watcher.stderr.read()  # type: ignore[union-attr]
        article = watching / "views" / DERNA / "article.txt"
        text = "On 9 May 2019 the watcher saw this sentence."
        appended = run_archive(
            "-C", writing, "append", DERNA, "--section", "Aftermath", "--text", text, "--source", "s", env=pg_env(pg_url)
        )
        assert appended.code == 0, appended.err
        assert _until(lambda: article.is_file() and text in article.read_text())
        update = json.loads(watcher.stdout.readline())  # type: ignore[union-attr]
        assert update["kind"] == "update" and update["revision"] == 3 and update["error"] is None
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.communicate()


class _Proxy:
    """A TCP relay to the real server: the server as a client sees it, which the test can take away at once."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; new connections are refused
        except OSError:
            pass
        self.listener.close()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


def _stopped(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
    except OSError:
        return False


def test_the_server_lost_mid_append_gives_a_clear_error_and_no_half_revision(tmp_path: Path, pg_url: str) -> None:
    """The server goes away (its connections cut, new ones refused) while an append is inside its transaction."""
    _copied(pg_url)
    parts = urlsplit(pg_url)
    proxy = _Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    relayed = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"))
    root = _folder(tmp_path / "m", relayed)
    appender = subprocess.Popen(
        [sys.executable, "-m", "archive", "-C", str(root), "append", DERNA, "--infobox", "Half=1", "--source", "s"],
        env=_env({**pg_env(relayed), "ARCHIVE_FAULTS": "db-commit=pause"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _until(lambda: _stopped(appender.pid) or appender.poll() is not None, 120)
        assert appender.poll() is None, appender.stderr.read()  # type: ignore[union-attr]
        proxy.close()  # the server is gone
        os.kill(appender.pid, signal.SIGCONT)
        _, err = appender.communicate(timeout=120)
    finally:
        if appender.poll() is None:
            os.kill(appender.pid, signal.SIGCONT)
            appender.kill()
    assert appender.returncode == 1, err
    assert err.startswith("Error: Lost the connection to the database postgresql://") and "Traceback" not in err
    assert f"127.0.0.1:{proxy.port}" in err and f":{parts.password}@" not in err
    port = PostgresLog(pg_url)
    assert port.last_revision() == 2 and port.size() == (EXAMPLE / "events.jsonl").stat().st_size
    down = run_archive("-C", root, "log", env=pg_env(relayed))
    assert down.code == 1 and "Is the server running?" in down.err and "Traceback" not in down.err
    report = json.loads(run_archive("copy", pg_url, tmp_path / "back", "--format", "json", env=pg_env(pg_url)).out)
    assert report["revisions"] == 2
    assert (tmp_path / "back" / "events.jsonl").read_bytes() == (EXAMPLE / "events.jsonl").read_bytes()
