"""The log in PostgreSQL against the file (issue 12), on this machine, in one run.

    python benchmarks/postgres.py [--appends 200] [--writers 8] [--log benchmarks/.data/corpus-100000/events.jsonl --record SLUG]

Needs a server: ``ARCHIVE_BENCH_DATABASE_URL`` (else ``ARCHIVE_TEST_DATABASE_URL``); every run works in a
schema of its own, dropped at the end. Prints Markdown tables:

- one writer: ``archive append`` called in a process that has appended once, ``--appends`` times on each
  backend: appends per second, and the latency p50/p99 of one append;
- ``--writers`` writer processes at once: in one folder on the file; on the database in one folder, and
  each in a folder of its own (machines of a newsroom, each folding the others' appends into its saved
  states): revisions per second over the whole run, against one writer;
- with ``--log``: that log copied into the database (``archive copy``), then a full read of its rows in
  keyset pages, the same plus ``orjson.loads`` of every line, and the floor: the file read and
  ``orjson.loads`` of every line; then ``archive show RECORD`` at HEAD as a whole process (after one
  run that leaves the record files in the folder's ``.archive/``), on the database and on the file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))

_EXAMPLE = _HERE.parent / "examples" / "siege-of-derna"

_WRITER = """
import contextlib, io, sys
from archive.cli.main import main
root, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
    main(["-C", root, "show", "siege-of-derna", "--view", "infobox", "--format", "json"])
print("READY", flush=True)
sys.stdin.readline()
for i in range(count):
    code = main(["-C", root, "append", "siege-of-derna", "--infobox", f"{name}-{i}=v{i}", "--source", "s", "--by", name])
    if code != 0:
        sys.exit(code)
"""


def _schema_url(base: str) -> tuple[str, str]:
    import psycopg  # noqa: PLC0415

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    glue = "&" if "?" in base else "?"
    return schema, f"{base}{glue}options=-csearch_path%3D{schema}"


def _drop(base: str, schema: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR",)}
    env.update({"ARCHIVE_DATABASE_URL": url, "ARCHIVE_USER": "bench"})
    return env


def _cli(*args: str | Path, env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "archive", *map(str, args)], env=env, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"archive {' '.join(map(str, args))} failed: {proc.stderr.decode()}")


def _folders(work: Path, url: str, env: dict[str, str], name: str) -> tuple[Path, Path]:
    """A file archive and a database archive, each holding the bundled example."""
    on_file = Path(shutil.copytree(_EXAMPLE, work / f"{name}-file", ignore=shutil.ignore_patterns("views", ".archive")))
    on_db = work / f"{name}-db"
    _cli("init", on_db, "--database", url, env=env)
    _cli("copy", _EXAMPLE, on_db, env=env)
    return on_file, on_db


def _one_writer(root: Path, count: int) -> list[float]:
    from archive.cli.main import main  # noqa: PLC0415

    def append(tag: str) -> None:
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
            code = main(["-C", str(root), "append", "siege-of-derna", "--infobox", f"K{tag}=v", "--source", "s", "--by", "bench"])
        if code != 0:
            raise SystemExit("append failed")

    append("warm")
    times = []
    for i in range(count):
        started = time.perf_counter()
        append(str(i))
        times.append(time.perf_counter() - started)
    return times


def _many_writers(roots: list[Path], count: int, env: dict[str, str]) -> float:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(root), f"w{n}", str(count)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for n, root in enumerate(roots)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "READY"
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        proc.communicate()
        if proc.returncode != 0:
            raise SystemExit("a writer failed")
    return time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _whole(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "archive", *args], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--per-writer", type=int, default=25)
    parser.add_argument("--log", type=Path, help="an events.jsonl for the replay and show figures (a corpus)")
    parser.add_argument("--record", help="the record to show (the corpus's focus record)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    base = os.environ.get("ARCHIVE_BENCH_DATABASE_URL") or os.environ.get("ARCHIVE_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("Set ARCHIVE_BENCH_DATABASE_URL=postgresql://USER:PASSWORD@127.0.0.1:5432/DB (see the README).")
    schemas: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="pg-bench-"))
    try:
        schema, url = _schema_url(base)
        schemas.append(schema)
        env = _env(url)
        os.environ.update({"ARCHIVE_DATABASE_URL": url, "ARCHIVE_USER": "bench"})
        on_file, on_db = _folders(work, url, env, "one")
        print(f"## One writer, {args.appends} appends (in a process that has appended once)\n")
        print("| backend | appends/s | p50 | p99 |\n| --- | ---: | ---: | ---: |")
        single: dict[str, float] = {}
        for name, root in (("file", on_file), ("PostgreSQL", on_db)):
            times = _one_writer(root, args.appends)
            single[name] = len(times) / sum(times)
            print(f"| {name} | {single[name]:,.0f} | {_pct(times, 0.5) * 1000:.1f} ms | {_pct(times, 0.99) * 1000:.1f} ms |")

        schema, url = _schema_url(base)
        schemas.append(schema)
        env = _env(url)
        shared_file, first_db = _folders(work, url, env, "many")
        roots_db = [first_db]
        for n in range(1, args.writers):
            root = work / f"many-db-{n}"
            root.mkdir()
            shutil.copy(first_db / "archive.json", root / "archive.json")
            roots_db.append(root)
        total = args.writers * args.per_writer
        print(f"\n## {args.writers} writer processes at once, {args.per_writer} appends each ({total} revisions)\n")
        print("| backend | revisions/s, 8 writers | revisions/s, 1 writer (same run) | ratio |\n| --- | ---: | ---: | ---: |")
        for name, roots in (
            ("file (one folder)", [shared_file] * args.writers),
            ("PostgreSQL (one folder)", [first_db] * args.writers),
            ("PostgreSQL (a folder each, as on 8 machines)", roots_db),
        ):
            many = total / _many_writers(roots, args.per_writer, env)
            one = args.per_writer / _many_writers(roots[:1], args.per_writer, env)
            print(f"| {name} | {many:,.0f} | {one:,.0f} | {many / one:.2f}× |")

        if args.log is not None:
            _replay_and_show(args, base, schemas, work)
    finally:
        for schema in schemas:
            _drop(base, schema)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _replay_and_show(args: argparse.Namespace, base: str, schemas: list[str], work: Path) -> None:
    import orjson  # noqa: PLC0415

    from archive.store.postgres import PostgresLog  # noqa: PLC0415

    schema, url = _schema_url(base)
    schemas.append(schema)
    env = _env(url)
    root = work / "big-db"
    _cli("init", root, "--database", url, env=env)
    started = time.perf_counter()
    _cli("copy", args.log.parent, root, env=env)
    copied = time.perf_counter() - started
    size = args.log.stat().st_size
    port = PostgresLog(url)
    lines = sum(1 for _ in port.lines())
    print(f"\n## {lines:,} events ({size / 1e6:.0f} MB): replay from the database against the orjson floor\n")
    print(f"`archive copy` folder → database: {copied:.1f} s\n")
    print("| read | median of runs | × floor |\n| --- | ---: | ---: |")

    def floor() -> None:
        with open(args.log, "rb") as log:
            for raw in log:
                orjson.loads(raw)

    def rows() -> None:
        for _ in port.lines():
            pass

    def rows_loads() -> None:
        for raw in port.lines():
            orjson.loads(raw)

    results = {}
    for name, fn in (("file + orjson.loads (the floor)", floor), ("database rows, keyset pages", rows), ("database rows + orjson.loads", rows_loads)):
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        results[name] = statistics.median(times)
    low = results["file + orjson.loads (the floor)"]
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.2f} s | {seconds / low:.2f}× |")
    file_root = work / "big-file"
    file_root.mkdir()
    shutil.copy(args.log, file_root / "events.jsonl")
    print("\n| full replay (`verify`, whole process) | seconds |\n| --- | ---: |")
    for name, folder in (("file", file_root), ("database", root)):
        times = _whole(["-C", str(folder), "verify"], env, 1)
        print(f"| {name} | {times[0]:.1f} s |")
    if args.record:
        print(f"\n## `archive show {args.record}` at HEAD, whole process, {args.runs} runs (after one that saves the record files)\n")
        print("| backend | median | min | max |\n| --- | ---: | ---: | ---: |")
        for name, folder in (("file", file_root), ("database", root)):
            _whole(["-C", str(folder), "show", args.record], env, 1)
            times = _whole(["-C", str(folder), "show", args.record], env, args.runs)
            print(f"| {name} | {statistics.median(times) * 1000:.0f} ms | {min(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")


if __name__ == "__main__":
    raise SystemExit(main())
