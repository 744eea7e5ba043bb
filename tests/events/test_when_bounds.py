"""`When` dates: plain ISO dates read without the edtf grammar, richer ones with it, impossible ones refused."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from events.when import When, edtf_bounds


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        ("2017", (2017, 1, 1), (2017, 12, 31)),
        ("2017-09", (2017, 9, 1), (2017, 9, 30)),
        ("2016-02", (2016, 2, 1), (2016, 2, 29)),
        ("2018-05-07", (2018, 5, 7), (2018, 5, 7)),
        ("2016-08/2019-02-12", (2016, 8, 1), (2019, 2, 12)),
        ("2020-02-29", (2020, 2, 29), (2020, 2, 29)),
        ("1200~", (1200, 1, 1), (1200, 12, 31)),
        ("199X", (1990, 1, 1), (1999, 12, 31)),
        ("2017-21", (2017, 3, 1), (2017, 5, 31)),
        ("2014/..", (2014, 1, 1), (999999, 12, 31)),
    ],
)
def test_bounds_are_the_earliest_and_latest_day(value: str, low: tuple[int, int, int], high: tuple[int, int, int]) -> None:
    assert edtf_bounds(value) == (low, high)
    assert When(edtf=value).sort_key() == (low, high)


@pytest.mark.parametrize(
    "value", ["2018-13-45", "2019-02-29", "2017-04-31", "2017-00", "2019/2016", "2017-09/2017-08", "May 2017", "", " 2017"]
)
def test_not_a_date_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        When(edtf=value)


def test_plain_dates_do_not_import_the_edtf_grammar() -> None:
    code = (
        "import sys; from events.when import When; "
        "[When(edtf=v).sort_key() for v in ('2017', '2017-09', '2018-05-07', '2016-08/2019-02-12')]; "
        "print('edtf' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
