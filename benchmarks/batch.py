"""How long ``archive append --events`` takes for batches of 5,000, 10,000 and 20,000 lines, and how it grows.

Each size runs in a fresh archive holding the bundled Siege of Derna article; the batch mixes new sentences,
new list items, infobox fields, revisions, moves and retractions of facts it made. Prints the seconds of each
size (the whole ``archive`` process) and the ratio of each to the one before: about 2 is linear.

    python benchmarks/batch.py [--sizes 5000,10000,20000] [--profile]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "articles" / "siege-of-derna.txt"
SOURCE = {"title": "Benchmark", "url": "https://example.org/benchmark"}


def batch_lines(count: int) -> bytes:
    """``count`` changes as a person writes them, new facts without ids (the batch gives them): mostly new
    sentences, some list items and infobox fields, and revisions and retractions of sentences it made (named by
    ids it gives those)."""
    lines: list[dict[str, object]] = [{"type": "heading.added", "text": "Benchmark"}]
    named: list[str] = []
    for n in range(1, count):
        kind = n % 10
        if kind == 3 and len(named) > 2:
            lines.append({"type": "sentence.revised", "fact": named[-2], "text": f"Sentence {n}, revised on 3 May 2019."})
        elif kind == 6 and len(named) > 3:
            lines.append({"type": "fact.retracted", "fact": named.pop(-3), "reason": "benchmark"})
        elif kind == 8:
            lines.append({"type": "item.added", "text": f"Item {n} of the list"})
        elif kind == 9:
            lines.append({"type": "infobox.added", "key": f"Field {n}", "value": f"value {n}"})
        elif kind == 1:
            named.append(f"s{100_000 + n}")
            lines.append({"type": "sentence.added", "fact": named[-1], "text": f"Sentence {n} happened on 2 May 2018."})
        else:
            lines.append({"type": "sentence.added", "text": f"Sentence {n} happened on 2 May 2018."})
    return b"".join(orjson.dumps(line) + b"\n" for line in lines)


def archive(*args: str | Path, cwd: Path) -> None:
    subprocess.run([sys.executable, "-m", "archive", *map(str, args)], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def measure(size: int, profile: bool) -> float:
    """Seconds of one ``append --events`` of ``size`` lines into a fresh archive."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "a"
        archive("init", root, cwd=REPO)
        archive("-C", root, "import", SEED, "--source", "https://en.wikipedia.org/wiki/Siege_of_Derna", cwd=REPO)
        batch = Path(tmp) / "batch.jsonl"
        batch.write_bytes(batch_lines(size))
        command = [sys.executable, "-m", "archive", "-C", str(root), "append", "siege-of-derna", "--events", str(batch)]
        command += ["--source", orjson.dumps(SOURCE).decode()]
        if profile:
            command[1:1] = ["-m", "cProfile", "-s", "cumtime"]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, env={**os.environ, "ARCHIVE_USER": "bench"}, check=True)
        seconds = time.perf_counter() - start
        if profile:
            print("\n".join(done.stdout.decode().splitlines()[:40]))
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,10000,20000", help="Batch sizes in lines, comma-separated.")
    parser.add_argument("--profile", action="store_true", help="Print a cProfile of each run, sorted by cumulative time.")
    options = parser.parse_args()
    previous: float | None = None
    for size in (int(s) for s in options.sizes.split(",")):
        seconds = measure(size, options.profile)
        ratio = f"  ×{seconds / previous:.2f} the size before" if previous else ""
        print(f"{size:>7} lines  {seconds:7.2f} s{ratio}", flush=True)
        previous = seconds


if __name__ == "__main__":
    main()
