"""The baseline: the Python ``eventsourcing`` library's SQLite replay, on events equivalent to a corpus's log.

One aggregate per record, one stored event per log line (the record's creation is the aggregate's
``Created`` event; every other line a ``Changed`` event carrying the same payload: text, value, date,
sources, place), saved with the library's SQLite persistence. Replay is ``repository.get`` of every
aggregate, which reads its events from SQLite, decodes them and applies them. Needs the ``benchmark``
extra (``pip install -e '.[benchmark]'``); ``benchmarks/run.py`` drives it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

__all__ = ["Record", "build_db", "replay_db"]

_ENVELOPE = frozenset({"seq", "rev", "type", "record", "fact", "at", "by", "prev", "end", "summary"})
_SAVE_EVERY = 20_000


class Record(Aggregate):
    """A record as an aggregate: its facts by id, in the order they were added."""

    @staticmethod
    def create_id(slug: str) -> UUID:
        """The aggregate id of a record, from its slug."""
        return uuid5(NAMESPACE_URL, slug)

    @event("Created")
    def __init__(self, slug: str, ending: str) -> None:
        self.slug = slug
        self.ending = ending
        self.facts: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []

    @event("Changed")
    def change(self, kind: str, fact: str, payload: dict[str, Any]) -> None:
        """One change to one fact: added, revised, moved or retracted."""
        if kind.endswith(".added"):
            self.facts[fact] = dict(payload)
            self.order.append(fact)
        elif kind == "fact.retracted":
            self.facts[fact]["retracted"] = True
        else:
            self.facts.setdefault(fact, {}).update(payload)


def _app(db: Path) -> Application[UUID]:
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db)})


def build_db(log: Path, db: Path, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Store the events of ``log`` in a new SQLite database ``db``; returns (and writes beside it) what it holds."""
    if db.exists():
        db.unlink()
    app = _app(db)
    started = time.perf_counter()
    records: dict[str, Record] = {}
    dirty: dict[str, Record] = {}
    pending = events = 0
    with open(log, "rb") as lines:
        for line in lines:
            data = orjson.loads(line)
            slug = data["record"]
            if data["type"] == "record.created":
                aggregate = records[slug] = Record(slug=slug, ending=data.get("ending", "\n"))
            else:
                aggregate = records[slug]
                payload = {k: v for k, v in data.items() if k not in _ENVELOPE}
                aggregate.change(kind=data["type"], fact=data.get("fact", ""), payload=payload)
            dirty[slug] = aggregate
            pending += 1
            events += 1
            if pending >= _SAVE_EVERY:
                app.save(*dirty.values())
                dirty.clear()
                pending = 0
                say(f"  eventsourcing: {events:,} events stored, {time.perf_counter() - started:.0f} s")
    if dirty:
        app.save(*dirty.values())
    info = {"events": events, "slugs": list(records), "seconds": round(time.perf_counter() - started, 1)}
    db.with_suffix(".json").write_text(json.dumps(info) + "\n")
    return info


def replay_db(db: Path) -> tuple[int, float]:
    """Rebuild every aggregate of ``db`` from its events; returns the events replayed and the seconds it took."""
    info = json.loads(db.with_suffix(".json").read_text())
    app = _app(db)
    ids = [Record.create_id(slug) for slug in info["slugs"]]
    started = time.perf_counter()
    replayed = 0
    for aggregate_id in ids:
        replayed += app.repository.get(aggregate_id).version
    return replayed, time.perf_counter() - started
