"""Find the date a sentence is about: the EDTF string and qualifier of its leading or first date expression."""

from __future__ import annotations

import re
from datetime import date
from typing import Final, NamedTuple

from events.when import Qualifier, When

__all__ = ["MONTH_NAMES", "find_when"]

# --- the grammar ---------------------------------------------------------------------------------

MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS: Final[dict[str, int]] = {
    **{name: number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, 1)},
    "Sept": 9,
}
# Capitalised month names only ("may" and "march" are words); not followed by a letter ("Mayor").
_MON: Final = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])\.?"
_DAY: Final = r"[0-9]{1,2}(?:st|nd|rd|th)?(?![^\W_])"
# A year has 3 or 4 digits; with an era mark ("AD 79", "79 CE") it may have fewer.
_YEAR: Final = r"(?:(?:AD|CE)\s?[0-9]{1,4}|[0-9]{1,4}\s?(?:AD|CE)|[0-9]{3,4})(?![^\W_])"

# The forms one side of a date expression can take, most specific first.
_SHAPES: Final = (
    ("iso", r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})(?![0-9])"),
    ("dec", r"(?P<y>[0-9]{3})0['\u2019]?s(?![^\W_])"),
    ("dmy", rf"(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MON})(?:\s+(?P<y>{_YEAR}))?"),
    ("mdy", rf"(?P<m>{_MON})\s+(?P<d>{_DAY})(?:(?P<comma>,)?\s+(?P<y>{_YEAR}))?"),
    ("my", rf"(?P<m>{_MON})\s+(?:of\s+)?(?P<y>{_YEAR})"),
    ("dy", rf"(?P<d>{_DAY})(?P<comma>,)\s+(?P<y>{_YEAR})"),
    ("y", rf"(?P<y>{_YEAR})"),
    ("m", rf"(?P<m>{_MON})"),
    ("d", rf"(?P<d>{_DAY})"),
)
_SHAPE_RES: Final = tuple((name, re.compile(pattern)) for name, pattern in _SHAPES)
_SIDE: Final = "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", pattern) for _, pattern in _SHAPES) + ")"
_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2015"  # hyphens, en dash, em dash, bar
_SEP: Final = rf"(?:\s*[{_DASHES}]\s*|\s+(?:to|and|until|till|through|thru)\s+)"

# One date expression: a side, or two sides joined by a range mark. It must not start inside a
# word or number ("Su-24", "1,500", "10:30", "$2017") except after "mid-", nor end inside one.
_CANDIDATE: Final = re.compile(
    r"(?:(?<=[Mm]id-)|(?<![\w$\u20ac\u00a3\u00a5\u20a4#/\\-]))(?<![0-9][.,:])"
    rf"(?P<left>{_SIDE})(?:(?P<sep>{_SEP})(?P<right>{_SIDE}))?"
    r"(?![0-9%]|[.,:/-][0-9])"
)

# The words just before an expression: "in", "by the end of", "in the early", "c.", "mid-".
_W: Final = r"(?<![^\W_])"  # starts a word
_LEAD: Final = re.compile(
    rf"(?:{_W}(?P<prep>up\s+(?:to|until)|prior\s+to|as\s+of|in|on|by|since|from|until|till|['\u2019]?til"
    r"|after|before|during|throughout|between)\s+)?"
    rf"(?:{_W}(?P<circa>circa|around|about|approximately|roughly|ca?\.)\s*)?"
    rf"(?:{_W}(?P<the>the)\s+)?"
    rf"(?:{_W}(?P<mod>early|mid|late|(?:beginning|start|middle|end)\s+of)(?:\s*[-\u2013]\s*|\s+))?"
    r"\Z",
    re.IGNORECASE,
)
_PREP_QUALIFIER: Final[dict[str, Qualifier]] = {
    "on": "on",
    "in": "in",
    "during": "in",
    "throughout": "in",
    "by": "by",
    "as of": "by",
    "after": "after",
    "before": "before",
    "prior to": "before",
    "until": "until",
    "till": "until",
    "til": "until",
    "up to": "until",
    "up until": "until",
}
_OPEN_PREPS: Final = frozenset({"since", "from"})
_RANGE_SEPS: Final[dict[str, frozenset[str]]] = {
    "from": frozenset({"to", "until", "till", "through", "thru"}),
    "between": frozenset({"and"}),
}
_CIRCA_PREPS: Final = frozenset({"in", "on", "during", "throughout"})
_MOD_KIND: Final = {
    "early": "early",
    "beginning of": "early",
    "start of": "early",
    "mid": "mid",
    "middle of": "mid",
    "late": "late",
    "end of": "late",
}
_SEASONS: Final = {"early": ("01", "04"), "mid": ("05", "08"), "late": ("09", "12")}

# What may follow a bare number that makes it a count, amount or duration rather than a year.
_FOLLOW: Final = re.compile(r"[^\S\n]*(?:(?P<pct>%|per\s*cent(?![^\W_])|percent(?![^\W_]))|(?P<word>[^\W\d_][\w'\u2019]*))")
_NOT_YEAR_WORDS: Final = frozenset(
    [
        "year",
        "years",
        "yr",
        "yrs",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "hour",
        "hours",
        "hr",
        "hrs",
        "h",
        "minute",
        "minutes",
        "min",
        "mins",
        "second",
        "seconds",
        "decade",
        "decades",
        "century",
        "centuries",
        "am",
        "pm",
        "people",
        "men",
        "women",
        "children",
        "persons",
        "troops",
        "police",
        "personnel",
        "staff",
        "militia",
        "infantry",
        "cattle",
        "strong",
        "more",
        "fewer",
        "plus",
        "odd",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
        "km",
        "kilometres",
        "kilometers",
        "m",
        "mi",
        "kg",
        "t",
        "tonnes",
        "ft",
        "feet",
        "sq",
        "square",
        "ha",
    ]
)
_NOT_PLURAL: Final = frozenset(
    [
        "was",
        "has",
        "does",
        "goes",
        "always",
        "perhaps",
        "besides",
        "towards",
        "afterwards",
        "onwards",
        "upwards",
        "whereas",
        "sometimes",
        "unless",
        "thus",
        "its",
        "this",
        "his",
        "hers",
        "ours",
        "yours",
        "theirs",
        "across",
        "nevertheless",
        "regardless",
        "news",
    ]
)
_CHANGE_VERBS: Final = frozenset(
    [
        "increased",
        "decreased",
        "rose",
        "risen",
        "fell",
        "fallen",
        "grew",
        "grown",
        "dropped",
        "declined",
        "reduced",
        "cut",
        "raised",
        "outnumbered",
        "exceeded",
        "up",
        "down",
    ]
)
_WORD_BEFORE: Final = re.compile(r"([^\W\d_]+)\s+\Z")
_START_PUNCT: Final = re.compile(r"\s*[,:]")


class _Point(NamedTuple):
    """One side of a date expression as read: its shape and the parts it states."""

    shape: str  # y, dec, my, dmy (a full day), dm, md (a day without year), m, d, dy
    year: int | None
    month: int | None
    day: int | None
    era: bool = False  # the year carries "AD"/"CE"
    digits: int = 0  # how many digits a bare day-like number has ("16" in "2014-16")
    comma: bool = False  # the year follows a comma ("May 7, 2018")


class _Stop:
    """The leading date lacks its year and none was hinted: the sentence stays undated."""


_STOP: Final = _Stop()


# --- reading -------------------------------------------------------------------------------------


def _year(text: str) -> tuple[int, bool]:
    """The number of a year token and whether it carries an era mark."""
    digits = re.search(r"[0-9]+", text)
    return (int(digits.group()) if digits else 0), ("AD" in text or "CE" in text)


def _parse_side(text: str) -> _Point | None:
    """Read one side of an expression by the first shape it fits."""
    for shape, pattern in _SHAPE_RES:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groupdict()
        month_text, day_text, year_text = parts.get("m"), parts.get("d"), parts.get("y")
        if shape == "dec":
            return _Point("dec", int(year_text or 0), None, None)
        month = None
        if month_text is not None:
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.rstrip(".")]
        day_digits = re.match(r"[0-9]+", day_text) if day_text else None
        day = int(day_digits.group()) if day_digits else None
        year, era = _year(year_text) if year_text else (None, False)
        kind = shape
        if shape in ("iso", "dmy", "mdy"):
            kind = "dmy" if year is not None else ("dm" if shape == "dmy" else "md")
        comma = bool(parts.get("comma"))
        return _Point(kind, year, month, day, era, len(day_digits.group()) if day_digits else 0, comma)
    return None


def _combine(left: _Point, right: _Point) -> tuple[_Point, _Point] | None:
    """Fill the parts a range's sides share ("30-31 October 2020"), or None when they do not pair."""
    full = ("y", "my", "dmy")
    if left.shape in full and right.shape in full:
        return left, right
    if left.shape == "y" and right.shape == "d" and right.digits == 2 and not left.era:
        assert left.year is not None and right.day is not None
        return left, _Point("y", left.year - left.year % 100 + right.day, None, None)
    if left.shape == "d" and right.shape in ("dmy", "dm"):
        return left._replace(shape=right.shape, month=right.month, year=right.year), right
    if (left.shape, right.shape) in {("dm", "dmy"), ("dm", "dm"), ("md", "dmy"), ("md", "md"), ("m", "my"), ("m", "m")}:
        return left._replace(shape=right.shape, year=right.year), right
    if left.shape == "md" and right.shape in ("d", "dy"):
        right = right._replace(shape="dmy" if right.shape == "dy" else "md", month=left.month)
        return left._replace(shape=right.shape, year=right.year), right
    return None


def _edtf(point: _Point) -> str | None:
    """The EDTF string of one point, or None when it names no real day, month or year."""
    year, month, day = point.year, point.month, point.day
    if year is None:
        return None
    if point.shape == "dec":
        if year % 10 == 0 and year != 200:  # "the 1300s" is a century; "the 2000s" a decade
            return f"{year // 10:02d}XX" if 1 <= year <= 999 else None
        return f"{year:03d}X" if 1 <= year <= 999 else None
    if not 1 <= year <= 9999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        date(year, month, day)
    except ValueError:  # 31 February
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _key(point: _Point) -> tuple[int, int, int]:
    """Order points by their earliest day."""
    return (point.year or 0, point.month or 0, point.day or 0)


def _counted(text: str, end: int) -> bool:
    """Whether the number ending at ``end`` is followed by what makes it a count, amount or name."""
    found = _FOLLOW.match(text, end)
    if found is None:
        return False
    if found["pct"]:
        return True
    word = found["word"]
    if word[0].isupper():  # "the 1973 Constitution", "2014 Libyan elections"
        return True
    low = word.lower()
    if low in _NOT_YEAR_WORDS:
        return True
    return (
        len(low) >= 4 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s", "\u2019s")) and low not in _NOT_PLURAL
    )


def _after_change_verb(text: str, prep_start: int) -> bool:
    """Whether "by" follows a verb of change ("rose by 2000"), making the number an amount."""
    found = _WORD_BEFORE.search(text, max(0, prep_start - 40), prep_start)
    return found is not None and found.group(1).lower() in _CHANGE_VERBS


def _standalone(text: str, start: int, end: int) -> bool:
    """A bare year at the very start followed by "," or ":", or making up the whole text."""
    if text[:start].strip():
        return False
    return bool(_START_PUNCT.match(text, end)) or text[end:].strip() in ("", ".")


def _points(text: str, found: re.Match[str], prep: str | None) -> tuple[list[_Point], int] | None:
    """The one or two points the expression stands for, and where it ends."""
    left = _parse_side(found["left"])
    if left is None:
        return None
    if found["right"] is None:
        return [left], found.end()
    right = _parse_side(found["right"])
    combined = _combine(left, right) if right is not None else None
    if combined is None:
        return [left], found.end("left")
    sep = found["sep"].strip().lower()
    if sep[:1] in _DASHES or sep in _RANGE_SEPS.get(prep or "", ()):
        return list(combined), found.end()
    return [combined[0]], found.end("left")  # "in March and April 2017": March 2017


def _read(text: str, found: re.Match[str], hint: int | None) -> When | _Stop | None:
    """The date one candidate expression states, None when it is not a date, or _STOP."""
    start = found.start()
    lead = _LEAD.search(text, max(0, start - 80), start)
    assert lead is not None  # every part is optional
    prep = re.sub(r"\s+", " ", lead["prep"].lower()).lstrip("'\u2019") if lead["prep"] else None
    read = _points(text, found, prep)
    if read is None:
        return None
    points, end = read
    if any(point.shape in ("d", "dy") for point in points):
        return None  # a day with no month: a count
    numeric = all(point.shape == "y" and not point.era for point in points)
    if numeric or all(point.shape == "m" for point in points):
        in_context = bool(lead["circa"] or lead["mod"] or (prep and (prep != "between" or len(points) == 2)))
        if lead["the"] and not lead["mod"]:
            in_context = False  # "the 1973 Constitution", "in the 2018-2019 battle"
        if numeric and not in_context:
            in_context = _standalone(text, start, end)
        if not in_context:
            return None
        if numeric and prep == "by" and _after_change_verb(text, lead.start("prep")):
            return None
    if (numeric or points[-1].comma) and _counted(text, end):
        return None
    if any(point.year is None for point in points):
        if hint is None:
            return _STOP
        points = [point._replace(year=hint) if point.year is None else point for point in points]
    return _when(points, prep, lead["circa"] is not None, lead["mod"])


def _when(points: list[_Point], prep: str | None, circa: bool, mod: str | None) -> When | None:
    """Build the When of the read points, its qualifier from the words before them."""
    edtfs = [_edtf(point) for point in points]
    ends = [edtf for edtf in edtfs if edtf is not None]
    if len(ends) != len(points):
        return None
    if len(points) == 2 and not _key(points[0]) < _key(points[1]):
        return None
    kind = _MOD_KIND.get(re.sub(r"\s+", " ", mod.lower())) if mod else None
    point = points[0]
    if len(points) == 1 and kind and point.shape == "y":
        first, last = _SEASONS[kind]
        ends = [f"{ends[0]}-{first}~", f"{ends[0]}-{last}~"]
    elif len(points) == 1 and kind and point.shape in ("my", "m"):
        ends = [f"{ends[0]}~"]
    if circa:
        ends = [edtf if edtf.endswith("~") else f"{edtf}~" for edtf in ends]
    qualifier: Qualifier | None
    if prep in _OPEN_PREPS and not (prep == "from" and len(points) == 2):
        start = ends[0]
        if point.shape == "dec":  # EDTF has no "199X/..": the decade's first year
            start = f"{point.year:03d}0{'~' if circa else ''}"
        ends, qualifier = [start, ".."], None
    elif len(points) == 2 and prep in ("from", "between"):
        qualifier = None
    elif circa and prep in (None, *_CIRCA_PREPS):
        qualifier = "circa"
    else:
        qualifier = _PREP_QUALIFIER.get(prep or "")
    try:
        return When(edtf="/".join(ends), qualifier=qualifier)
    except ValueError:
        return None


def find_when(text: str, *, year_hint: int | None = None) -> When | None:
    """The date of the leading or first date expression in `text`, or None when it states no date.

    ``year_hint`` is the year given to a date written without one ("On 22 September, ...");
    without it such a leading date leaves the text undated rather than guessing.
    """
    hint = year_hint if isinstance(year_hint, int) and 1 <= year_hint <= 9999 else None
    for found in _CANDIDATE.finditer(text):
        when = _read(text, found, hint)
        if isinstance(when, _Stop):
            return None
        if when is not None:
            return when
    return None
