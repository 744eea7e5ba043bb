"""The fields of a log line as the fold takes them, read from its JSON without validating it again.

A line the log holds was fully validated when it was appended, and the hash chain and the head witness
prove on every read that it is the line that was written (see ``archive.store.folder.log``). Reading it back through
pydantic would check it a second time at several times the cost of parsing it. ``event_fields`` instead
completes the decoded JSON with the defaults of its event class and turns its ``sources`` and ``when``
into the same frozen ``Source`` and ``When`` values validation would give; these repeat across lines,
so each distinct one is validated once and then shared. A line that is not what a valid line would be
raises ``Malformed``; the reader then validates it in full to say what is wrong.
"""

from __future__ import annotations

from typing import Any

import orjson

from events.model import CHANGES, EVENTS
from events.source import Source
from events.when import INFERRED, QUALIFIERS, When, edtf_bounds

__all__ = ["Malformed", "event_fields"]

_MAX_SHARED = 200_000
"""Distinct sources lists (or dates) kept for sharing before the table starts again."""


class Malformed(Exception):
    """A decoded line is not the JSON of a valid event (the reader names the line and validates it)."""


def _defaults(cls: type) -> dict[str, Any]:
    return {name: f.default for name, f in cls.model_fields.items() if not f.is_required()}  # type: ignore[attr-defined]


_DEFAULTS: dict[str, dict[str, Any]] = {change.model_fields["type"].default: _defaults(EVENTS[change]) for change in CHANGES}
_WHEN_FIELDS = frozenset(When.model_fields)
_SOURCES: dict[bytes, tuple[Source, ...]] = {}
_WHENS: dict[tuple[str, Any, Any], When] = {}


def _sources(raw: Any) -> tuple[Source, ...]:
    key = orjson.dumps(raw)
    try:
        return _SOURCES[key]
    except KeyError:
        pass
    if not isinstance(raw, list):
        raise Malformed("sources")
    try:
        value = tuple(Source.model_validate(item) for item in raw)
    except (ValueError, TypeError) as exc:
        raise Malformed("sources") from exc
    if len(_SOURCES) >= _MAX_SHARED:
        _SOURCES.clear()
    _SOURCES[key] = value
    return value


def _when(raw: Any) -> When:
    try:
        key = (raw["edtf"], raw.get("qualifier"), raw.get("inferred"))
        return _WHENS[key]
    except KeyError:
        pass
    except (AttributeError, TypeError) as exc:
        raise Malformed("when") from exc
    edtf, qualifier, inferred = key
    if (
        type(edtf) is not str
        or not (qualifier is None or qualifier in QUALIFIERS)
        or not (inferred is None or inferred in INFERRED)
        or raw.keys() - _WHEN_FIELDS
    ):
        raise Malformed("when")
    try:
        edtf_bounds(edtf)  # the date is read anyway, to sort the timeline; remembered
    except ValueError as exc:
        raise Malformed("when") from exc
    value = When.model_construct(edtf=edtf, qualifier=qualifier, inferred=inferred)
    if len(_WHENS) >= _MAX_SHARED:
        _WHENS.clear()
    _WHENS[key] = value
    return value


def event_fields(data: Any) -> dict[str, Any]:
    """The fields of the stamped event a decoded log line holds, by name, as its model would have them.

    Raises Malformed when ``data`` is not an event object of a known type.
    """
    try:
        fields = {**_DEFAULTS[data["type"]], **data}
    except (KeyError, TypeError) as exc:
        raise Malformed("type") from exc
    sources = data.get("sources")
    if sources is not None:
        fields["sources"] = _sources(sources)
    when = data.get("when")
    if when is not None:
        fields["when"] = _when(when)
    return fields
