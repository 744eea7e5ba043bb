"""The bytes of a log line: an event as one orjson line, keys in a fixed, readable order."""

from __future__ import annotations

import hashlib

import orjson

from events.model import Change

__all__ = ["GENESIS", "encode_line", "line_hash"]

GENESIS = "0" * 64
"""The ``prev`` of the first line: no line came before it."""

_FIRST = ("seq", "rev", "type", "record", "fact")
_LAST = ("sources", "at", "by", "summary", "end", "sig", "prev")


def encode_line(event: Change) -> bytes:
    """One log line for a stamped event, newline included; absent (None) fields are left out."""
    data = event.model_dump(mode="json", exclude_none=True)
    ordered = {key: data[key] for key in _FIRST if key in data}
    ordered.update((key, value) for key, value in data.items() if key not in ordered and key not in _LAST)
    ordered.update((key, data[key]) for key in _LAST if key in data)
    return orjson.dumps(ordered) + b"\n"


def line_hash(line: bytes) -> str:
    """The ``prev`` the next line must carry: SHA-256 of this line's bytes, newline included."""
    return hashlib.sha256(line).hexdigest()
