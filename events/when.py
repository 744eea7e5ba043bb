"""`When`: the date a fact is about, an EDTF string at its real precision, plus a qualifier."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["QUALIFIERS", "Qualifier", "When", "check_edtf", "edtf_bounds"]

Qualifier = Literal["on", "in", "by", "after", "before", "circa", "until"]
QUALIFIERS: tuple[str, ...] = ("on", "in", "by", "after", "before", "circa", "until")

_FAR_PAST = (-999999, 1, 1)
_FAR_FUTURE = (999999, 12, 31)


@lru_cache(maxsize=4096)
def edtf_bounds(value: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The earliest and latest day an EDTF string can mean, as (year, month, day).

    Raises ValueError when the string is not EDTF. Open interval ends are
    clamped to the far past or future so that every value sorts.
    """
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
    return low, high  # type: ignore[return-value]


def check_edtf(value: str) -> str:
    """Return ``value`` when it is a valid EDTF date, else raise ValueError."""
    edtf_bounds(value)
    return value


class When(BaseModel):
    """The valid time of a fact: ``2017-09`` with qualifier ``by`` is "By September 2017"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edtf: str
    """The date at its real precision, in EDTF: ``2016-08``, ``2018-05-07``, ``2016-08/2019-02-12``."""
    qualifier: Qualifier | None = None
    """The word the text uses for how the fact relates to the date, if any."""

    @field_validator("edtf")
    @classmethod
    def _valid_edtf(cls, value: str) -> str:
        if not value or value != value.strip():
            raise ValueError("an EDTF date such as 2017-09 or 2016-08/2019-02-12 is needed")
        return check_edtf(value)

    def bounds(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The earliest and latest day this date can mean."""
        return edtf_bounds(self.edtf)

    def sort_key(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """Order by earliest possible day, then by latest (the more precise first)."""
        return edtf_bounds(self.edtf)

    def start_year(self) -> int:
        """The year of the earliest day this date can mean."""
        return self.bounds()[0][0]
