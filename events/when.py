"""`When`: the date a fact is about, an EDTF string at its real precision, plus a qualifier."""

from __future__ import annotations

import calendar
import re
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic_core import core_schema

from events.native import Native

__all__ = ["INFERRED", "PLAIN_DATE", "QUALIFIERS", "Inferred", "Qualifier", "When", "check_edtf", "edtf_bounds"]

Qualifier = Literal["on", "in", "by", "after", "before", "circa", "until", "since", "from", "between", "during"]
QUALIFIERS: tuple[str, ...] = ("on", "in", "by", "after", "before", "circa", "until", "since", "from", "between", "during")
"""The first seven since the first log; since, from, between and during were added later (a line that has none of
them reads as it always did)."""

Inferred = Literal["year", "year-month"]
INFERRED: tuple[str, ...] = ("year", "year-month")
"""What of a date was taken from the story around the sentence rather than from its words: its year, or its year
and month. Absent (None) in every line written before the field existed: those dates read as they always did."""

_FAR_PAST = (-999999, 1, 1)
_FAR_FUTURE = (999999, 12, 31)


Day = tuple[int, int, int]

_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
"""EDTF level 0 dates (ISO 8601 calendar dates): 2017, 2017-09, 2017-09-14."""
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _plain_bounds(value: str) -> tuple[Day, Day] | None:
    """Bounds of a level-0 date, checked with the standard library; None for anything richer.

    Raises ValueError for a calendar date that does not exist (2019-02-29), which
    the edtf package lets through.
    """
    match = _PLAIN.fullmatch(value)
    if match is None:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    if month is None:
        return (year, 1, 1), (year, 12, 31)
    if not 1 <= int(month) <= 12:
        return None  # 21-41 are EDTF seasons and quarters: edtf reads them
    last = _DAYS[int(month) - 1] + (int(month) == 2 and calendar.isleap(year))
    if day is None:
        return (year, int(month), 1), (year, int(month), last)
    if not 1 <= int(day) <= last:
        raise ValueError(f"{value!r} is not a day of the calendar")
    return (year, int(month), int(day)), (year, int(month), int(day))


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[Day, Day]:
    """The earliest and latest day an EDTF string can mean, as (year, month, day).

    Raises ValueError when the string is not EDTF. Open interval ends are
    clamped to the far past or future so that every value sorts. Plain ISO
    8601 dates and intervals of them (EDTF level 0, most dates in an
    article) are read with the standard library; everything else with the
    edtf package, whose grammar takes 0.3 s to import.
    """
    start, slash, end = value.partition("/")
    first = _plain_bounds(start)
    last = _plain_bounds(end) if slash else first
    if first is not None and last is not None:
        return _ordered(value, first[0], last[1])
    from edtf import parse_edtf  # noqa: PLC0415 - 0.15 s import, needed only here
    from edtf.parser.edtf_exceptions import EDTFParseException  # noqa: PLC0415

    try:
        parsed = parse_edtf(value)
    except EDTFParseException as exc:
        raise ValueError(f"{value!r} is not an EDTF date") from exc
    lower = parsed.lower_strict()
    upper = parsed.upper_strict()
    low = _FAR_PAST if isinstance(lower, float) else tuple(lower[:3])
    high = _FAR_FUTURE if isinstance(upper, float) else tuple(upper[:3])
    return _ordered(value, low, high)  # type: ignore[arg-type]


def _ordered(value: str, low: Day, high: Day) -> tuple[Day, Day]:
    if low > high:
        raise ValueError(f"{value!r} ends before it begins")
    return low, high


def check_edtf(value: str) -> str:
    """Return ``value`` when it is a valid EDTF date, else raise ValueError."""
    edtf_bounds(value)
    return value


_PLAIN_DAY = r"(?:0[1-9]|1[0-9]|2[0-8])"
PLAIN_DATE = Native(
    core_schema.str_schema(
        pattern=(
            r"^[0-9]{4}(?:-(?:"
            rf"(?:0[1-9]|1[0-2])(?:-{_PLAIN_DAY})?"  # any month, a day every month has
            r"|(?:0[13-9]|1[0-2])-(?:29|30)"  # the 29th and 30th of months but February
            r"|(?:0[13578]|1[02])-31"  # the 31st of the long months
            r"))?$"
        )
    )
)
"""The plain dates (2017, 2017-09, 2017-09-14) checked in Rust; the rest (29 February, intervals,
the rest of EDTF) is left to ``check_edtf``."""


def _edtf(value: str) -> str:
    if not value or value != value.strip():
        raise ValueError("an EDTF date such as 2017-09 or 2016-08/2019-02-12 is needed")
    return check_edtf(value)


class When(BaseModel):
    """The valid time of a fact: ``2017-09`` with qualifier ``by`` is "By September 2017"."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    edtf: Annotated[str, AfterValidator(_edtf), PLAIN_DATE]
    """The date at its real precision, in EDTF: ``2016-08``, ``2018-05-07``, ``2016-08/2019-02-12``."""
    qualifier: Qualifier | None = None
    """The word the text uses for how the fact relates to the date, if any."""
    inferred: Inferred | None = None
    """Which parts were inferred from context ("On 4 August, ..." in a story about 2011): shown as such
    ("4 Aug [2011]"), never as if the text said them. None: the text states the whole date."""

    def bounds(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The earliest and latest day this date can mean."""
        return edtf_bounds(self.edtf)

    def sort_key(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """Order by earliest possible day, then by latest (the more precise first)."""
        return edtf_bounds(self.edtf)

    def start_year(self) -> int:
        """The year of the earliest day this date can mean."""
        return self.bounds()[0][0]
