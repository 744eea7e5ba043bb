"""Columns of plain values packed so they load fast: a constant, dictionary codes, binary numbers, NUL-joined
text, or, failing those, JSON.

``pack`` turns a list of JSON-ready values into a small JSON descriptor plus bytes appended to a blob;
``unpack`` gives the exact list back (types included: ``True`` stays a bool, ``1.0`` a float). Lists of
lists are packed by zipping rows of one small length into sub-columns, else by flattening them with
their lengths, so a million short strings cost one ``split`` and a million numbers one ``array``
instead of a million JSON values to parse.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate, chain
from typing import Any

__all__ = ["Blob", "pack", "unpack"]

_SCALARS = (str, int, float, bool, type(None))
_ZIP_WIDTH = 4
"""Rows of lists all this long or shorter are stored as that many sub-columns (a dict's keys and values)."""
_SWAP = sys.byteorder != "little"


class Blob:
    """The bytes the descriptors point into."""

    def __init__(self) -> None:
        self.data = bytearray()

    def put(self, raw: bytes) -> list[int]:
        """Append ``raw``; where it lies, as ``[offset, length]``."""
        start = len(self.data)
        self.data += raw
        return [start, len(raw)]


def _numbers(values: list[Any], code: str, blob: Blob) -> list[int] | None:
    try:
        packed = array(code, values)
    except (OverflowError, TypeError):
        return None
    if _SWAP:  # pragma: no cover - big-endian machines
        packed.byteswap()
    return blob.put(packed.tobytes())


def _read_numbers(code: str, where: list[int], blob: memoryview) -> list[Any]:
    start, length = where
    numbers = array(code)
    numbers.frombytes(blob[start : start + length])
    if _SWAP:  # pragma: no cover
        numbers.byteswap()
    return numbers.tolist()


def pack(values: list[Any], blob: Blob) -> dict[str, Any]:
    """A descriptor of ``values`` (JSON-ready: text, numbers, booleans, None, lists), their bytes put in ``blob``."""
    count = len(values)
    if count == 0:
        return {"json": []}
    kinds = set(map(type, values))
    if kinds == {list}:
        return _pack_lists(values, blob)
    if not kinds <= set(_SCALARS):
        return {"json": values}
    distinct = set(values) if len(kinds) == 1 else set(zip(map(type, values), values, strict=True))
    if len(distinct) == 1:
        return {"const": values[0], "rows": count}
    if len(distinct) <= min(4096, count // 2):
        if len(kinds) == 1:
            order = list(distinct)
            index = {value: code for code, value in enumerate(order)}
            codes = list(map(index.__getitem__, values))
        else:
            keys = list(distinct)
            order = [value for _, value in keys]
            index = {key: code for code, key in enumerate(keys)}
            codes = list(map(index.__getitem__, zip(map(type, values), values, strict=True)))
        where = _numbers(codes, "H" if len(order) <= 0xFFFF else "I", blob)
        return {"codes": where, "of": order}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    if kind is str:
        joined = "\0".join(values)
        if joined.count("\0") == count - 1:  # no value holds a NUL itself
            return {"text": blob.put(joined.encode("utf-8")), "rows": count}
    elif kind is int and (where := _numbers(values, "q", blob)) is not None:
        return {"int": where}
    elif kind is float and (where := _numbers(values, "d", blob)) is not None:
        return {"float": where}
    return {"json": values}


def _pack_lists(rows: list[list[Any]], blob: Blob) -> dict[str, Any]:
    lengths = list(map(len, rows))
    width = lengths[0]
    if width <= _ZIP_WIDTH and lengths.count(width) == len(rows):
        return {"zip": [pack([row[i] for row in rows], blob) for i in range(width)], "rows": len(rows)}
    return {"lengths": pack(lengths, blob), "items": pack(list(chain.from_iterable(rows)), blob)}


def unpack(packed: dict[str, Any], blob: memoryview) -> list[Any]:
    """The values ``pack`` described; raises KeyError, TypeError, ValueError or IndexError for a descriptor that is not one."""
    if "json" in packed:
        values = packed["json"]
        if not isinstance(values, list):
            raise TypeError("a JSON column is not a list")
        return values
    if "const" in packed:
        return [packed["const"]] * _rows(packed)
    if "codes" in packed:
        order = packed["of"]
        codes = _read_numbers("H" if len(order) <= 0xFFFF else "I", packed["codes"], blob)
        return list(map(order.__getitem__, codes))
    if "text" in packed:
        start, length = packed["text"]
        values = bytes(blob[start : start + length]).decode("utf-8").split("\0")
        if len(values) != _rows(packed):
            raise ValueError("a text column does not hold its rows")
        return values
    if "int" in packed:
        return _read_numbers("q", packed["int"], blob)
    if "float" in packed:
        return _read_numbers("d", packed["float"], blob)
    if "zip" in packed:
        rows = _rows(packed)
        subs = [unpack(sub, blob) for sub in packed["zip"]]
        if any(len(sub) != rows for sub in subs):
            raise ValueError("the sub-columns of a column differ in length")
        return list(map(list, zip(*subs, strict=True))) if subs else [[] for _ in range(rows)]
    lengths = unpack(packed["lengths"], blob)
    items = unpack(packed["items"], blob)
    ends = list(accumulate(lengths))
    if (ends[-1] if ends else 0) != len(items) or min(lengths, default=0) < 0:
        raise ValueError("a column's lengths do not match its items")
    return [items[end - n : end] for n, end in zip(lengths, ends, strict=True)]


def _rows(packed: dict[str, Any]) -> int:
    rows = packed["rows"]
    if not isinstance(rows, int) or rows < 0:
        raise ValueError("a column's row count is not a count")
    return rows
