"""One record's state as compact JSON: its facts as rows, the sources and dates they cite as tables."""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any

import orjson

from archive.saved.state_codec import construct_model
from events.source import Source
from events.when import When
from projections.state import Capture, Fact, RecordState

__all__ = ["decode_record", "encode_record"]

_FACT_FIELDS = tuple(f.name for f in dataclasses.fields(Fact))
_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(RecordState) if f.name != "facts")
_SOURCES = _FACT_FIELDS.index("sources")
_WHEN = _FACT_FIELDS.index("when")
_fact_values = attrgetter(*_FACT_FIELDS)
_record_values = attrgetter(*_RECORD_FIELDS)


def encode_record(record: RecordState) -> bytes:
    """The record as one JSON document: ``record`` (its own fields but the facts), ``facts`` (one row per
    fact, its fields in declaration order, ``sources`` and ``when`` as numbers into ``sources`` and
    ``whens``; -1 for no date), each distinct sources tuple and date stored once."""
    source_ids: dict[int, int] = {}
    when_ids: dict[int, int] = {}
    sources: list[list[dict[str, Any]]] = []
    whens: list[list[str | None]] = []
    rows: list[list[Any]] = []
    for fact in record.facts.values():
        row = list(_fact_values(fact))
        cited = row[_SOURCES]
        number = source_ids.get(id(cited))
        if number is None:
            number = source_ids[id(cited)] = len(sources)
            sources.append([source.model_dump(exclude_none=True) for source in cited])
        row[_SOURCES] = number
        when = row[_WHEN]
        if when is None:
            row[_WHEN] = -1
        else:
            number = when_ids.get(id(when))
            if number is None:
                number = when_ids[id(when)] = len(whens)
                whens.append([when.edtf, when.qualifier] if when.inferred is None else [when.edtf, when.qualifier, when.inferred])
            row[_WHEN] = number
        rows.append(row)
    return orjson.dumps({"record": list(_record_values(record)), "facts": rows, "sources": sources, "whens": whens})


def decode_record(body: bytes) -> RecordState:
    """The record back from ``encode_record``; raises ValueError, KeyError, IndexError or TypeError if the
    data does not fit."""
    data = orjson.loads(body)
    sources = [tuple(construct_model(Source, item) for item in group) for group in data["sources"]]
    whens = [
        construct_model(When, {"edtf": edtf, "qualifier": qualifier, "inferred": inferred[0] if inferred else None})
        for edtf, qualifier, *inferred in data["whens"]
    ]
    facts: dict[str, Fact] = {}
    for row in data["facts"]:
        row[_SOURCES] = sources[row[_SOURCES]]
        row[_WHEN] = None if row[_WHEN] < 0 else whens[row[_WHEN]]
        fact = Fact(*row)
        facts[fact.id] = fact
    values = data["record"]
    if len(values) != len(_RECORD_FIELDS) or len(facts) != len(data["facts"]):
        raise ValueError("the stored record does not fit its fields")
    fields = dict(zip(_RECORD_FIELDS, values, strict=True))
    fields["captures"] = {key: tuple(Capture(**item) for item in kept) for key, kept in fields["captures"].items()}
    return RecordState(**fields, facts=facts)  # type: ignore[arg-type]
