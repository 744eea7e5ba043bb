"""Find the date a sentence is about: its EDTF string, qualifier and inferred parts, and the year of the story around it.

The rules, with their examples, are in docs/DECISIONS.md ("Dates read from the text"). In short: the first date
expression that the words make a date (a preposition, a month or day, an era, a season, early/mid/late, "c.", the
start of the sentence) is the sentence's date; a year in a name ("the 1958 Constitution", "Act 1918") or a number
that counts ("300-400 soldiers", "for 21 months") is not a date; a date in an attributive or parenthetical
position ("the 2011 census", "(1648)") is used when the sentence has no other. A date written without its year
takes the year of a later date in the same sentence, else the year of the story (``Story``), and is then marked
``inferred``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from events.when import Qualifier, When

__all__ = ["MONTH_NAMES", "DateReading", "Story", "find_date", "find_when"]

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
_DAY: Final = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![^\W_])"
_BC: Final = r"(?:BCE|BC|B\.C\.E\.|B\.C\.)"
_AD: Final = r"(?:AD|CE|A\.D\.|C\.E\.)"
# A year has 3 or 4 digits; with an era mark ("AD 79", "79 CE", "44 BC") it may have fewer.
_YEAR: Final = rf"(?:{_AD}\s?[0-9]{{1,4}}|[0-9]{{1,4}}\s?(?:{_BC}|{_AD})|[0-9]{{3,4}})(?![^\W_])"
_ORDINALS: Final = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first"]
_ORDINAL_WORD: Final = "(?i:" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + ")"
_SEASON_MONTHS: Final = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

# The forms one side of a date expression can take, most specific first.
_SHAPES: Final = (
    ("iso", r"(?P<y>[0-9]{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3][0-9])(?![0-9])"),
    (
        "cent",
        rf"(?:(?P<n>[0-9]{{1,2}})(?:st|nd|rd|th)|(?P<w>{_ORDINAL_WORD}))[\s-]+(?i:century)(?:\s+(?P<era>{_BC}|{_AD}))?",
    ),
    (
        "season",
        rf"(?P<s>(?i:spring|summer|autumn|fall|winter))(?:\s+of)?,?\s+(?P<y>{_YEAR})"
        r"(?:\s*[-\u2013/]\s*(?P<y2>[0-9]{2}|[0-9]{4})(?![0-9]))?",
    ),
    ("dec", r"(?P<y>[0-9]{3}0)['\u2019]?s(?![^\W_])"),
    ("dmy", rf"(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MON})(?:,?\s+(?P<y>{_YEAR}))?"),
    ("mdy", rf"(?P<m>{_MON})\s+(?P<d>{_DAY})(?:(?P<comma>,)?\s+(?P<y>{_YEAR}))?"),
    ("my", rf"(?P<m>{_MON})(?P<comma>,)?\s+(?:of\s+)?(?P<y>{_YEAR})"),
    ("dy", rf"(?P<d>{_DAY})(?P<comma>,)?\s+(?P<y>{_YEAR})"),
    ("y", rf"(?P<y>{_YEAR})"),
    ("m", rf"(?P<m>{_MON})"),
    ("d", rf"(?P<d>{_DAY})"),
    ("yy", r"(?P<yy>[0-9]{2})(?![0-9])"),
)
_MOD: Final = (
    r"(?P<mod>(?i:early|mid|late|(?:the\s+)?(?:very\s+)?(?:beginning|start|middle|end|first\s+half|second\s+half)\s+of"
    r"(?:\s+the)?))(?:\s*[-\u2010\u2011]\s*|\s+)"
)
_MOD_RE: Final = re.compile(_MOD)
_SHAPE_RES: Final = tuple((name, re.compile(pattern)) for name, pattern in _SHAPES)


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_SIDE: Final = f"(?:{_unnamed(_MOD)})?(?:" + "|".join(_unnamed(pattern) for _, pattern in _SHAPES) + ")"
_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2015"  # hyphens, en dash, em dash, bar
_SEP: Final = (
    rf"(?:\s*[{_DASHES}]\s*|/|,?\s+(?:to|until|till|through|thru|and|or|&)\s+(?:the\s+)?)"
)

# One date expression: a side, or two sides joined by a range or list mark. It must not start inside a word or
# number ("Su-24", "1,500", "10:30", "$2017"), nor end inside one.
_CANDIDATE: Final = re.compile(
    r"(?<![\w$\u20ac\u00a3\u00a5\u20a4#/\\\u2010\u2011-])(?<![0-9][.,:])"
    rf"(?P<left>{_SIDE})(?:(?P<sep>{_SEP})(?P<right>{_SIDE}))?"
    r"(?![0-9%]|[.,:/-][0-9])"
)

# The words just before an expression: "in", "by the end of", "on the night of", "c.", "since around".
_W: Final = r"(?<![^\W_])"  # starts a word
_PREPS: Final = (
    r"up\s+(?:to|until)|prior\s+to|as\s+of|as\s+early\s+as|no\s+later\s+than|not\s+until|(?:beginning|starting)\s+(?:in|on)"
    r"|in|on|at|by|since|from|until|till|['\u2019]?til|after|before|during|throughout|between|for|of"
)
_LEAD: Final = re.compile(
    rf"(?:{_W}(?P<prep>{_PREPS})\s+)?"
    rf"(?:{_W}(?P<circa>(?:or\s+)?(?:circa|around|about|approximately|roughly|sometime\s+(?:in|around)|ca?\.)\s*))?"
    rf"(?:{_W}(?P<the>the)\s+)?"
    rf"(?:{_W}(?P<tod>(?:early\s+|late\s+|small\s+)?(?:morning|afternoon|evening|night|dawn|daybreak|hours|morning\s+hours)\s+of)\s+(?:the\s+)?)?"
    rf"(?:{_W}(?P<wd>(?:mon|tues|wednes|thurs|fri|satur|sun)day),?\s+(?:the\s+)?)?"
    rf"(?:{_W}(?P<yw>years?)\s+)?"
    r"\Z",
    re.IGNORECASE,
)
_PREP_QUALIFIER: Final[dict[str, Qualifier]] = {
    "on": "on",
    "in": "in",
    "at": "in",
    "during": "during",
    "throughout": "during",
    "by": "by",
    "no later than": "by",
    "after": "after",
    "before": "before",
    "prior to": "before",
    "until": "until",
    "till": "until",
    "til": "until",
    "up to": "until",
    "up until": "until",
    "not until": "until",
    "since": "since",
    "from": "from",
    "beginning in": "from",
    "starting in": "from",
    "beginning on": "from",
    "starting on": "from",
    "between": "between",
}
_WEAK_PREPS: Final = frozenset({"for", "of", "as early as"})
"""Words that make a bare year a date but say nothing of how the fact relates to it."""
_RANGE_WORDS: Final = frozenset({"to", "until", "till", "through", "thru"})
_LIST_WORDS: Final = frozenset({"and", "&"})
_CIRCA_PREPS: Final = frozenset({"in", "on", "at", "during", "throughout"})
_MOD_KIND: Final = {"early": "early", "beginning": "early", "start": "early", "mid": "mid", "middle": "mid", "late": "late", "end": "late"}
_THIRDS: Final = {"early": 0, "mid": 1, "late": 2}
_YEAR_PARTS: Final = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "h1": (1, 6), "h2": (7, 12)}

# What may follow a bare number that makes it a count, amount or duration rather than a year.
_FOLLOW: Final = re.compile(r"[^\S\n]*(?:(?P<pct>%|per\s*cent(?![^\W_])|percent(?![^\W_]))|(?P<word>[^\W\d_][\w'\u2019-]*))")
_NOT_YEAR_WORDS: Final = frozenset(
    ["year", "years", "yr", "yrs", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "hr", "hrs", "h", "minute", "minutes", "min", "mins", "second", "seconds", "decade", "decades", "century", "centuries", "am", "pm", "a.m.", "p.m.", "people", "men", "women", "children", "persons", "troops", "police", "personnel", "staff", "militia", "infantry", "cattle", "strong", "more", "fewer", "plus", "odd", "hundred", "thousand", "million", "billion", "trillion", "km", "kilometres", "kilometers", "m", "mi", "miles", "metres", "meters", "kg", "t", "tonnes", "tons", "ft", "feet", "sq", "square", "ha", "acres", "of", "out", "times", "votes", "soldiers", "fighters", "civilians", "casualties", "dead", "killed", "wounded", "prisoners", "refugees", "residents", "inhabitants", "members", "workers", "students", "deaths", "vehicles", "tanks", "aircraft", "ships", "guns", "rockets", "shells", "points", "goals", "runs", "seats", "percent", "dollars", "pounds", "euros", "rupees", "households", "families", "homes", "houses", "buildings", "units", "copies"]
)
_EVENT_PLURALS: Final = frozenset(
    ["elections", "protests", "riots", "attacks", "games", "championships", "floods", "talks", "negotiations", "bombings", "killings", "strikes", "uprisings", "events", "celebrations", "playoffs", "finals", "hearings", "trials", "sanctions", "reforms", "revolutions", "wars", "campaigns", "offensives", "airstrikes", "clashes", "massacres", "earthquakes", "purges", "coups", "olympics", "discussions", "amendments", "accords", "agreements", "treaties", "accords", "summits", "conferences", "sessions", "season", "seasons"]
)
_QUANTITY_NOUNS: Final = frozenset(
    ["population", "total", "crowd", "force", "army", "garrison", "group", "sum", "budget", "number", "maximum", "minimum", "average", "score", "height", "depth", "length", "distance", "strength", "capacity", "rate", "toll", "figure", "estimate", "count", "tally", "majority", "margin", "area", "cost", "price", "value", "income", "revenue", "salary", "fine", "fee", "payment", "debt", "loan", "grant", "ransom", "bounty"]
)
_NUMBER_NAMES: Final = frozenset(
    ["page", "pages", "pp", "p", "no", "nos", "number", "vol", "volume", "chapter", "section", "article", "paragraph", "route", "flight", "highway", "resolution", "code", "model", "type", "grade", "level", "hill", "height", "elevation", "altitude", "temperature", "score", "room", "platform", "line", "bus", "road", "junction", "exit", "track", "gate", "pier", "km", "mile", "kilometre", "kilometer", "at"]
)
_CHANGE_VERBS: Final = frozenset(
    ["increased", "decreased", "rose", "risen", "fell", "fallen", "grew", "grown", "dropped", "declined", "reduced", "cut", "raised", "outnumbered", "exceeded", "up", "down", "won", "lost", "beaten", "trailed", "led"]
)
_WORD_BEFORE: Final = re.compile(r"([^\W\d_][\w.]*)\W*\Z")
_START_PUNCT: Final = re.compile(r"\s*[,:]")
_FOOTNOTE: Final = re.compile(r"\[(?:[0-9]{1,3}|[a-z]|note\s*[0-9]+|[a-z][a-z ]{2,25})\]")
_AH_YEAR: Final = re.compile(r"(?<![^\W_])(?:AH|A\.H\.)\s?[0-9]{1,4}\s*/\s*(?=[0-9]{3,4}(?![0-9]))")
"""A year given in two calendars, "AH 35 / 655": the Hijri part is dropped so the Gregorian one is read."""
_PAST_PERFECT: Final = re.compile(r"(?<![^\W_])had\s+(?:\w+\s+)?(?:been|\w+ed|\w+en|studied|fought|left|met|won|lost|made)(?![^\W_])")
_CONNECTIVE: Final = re.compile(r"\W*(?:[^\W\d_]+(?:\s+[^\W\d_]+)?,\s*)?\Z")
"""What may stand before a leading date: nothing, or a word or two and a comma ("Later, on 4 August ...")."""


class _Point(NamedTuple):
    """One side of a date expression as read: its shape and the parts it states."""

    shape: str  # y, my, dmy (all stated); dm, md (a day without year); m; d; dy; dec; cent; season
    year: int | None  # astronomical (1 BC is 0)
    month: int | None
    day: int | None
    mod: str | None = None  # early, mid, late, h1, h2
    era: bool = False  # the year carries an era mark
    digits: int = 0  # how many digits a bare day-like number has ("16" in "2014-16")
    comma: bool = False  # the year follows a comma ("May 7, 2018")
    extra: int = 0  # a century's number, a season's last month, a winter's second year


class _Impossible(Exception):
    """A date the calendar does not have ("31 February 2011")."""


@dataclass(frozen=True, slots=True)
class DateReading:
    """What a sentence says about its date."""

    when: When | None
    """The date, or None when the sentence states none."""
    problem: str | None = None
    """Why a date the sentence seems to state was not taken ("31 February 2011 is not a day of the calendar")."""
    leading: bool = False
    """The date opens the sentence ("On 4 August 2011, ..."): it sets the story's year even when earlier."""
    aside: bool = False
    """The date is in parentheses or in a past-perfect clause: it does not move the story's year back."""


@dataclass(frozen=True, slots=True)
class _Found:
    when: When
    strong: bool
    leading: bool
    paren: bool


# --- reading one side ----------------------------------------------------------------------------


def _year(text: str) -> tuple[int, bool]:
    """The astronomical number of a year token and whether it carries an era mark."""
    digits = re.search(r"[0-9]+", text)
    number = int(digits.group()) if digits else 0
    if re.search(_BC, text):
        return 1 - number, True
    return number, bool(re.search(_AD, text))


def _parse_side(text: str) -> _Point | None:
    """Read one side of an expression (after its early/mid/late) by the first shape it fits."""
    mod: str | None = None
    found_mod = _MOD_RE.match(text)
    if found_mod is not None:
        words = found_mod["mod"].lower().split()
        if "half" in words:
            mod = "h1" if "first" in words else "h2"
        else:
            mod = next((_MOD_KIND[word] for word in words if word in _MOD_KIND), None)
        text = text[found_mod.end() :]
    for shape, pattern in _SHAPE_RES:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groupdict()
        if shape == "cent":
            number = int(parts["n"]) if parts["n"] else _ORDINALS.index(parts["w"].lower()) + 1
            bc = parts["era"] is not None and re.fullmatch(_BC, parts["era"]) is not None
            return _Point("cent", None, None, None, mod, bc, extra=number) if 1 <= number <= 21 else None
        if shape == "dec":
            return _Point("dec", int(parts["y"]), None, None, mod)
        if shape == "season":
            year, era = _year(parts["y"])
            first, last = _SEASON_MONTHS[parts["s"].lower()]
            second = year + (1 if first > last else 0)
            if parts["y2"]:
                given = int(parts["y2"])
                second = year - year % 100 + given if len(parts["y2"]) == 2 else given
                if second != year + 1:
                    return None
            return _Point("season", year, first, None, mod, era, extra=second * 100 + last)
        if shape == "yy":
            return _Point("yy", None, None, None, mod, digits=2, extra=int(parts["yy"]))
        month_text, day_text, year_text = parts.get("m"), parts.get("d"), parts.get("y")
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
        return _Point(kind, year, month, day, mod, era, len(day_digits.group()) if day_digits else 0, comma)
    return None


def _combine(left: _Point, right: _Point, sep: str) -> tuple[_Point, _Point] | None:
    """Fill the parts a range's sides share ("30-31 October 2020"), or None when they do not pair."""
    full = ("y", "my", "dmy", "dec", "cent", "season")
    dash = sep[:1] in _DASHES or sep == "/"
    if sep == "/":  # only a season of two years: "2015/16", "1990/1991"
        if left.shape == "y" and right.shape == "y" and left.year is not None and right.year == left.year + 1:
            return left, right
        if not (left.shape == "y" and right.shape in ("d", "yy") and right.digits == 2):
            return None
    if left.shape in full and right.shape in full:
        if left.shape == "y" and right.shape == "y" and left.era != right.era and right.era and right.year is not None:
            if right.year <= 0 and left.year is not None:  # "44-30 BC"
                return left._replace(year=1 - left.year, era=True), right
        return left, right
    if left.shape == "y" and right.shape in ("d", "yy") and right.digits == 2 and not left.era and dash:
        # "2014-16", "1990–91": the right side's last two digits
        assert left.year is not None
        number = right.day if right.shape == "d" else right.extra
        year = left.year - left.year % 100 + number
        return (left, _Point("y", year, None, None, right.mod)) if year > left.year else None
    if left.shape == "d" and right.shape in ("dmy", "dm"):
        return left._replace(shape=right.shape, month=right.month, year=right.year), right
    if (left.shape, right.shape) in {("dm", "dmy"), ("dm", "dm"), ("md", "dmy"), ("md", "md"), ("m", "my"), ("m", "m")}:
        return left._replace(shape=right.shape, year=right.year), right
    if left.shape == "md" and right.shape in ("d", "dy"):
        right = right._replace(shape="dmy" if right.shape == "dy" else "md", month=left.month)
        return left._replace(shape=right.shape, year=right.year), right
    return None


# --- from points to EDTF -------------------------------------------------------------------------


def _y(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def _ym(year: int, month: int) -> str:
    return f"{_y(year)}-{month:02d}"


def _span(point: _Point) -> tuple[str, str]:
    """The first and last EDTF point of one side (the same for a plain date); raises _Impossible."""
    year, month, day, mod = point.year, point.month, point.day, point.mod
    if point.shape == "cent":
        number = point.extra
        if point.era:  # BC: the nth century runs from n*100 BC down to (n-1)*100+1 BC
            first, last = number * 100, (number - 1) * 100 + 1
            if mod in _THIRDS:
                third = _THIRDS[mod]
                first, last = number * 100 - [0, 34, 67][third], number * 100 - [33, 66, 99][third]
            return _y(1 - first), _y(1 - last)
        first, last = (number - 1) * 100 + 1, number * 100
        if mod in _THIRDS:
            first, last = first + [0, 33, 66][_THIRDS[mod]], first + [32, 65, 99][_THIRDS[mod]]
        return _y(first), _y(last)
    assert year is not None
    if point.shape == "dec":
        century = year % 100 == 0 and year != 2000
        if mod in _THIRDS:
            if century:
                first = year + [0, 34, 67][_THIRDS[mod]]
                return _y(first), _y(year + [33, 66, 99][_THIRDS[mod]])
            return _y(year + [0, 4, 7][_THIRDS[mod]]), _y(year + [3, 6, 9][_THIRDS[mod]])
        edtf = f"{year // 100:02d}XX" if century else f"{year // 10:03d}X"
        return edtf, edtf
    if not -9999 <= year <= 9999:
        raise _Impossible
    if point.shape == "season":
        second, last = divmod(point.extra, 100)
        assert month is not None
        return _ym(year, month), _ym(second, last)
    if month is None:
        if mod in _YEAR_PARTS:
            first, last = _YEAR_PARTS[mod]
            return _ym(year, first), _ym(year, last)
        return _y(year), _y(year)
    if day is None:
        if mod in _THIRDS:
            first, last = [(1, 10), (11, 20), (21, calendar.monthrange(year if year > 0 else 2000, month)[1])][_THIRDS[mod]]
            return f"{_ym(year, month)}-{first:02d}", f"{_ym(year, month)}-{last:02d}"
        return _ym(year, month), _ym(year, month)
    if year <= 0 or day > calendar.monthrange(year, month)[1]:
        raise _Impossible
    edtf = f"{_ym(year, month)}-{day:02d}"
    return edtf, edtf


def _key(point: _Point) -> tuple[int, int, int]:
    """Order points by their earliest day."""
    if point.shape == "cent":
        return ((point.extra - 1) * 100 if not point.era else -point.extra * 100, 0, 0)
    return (point.year or 0, point.month or 0, point.day or 0)


def _words(point: _Point) -> str:
    day = f"{point.day} " if point.day else ""
    month = f"{MONTH_NAMES[point.month - 1]} " if point.month and point.shape not in ("season",) else ""
    return f"{day}{month}{point.year}".strip()


# --- deciding whether a number is a year ---------------------------------------------------------


def _counted(text: str, end: int, *, prep: bool) -> bool:
    """Whether the number ending at ``end`` is followed by what makes it a count, amount or name."""
    found = _FOLLOW.match(text, end)
    if found is None:
        return False
    if found["pct"]:
        return True
    word = found["word"]
    low = word.lower()
    if low in _NOT_YEAR_WORDS:
        return True
    if low in _EVENT_PLURALS or prep:
        return False
    return len(low) >= 4 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s", "\u2019s"))


def _name_follows(text: str, end: int) -> bool:
    """A capitalised word follows the number: "the 1958 Constitution", "the 2014 Libyan elections"."""
    found = _FOLLOW.match(text, end)
    return found is not None and found["word"] is not None and found["word"][0].isupper()


def _noun_follows(text: str, end: int) -> bool:
    """A lower-case word follows ("the 2011 census"), not a verb-like ending of the clause."""
    found = _FOLLOW.match(text, end)
    return found is not None and found["word"] is not None and found["word"][0].islower()


def _word_before(text: str, start: int) -> str:
    found = _WORD_BEFORE.search(text, max(0, start - 40), start)
    return found.group(1).lower().rstrip(".") if found else ""


def _in_parentheses(text: str, start: int) -> bool:
    return text.rfind("(", 0, start) > text.rfind(")", 0, start)


def _standalone(text: str, start: int, end: int) -> bool:
    """A bare year that opens the text followed by ",", ":" or a lower-case word ("1918 saw ..."), or is all of it."""
    if text[:start].strip(" \"'\u201c\u2018"):
        return False
    rest = text[end:].strip()
    return bool(_START_PUNCT.match(text, end)) or rest in ("", ".") or (rest[:1].islower() and not _counted(text, end, prep=False))


def _paren_alone(text: str, start: int, end: int) -> bool:
    """The expression is all a parenthesis holds, perhaps after "born", "died", "c." or "r." ("(1648)", "(born 1950)")."""
    before = text[max(0, start - 12) : start]
    return bool(re.search(r"\((?:(?:born|died|d\.|b\.|r\.|reigned|fl\.|est\.)\s+)?\s*\Z", before)) and bool(
        re.match(r"\s*[);,]", text[end:])
    )


# --- reading one expression ----------------------------------------------------------------------


def _points(found: re.Match[str], prep: str | None) -> tuple[list[_Point], int, str] | None:
    """The one or two points the expression stands for, where it ends, and how they join ("", "range", "list", "or")."""
    left = _parse_side(found["left"])
    if left is None:
        return None
    if found["right"] is None:
        return [left], found.end(), ""
    right = _parse_side(found["right"])
    sep = found["sep"].strip().lower().removeprefix(",").strip().removesuffix(" the").strip()
    combined = _combine(left, right, sep) if right is not None else None
    if combined is None:
        return [left], found.end("left"), ""
    if sep[:1] in _DASHES or sep in _RANGE_WORDS or sep == "/":
        return list(combined), found.end(), "range"
    if sep in _LIST_WORDS or sep == "or":
        a, b = combined
        near = a.shape != "y" or (a.year is not None and b.year is not None and 0 < b.year - a.year <= 1)
        if prep == "between" or (near and a.year == b.year) or (near and a.shape == "y"):
            return list(combined), found.end(), "or" if sep == "or" else "list"
    return [combined[0]], found.end("left"), ""


def _lead_of(text: str, start: int) -> re.Match[str]:
    lead = _LEAD.search(text, max(0, start - 90), start)
    assert lead is not None  # every part is optional
    return lead


def _expression(text: str, found: re.Match[str]) -> tuple[re.Match[str], str | None, list[_Point], int, str] | None:
    """The lead words, preposition, points, end and joining of one candidate; None when it is no date shape."""
    start = found.start()
    lead = _lead_of(text, start)
    prep = re.sub(r"\s+", " ", lead["prep"].lower()).lstrip("'\u2019") if lead["prep"] else None
    read = _points(found, prep)
    if read is None:
        return None
    points, end, join = read
    if any(point.shape in ("d", "dy", "yy") for point in points):
        return None  # a day with no month: a count
    return lead, prep, points, end, join


def _is_date(text: str, found: re.Match[str], lead: re.Match[str], prep: str | None, points: list[_Point], end: int) -> str | None:
    """Whether the words around make the expression a date: "strong", "weak" (attributive, parenthetical) or None."""
    start = found.start()
    numeric = all(point.shape == "y" and not point.era and point.mod is None for point in points)
    if points[0].shape == "m" and all(point.shape == "m" for point in points):
        strong = bool(lead["circa"] or points[0].mod or (prep and prep not in _WEAK_PREPS and prep != "at"))
        return "strong" if strong else None
    if not numeric:
        if points[-1].comma and points[-1].shape in ("my", "y") and _counted(text, end, prep=False):
            return None  # "May 7, 2000 people"
        if prep == "at" and not points[0].mod:
            prep = None
        return "strong"
    # a bare number: a year only where the words say so
    if prep == "between" and len(points) != 2:
        return None
    before = _word_before(text, lead.start())
    if before in _NUMBER_NAMES or (prep is None and _word_before(text, start) in _NUMBER_NAMES):
        return None
    if prep in ("by", "from", "to") and before in _CHANGE_VERBS:
        return None
    if prep == "at" and not lead["the"]:
        return None
    if lead["yw"]:
        return "weak" if not _counted(text, end, prep=True) else None
    if lead["the"]:
        if _name_follows(text, end) or _counted(text, end, prep=False) or not _noun_follows(text, end):
            return None  # "the 1958 Constitution", "the 2000 soldiers"
        return "strong" if prep and prep not in _WEAK_PREPS else "weak"
    if prep in _WEAK_PREPS or (prep is None and lead["circa"] is None):
        if _counted(text, end, prep=False):
            return None
        if prep == "of":
            if before in _QUANTITY_NOUNS or not before or before[0].isdigit():
                return None
            return "weak" if not any(ch.isdigit() for ch in text[end : end + 3]) else None
        if prep == "for":
            return "weak" if points[0].year is not None and 1000 <= points[0].year <= 2100 else None
        if prep == "as early as":
            return "strong"
        if _paren_alone(text, start, end):
            return "weak"
        if _standalone(text, start, end):
            return "strong"
        dashed = found["sep"] is not None and found["sep"].strip()[:1] in _DASHES
        if dashed and len(points) == 2 and all(point.year is not None and 1000 <= point.year <= 2100 for point in points):
            return "weak"  # "He reigned 1154–1189."
        return None
    if _counted(text, end, prep=True):
        return None
    return "strong"


def _qualifier(prep: str | None, circa: bool, points: list[_Point], join: str) -> Qualifier | None:
    if prep == "as of":
        return "on" if points[0].day is not None else "in"
    if circa and prep in (None, *_CIRCA_PREPS):
        return "circa"
    if prep == "between" and len(points) == 1:
        return None
    if prep == "from" or prep is None or prep in _WEAK_PREPS:
        return _PREP_QUALIFIER.get(prep or "")
    return _PREP_QUALIFIER.get(prep)


def _edtf(points: list[_Point], circa: bool, join: str) -> str:
    """The EDTF string of the read points; raises _Impossible."""
    spans = [_span(point) for point in points]
    first, last = spans[0][0], spans[-1][1]
    if len(points) == 2 and not _key(points[0]) < _key(points[1]):
        raise _Impossible
    mark = "?" if join == "or" else ("~" if circa else "")
    if first == last:
        return first + mark
    return f"{first}{mark}/{last}{mark}"


def _read(text: str, found: re.Match[str]) -> tuple[_Found | None, list[_Point] | None, str | None]:
    """Read one candidate: the date (None if not one or if its year is missing), the points when the year is missing,
    and a problem when the calendar has no such day."""
    expression = _expression(text, found)
    if expression is None:
        return None, None, None
    lead, prep, points, end, join = expression
    kind = _is_date(text, found, lead, prep, points, end)
    if kind is None:
        return None, None, None
    if any(point.year is None and point.shape != "cent" for point in points):
        return None, points, None
    circa = lead["circa"] is not None
    try:
        edtf = _edtf(points, circa, join)
        when = When(edtf=edtf, qualifier=_qualifier(prep, circa, points, join))
    except (_Impossible, ValueError):
        shown = text[found.start() : end].strip()
        return None, None, f"'{shown}' is not a day of the calendar"
    paren = _in_parentheses(text, found.start())
    leading = bool(_CONNECTIVE.fullmatch(text[: lead.start()]))
    return _Found(when, kind == "strong" and not paren, leading, paren), None, None


def _later_year(text: str, pos: int, hint: int | None) -> int | None:
    """The year of the next date in the sentence that states one ("signed on 3 March and ratified on 9 June 1958")."""
    for found in _CANDIDATE.finditer(text, pos):
        date, _missing, _problem = _read(text, found)
        if date is not None:
            year = date.when.start_year()
            return year if hint is None or year >= hint else None
    return None


def _with_year(text: str, found: re.Match[str], points: list[_Point], hint: int | None) -> _Found | None:
    """A date written without its year, given the year of a later date in the sentence, else of the story."""
    year = _later_year(text, found.end(), hint)
    inferred = year is None
    if year is None:
        year = hint
    if year is None:
        return None
    points = [point._replace(year=year) if point.year is None else point for point in points]
    lead = _lead_of(text, found.start())
    prep = re.sub(r"\s+", " ", lead["prep"].lower()).lstrip("'\u2019") if lead["prep"] else None
    circa = lead["circa"] is not None
    join = "or" if found["sep"] and found["sep"].strip().lower() == "or" and len(points) == 2 else ("list" if len(points) == 2 else "")
    try:
        edtf = _edtf(points, circa, join)
        when = When(edtf=edtf, qualifier=_qualifier(prep, circa, points, join), inferred="year" if inferred else None)
    except (_Impossible, ValueError):
        return None
    leading = bool(_CONNECTIVE.fullmatch(text[: lead.start()]))
    return _Found(when, True, leading, _in_parentheses(text, found.start()))


def find_date(text: str, *, year_hint: int | None = None) -> DateReading:
    """What ``text`` says about its date: the first date expression that the words make a date, preferring one in
    the sentence's own words over an attributive or parenthetical one ("the 2011 census", "(1648)").

    ``year_hint`` is the year of the story, given to a date written without one ("On 22 September, ...") when
    no later date in the sentence states it; the date is then marked inferred. Without it such a leading date
    leaves the text undated rather than guessing.
    """
    hint = year_hint if isinstance(year_hint, int) and 1 <= year_hint <= 9999 else None
    if "[" in text:
        text = _FOOTNOTE.sub("", text)
    if "AH" in text or "A.H." in text:
        text = _AH_YEAR.sub("", text)
    weak: _Found | None = None
    problem: str | None = None
    for found in _CANDIDATE.finditer(text):
        date, missing, trouble = _read(text, found)
        if trouble is not None:
            problem = problem or trouble
            continue
        if missing is not None:
            if weak is not None:
                continue
            date = _with_year(text, found, missing, hint)
            if date is None:
                return DateReading(None, problem)
        if date is None:
            continue
        if date.strong:
            return _reading(text, date, problem)
        weak = weak or date
    if weak is not None:
        return _reading(text, weak, problem)
    return DateReading(None, problem)


def _reading(text: str, found: _Found, problem: str | None) -> DateReading:
    aside = found.paren or _PAST_PERFECT.search(text) is not None
    return DateReading(found.when, problem, leading=found.leading and not found.paren, aside=aside)


def find_when(text: str, *, year_hint: int | None = None) -> When | None:
    """The date of ``text`` as ``find_date`` reads it, or None when it states no date."""
    return find_date(text, year_hint=year_hint).when


# --- the story's year ----------------------------------------------------------------------------


class Story:
    """The year a date written without one takes: the year of the story's main line, followed sentence by sentence.

    It starts at the infobox's Date, moves to the year a heading names, and to the year of each dated sentence,
    except that a date earlier than the story's year moves it back only when it opens its sentence ("In 2004,
    ...") and is not an aside (in parentheses, or in a past-perfect clause: "who had studied in Cairo in 2004").
    Dates that were themselves inferred never move it.
    """

    __slots__ = ("year",)

    def __init__(self, year: int | None = None) -> None:
        self.year = year

    def field(self, key: str, value: str) -> None:
        """An infobox field: the Date field gives the story's first year."""
        if key.strip().lower() == "date" and self.year is None:
            when = find_when(value)
            if when is not None:
                self.year = when.start_year()

    def heading(self, text: str) -> None:
        """A heading that names a year ("Siege (2016-2018)", "1944") sets the story's year for what follows."""
        when = find_when(text)
        if when is not None and when.inferred is None:
            self.year = when.start_year()

    def read(self, text: str) -> DateReading:
        """Read a sentence's date with the story's year, and move the story on by it."""
        reading = find_date(text, year_hint=self.year)
        self.follow(reading)
        return reading

    def follow(self, reading: DateReading) -> None:
        """Move the story on by a sentence's date as read."""
        when = reading.when
        if when is None or when.inferred is not None:
            return
        year = when.start_year()
        if self.year is None or year >= self.year or (reading.leading and not reading.aside):
            self.year = year

    def follow_fact(self, text: str, when: When | None) -> None:
        """Move the story on by a fact already dated (kept as it is, or dated by hand with ``--when``)."""
        if when is None or when.inferred is not None:
            return
        reading = find_date(text, year_hint=self.year)
        if reading.when is not None and reading.when.start_year() == when.start_year():
            self.follow(reading)
        else:
            self.follow(DateReading(when))
