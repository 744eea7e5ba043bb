"""Dates through the real command line: the story's year for yearless dates, inferred years marked in every view,
batches and updates dated as --text is, impossible dates warned about."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ARTICLE = """= Uprising in Zawiya =

Infobox
- Date: 15 February – 23 October 2011
- Place: Zawiya

The uprising in Zawiya was part of the civil war.

== Background ==
The town's council leader had studied in Cairo in 2004.

On 4 August, rebels entered the town.

== Fall ==
Between 18 and 20 August, the rebels took the town centre.

On 31 February 2011, a curfew was declared.
"""


@pytest.fixture
def imported(tmp_path: Path, ok) -> Path:
    root = tmp_path / "a"
    ok("init", root)
    article = tmp_path / "zawiya.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = ok("-C", root, "import", article)
    assert "zawiya.txt:17: '31 February 2011' is not a day of the calendar; the sentence is left undated." in result.err
    return root


def _timeline(ok, root: Path) -> list[dict[str, object]]:
    return json.loads(ok("-C", root, "show", "zawiya", "--view", "timeline", "--format", "json").out)


def test_an_aside_does_not_move_the_year_and_the_inferred_year_is_marked(imported: Path, ok) -> None:
    rows = {row["text"]: row for row in _timeline(ok, imported)}
    aside = rows["The town's council leader had studied in Cairo in 2004."]
    assert (aside["date"], aside["qualifier"], aside["inferred"]) == ("2004", "in", None)
    entered = rows["On 4 August, rebels entered the town."]
    assert (entered["date"], entered["qualifier"], entered["inferred"]) == ("2011-08-04", "on", "year")
    took = rows["Between 18 and 20 August, the rebels took the town centre."]
    assert (took["date"], took["qualifier"], took["inferred"]) == ("2011-08-18/2011-08-20", "between", "year")
    assert "On 31 February 2011, a curfew was declared." not in rows  # left undated, with the warning above


def test_the_text_timeline_reads_like_people_write_dates(imported: Path, ok) -> None:
    text = ok("-C", imported, "show", "zawiya", "--view", "timeline").out.decode()
    lines = {line.split("  ", 1)[0]: line for line in text.splitlines()}
    assert "On 4 August, rebels entered the town." in lines["4 Aug [2011]"]
    assert "between 18 and 20 Aug [2011]" in text
    assert "2004" in text
    markdown = ok("-C", imported, "show", "zawiya", "--view", "timeline", "--format", "markdown").out.decode()
    assert "- **4 Aug [2011]**: On 4 August, rebels entered the town." in markdown


def test_a_batch_sentence_is_dated_from_its_text(imported: Path, ok, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"type": "sentence.added", "text": "On 23 October, the war was declared over."},
        {"type": "sentence.added", "text": "In the summer of 2012, elections were held."},
        {"type": "sentence.added", "text": "On 7 July, votes were counted.", "when": None},
        {"type": "sentence.added", "text": "On 30 February 2012, nothing happened."},
    ]
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = ok("-C", imported, "append", "zawiya", "--events", batch, "--source", "notes")
    assert f"{batch}:4: '30 February 2012' is not a day of the calendar" in result.err
    rows = {row["text"]: row for row in _timeline(ok, imported)}
    over = rows["On 23 October, the war was declared over."]
    assert (over["date"], over["inferred"]) == ("2011-10-23", "year")
    summer = rows["In the summer of 2012, elections were held."]
    assert (summer["date"], summer["qualifier"], summer["inferred"]) == ("2012-06/2012-08", "in", None)
    assert "On 7 July, votes were counted." not in rows  # "when": null says undated


def test_append_text_warns_of_an_impossible_date(imported: Path, ok) -> None:
    result = ok("-C", imported, "append", "zawiya", "--section", "Fall", "--text", "On 30 February 2011, it rained.", "--source", "x")
    assert "Warning: --text: '30 February 2011' is not a day of the calendar" in result.err


def test_an_update_dates_a_new_sentence_with_the_story(imported: Path, ok, tmp_path: Path) -> None:
    text = ok("-C", imported, "show", "zawiya").out.decode()
    edited = tmp_path / "zawiya.txt"
    edited.write_text(text.replace("the rebels took the town centre.", "the rebels took the town centre. On 21 August, they reached the coast."), "utf-8")
    ok("-C", imported, "import", "--update", edited, "--source", "https://example.org/zawiya")
    rows = {row["text"]: row for row in _timeline(ok, imported)}
    coast = rows["On 21 August, they reached the coast."]
    assert (coast["date"], coast["qualifier"], coast["inferred"]) == ("2011-08-21", "on", "year")
