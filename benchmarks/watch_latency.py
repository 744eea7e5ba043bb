"""How fast ``archive watch`` follows the log, on small and large archives.

For each size (events in the log) it:

1. generates an archive (``benchmarks/generate.py``: records of 200 facts, one revision each);
2. times ``archive show RECORD`` with checkpoints off (a full replay), then ``archive records``
   (a full replay that saves a checkpoint), loading and saving that checkpoint in-process, then one
   ``archive append`` and ``archive show RECORD`` again: the checkpoint plus one revision;
3. starts ``archive watch --json`` and appends revisions one at a time, each one sentence to one
   record, written the way ``archive append`` writes (one write of whole lines under the lock, then
   fsync). Latency is measured from just before that write to the moment the record's ``article.txt``
   holds the new sentence (the file polled every 0.5 ms), and to the moment the watcher's JSON line for
   that revision arrives (after the HTML pages too); then waits 20 to 60 ms and appends again;
4. appends a few revisions through the real command line (``archive append`` in a new process, which
   itself reads the checkpoint and the tail) and measures from the command's return to ``article.txt``
   changing (0 when it had changed already);
5. stops the watcher and starts it again: the time until it reports its start (the views are current).

Run: ``python benchmarks/watch_latency.py --events 1000 1000000`` (the large one takes minutes).
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate, slug_of

from archive.store.folder import Archive
from archive.store.log import Tail, locked
from events.codec import encode_line, line_hash
from events.model import SentenceAdded, stamp
from events.source import Source
from events.when import When

__all__ = ["Figures", "main", "measure"]

_POLL = 0.0005


@dataclass(slots=True)
class Figures:
    """What one size measured; times in seconds."""

    events: int
    log_mb: float
    generate: float
    full_show: float
    first_read: float
    checkpoint_mb: float
    checkpoint_load: float = 0.0
    checkpoint_save: float = 0.0
    append_cli: list[float] = field(default_factory=list)
    show_checkpoint: list[float] = field(default_factory=list)
    watch_start: float = 0.0
    watch_restart: float = 0.0
    view: list[float] = field(default_factory=list)
    """Write → article.txt holds the sentence."""
    rebuild: list[float] = field(default_factory=list)
    """Write → the watcher's JSON line arrived (its HTML pages written too)."""
    processing: list[float] = field(default_factory=list)
    """The watcher's own seconds for the rebuild (reading, folding, rendering, writing)."""
    cli_view: list[float] = field(default_factory=list)
    """``archive append`` returned → article.txt holds the sentence."""
    watch_exit: int | None = None

    def summary(self) -> dict[str, Any]:
        """The figures as one flat dict (milliseconds for latencies)."""
        return {
            "events": self.events,
            "log_mb": round(self.log_mb, 1),
            "generate_s": round(self.generate, 1),
            "full_replay_show_s": round(self.full_show, 2),
            "first_read_with_checkpoint_save_s": round(self.first_read, 2),
            "checkpoint_mb": round(self.checkpoint_mb, 1),
            "checkpoint_load_s": round(self.checkpoint_load, 2),
            "checkpoint_save_s": round(self.checkpoint_save, 2),
            "append_cli_s_median": _round(_median(self.append_cli), 2),
            "show_from_checkpoint_s_median": _round(_median(self.show_checkpoint), 3),
            "show_ratio_to_full": _round(_median(self.show_checkpoint) / self.full_show, 4) if self.full_show else None,
            "watch_start_s": round(self.watch_start, 1),
            "watch_restart_s": round(self.watch_restart, 1),
            "appends": len(self.view),
            "view_p50_ms": _ms(_pct(self.view, 50)),
            "view_p95_ms": _ms(_pct(self.view, 95)),
            "view_max_ms": _ms(max(self.view, default=None)),
            "rebuild_p50_ms": _ms(_pct(self.rebuild, 50)),
            "rebuild_p95_ms": _ms(_pct(self.rebuild, 95)),
            "processing_p50_ms": _ms(_pct(self.processing, 50)),
            "processing_p95_ms": _ms(_pct(self.processing, 95)),
            "cli_appends": len(self.cli_view),
            "cli_return_to_view_p50_ms": _ms(_pct(self.cli_view, 50)),
            "cli_return_to_view_max_ms": _ms(max(self.cli_view, default=None)),
            "watch_exit": self.watch_exit,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _pct(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR", "ARCHIVE_NO_CHECKPOINT")}
    env["ARCHIVE_USER"] = "benchmark"
    env.update(extra)
    return env


def _archive(root: Path, *args: str, **env: str) -> float:
    """Run ``archive -C ROOT ARGS`` and return its wall time; fail loudly if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), *args], capture_output=True, env=_env(**env), check=False
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"archive {' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return took


def _wait_for(path: Path, needle: bytes, deadline: float) -> float:
    """The moment ``path`` holds ``needle``, polled every 0.5 ms."""
    while True:
        try:
            if needle in path.read_bytes():
                return time.perf_counter()
        except FileNotFoundError:
            pass
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out waiting for {needle!r} in {path}")
        time.sleep(_POLL)


class _Lines:
    """Lines of a process's output with the moment each arrived, read by a thread."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.queue: queue.Queue[tuple[float, bytes]] = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.queue.put((time.perf_counter(), line))

    def next_json(self, deadline: float, want: Callable[[dict[str, Any]], bool]) -> tuple[float, dict[str, Any]]:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise SystemExit("timed out waiting for the watcher")
            try:
                at, line = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            data = orjson.loads(line)
            if data.get("error"):
                raise SystemExit(f"the watcher reported an error: {data['error']}")
            if want(data):
                return at, data


class _Appender:
    """Appends one-sentence revisions the way ``archive append`` writes them: whole lines, one write, fsync."""

    def __init__(self, archive: Archive, tail: Tail) -> None:
        self.archive = archive
        self.tail = tail
        self.source = (Source(title="Benchmark notes", url="https://example.org/benchmark"),)

    def append(self, record: str, text: str) -> float:
        """Write one revision; return the moment just before the write."""
        tail = self.tail
        change = SentenceAdded(
            record=record,
            fact=f"bench{tail.seq + 1}",
            text=text,
            when=When(edtf="2020-05", qualifier="in"),
            after="h1",
            paragraph=f"bench{tail.seq + 1}",
            sources=self.source,
        )
        event = stamp(change, seq=tail.seq + 1, rev=tail.rev + 1, at=datetime.now(UTC), by="benchmark", prev=tail.hash, end=True)
        line = encode_line(event)
        with locked(self.archive), open(self.archive.log, "ab") as log:
            if log.tell() != tail.offset:
                raise SystemExit("the log changed under the benchmark")
            started = time.perf_counter()
            log.write(line)
            log.flush()
            os.fsync(log.fileno())
        self.tail = Tail(tail.offset + len(line), tail.seq + 1, tail.rev + 1, line_hash(line))
        return started


_COSTS = """
import sys, time
from pathlib import Path
import orjson
from archive.saved.checkpoint import load, save_checkpoint
from archive.store.folder import Archive
archive = Archive(Path(sys.argv[1]))
started = time.perf_counter()
loaded = load(archive, save=False)
loading = time.perf_counter() - started
assert loaded.start is not None and loaded.replayed == 0 and loaded.tail is not None, "the checkpoint was not used"
started = time.perf_counter()
save_checkpoint(archive, loaded.state, loaded.tail, loaded.lines)
print(orjson.dumps([loading, time.perf_counter() - started]).decode())
"""


def _checkpoint_costs(archive: Archive) -> tuple[float, float]:
    """Seconds to load the checkpoint (nothing past it to read) and to save it again, in a new process (a
    checkpoint is tied to the code that made it, and this one has run for a while)."""
    done = subprocess.run([sys.executable, "-c", _COSTS, str(archive.root)], capture_output=True, env=_env(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring the checkpoint failed:\n{done.stderr.decode()}")
    loading, saving = orjson.loads(done.stdout)
    return loading, saving


def _current_tail(archive: Archive) -> Tail:
    """Where the log ends now, from its last line (the benchmark's appends keep it whole)."""
    with open(archive.log, "rb") as log:
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - (1 << 20)))
        last = log.read().splitlines(keepends=True)[-1]
    event = orjson.loads(last)
    assert last.endswith(b"\n") and event.get("end")
    return Tail(size, event["seq"], event["rev"], line_hash(last))


def measure(
    events: int,
    *,
    appends: int,
    cli_appends: int,
    show_runs: int,
    dates: int,
    work: Path,
    log: Callable[[str], None],
    timeout: float,
) -> Figures:
    """Every figure for one size of log, in a new archive under ``work``."""
    root = work / f"archive-{events}"
    made = generate(root, events=events, dates=dates)
    archive = Archive(root)
    records = made.records if events % 200 == 0 else made.records - 1
    log(f"[{events}] generated {made.events} events ({made.bytes / 1e6:.1f} MB) in {made.seconds:.1f} s")
    probe = slug_of(0)
    full = _archive(root, "show", probe, ARCHIVE_NO_CHECKPOINT="1")
    log(f"[{events}] show with a full replay: {full:.2f} s")
    first = _archive(root, "records")
    size = (archive.state_dir / "checkpoint").stat().st_size / 1e6
    log(f"[{events}] records (full replay, saves a checkpoint of {size:.1f} MB): {first:.2f} s")
    figures = Figures(events, made.bytes / 1e6, made.seconds, full, first, size)
    figures.checkpoint_load, figures.checkpoint_save = _checkpoint_costs(archive)
    log(f"[{events}] in-process: load the checkpoint {figures.checkpoint_load:.2f} s, save it {figures.checkpoint_save:.2f} s")
    figures.append_cli.append(
        _archive(
            root, "append", probe, "--section", "Section 1", "--text", "One more revision was recorded.", "--source", "bench"
        )
    )
    for _ in range(show_runs):
        figures.show_checkpoint.append(_archive(root, "show", probe))
    log(
        f"[{events}] append: {figures.append_cli[0]:.2f} s; show from the checkpoint + 1 revision: "
        f"{_median(figures.show_checkpoint):.3f} s"
    )

    views = work / f"views-{events}"
    started = time.perf_counter()
    watcher, lines, errors = _watch(root, views)
    try:
        lines.next_json(started + timeout, lambda d: d["kind"] == "start")
        figures.watch_start = time.perf_counter() - started
        log(f"[{events}] watch started (all views built) in {figures.watch_start:.1f} s")
        appender = _Appender(archive, _current_tail(archive))
        rng = random.Random(1)
        for number in range(appends):
            record = slug_of(number % records)
            text = f"Benchmark sentence {number} was appended at {time.time():.6f}."
            wrote = appender.append(record, text)
            seen = _wait_for(views / record / "article.txt", text.encode(), wrote + 60)
            rev = appender.tail.rev
            arrived, data = lines.next_json(wrote + 60, lambda d, rev=rev: d["kind"] == "update" and d["revision"] >= rev)
            figures.view.append(seen - wrote)
            figures.rebuild.append(arrived - wrote)
            figures.processing.append(data["seconds"])
            time.sleep(rng.uniform(0.02, 0.06))
        log(
            f"[{events}] {appends} appends: write -> article.txt p50 {_ms(_pct(figures.view, 50))} ms, "
            f"p95 {_ms(_pct(figures.view, 95))} ms"
        )
        for number in range(cli_appends):
            record = slug_of(number % records)
            text = f"Command line sentence {number} at {time.time():.6f}."
            took = _archive(root, "append", record, "--section", "Section 1", "--text", text, "--source", "bench")
            returned = time.perf_counter()
            figures.append_cli.append(took)
            seen = _wait_for(views / record / "article.txt", text.encode(), returned + 60)
            figures.cli_view.append(max(0.0, seen - returned))
        if cli_appends:
            log(f"[{events}] {cli_appends} appends by the command line: append {_median(figures.append_cli):.2f} s each")
    finally:
        figures.watch_exit = _stop(watcher, errors, log)
    started = time.perf_counter()
    watcher, lines, errors = _watch(root, views)
    try:
        lines.next_json(started + timeout, lambda d: d["kind"] == "start")
        figures.watch_restart = time.perf_counter() - started
        log(f"[{events}] watch restarted (views found current) in {figures.watch_restart:.1f} s")
    finally:
        _stop(watcher, errors, log)
    return figures


def _watch(root: Path, views: Path) -> tuple[subprocess.Popen[bytes], _Lines, _Lines]:
    watcher = subprocess.Popen(
        [sys.executable, "-m", "archive", "-C", str(root), "watch", "--json", "--out", str(views)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert watcher.stdout is not None and watcher.stderr is not None
    return watcher, _Lines(watcher.stdout), _Lines(watcher.stderr)


def _stop(watcher: subprocess.Popen[bytes], errors: _Lines, log: Callable[[str], None]) -> int:
    watcher.send_signal(signal.SIGTERM)  # SIGINT is ignored by jobs a shell starts in the background
    try:
        code = watcher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        watcher.kill()
        code = watcher.wait()
    errors.thread.join(timeout=5)
    told = b"".join(line for _, line in list(errors.queue.queue)).decode()
    if "Traceback" in told:
        log(told)
    for stream in (watcher.stdout, watcher.stderr):
        if stream is not None:
            stream.close()
    return code


def main(argv: list[str] | None = None) -> int:
    """Command line: sizes, appends, where to work; prints a JSON line of figures per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 1_000_000], help="Log sizes to measure.")
    parser.add_argument("--appends", type=int, default=50, help="Appends timed per size (default 50).")
    parser.add_argument("--cli-appends", type=int, default=5, help="Appends through the command line per size (default 5).")
    parser.add_argument("--show-runs", type=int, default=3, help="Runs of show from the checkpoint (the median is kept).")
    parser.add_argument("--dates", type=int, default=1440, help="Distinct months that date the generated sentences.")
    parser.add_argument("--work", type=Path, help="Where to make the archives (default: a temporary folder, removed after).")
    parser.add_argument("--timeout", type=float, default=3600, help="Seconds to wait for the watcher's first build.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="watch-latency-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    try:
        for events in args.events:
            figures = measure(
                events,
                appends=args.appends,
                cli_appends=args.cli_appends,
                show_runs=args.show_runs,
                dates=args.dates,
                work=work,
                log=log,
                timeout=args.timeout,
            )
            results.append(figures.summary())
            print(orjson.dumps(results[-1]).decode(), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if len(results) > 1 and results[0]["view_p50_ms"]:
        ratio = results[-1]["view_p50_ms"] / results[0]["view_p50_ms"]
        log(f"p50 of the largest over the smallest: {ratio:.2f}x")
    if args.json is not None:
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
