"""How a fact's date reads to people, at the precision it is known: "by Sept 2017", "Aug 2016", "7 May 2018", never a made-up day."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from events.when import edtf_bounds

__all__ = ["DateDisplay", "DateParts", "display_date"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
_SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
_DASH = "\u2013"
"""The en dash between the ends of an interval."""
_PREFIX = {"by": "by", "after": "after", "before": "before", "until": "until", "circa": "c.", "since": "since", "from": "from"}
"""Qualifiers that change what the date means; "on", "in" and "during" only echo the text's preposition, "from" is
shown before a single date only (an interval already says it), "between" joins an interval's ends with "and"."""

_POINT = re.compile(r"(?P<y>-?[0-9X]{4})(?:-(?P<m>[0-9X]{2}))?(?:-(?P<d>[0-9X]{2}))?(?P<q>[~?%])?\Z")


@dataclass(frozen=True, slots=True)
class DateParts:
    """One calendar point as precisely as it is known: month and day are None when not known."""

    year: int
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True, slots=True)
class DateDisplay:
    """A date ready to show: words for people, parts for machines."""

    text: str
    """What a reader sees: ``by Sept 2017``, ``Aug 2016 - 12 Feb 2019`` (an en dash), ``c. 1200``."""
    start: DateParts | None
    """The first point, as precise as known; None when the start is open or unknown."""
    end: DateParts | None
    """The last point of an interval, as precise as known; None for a single date or an open end."""
    machine: str | None
    """An HTML ``<time datetime>`` value for a plain year, month or day, else None."""
    plain: bool
    """True when the words are just the calendar date (no qualifier, no approximation, no interval)."""


@dataclass(frozen=True, slots=True)
class _Point:
    parts: DateParts | None
    words: str
    mark: str
    """``~`` approximate, ``?`` uncertain, ``%`` both, or empty."""
    kind: str = "date"
    """``date`` a calendar year, month or day; ``season``, ``decade``, or ``raw`` (EDTF as written)."""


def _year_words(year: int, *, inferred: bool = False) -> str:
    words = f"{1 - year} BCE" if year <= 0 else str(year)
    return f"[{words}]" if inferred else words


def _point(text: str, *, inferred: bool = False) -> _Point:
    """One side of an EDTF date; falls back to the raw EDTF string where no simple words fit."""
    found = _POINT.match(text)
    if found is None:
        return _fallback(text)
    ys, ms, ds, mark = found["y"], found["m"], found["d"], found["q"] or ""
    if "X" in ys:
        stem = ys.rstrip("X")
        if "X" in stem or ms or ds or not stem or stem.startswith("-"):
            return _fallback(text)
        unit = 10 ** (4 - len(stem))
        first = int(stem) * unit
        return _Point(DateParts(first), f"{first}s", mark, kind="decade")
    year = int(ys)
    if ms is None or ms == "XX":
        if ds is not None and ds != "XX":
            return _fallback(text)
        return _Point(DateParts(year), _year_words(year, inferred=inferred), mark)
    if "X" in ms:
        return _fallback(text)
    month = int(ms)
    if month in _SEASONS and ds is None:
        return _Point(DateParts(year), f"{_SEASONS[month]} {_year_words(year, inferred=inferred)}", mark, kind="season")
    if not 1 <= month <= 12:
        return _fallback(text)
    if ds is None or ds == "XX":
        return _Point(DateParts(year, month), f"{_MONTHS[month - 1]} {_year_words(year, inferred=inferred)}", mark)
    if "X" in ds:
        return _fallback(text)
    day = int(ds)
    return _Point(DateParts(year, month, day), f"{day} {_MONTHS[month - 1]} {_year_words(year, inferred=inferred)}", mark)


def _fallback(text: str) -> _Point:
    """An EDTF form with no plain words here: shown as written, with only its year for machines."""
    try:
        low, _high = edtf_bounds(text)
    except ValueError:
        return _Point(None, text, "", kind="raw")
    return _Point(DateParts(low[0]) if abs(low[0]) < 999999 else None, text, "", kind="raw")


def _marked(point: _Point, *, circa: bool) -> str:
    words = point.words
    if point.mark in ("~", "%") and not circa:
        words = f"c. {words}"
    if point.mark in ("?", "%"):
        words = f"{words}?"
    return words


def _span(first: _Point, last: _Point, *, circa: bool, joint: str = f" {_DASH} ") -> str:
    """Two points joined by an en dash, sharing what they share: ``Jan - Apr 2017``, ``7 - 12 May 2018``; two
    uncertain ends (EDTF ``?``, "22 or 23 July") read as alternatives: ``22 or 23 July 2011``."""
    a, b = first.parts, last.parts
    if first.mark == last.mark == "?":
        joint, first, last = " or ", replace(first, mark=""), replace(last, mark="")
    same_kind = first.mark == last.mark and first.kind == last.kind == "date"
    if same_kind and a is not None and b is not None and a.year == b.year and a.month is not None and b.month is not None:
        tail = _marked(last, circa=True)
        if a.day is not None and b.day is not None and a.month == b.month:
            head = str(a.day)
        elif (a.day is None) == (b.day is None):
            head = first.words.rsplit(" ", 1)[0] if " " in first.words else ""
        else:
            head = ""
        if head:
            prefix = "c. " if first.mark in ("~", "%") and not circa else ""
            return f"{prefix}{head}{joint}{tail}"
    return f"{_marked(first, circa=circa)}{joint}{_marked(last, circa=circa)}"


@lru_cache(maxsize=4096)
def display_date(edtf: str, qualifier: str | None = None, inferred: str | None = None) -> DateDisplay:
    """The words and parts of an EDTF date with its qualifier, at exactly the precision it holds (remembered:
    pages show the same dates many times). A year taken from the story rather than the text (``inferred``)
    is shown in brackets: ``4 Aug [2011]``."""
    circa = qualifier == "circa"
    prefix = _PREFIX.get(qualifier or "", "")
    guessed = inferred is not None
    if "/" in edtf:
        left, right = edtf.split("/", 1)
        first = _point(left, inferred=guessed) if left not in ("", "..") else None
        last = _point(right, inferred=guessed) if right not in ("", "..") else None
        if first is not None and last is not None:
            if prefix == "from":
                prefix = ""  # "from 2014 to 2016": the interval says it
            joint = " and " if qualifier == "between" else f" {_DASH} "
            words = _span(first, last, circa=circa, joint=joint)
            if qualifier == "between":
                words = f"between {words}"
        elif first is not None:
            words = f"from {_marked(first, circa=circa)}" if right == ".." else f"{_marked(first, circa=circa)} {_DASH} ?"
        elif last is not None:
            words = f"until {_marked(last, circa=circa)}" if left == ".." else f"? {_DASH} {_marked(last, circa=circa)}"
        else:
            words = edtf
        if words.startswith(("until ", "from ")) and prefix in ("until", "from", "since"):
            prefix = ""
        if guessed and "[" not in words:
            words = f"[{words}]"  # a form with no year of its own to bracket: the whole is marked
        text = f"{prefix} {words}" if prefix else words
        return DateDisplay(text, first.parts if first else None, last.parts if last else None, None, plain=False)
    point = _point(edtf, inferred=guessed)
    words = _marked(point, circa=circa)
    if guessed and "[" not in words:
        words = f"[{words}]"
    text = f"{prefix} {words}" if prefix else words
    plain = not prefix and not point.mark and point.kind == "date" and not guessed
    machine = edtf if plain and re.fullmatch(r"[0-9]{4}(?:-[0-9]{2}){0,2}", edtf) else None
    return DateDisplay(text, point.parts, None, machine, plain=plain)
