"""Dates in words at their real precision, for the timeline page and the TimelineJS export: never a made-up day."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from events.when import QUALIFIERS
from projections.timeline_display import DateParts, display_date


@pytest.mark.parametrize(
    ("edtf", "qualifier", "words"),
    [
        ("2017-09", "by", "by Sept 2017"),
        ("2016-08", "in", "Aug 2016"),
        ("2018-05-07", "on", "7 May 2018"),
        ("2017", None, "2017"),
        ("2016-08/2019-02-12", None, "Aug 2016 \u2013 12 Feb 2019"),
        ("2018-05-07/2018-05-12", None, "7 \u2013 12 May 2018"),
        ("2017-01~/2017-04~", None, "c. Jan \u2013 Apr 2017"),
        ("1200~", None, "c. 1200"),
        ("1200~", "circa", "c. 1200"),
        ("2017?", None, "2017?"),
        ("199X", None, "1990s"),
        ("2017-21", None, "spring 2017"),
        ("2016-08/..", None, "from Aug 2016"),
        ("../2019", "until", "until 2019"),
        ("2019-02", "after", "after Feb 2019"),
        ("2019-02", "before", "before Feb 2019"),
        ("-0099", None, "100 BCE"),
        ("2004-06~-11", None, "2004-06~-11"),
    ],
)
def test_a_date_reads_as_precisely_as_it_is_known(edtf: str, qualifier: str | None, words: str) -> None:
    assert display_date(edtf, qualifier).text == words


def test_parts_hold_only_what_is_known() -> None:
    assert display_date("2016-08", "in").start == DateParts(2016, 8, None)
    assert display_date("2017").start == DateParts(2017)
    interval = display_date("2016-08/2019-02-12")
    assert (interval.start, interval.end) == (DateParts(2016, 8), DateParts(2019, 2, 12))
    assert display_date("2016-08/..").end is None


def test_only_a_plain_date_gets_a_machine_readable_time() -> None:
    assert display_date("2018-05-07", "on").machine == "2018-05-07"
    assert display_date("2016-08").machine == "2016-08"
    assert display_date("2017-09", "by").machine is None
    assert display_date("1200~").machine is None


@given(
    st.integers(1000, 2999),
    st.integers(1, 12),
    st.one_of(st.none(), st.sampled_from(QUALIFIERS)),
)
def test_a_month_never_gains_a_day(year: int, month: int, qualifier: str | None) -> None:
    shown = display_date(f"{year:04d}-{month:02d}", qualifier)
    assert shown.start == DateParts(year, month, None)
    words = shown.text.split()
    assert words[-1] == str(year)
    assert not any(word.isdigit() and word != str(year) for word in words), shown.text
    if qualifier in ("by", "after", "before", "until"):
        assert shown.text.startswith(f"{qualifier} ")


@given(st.dates(min_value=date(1000, 1, 1)))
def test_a_day_shows_its_day_month_and_year(day: date) -> None:
    shown = display_date(day.isoformat(), "on")
    assert shown.start == DateParts(day.year, day.month, day.day)
    assert shown.text.split()[0] == str(day.day)
