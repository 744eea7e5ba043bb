"""Writes a large, valid, hash-chained archive quickly: many records of about 200 facts, one revision each.

Run ``python benchmarks/generate.py DIR --events 1000000`` to make an archive in DIR. The lines are
the program's own (``events.codec.encode_line`` and ``line_hash``); the events are built without
pydantic validation for speed, from values that are valid by construction.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.ingest.dates import MONTH_NAMES
from events.codec import GENESIS, encode_line, line_hash
from events.model import EVENTS, Change, HeadingAdded, InfoboxAdded, RecordCreated, SentenceAdded, TitleAdded
from events.source import Source
from events.when import When

__all__ = ["Generated", "generate", "main", "slug_of"]

_MONTHS = MONTH_NAMES
_WORDS = (
    "council",
    "garrison",
    "harbour",
    "bridge",
    "market",
    "archive",
    "railway",
    "school",
    "mill",
    "assembly",
    "court",
    "square",
)
_VERBS = ("was rebuilt", "reopened", "was surveyed", "was enlarged", "closed", "was renamed", "changed hands", "was recorded")
_KEYS = ("Date", "Location", "Result", "Population", "Founded")
_PER_SECTION = 24


@dataclass(frozen=True, slots=True)
class Generated:
    """What was written: how many events, revisions and records, and where the log ends."""

    events: int
    revisions: int
    records: int
    bytes: int
    hash: str
    seconds: float


def slug_of(index: int) -> str:
    """The slug of the ``index``-th generated record (from 0)."""
    return f"record-{index:06d}"


def _sources(rng: random.Random) -> list[tuple[Source, ...]]:
    pool = [
        Source(title=f"Annual report {year}", url=f"https://example.org/reports/{year}", publisher="Example Press")
        for year in range(1950, 2000)
    ]
    return [(pool[i],) if i % 5 else (pool[i], pool[(i * 7) % len(pool)]) for i in range(len(pool))] + [
        (rng.choice(pool),) for _ in range(10)
    ]


def _changes(slug: str, count: int, rng: random.Random, sources: list[tuple[Source, ...]], dates: int) -> Iterator[Change]:
    """``count`` (at least 2) changes that make one record: created, title, infobox, headings, sentences."""
    yield RecordCreated.model_construct(type="record.created", record=slug, ending="\n")
    cite = rng.choice(sources)
    yield TitleAdded.model_construct(
        type="title.added", record=slug, fact="t1", text=f"The {slug.replace('-', ' ')}", sources=cite
    )
    made = 2
    after: str | None = None
    for number, key in enumerate(_KEYS[: max(0, min(len(_KEYS), count - made - 1))], start=1):
        yield InfoboxAdded.model_construct(
            type="infobox.added",
            record=slug,
            fact=f"i{number}",
            key=key,
            value=f"{key} of {slug}",
            after=after,
            gap=1 if after is None else 0,
            sources=rng.choice(sources),
        )
        after = f"i{number}"
        made += 1
    body: str | None = None
    paragraph = ""
    heading = sentence = 0
    while made < count:
        if (made - 2) % _PER_SECTION == 0 or body is None:
            heading += 1
            fact = f"h{heading}"
            yield HeadingAdded.model_construct(
                type="heading.added",
                record=slug,
                fact=fact,
                text=f"Section {heading}",
                level=2,
                after=body,
                gap=1,
                sources=rng.choice(sources),
            )
            paragraph = ""
        else:
            sentence += 1
            fact = f"s{sentence}"
            year, month = divmod(rng.randrange(dates), 12)
            year += 1900
            opens = not paragraph or rng.random() < 0.2
            paragraph = fact if opens else paragraph
            yield SentenceAdded.model_construct(
                type="sentence.added",
                record=slug,
                fact=fact,
                text=f"In {_MONTHS[month]} {year} the {rng.choice(_WORDS)} {rng.choice(_VERBS)} ({sentence}).",
                when=When.model_construct(edtf=f"{year}-{month + 1:02d}", qualifier="in"),
                after=body,
                paragraph=paragraph,
                lead="" if opens else " ",
                gap=1,
                sources=rng.choice(sources),
            )
        body = fact
        made += 1


def _stamped(change: Change, **stamp: object) -> Change:
    cls = EVENTS[type(change)]
    return cls.model_construct(**dict(change), **stamp)


def generate(root: Path, *, events: int, facts: int = 200, dates: int = 1440, seed: int = 0, by: str = "benchmark") -> Generated:
    """Make an archive in ``root`` (created, must hold no log) with ``events`` events: records of ``facts`` events each.

    Sentences are dated with one of ``dates`` months from January 1900 on (the first parse of each
    date costs milliseconds, so tests keep them few).
    """
    from archive.store.folder import init_archive  # noqa: PLC0415

    if events < 2:
        raise SystemExit("--events must be at least 2")
    started = time.perf_counter()
    archive = init_archive(root)
    rng = random.Random(seed)
    sources = _sources(rng)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    prev, seq, rev, size = GENESIS, 0, 0, 0
    chunk: list[bytes] = []
    with open(archive.log, "ab") as log:
        while seq < events:
            left = events - seq
            count = facts if left >= facts + 2 else left
            rev += 1
            changes = list(_changes(slug_of(rev - 1), count, rng, sources, dates))
            last = len(changes) - 1
            for index, change in enumerate(changes):
                seq += 1
                end = index == last
                event = _stamped(
                    change,
                    seq=seq,
                    rev=rev,
                    at=at,
                    by=by,
                    prev=prev,
                    end=True if end else None,
                    summary=f"Generate {change.record}" if end else None,
                )
                line = encode_line(event)
                prev = line_hash(line)
                chunk.append(line)
            if len(chunk) > 20_000:
                data = b"".join(chunk)
                log.write(data)
                size += len(data)
                chunk.clear()
        data = b"".join(chunk)
        log.write(data)
        size += len(data)
        log.flush()
        os.fsync(log.fileno())
    return Generated(seq, rev, rev, size, prev, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py DIR --events N [--facts F] [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="The archive folder to make (must not hold a log yet).")
    parser.add_argument("--events", type=int, default=1000, help="How many events in all (default 1000).")
    parser.add_argument("--facts", type=int, default=200, help="Events per record, one revision each (default 200).")
    parser.add_argument("--dates", type=int, default=1440, help="How many distinct months date the sentences (default 1440).")
    parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
    args = parser.parse_args(argv)
    made = generate(args.directory, events=args.events, facts=args.facts, dates=args.dates, seed=args.seed)
    print(
        f"Wrote {made.events} events, {made.revisions} revisions ({made.records} records), "
        f"{made.bytes / 1e6:.1f} MB in {made.seconds:.1f} s to {args.directory}/events.jsonl",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
