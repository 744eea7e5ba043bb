# ruff: noqa: RUF001 - the sentences under test hold en and em dashes on purpose
"""Tests for archive.ingest.dates: the date a sentence is about."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest import dates
from archive.ingest.dates import find_when
from events.when import When

DERNA_ASSAULT = (
    "After besieging the city for 21 months, the LNA assaulted the city on 7 May 2018, beginning the "
    "2018–2019 battle of Derna and ultimately capturing the city on 12 February 2019."
)
DERNA_SIEGE = (
    "The siege of Derna was a military campaign by the Libyan National Army (LNA) to capture the city of Derna, "
    "which began after the end of the Derna campaign (2014–16)."
)

# (text, year_hint, expected edtf or None, expected qualifier)
CASES: list[tuple[str, int | None, str | None, str | None]] = [
    # the sentences
    ("By September 2017, Marshal Haftar declared the siege.", None, "2017-09", "by"),
    ("On 7 May 2018, the LNA launched its assault.", None, "2018-05-07", "on"),
    ("In August 2017–after militants shot down a helicopter–the LNA tightened the siege.", None, "2017-08", "in"),
    ("The siege began in August 2016.", None, "2016-08", "in"),
    ("In October 2017, an airstrike killed 15 civilians.", None, "2017-10", "in"),
    ("In December 2017, the city was encircled.", None, "2017-12", "in"),
    ("August 2016 – 12 February 2019", None, "2016-08/2019-02-12", None),
    (DERNA_ASSAULT, None, "2018-05-07", "on"),
    (DERNA_SIEGE, None, None, None),
    ("He was quoted as saying that no food or medicine would be allowed in.", None, None, None),
    # point forms
    ("The raid happened on May 7, 2018, at dawn.", None, "2018-05-07", "on"),
    ("The raid happened on 7th of May 2018.", None, "2018-05-07", "on"),
    ("Sept. 2017 was quiet.", None, "2017-09", None),
    ("The report was dated 2018-05-07.", None, "2018-05-07", None),
    ("in May of 2017 talks resumed", None, "2017-05", "in"),
    ("In 2017, talks resumed.", None, "2017", "in"),
    ("2017: talks resumed.", None, "2017", None),
    ("2017", None, "2017", None),
    ("The town was founded in AD 79.", None, "0079", "in"),
    ("It burned in 79 CE.", None, "0079", "in"),
    ("It was built in 850 and rebuilt later.", None, "0850", "in"),
    # ranges
    ("Clashes took place on 30–31 October 2020.", None, "2020-10-30/2020-10-31", "on"),
    ("Talks ran 30 October – 2 November 2020.", None, "2020-10-30/2020-11-02", None),
    ("Talks ran May 7–9, 2018.", None, "2018-05-07/2018-05-09", None),
    ("Talks ran May 30 – June 2, 2018.", None, "2018-05-30/2018-06-02", None),
    ("October–December 2017", None, "2017-10/2017-12", None),
    ("In October–December 2017 the front held.", None, "2017-10/2017-12", "in"),
    ("1618–1648", None, "1618/1648", None),
    ("2014–16", None, "2014/2016", None),
    ("In 2014-2016, the city was held by militants.", None, "2014/2016", "in"),
    ("In 2014—2016, the city was held by militants.", None, "2014/2016", "in"),
    ("In 2014 — 2016, the city was held by militants.", None, "2014/2016", "in"),
    ("In 2014 - 16, the city was held by militants.", None, "2014/2016", "in"),
    ("The city was held from 2014 to 2016 by militants.", None, "2014/2016", None),
    ("The city was held from May 2014 until 7 June 2016.", None, "2014-05/2016-06-07", None),
    ("The city was held between 2014 and 2016.", None, "2014/2016", None),
    ("The talks were held between 30 October and 2 November 2020.", None, "2020-10-30/2020-11-02", None),
    ("Elections were held in March and April 2017.", None, "2017-03", "in"),
    ("Elections were held in 2014 and 2015.", None, "2014", "in"),
    ("Talks ran 2 November – 30 October 2020.", None, None, None),
    # qualifiers
    ("He left after March 2016.", None, "2016-03", "after"),
    ("He left before 2016.", None, "2016", "before"),
    ("He stayed until 2016.", None, "2016", "until"),
    ("He stayed till June 2016.", None, "2016-06", "until"),
    ("He stayed up to 2016.", None, "2016", "until"),
    ("Fighting continued during 2016.", None, "2016", "in"),
    ("Fighting continued throughout 2016.", None, "2016", "in"),
    ("The fort was built c. 1200.", None, "1200~", "circa"),
    ("The fort was built ca. 1200.", None, "1200~", "circa"),
    ("The fort was built circa 1200.", None, "1200~", "circa"),
    ("The fort was built around 1200.", None, "1200~", "circa"),
    ("The fort was built about 1200.", None, "1200~", "circa"),
    ("The fort fell c. May 2017.", None, "2017-05~", "circa"),
    ("The fort fell c. 1618–1648.", None, "1618~/1648~", "circa"),
    ("The fort was taken by around 2017.", None, "2017~", "by"),
    ("The city has been besieged since 2014.", None, "2014/..", None),
    ("The city has been besieged since May 2014.", None, "2014-05/..", None),
    ("The city was besieged from 2014 onwards.", None, "2014/..", None),
    ("The city was besieged from 7 May 2018.", None, "2018-05-07/..", None),
    # early / mid / late, decades
    ("In early 2017, the LNA advanced.", None, "2017-01~/2017-04~", "in"),
    ("By mid-2017 the LNA had advanced.", None, "2017-05~/2017-08~", "by"),
    ("In mid 2017, the LNA advanced.", None, "2017-05~/2017-08~", "in"),
    ("Late 2017 saw heavy fighting.", None, "2017-09~/2017-12~", None),
    ("By the end of 2017, the LNA held the port.", None, "2017-09~/2017-12~", "by"),
    ("In early May 2017, the LNA advanced.", None, "2017-05~", "in"),
    ("The town grew in the 1990s.", None, "199X", "in"),
    ("The 1990s were calm.", None, "199X", None),
    ("The town grew in the 1300s.", None, "13XX", "in"),
    ("Plague came in the mid-1300s.", None, "13XX", "in"),
    ("It was built in the 2000s.", None, "200X", "in"),
    ("The town grew in the early 1990s.", None, "199X", "in"),
    ("The town has grown since the 1990s.", None, "1990/..", None),
    # yearless dates take the hint; without it the sentence stays undated
    ("On 22 September, the LNA shelled the port.", 2017, "2017-09-22", "on"),
    ("On 22 September, the LNA shelled the port.", None, None, None),
    ("On 22 September, the LNA shelled the port, as it had in 2016.", None, None, None),
    ("In September, the LNA shelled the port.", 2017, "2017-09", "in"),
    ("In September, the LNA shelled the port.", None, None, None),
    ("The port was shelled on 3 March.", 2019, "2019-03-03", "on"),
    ("The port was shelled on March 3.", 2019, "2019-03-03", "on"),
    ("Clashes took place on 30–31 October.", 2020, "2020-10-30/2020-10-31", "on"),
    ("On 29 February, the port was shelled.", 2019, None, None),
    ("On 29 February, the port was shelled.", 2020, "2020-02-29", "on"),
    ("On 22 September, the port was shelled.", 0, None, None),
    # not dates
    ("The port was shelled on 31 February 2017.", None, None, None),
    ("The port was shelled on 31 February 2017 and on 3 March 2017.", None, "2017-03-03", "on"),
    ("The siege lasted for 21 months.", None, None, None),
    ("The siege lasted two years.", None, None, None),
    ("The siege lasted 21 days.", None, None, None),
    ("Within 300 years the town had vanished.", None, None, None),
    ("In 300 years the town had vanished.", None, None, None),
    ("Some 1,000–1,500 soldiers took part.", None, None, None),
    ("About 1000–1500 soldiers took part.", None, None, None),
    ("Between 1000 and 1500 soldiers took part.", None, None, None),
    ("Around 2000 people fled.", None, None, None),
    ("The strike killed 15 civilians.", None, None, None),
    ("The strike killed 17 or more people.", None, None, None),
    ("The 1973 Constitution was suspended.", None, None, None),
    ("He fought in the 2018–2019 battle of Derna.", None, None, None),
    ("2014 Libyan elections were disputed.", None, None, None),
    ("In 2014 Libyan elections were disputed.", None, None, None),
    ("In 2014 elections were disputed.", None, None, None),
    ("The budget was $2017 million.", None, None, None),
    ("The budget was € 2017.", None, None, None),
    ("Prices rose by 2000.", None, None, None),
    ("Support rose to 2017 percent.", None, None, None),
    ("Turnout was up by 1200%.", None, None, None),
    ("The convoy left at 10:30 and arrived at 2000 hours.", None, None, None),
    ("The convoy arrived by 1400 hours.", None, None, None),
    ("See pp. 1618–1648 of the report.", None, None, None),
    ("See page 2017 of the report.", None, None, None),
    ("The year 2017 was hard.", None, None, None),
    ("The Su-2017 jet crashed.", None, None, None),
    ("They may march on the capital.", None, None, None),
    ("March on the capital, they said.", None, None, None),
    ("In May, they said.", None, None, None),
    ("The Mayor spoke.", None, None, None),
]


@pytest.mark.parametrize(("text", "year_hint", "edtf", "qualifier"), CASES)
def test_find_when(text: str, year_hint: int | None, edtf: str | None, qualifier: str | None) -> None:
    when = find_when(text, year_hint=year_hint)
    if edtf is None:
        assert when is None
        return
    assert when is not None
    assert (when.edtf, when.qualifier) == (edtf, qualifier)
    assert When(edtf=edtf, qualifier=when.qualifier) == when  # the EDTF string is valid


def test_hint_is_ignored_when_the_date_has_a_year() -> None:
    when = find_when("On 7 May 2018, the LNA launched its assault.", year_hint=1999)
    assert when is not None
    assert when.edtf == "2018-05-07"
    assert when.start_year() == 2018


def test_import_does_not_load_edtf() -> None:
    code = "import sys, archive.ingest.dates; assert 'edtf' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(dates.__file__).resolve().parents[1])


@settings(max_examples=300, deadline=None)
@given(text=st.text(), year_hint=st.one_of(st.none(), st.integers()))
def test_never_raises(text: str, year_hint: int | None) -> None:
    when = find_when(text, year_hint=year_hint)
    assert when is None or isinstance(when, When)


_DATE_ALPHABET = st.sampled_from(
    ["In ", "on ", "by ", "since ", "from ", " to ", " and ", "between ", "c. ", "mid-", "early ", "the ",
     "May ", "March ", "September ", "Sept. ", "7 ", "31 ", "2017", "1990s", "16", "1,500", "–", "—", "-", ", ", ": ",
     "soldiers", "AD ", "(", ")", ".", " "]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_DATE_ALPHABET, max_size=12), year_hint=st.one_of(st.none(), st.integers(-5, 10_005)))
def test_never_raises_on_date_like_text(parts: list[str], year_hint: int | None) -> None:
    when = find_when("".join(parts), year_hint=year_hint)
    assert when is None or When(edtf=when.edtf, qualifier=when.qualifier) == when
