"""Reads an ``--events`` batch (JSON lines of changes) and resolves it against a record into one revision."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import orjson
from pydantic import ValidationError

from archive.ingest.dates import Story
from archive.ingest.editing import story_at
from archive.ingest.placement import NewIds
from events.codec import GENESIS
from events.errors import ArchiveError, Conflict, InvalidInput
from events.model import CHANGE_TYPES, Change, Stamp, change_adapter, stamp
from events.source import Source, first_problem
from projections.fold import apply_event
from projections.state import ArchiveState, RecordState

__all__ = ["BatchLine", "read_batch", "resolve_batch"]

_MAX_LINE = 1024 * 1024
_MAX_DEPTH = 32
_STAMP_KEYS = frozenset(Stamp.model_fields)
_KIND_OF = {
    "title.added": "title",
    "infobox.added": "infobox",
    "heading.added": "heading",
    "sentence.added": "sentence",
    "item.added": "item",
}
_DATED = frozenset({"sentence.added", "item.added", "sentence.revised", "item.revised"})
"""Lines whose date is read from their text when they give no ``when`` (an explicit ``"when": null`` stays undated)."""


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One line of a batch as read: where it stands, and its JSON object."""

    line: int
    data: dict[str, Any]


def _depth(value: object, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def read_batch(lines: Iterable[bytes], name: str) -> list[BatchLine]:
    """Parse each non-blank line as a JSON object; refuse with ``name:LINE`` and the reason."""
    out: list[BatchLine] = []
    if hasattr(lines, "readline"):  # a file: read each line bounded, so one huge line cannot fill memory
        lines = iter(partial(lines.readline, _MAX_LINE + 1), b"")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        if len(raw) > _MAX_LINE:
            raise InvalidInput(
                f"{where}: the line is more than the {_MAX_LINE} bytes allowed.", hint="Split the change, or shorten its text."
            )
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{where}: not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}).",
                hint="Save the batch as UTF-8 (iconv -t UTF-8).",
            ) from exc
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not valid JSON ({exc}).", hint="Each line must be one complete JSON object.") from exc
        if not isinstance(data, dict):
            raise InvalidInput(f"{where}: a line must be a JSON object, not {type(data).__name__}.")
        if _depth(data, _MAX_DEPTH) > _MAX_DEPTH:
            raise InvalidInput(f"{where}: the JSON is nested more than {_MAX_DEPTH} levels deep.")
        stamped = sorted(_STAMP_KEYS & data.keys())
        if stamped:
            raise InvalidInput(f"{where}: {', '.join(stamped)} are set by the log, not by a batch; remove them.")
        kind = data.get("type")
        if kind not in CHANGE_TYPES:
            raise InvalidInput(f"{where}: unknown event type {kind!r}.", hint=f"Known types: {', '.join(CHANGE_TYPES)}.")
        out.append(BatchLine(number, data))
    if not out:
        raise InvalidInput(f"{name}: the batch holds no events.")
    return out


def resolve_batch(
    batch: list[BatchLine],
    record: RecordState,
    sources: tuple[Source, ...],
    name: str,
    warn: Callable[[str], None] | None = None,
) -> list[Change]:
    """Validate each line as a change to ``record``.

    Filled in where a line leaves them out: ``record``; ``sources`` from
    ``--source``; a new fact's ``fact`` id; a sentence's ``paragraph`` and an
    item's ``list`` (a new one, opened by the fact itself); ``after`` (the end
    of the body or infobox as the batch has built it so far); a sentence's or item's ``when``, read from its
    text as ``--text`` is (a date the calendar does not have is told to ``warn``).
    """
    story = story_at(record, record.body[-1] if record.body else None)
    taken: set[str] = set()
    ids = NewIds(record)  # counts on from each kind's highest number: one scan per kind, not one per line
    body_end = record.body[-1] if record.body else None
    infobox_end = record.infobox[-1] if record.infobox else None
    changes: list[Change] = []
    for item in batch:
        data = dict(item.data)
        where = f"{name}:{item.line}"
        data.setdefault("record", record.slug)
        if data["record"] != record.slug:
            raise InvalidInput(f"{where}: the line is for record {data['record']!r}, but the batch is for {record.slug!r}.")
        if sources and "sources" not in data and data["type"] not in ("record.created", "record.revised"):
            data["sources"] = [s.model_dump(exclude_none=True) for s in sources]
        kind = _KIND_OF.get(data["type"])
        if kind is not None:
            if "fact" not in data:
                data["fact"] = ids.take(kind, taken)
            if kind == "sentence":
                data.setdefault("paragraph", data["fact"])
            if kind == "item":
                data.setdefault("list", data["fact"])
            if kind == "infobox":
                data.setdefault("after", infobox_end)
            elif kind != "title":
                data.setdefault("after", body_end)
        if data["type"] in _DATED and "when" not in data and isinstance(data.get("text"), str):
            _date_line(data, record, story, where, warn)
        try:
            change = change_adapter().validate_python(data)
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {first_problem(exc)}.") from exc
        fact = getattr(change, "fact", None)
        if kind is not None and fact is not None:
            taken.add(fact)
            if kind == "infobox":
                infobox_end = fact
            elif kind != "title":
                body_end = fact
        changes.append(change)
    _check_applies(changes, batch, record, name)
    return changes


def _date_line(data: dict[str, Any], record: RecordState, story: Story, where: str, warn: Callable[[str], None] | None) -> None:
    """Set the ``when`` a new or revised sentence's text states: new facts follow the batch's story, a revised one
    the story up to the fact before it."""
    text = data["text"]
    if data["type"].endswith(".added"):
        reading = story.read(text)
    else:
        fact = data.get("fact")
        index = record.body.index(fact) if isinstance(fact, str) and fact in record.body else 0
        reading = story_at(record, record.body[index - 1] if index > 0 else None).read(text)
    if reading.when is not None:
        data["when"] = reading.when.model_dump(exclude_none=True)
    if reading.problem is not None and warn is not None:
        warn(f"{where}: {reading.problem}; the sentence is left undated (give its \"when\" to date it).")


_TRIAL_STAMP: dict[str, Any] = {"seq": 1, "rev": 1, "at": datetime(1970, 1, 1, tzinfo=UTC), "by": "batch check", "prev": GENESIS}


def _check_applies(changes: list[Change], batch: list[BatchLine], record: RecordState, name: str) -> None:
    """Fold the changes into a copy of the record, so that one that cannot apply (an unknown fact, an anchor
    that is not there, a record made twice) is refused naming its line."""
    scratch = ArchiveState(records={record.slug: copy.deepcopy(record)})
    for change, item in zip(changes, batch, strict=True):
        try:
            apply_event(scratch, stamp(change, **_TRIAL_STAMP))
        except ArchiveError as exc:
            raise type(exc)(f"{name}:{item.line}: {exc.message}", hint=exc.hint) from exc
    if record.title_text() is not None and scratch.records[record.slug].title_text() is None:
        raise Conflict(
            f"{name}: the batch leaves record '{record.slug}' without a title: an article keeps one.",
            hint=f"Revise the title (title.revised, fact {record.title}) instead, or add a title.added line.",
        )
