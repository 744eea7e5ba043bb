"""The server at scale (issue 16): time from starting `archive serve` to the first 200 of a record page, the
latency of record pages, a second `archive build`, and appends per second through the API.

    python benchmarks/serve.py --sizes 10000,100000 --runs 3

Corpora come from benchmarks/corpus.py (cached in benchmarks/.data/). Every server is a real process on a
free loopback port; every request goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus import DEFAULT_DATA, ensure_corpus

ENV = {**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "bench"}


def _archive(*args: str | Path, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-m", "archive", *map(str, args)], input=stdin, capture_output=True, text=True, env=ENV, check=True)
    return done.stdout


def _start(root: Path) -> tuple[subprocess.Popen[str], int, float]:
    """Start a server; return it, its port, and seconds from start to the first 200 of the record page."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "archive", "-C", str(root), "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    line = proc.stdout.readline() if proc.stdout else ""
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    return proc, port, started


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _first_page(root: Path, record: str) -> float:
    proc, port, started = _start(root)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status = _get(conn, f"/{record}/")
        took = time.perf_counter() - started
        assert status == 200, status
        conn.close()
        return took
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _latencies(port: int, paths: list[str]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = []
    for path in paths:
        t = time.perf_counter()
        assert _get(conn, path) == 200, path
        out.append(time.perf_counter() - t)
    conn.close()
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _appends(port: int, tokens: list[str], each: int, record: str) -> float:
    """Appends per second with one client per token, ``each`` appends each."""
    def run(token: str, index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for n in range(each):
            body = orjson.dumps({"section": "Benchmark", "text": f"Client {index} wrote sentence {n}.", "sources": ["https://example.org/b"]})
            conn.request("POST", f"/api/records/{record}/revisions", body=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            assert response.status == 201, response.status
        conn.close()

    threads = [threading.Thread(target=run, args=(t, i)) for i, t in enumerate(tokens)]
    t = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(tokens) * each / (time.perf_counter() - t)


def _in_process_appends(root: Path, record: str, count: int) -> float:
    from archive.ingest.append_options import AppendOptions, build_changes  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from archive.store.folder import find_archive  # noqa: PLC0415
    from events.source import parse_source  # noqa: PLC0415

    archive = find_archive(root)
    cited = (parse_source("https://example.org/b"),)
    t = time.perf_counter()
    for n in range(count):
        options = AppendOptions(section="Benchmark", text=f"In-process sentence {n}.")
        append_revisions(archive, lambda s, o=options: [PendingRevision(build_changes(s.records[record], o, cited, "auto"))], by="bench", records=[record])
    return count / (time.perf_counter() - t)


def bench(events: int, runs: int, data: Path) -> dict[str, Any]:
    corpus = ensure_corpus(data, events)
    work = Path(tempfile.mkdtemp(prefix=f"serve-{events}-"))
    try:
        root = Path(shutil.copytree(corpus.root, work / "archive", ignore=shutil.ignore_patterns("views")))
        record = corpus.record
        _archive("-C", root, "show", record)  # the record files, as any command leaves them
        result: dict[str, Any] = {"events": events}
        result["first_page_s"] = statistics.median(_first_page(root, record) for _ in range(runs))
        proc, port, _ = _start(root)
        try:
            state = orjson.loads(_archive("-C", root, "records", "--format", "json"))
            slugs = [r["record"] for r in state][:100]
            cold = _latencies(port, [f"/{slug}/" for slug in slugs])
            warm = _latencies(port, [f"/{record}/"] * 200)
            result.update(
                page_cold_p50_ms=_pct(cold, 0.5) * 1000, page_cold_p99_ms=_pct(cold, 0.99) * 1000,
                page_warm_p50_ms=_pct(warm, 0.5) * 1000, page_warm_p99_ms=_pct(warm, 0.99) * 1000,
            )  # fmt: skip
            tokens = [_archive("-C", root, "users", "add", f"w{i}", "--role", "editor").splitlines()[-1] for i in range(8)]
            result["api_appends_1_per_s"] = _appends(port, tokens[:1], 100, record)
            result["api_appends_8_per_s"] = _appends(port, tokens, 50, record)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        result["in_process_appends_per_s"] = _in_process_appends(root, record, 100)
        _archive("-C", root, "build")
        t = time.perf_counter()
        _archive("-C", root, "build")
        result["second_build_s"] = time.perf_counter() - t
        t = time.perf_counter()
        with open(root / "events.jsonl", "rb") as log:
            for line in log:
                orjson.loads(line)
        result["orjson_floor_s"] = time.perf_counter() - t
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Events in the archive, comma-separated.")
    parser.add_argument("--runs", type=int, default=3, help="Server starts per size (the median is reported).")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Where corpora are cached.")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        result = bench(size, args.runs, args.data)
        print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
