"""How long the date reader takes per sentence: every sentence of the date tests' tables, read many times.

    python benchmarks/dates.py [--rounds 200]

Prints microseconds per sentence (the median of the rounds), for ``find_date`` alone and through a ``Story``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.ingest.dates import Story, find_date  # noqa: E402


def _sentences() -> list[tuple[str, int | None]]:
    spec = importlib.util.spec_from_file_location("date_cases", ROOT / "tests" / "archive" / "test_dates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(text, hint) for text, hint, _edtf, _qualifier in module.CASES]


def main() -> None:
    """Time the reader over the test sentences and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    sentences = _sentences()
    plain: list[float] = []
    story: list[float] = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for text, hint in sentences:
            find_date(text, year_hint=hint)
        plain.append((time.perf_counter() - start) / len(sentences) * 1e6)
        start = time.perf_counter()
        line = Story()
        for text, _hint in sentences:
            line.read(text)
        story.append((time.perf_counter() - start) / len(sentences) * 1e6)
    print(f"{len(sentences)} sentences, {args.rounds} rounds")
    print(f"find_date: {statistics.median(plain):.1f} us per sentence (median; best {min(plain):.1f})")
    print(f"Story.read: {statistics.median(story):.1f} us per sentence (median; best {min(story):.1f})")


if __name__ == "__main__":
    main()
