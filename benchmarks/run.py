"""Archive-scale benchmarks (issue 6): every operation timed in fresh processes, against the orjson floor of the same log.

    python benchmarks/run.py [--sizes 10000,100000,1000000] [--runs 5] [--only OP,...] [--data DIR]

For each size it makes (or reuses) a corpus (``benchmarks/corpus.py``), then runs each operation
``--runs`` times, each run in a new process, and prints a Markdown table per size: median and spread
(min-max) of the runs, events (or revisions) per second, the peak resident memory of the process that
did the work (its ``ru_maxrss``), and the ratio of the median to the floor measured in the same run
(reading the same log and ``orjson.loads`` of every line). Then it checks the targets of issue 6.

``in`` operations time only the operation, inside the child, after its imports; ``whole`` ones time the
whole command from outside, from starting the process to its exit (output written). See
``benchmarks/README.md`` for what each operation is; ``--list`` prints them.
"""



from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE))
sys.path.insert(1, str(_HERE.parent))

import corpus as corpus_mod  # noqa: E402 - beside this file, found through sys.path

__all__ = ["OPS", "Measure", "Op", "main"]

_RESULT = "RESULT "
_APPEND_TEXT = "On 3 March 2026 observers from benchmark appender {tag} reported the harbour calm."
_SOURCE = "https://bench.example.org/notes/2026-03-03"


@dataclass(frozen=True, slots=True)
class Op:
    """One measured operation."""

    name: str
    kind: str
    """``in``: timed inside the child after its imports; ``whole``: the whole process, timed from outside."""
    unit: str
    """What the rate counts: ``ev`` (events of the log), ``rev`` (revisions written)."""
    help: str


OPS: tuple[Op, ...] = (
    Op("floor", "in", "ev", "read the log and orjson.loads every line (the floor)"),
    Op("floor-process", "whole", "ev", "the floor as a whole process: python -c 'import orjson ...'"),
    Op(
        "replay",
        "in",
        "ev",
        "archive.store.log.replay (hash chain checked) + the article text, infobox and timeline of every record (other views timed apart)",
    ),
    Op("show-head", "whole", "ev", "archive show RECORD (HEAD), checkpoint in place"),
    Op("show-middle", "whole", "ev", "archive show RECORD --at MIDDLE (a revision half-way)"),
    Op("diff", "whole", "ev", "archive diff RECORD CREATED HEAD (two distant revisions)"),
    Op("blame", "whole", "ev", "archive blame RECORD (HEAD)"),
    Op("verify", "whole", "ev", "archive verify (full schema validation, chain, references)"),
    Op("build", "whole", "ev", "archive build --out TMP (every view of every record, web pages)"),
    Op("append-process", "whole", "rev", "archive append RECORD --section Aftermath --text ... (one sentence)"),
    Op(
        "append",
        "in",
        "rev",
        "append_revisions with one sentence, in a process that has appended once already (row 'write+fsync': the same bytes)",
    ),
    Op("appenders-1", "in", "rev", "1 process doing K appends in a row (revisions/s)"),
    Op("appenders-8", "in", "rev", "8 processes doing K appends each, at once (revisions/s)"),
    Op("eventsourcing", "in", "ev", "the eventsourcing library: repository.get of every aggregate from SQLite"),
    Op("import", "whole", "ev", "archive import of 1,000 article files into an empty archive (size-independent)"),
    Op("show-1k", "whole", "ev", "archive show RECORD on the 1,000-event corpus (size-independent reference)"),
)
_BY_NAME = {op.name: op for op in OPS}
_EXPENSIVE_RUNS = 3
"""appenders-1, appenders-8 and eventsourcing run at most this many times (each run is many appends, or a
replay of the whole corpus at the library's pace)."""
_PER_SIZE = ("floor", "floor-process", "replay", "show-head", "show-middle", "diff", "blame", "verify", "build")
_APPENDS = ("append-process", "append", "appenders-1", "appenders-8")


@dataclass(slots=True)
class Measure:
    """The runs of one operation at one size."""

    op: str
    size: int
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    work: float = 0
    """Events (or revisions) one run handles: the rate is ``work / median``."""
    notes: list[str] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def add_extra(self, name: str, value: float) -> None:
        self.extra.setdefault(name, []).append(value)

    def extra_median(self, name: str) -> float | None:
        values = self.extra.get(name)
        return statistics.median(values) if values else None


# ------------------------------------------------------------------ children


def _child_main(args: argparse.Namespace) -> int:
    """Run one operation in this (fresh) process and print its result on one line."""
    op = args.child
    needs_manifest = op in ("floor", "replay", "state-size", "append", "appenders")
    manifest = json.loads(Path(args.corpus).read_text()) if needs_manifest else {}
    root = Path(args.archive or manifest.get("root", "."))
    result: dict[str, Any]
    if op == "floor":
        result = _floor(root / "events.jsonl")
    elif op == "replay":
        result = _replay(root, profile=args.profile)
    elif op == "state-size":
        result = _state_size(root)
    elif op == "append":
        result = _append_once(root, manifest["record"])
    elif op == "appenders":
        result = _append_loop(root, manifest["record"], args.count, Path(args.barrier))
    elif op == "eventsourcing":
        import es_baseline  # noqa: PLC0415

        events, seconds = es_baseline.replay_db(Path(args.archive))
        result = {"seconds": seconds, "events": events}
    elif op == "es-build":
        import es_baseline  # noqa: PLC0415

        result = es_baseline.build_db(Path(args.corpus), Path(args.archive), say=lambda m: print(m, file=sys.stderr))
        result.pop("slugs")
    else:
        raise SystemExit(f"unknown child operation {op}")
    print(_RESULT + json.dumps(result), flush=True)
    return 0


def _floor(log: Path) -> dict[str, Any]:
    import orjson  # noqa: PLC0415

    started = time.perf_counter()
    count = 0
    with open(log, "rb") as lines:
        for line in lines:
            orjson.loads(line)
            count += 1
    return {"seconds": time.perf_counter() - started, "events": count}


class _GcClock:
    """Adds up the time the garbage collector runs (gc.callbacks)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.collections = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start
            self.collections += 1


_PROJECTIONS = (("article", "text"), ("infobox", "json"), ("timeline", "json"))
"""The three projections of every record a replay builds: the article (its exact text), the infobox and
the timeline. The other views (sources, facts, Markdown, TimelineJS) are renderings of the same state,
timed apart as ``other_views``."""


def _replay(root: Path, *, profile: str | None = None) -> dict[str, Any]:
    from archive.store.folder import Archive  # noqa: PLC0415
    from archive.store.log import replay  # noqa: PLC0415
    from projections.views import VIEWS, render_view  # noqa: PLC0415

    archive = Archive(root)
    profiler = None
    if profile:
        from pyinstrument import Profiler  # noqa: PLC0415

        profiler = Profiler()
        profiler.start()
    clock = _GcClock()
    gc.callbacks.append(clock)
    started = time.perf_counter()
    state, tail = replay(archive)
    folded = time.perf_counter()
    chars = 0
    for record in state.records.values():
        for name, fmt in _PROJECTIONS:
            chars += len(render_view(record, name, fmt))
    ended = time.perf_counter()
    gc.callbacks.remove(clock)
    if profiler is not None:
        profiler.stop()
        _write_profile(profiler, Path(profile))  # type: ignore[arg-type]
    for record in state.records.values():  # every other view and format too, timed apart
        for name, view in VIEWS.items():
            for fmt in view.formats:
                if (name, fmt) not in _PROJECTIONS:
                    chars += len(render_view(record, name, fmt))
    assert tail is not None
    return {
        "seconds": ended - started,
        "fold": folded - started,
        "render": ended - folded,
        "other_views": time.perf_counter() - ended,
        "gc": clock.total,
        "events": tail.seq,
        "records": len(state.records),
        "chars": chars,
    }


def _write_profile(profiler: Any, path: Path) -> None:
    from pyinstrument.renderers import ConsoleRenderer  # noqa: PLC0415

    path.write_text(
        profiler.output(ConsoleRenderer(flat=True, unicode=True))
        + "\n\n"
        + profiler.output(ConsoleRenderer(unicode=True, processor_options={"filter_threshold": 0.01}))
    )


def _rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _deep_size(root: object) -> int:
    """Bytes of every object reachable from ``root`` (each counted once), classes, modules and functions left out."""
    import types  # noqa: PLC0415

    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


def _state_size(root: Path) -> dict[str, Any]:
    from archive.store.folder import Archive  # noqa: PLC0415
    from archive.store.log import replay  # noqa: PLC0415

    gc.collect()
    before = _rss_kb()
    state, _ = replay(Archive(root))
    gc.collect()
    after = _rss_kb()
    return {"seconds": 0.0, "deep_bytes": _deep_size(state), "rss_growth_kb": after - before}


def _append_build(record: str, tag: str) -> Callable[[Any], list[Any]]:
    def build(state: Any) -> list[Any]:
        from archive.ingest import editing  # noqa: PLC0415
        from archive.saved.appending import PendingRevision  # noqa: PLC0415
        from events.source import Source  # noqa: PLC0415

        changes = editing.add_sentence(
            state.records[record],
            section="Aftermath",
            text=_APPEND_TEXT.format(tag=tag),
            when=editing.AUTO,
            paragraph=None,
            sources=(Source(url=_SOURCE, title="Benchmark notes"),),
        )
        return [PendingRevision(changes, "Benchmark append")]

    return build


def _append_once(root: Path, record: str) -> dict[str, Any]:
    from archive.saved.appending import append_revisions  # noqa: PLC0415
    from archive.store.folder import Archive  # noqa: PLC0415

    archive = Archive(root)
    append_revisions(archive, _append_build(record, f"{os.getpid()}-warm"), by="benchmark", records=[record])
    before = archive.log.stat().st_size  # the process is warm: its lazy imports and models are ready
    started = time.perf_counter()
    append_revisions(archive, _append_build(record, str(os.getpid())), by="benchmark", records=[record])
    seconds = time.perf_counter() - started
    with open(archive.log, "rb") as log:
        log.seek(before)
        data = log.read()
    probe = root / ".fsync-probe"
    probe.write_bytes(b"probe\n")
    started = time.perf_counter()
    with open(probe, "ab") as scratch:
        scratch.write(data)
        scratch.flush()
        os.fsync(scratch.fileno())
    fsync = time.perf_counter() - started
    probe.unlink()
    return {"seconds": seconds, "fsync": fsync, "bytes": len(data)}


def _append_loop(root: Path, record: str, count: int, barrier: Path) -> dict[str, Any]:
    """``count`` appends in a row, started when the parent says go (all appenders are then ready)."""
    from archive.saved.appending import append_revisions  # noqa: PLC0415
    from archive.store.folder import Archive  # noqa: PLC0415

    archive = Archive(root)
    build = _append_build(record, str(os.getpid()))
    (barrier / f"ready-{os.getpid()}").touch()
    go = barrier / "go"
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the parent never said go")
        time.sleep(0.001)
    begun = time.time()
    for _ in range(count):
        append_revisions(archive, build, by="benchmark", records=[record])
    ended = time.time()
    return {"seconds": ended - begun, "begun": begun, "ended": ended, "appends": count}


# ------------------------------------------------------------------ the parent


class _Runner:
    """Starts children, times them, and keeps the measures."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data: Path = args.data
        self.scratch = self.data / f"scratch-{os.getpid()}"
        """This invocation's temporary files (another invocation may run beside it)."""
        self.measures: dict[tuple[str, int], Measure] = {}
        self.env = {**os.environ, "ARCHIVE_USER": "benchmark", "PYTHONDONTWRITEBYTECODE": "1"}
        if args.no_checkpoint:
            self.env["ARCHIVE_NO_CHECKPOINT"] = "1"
        else:
            self.env.pop("ARCHIVE_NO_CHECKPOINT", None)
        self.state_sizes: dict[int, dict[str, Any]] = {}
        self.corpora: dict[int, corpus_mod.Corpus] = {}

    # -- processes

    def spawn(self, argv: Sequence[str]) -> tuple[subprocess.Popen[bytes], float, Path, Path]:
        self.scratch.mkdir(parents=True, exist_ok=True)
        out = self.scratch / f"out-{time.monotonic_ns()}"
        err = out.with_suffix(".err")
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            started = time.perf_counter()
            proc = subprocess.Popen(list(argv), stdout=stdout, stderr=stderr, env=self.env, cwd=self.data)
        return proc, started, out, err

    def finish(self, proc: subprocess.Popen[bytes], started: float, out: Path, err: Path) -> tuple[float, int, str]:
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = out.read_text(errors="replace")
        problem = err.read_text(errors="replace")
        out.unlink()
        err.unlink()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, proc.args))} failed (exit {proc.returncode}):\n{problem[-3000:]}")
        return seconds, int(usage.ru_maxrss), text

    def run(self, argv: Sequence[str]) -> tuple[float, int, str]:
        return self.finish(*self.spawn(argv))

    def child(self, op: str, *extra: str) -> tuple[float, int, dict[str, Any]]:
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", op, *extra]
        seconds, rss, text = self.run(argv)
        lines = [line for line in text.splitlines() if line.startswith(_RESULT)]
        if not lines:
            raise SystemExit(f"{op}: the child printed no result:\n{text[-2000:]}")
        return seconds, rss, json.loads(lines[-1][len(_RESULT) :])

    def archive_cmd(self, root: Path, *argv: str) -> list[str]:
        return [sys.executable, "-m", "archive", "-C", str(root), *argv]

    # -- measuring

    def measure(self, name: str, size: int, work: float) -> Measure:
        measure = self.measures.setdefault((name, size), Measure(name, size, work=work))
        return measure

    def timed_whole(
        self, name: str, size: int, work: float, argv: Callable[[], list[str]], *, runs: int | None = None
    ) -> Measure:
        measure = self.measure(name, size, work)
        for _ in range(runs or self.args.runs):
            seconds, rss, text = self.run(argv())
            if not text.strip():
                raise SystemExit(f"{name}: the command printed nothing")
            measure.seconds.append(seconds)
            measure.rss_kb.append(rss)
        self.say_measure(measure)
        return measure

    def timed_child(self, name: str, size: int, work: float, op: str, *extra: str, runs: int | None = None) -> Measure:
        measure = self.measure(name, size, work)
        for _ in range(runs or self.args.runs):
            _, rss, result = self.child(op, *extra)
            measure.seconds.append(result["seconds"])
            measure.rss_kb.append(rss)
            for key, value in result.items():
                if key != "seconds" and isinstance(value, int | float):
                    measure.add_extra(key, value)
        self.say_measure(measure)
        return measure

    def say_measure(self, m: Measure) -> None:
        print(f"    {m.op:<15} median {_secs(m.median)}  ({', '.join(_secs(s) for s in m.seconds)})", flush=True)

    # -- the operations of one size

    def size(self, size: int, only: set[str]) -> None:
        c = corpus_mod.ensure_corpus(self.data, size)
        self.corpora[size] = c
        root, manifest = Path(c.root), str(self.data / f"corpus-{size}.json")
        n = c.events
        print(f"\n## {n:,} events, {c.revisions:,} revisions, {c.records:,} records, {c.bytes / 1e6:,.0f} MB", flush=True)
        # warm the page cache and leave a checkpoint at HEAD, as a user's earlier command would
        self.run(self.archive_cmd(root, "show", c.record))
        self.checkpoint_note(c)
        self.timed_child("floor", n, n, "floor", "--corpus", manifest)
        code = "import orjson,sys\nfor line in open(sys.argv[1],'rb'): orjson.loads(line)\nprint('ok')"
        if "floor-process" in only:
            self.timed_whole("floor-process", n, n, lambda: [sys.executable, "-c", code, str(root / "events.jsonl")])
        if "replay" in only:
            self.timed_child("replay", n, n, "replay", "--corpus", manifest)
            if not self.args.no_state_size:
                _, _, self.state_sizes[n] = self.child("state-size", "--corpus", manifest)
        mid = str(c.middle)
        whole = {
            "show-head": lambda: self.archive_cmd(root, "show", c.record),
            "show-middle": lambda: self.archive_cmd(root, "show", c.record, "--at", mid),
            "diff": lambda: self.archive_cmd(root, "diff", c.record, str(c.created), "HEAD", "--no-color"),
            "blame": lambda: self.archive_cmd(root, "blame", c.record),
            "verify": lambda: self.archive_cmd(root, "verify"),
        }
        for name, argv in whole.items():
            if name in only:
                self.timed_whole(name, n, n, argv)
        if "build" in only:
            target = self.scratch / "build"

            def build_argv() -> list[str]:
                shutil.rmtree(target, ignore_errors=True)
                return self.archive_cmd(root, "build", "--out", str(target))

            self.timed_whole("build", n, n, build_argv)
            shutil.rmtree(target, ignore_errors=True)
        if only & set(_APPENDS):
            self.appends(c, manifest, only)
        if "eventsourcing" in only:
            self.eventsourcing(c)
        if self.args.profile:
            self.profile(c, manifest)

    def checkpoint_note(self, c: corpus_mod.Corpus) -> None:
        note = _checkpoint_state(Path(c.root), c.events)
        self.measure("show-head", c.events, c.events).notes.append(note)
        self.measure("show-middle", c.events, c.events).notes.append("reads from line 1 (before the checkpoint)")

    def appends(self, c: corpus_mod.Corpus, manifest: str, only: set[str]) -> None:
        copy = self.scratch / f"append-{c.events}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(c.root, copy)
        n = c.events
        try:
            if "append-process" in only:
                counter = iter(range(1_000_000))
                self.timed_whole(
                    "append-process",
                    n,
                    1,
                    lambda: self.archive_cmd(
                        copy,
                        "append",
                        c.record,
                        "--section",
                        "Aftermath",
                        "--text",
                        _APPEND_TEXT.format(tag=f"p{next(counter)}"),
                        "--source",
                        _SOURCE,
                        "--by",
                        "benchmark",
                    ),
                )
            if "append" in only:
                m = self.timed_child("append", n, 1, "append", "--corpus", manifest, "--archive", str(copy))
                fsync = self.measure("write+fsync", n, 1)
                fsync.seconds = list(m.extra["fsync"])
                fsync.rss_kb = list(m.rss_kb)
                fsync.notes.append(f"{int(m.extra_median('bytes') or 0)} bytes, the append's own line")
                self.say_measure(fsync)
            count = self.args.appends or max(1, min(10, 100_000 // n))
            for procs in (1, 8):
                name = f"appenders-{procs}"
                if name in only:
                    self.appenders(name, n, procs, count, manifest, copy)
        finally:
            shutil.rmtree(copy, ignore_errors=True)

    def appenders(self, name: str, n: int, procs: int, count: int, manifest: str, copy: Path) -> None:
        """``procs`` processes of ``count`` appends each, let go at once when all are ready; timed from go to the last end."""
        measure = self.measure(name, n, procs * count)
        for _ in range(min(self.args.runs, _EXPENSIVE_RUNS)):
            barrier = self.scratch / f"barrier-{time.monotonic_ns()}"
            barrier.mkdir()
            argv = [sys.executable, str(Path(__file__).resolve()), "--child", "appenders", "--corpus", manifest]
            argv += ["--archive", str(copy), "--count", str(count), "--barrier", str(barrier)]
            started = [self.spawn(argv) for _ in range(procs)]
            deadline = time.monotonic() + 120
            while len(list(barrier.glob("ready-*"))) < procs:
                if time.monotonic() > deadline or any(proc.poll() is not None for proc, *_ in started):
                    raise SystemExit(f"{name}: the appenders did not all get ready")
                time.sleep(0.005)
            go = time.time()
            (barrier / "go").touch()
            results, peak = [], 0
            for proc in started:
                _, rss, text = self.finish(*proc)
                peak = max(peak, rss)
                results.append(json.loads(next(line for line in text.splitlines() if line.startswith(_RESULT))[len(_RESULT) :]))
            measure.seconds.append(max(r["ended"] for r in results) - go)
            measure.rss_kb.append(peak)
            shutil.rmtree(barrier, ignore_errors=True)
        measure.notes.append(f"{procs} x {count} appends")
        self.say_measure(measure)

    def eventsourcing(self, c: corpus_mod.Corpus) -> None:
        try:
            import eventsourcing  # noqa: F401, PLC0415
        except ImportError:
            print("    eventsourcing   skipped: not installed (pip install -e '.[benchmark]')")
            return
        db = self.data / f"es-{c.events}.sqlite"
        info_path = db.with_suffix(".json")
        info = json.loads(info_path.read_text()) if info_path.is_file() and db.is_file() else {}
        if info.get("events") != c.events or info.get("hash") != c.hash:
            print(f"    storing {c.events:,} events in eventsourcing's SQLite ({db.name}) ...", flush=True)
            self.child("es-build", "--corpus", str(Path(c.root) / "events.jsonl"), "--archive", str(db))
            info = json.loads(info_path.read_text())
            info["hash"] = c.hash
            info_path.write_text(json.dumps(info) + "\n")
        runs = min(self.args.runs, _EXPENSIVE_RUNS)
        m = self.timed_child("eventsourcing", c.events, c.events, "eventsourcing", "--archive", str(db), runs=runs)
        m.notes.append(f"{len(info['slugs']):,} aggregates; stored in {info['seconds']:.0f} s")

    def independent(self, only: set[str]) -> None:
        """The operations whose cost does not depend on the size: import of 1,000 articles, show on 1,000 events."""
        if "show-1k" in only:
            small = corpus_mod.ensure_corpus(self.data, 1000)
            self.run(self.archive_cmd(Path(small.root), "show", small.record))
            m = self.timed_whole("show-1k", 0, small.events, lambda: self.archive_cmd(Path(small.root), "show", small.record))
            m.notes.append(_checkpoint_state(Path(small.root), small.events))
        if "import" in only:
            files = corpus_mod.ensure_articles(self.data, self.args.import_files)
            target = self.scratch / "import"
            events: list[int] = []

            def import_argv() -> list[str]:
                shutil.rmtree(target, ignore_errors=True)
                from archive.store.folder import init_archive  # noqa: PLC0415

                init_archive(target)
                return self.archive_cmd(target, "import", *map(str, files), "--by", "benchmark")

            measure = self.measure("import", 0, 0)
            for _ in range(self.args.import_runs):
                seconds, rss, _ = self.run(import_argv())
                measure.seconds.append(seconds)
                measure.rss_kb.append(rss)
                with open(target / "events.jsonl", "rb") as log:
                    events.append(sum(1 for _ in log))
            measure.work = events[-1]
            measure.notes.append(f"{len(files):,} files, {events[-1]:,} events, {len(measure.seconds)} run(s)")
            self.say_measure(measure)
            shutil.rmtree(target, ignore_errors=True)

    def profile(self, c: corpus_mod.Corpus, manifest: str) -> None:
        out = self.data / "profiles"
        out.mkdir(exist_ok=True)
        replay_file = out / f"replay-{c.events}.txt"
        self.child("replay", "--corpus", manifest, "--profile", str(replay_file))
        show_file = out / f"show-{c.events}.txt"
        self.run(
            [
                sys.executable,
                "-m",
                "pyinstrument",
                "-r",
                "text",
                "-p",
                "flat",
                "-p",
                "unicode",
                "-o",
                str(show_file),
                "-m",
                "archive",
                "-C",
                c.root,
                "show",
                c.record,
            ]
        )
        print(f"    profiles: {replay_file}, {show_file}")


def _checkpoint_state(root: Path, events: int) -> str:
    path = root / ".archive" / "checkpoint"
    if os.environ.get("ARCHIVE_NO_CHECKPOINT"):
        return "checkpoints off (ARCHIVE_NO_CHECKPOINT=1)"
    try:
        with open(path, "rb") as file:
            header = json.loads(file.readline())
    except (OSError, ValueError):
        return "no checkpoint"
    seq = header.get("tail", {}).get("seq") if isinstance(header, dict) else None
    if seq is None:
        return "checkpoint present"
    return f"checkpoint at event {seq:,} of {events:,}"


# ------------------------------------------------------------------ the report


def _secs(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _rate(m: Measure) -> str:
    if not m.work or not m.seconds:
        return ""
    unit = _BY_NAME[m.op].unit if m.op in _BY_NAME else "rev"
    return f"{m.work / m.median:,.0f} {unit}/s" if m.work / m.median >= 10 else f"{m.work / m.median:,.1f} {unit}/s"


def _table(rows: list[Measure], floor: float | None) -> str:
    lines = [
        "| operation | kind | median | min–max | rate | peak RSS | × floor | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for m in rows:
        if not m.seconds:
            continue
        kind = _BY_NAME[m.op].kind if m.op in _BY_NAME else "in"
        ratio = f"{m.median / floor:.2f}" if floor else ""
        notes = list(m.notes)
        for key in ("fold", "render", "gc", "other_views"):
            value = m.extra_median(key)
            if value is not None:
                notes.append(f"{key} {_secs(value)}")
        lines.append(
            f"| {m.op} | {kind} | {_secs(m.median)} | {_secs(min(m.seconds))}–{_secs(max(m.seconds))} | {_rate(m)} "
            f"| {max(m.rss_kb) / 1024:,.0f} MB | {ratio} | {'; '.join(notes)} |"
        )
    return "\n".join(lines)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def _targets(runner: _Runner, size: int) -> list[str]:
    """The targets of issue 6, section 3, checked at ``size`` (they are set for 1,000,000 events)."""
    get = runner.measures.get

    def med(name: str, at: int = size) -> float | None:
        m = get((name, at))
        return m.median if m is not None and m.seconds else None

    out = []
    floor, replay_s, verify_s = med("floor"), med("replay"), med("verify")

    def line(target: str, value: str, ok: bool | None) -> None:
        out.append(f"| {target} | {value} | {_verdict(ok)} |")

    if floor and replay_s:
        line("replay ≤ 3.5× floor", f"{replay_s / floor:.2f}×", replay_s / floor <= 3.5)
    if floor and verify_s:
        line("verify ≤ 7× floor", f"{verify_s / floor:.2f}×", verify_s / floor <= 7)
    head, small = med("show-head"), med("show-1k", 0)
    if head is not None:
        line("show HEAD ≤ 250 ms (whole process)", _secs(head), head <= 0.25)
        if small:
            line("show HEAD ≤ 1.5× show on 1,000 events", f"{head / small:.2f}× ({_secs(small)})", head / small <= 1.5)
    append, fsync = med("append"), med("write+fsync")
    if append and fsync:
        line(
            "append (in-process) ≤ 2× write+fsync",
            f"{append / fsync:.1f}× ({_secs(append)} vs {_secs(fsync)})",
            append / fsync <= 2,
        )
    sizes = sorted(s for (name, s) in runner.measures if name == "append" and s)
    if len(sizes) > 1:
        first, last = med("append", sizes[0]), med("append", sizes[-1])
        if first and last:
            line(
                "append independent of log size",
                f"{_secs(first)} at {sizes[0]:,} → {_secs(last)} at {sizes[-1]:,} ({last / first:.1f}×)",
                last / first <= 1.5,
            )
    one, eight = get(("appenders-1", size)), get(("appenders-8", size))
    if one and eight and one.seconds and eight.seconds:
        r1, r8 = one.work / one.median, eight.work / eight.median
        line("8 appenders ≥ 3× one appender (rev/s)", f"{r8 / r1:.2f}× ({r8:.1f} vs {r1:.1f} rev/s)", r8 / r1 >= 3)
    diff, middle = med("diff"), med("show-middle")
    if diff and replay_s:
        line("diff ≤ 1.2× replay", f"{diff / replay_s:.2f}×", diff / replay_s <= 1.2)
    if middle and replay_s:
        line("show --at middle ≤ replay", f"{middle / replay_s:.2f}×", middle <= replay_s)
    sizes_info = runner.state_sizes.get(size)
    replay_m = get(("replay", size))
    if sizes_info and replay_m and replay_m.rss_kb:
        peak = statistics.median(replay_m.rss_kb) * 1024
        state = sizes_info["deep_bytes"]
        line(
            "replay peak RSS ≤ 1.25× state size",
            f"{peak / state:.2f}× ({peak / 2**20:,.0f} MB peak, state {state / 2**20:,.0f} MB deep, "
            f"{sizes_info['rss_growth_kb'] / 1024:,.0f} MB RSS growth)",
            peak / state <= 1.25,
        )
    es = get(("eventsourcing", size))
    if es and es.seconds and replay_m and replay_m.seconds:
        ours, theirs = replay_m.work / replay_m.median, es.work / es.median
        line("replay ≥ 5× eventsourcing's rate", f"{ours / theirs:.2f}× ({ours:,.0f} vs {theirs:,.0f} ev/s)", ours / theirs >= 5)
    if not out:
        return []
    return ["| target (issue 6, §3) | measured | verdict |", "| --- | --- | --- |", *out]


def _report(runner: _Runner, sizes: list[int]) -> str:
    parts = []
    independent = [m for (name, s), m in runner.measures.items() if s == 0 and m.seconds]
    if independent:
        parts += ["### Independent of size", "", _table(independent, None), ""]
    order = [*_PER_SIZE, "append-process", "append", "write+fsync", "appenders-1", "appenders-8", "eventsourcing"]
    for size in sizes:
        c = runner.corpora.get(size)
        n = c.events if c is not None else size
        rows = [runner.measures[(name, n)] for name in order if (name, n) in runner.measures]
        floor = runner.measures.get(("floor", n))
        if c is not None:
            parts.append(f"### {n:,} events ({c.revisions:,} revisions, {c.records:,} records, {c.bytes / 1e6:,.0f} MB)")
        parts += ["", _table(rows, floor.median if floor and floor.seconds else None), ""]
        targets = _targets(runner, n)
        if targets:
            parts += [f"Targets at {n:,} events (set for 1,000,000):", "", *targets, ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Parse the options; run as the parent (measure and report) or as a child (one operation)."""
    parser = argparse.ArgumentParser(
        description="Archive-scale benchmarks (issue 6): each operation in fresh processes, against the orjson floor.",
        epilog="Operations: " + ", ".join(op.name for op in OPS) + ". See benchmarks/README.md.",
    )
    parser.add_argument("--sizes", default="10000,100000", help="Corpus sizes in events, comma-separated (default 10000,100000).")
    parser.add_argument("--runs", type=int, default=5, help="Runs of each operation (default 5); the median is reported.")
    parser.add_argument("--only", help="Only these operations (comma-separated names; the floor always runs).")
    parser.add_argument("--data", type=Path, default=corpus_mod.DEFAULT_DATA, help="Where corpora are kept (benchmarks/.data/).")
    parser.add_argument(
        "--import-runs", type=int, default=1, help="Runs of the import of 1,000 articles (default 1: minutes each)."
    )
    parser.add_argument(
        "--import-files", type=int, default=1000, help="Article files the import operation imports (default 1000)."
    )
    parser.add_argument("--appends", type=int, default=0, help="Appends per process for appenders-1/-8 (default: by size).")
    parser.add_argument("--no-checkpoint", action="store_true", help="Set ARCHIVE_NO_CHECKPOINT=1 for every command.")
    parser.add_argument("--no-state-size", action="store_true", help="Skip the extra replay that measures the state's size.")
    parser.add_argument("--profile", action="store_true", help="Also profile replay and show (pyinstrument) into DATA/profiles/.")
    parser.add_argument("--json", type=Path, help="Also write every run's figures to this JSON file.")
    parser.add_argument("--list", action="store_true", help="List the operations and exit.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--archive", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--barrier", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main(args)
    if args.list:
        for op in OPS:
            print(f"{op.name:<15} {op.kind:<6} {op.help}")
        return 0
    names = {op.name for op in OPS}
    only = set(args.only.split(",")) if args.only else set(names)
    unknown = only - names
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}; --list names them")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    runner = _Runner(args)
    started = time.perf_counter()
    print(f"# Archive-scale benchmarks: sizes {', '.join(f'{s:,}' for s in sizes)}; {args.runs} runs each", flush=True)
    try:
        if only & {"import", "show-1k"}:
            print("\n## independent of size", flush=True)
            runner.independent(only)
        for size in sizes:
            runner.size(size, only)
            if len(sizes) > 1:  # each size's table as soon as it is measured
                print("\n" + _report(runner, [size]), flush=True)
    finally:
        shutil.rmtree(runner.scratch, ignore_errors=True)
    print(f"\n# Results ({time.perf_counter() - started:.0f} s in all)\n")
    print(_report(runner, sizes))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "measures": [asdict(m) for m in runner.measures.values()],
                    "state_sizes": runner.state_sizes,
                    "corpora": {str(k): asdict(v) for k, v in runner.corpora.items()},
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
