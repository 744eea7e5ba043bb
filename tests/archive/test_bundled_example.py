# ruff: noqa: RUF001 - the article's text holds en dashes
"""The bundled archive, examples/siege-of-derna: its timeline, infobox, revisions and log, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DERNA = "siege-of-derna"
WIKIPEDIA = {
    "title": "Siege of Derna",
    "url": "https://en.wikipedia.org/wiki/Siege_of_Derna",
    "publisher": "Wikipedia",
    "author": None,
    "published": None,
    "accessed": None,
    "quote": None,
}

LEAD_ASSAULT = (
    "After besieging the city for 21 months, the LNA assaulted the city on 7 May 2018, beginning the 2018–2019 "
    "battle of Derna and ultimately capturing the city on 12 February 2019."
)
TIMELINE_SECTION = [
    ("2016-08", "in", "s4", "The siege began in August 2016."),
    (
        "2017-08",
        "in",
        "s5",
        "In August 2017–after militants of the Shura Council of Mujahideen in Derna executed Air Colonel Adel Jehani, "
        "whose plane was shot down by the group–the head of the Omar Mukhtar Operations Room tasked with taking Derna, "
        "Brigadier Salem Rifadi, declared a total blockade of Derna.",
    ),
    ("2017-09", "by", "s7", "By September 2017, Marshal Khalifa Haftar was being accused of war crimes in the siege of Derna."),
    (
        "2017-10",
        "in",
        "s9",
        "In October 2017, an airstrike hit Derna, killing at least 15 civilians, including women and children, "
        "and wounding 17 or more.",
    ),
    (
        "2017-12",
        "in",
        "s10",
        "In December 2017, Islamic State member Mohamed Fathi Al-Jamayel was executed by the Shura Council after a "
        "failed attempt to kill senior member Moaz Tashani.",
    ),
    (
        "2018-05-07",
        "on",
        "s11",
        "On 7 May 2018, the LNA launched an offensive on Derna, and by February 2019 had taken the city, thereby "
        "also ending the siege.",
    ),
]
"""The six dated sentences of the Timeline section, in order: (date, qualifier, fact, text)."""

INFOBOX = [
    ("Conflict", "Siege of Derna", 1),
    ("Partof", "the Libyan civil war (2014–2020)", 1),
    ("Date", "August 2016 – 12 February 2019", 1),
    ("Place", "Derna, Libya", 1),
    ("Result", "Libyan National Army victory", 1),
    ("Combatant1", "House of Representatives", 1),
    ("Combatant2", "Shura Council of Mujahideen in Derna", 2),
    ("Combatant3", "(limited involvement)", 1),
    ("Commander1", "Khalifa Haftar, Salem Rifadi, Adel Jehani", 1),
    ("Commander2", "Ahmed Al-Habib (KIA), Moaz Tashani", 2),
    ("Commander3", "Mohamed Fathi Al-Jamayel", 1),
    ("Casualties4", "15 civilians killed, 17 civilians wounded", 1),
]
"""The twelve fields at HEAD, in order, with the DESIGN.md keys: (key, value, rev)."""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled archive: the tests only read it, and never write into the repository."""
    import shutil  # noqa: PLC0415

    source = Path(__file__).parents[2] / "examples" / DERNA
    return Path(shutil.copytree(source, tmp_path_factory.mktemp("bundled") / DERNA))


def _json(ok, root: Path, *args: str) -> object:
    return json.loads(ok("-C", root, *args).out)


def test_timeline_lists_the_dated_sentences_in_order(bundled: Path, ok) -> None:
    rows = _json(ok, bundled, "show", DERNA, "--view", "timeline", "--format", "json")
    assert isinstance(rows, list)
    expected = [(d, q, f, t, "Timeline") for d, q, f, t in TIMELINE_SECTION]
    # the lead's "assaulted the city on 7 May 2018" is dated too, and comes before the Timeline's own 7 May 2018
    expected.insert(5, ("2018-05-07", "on", "s2", LEAD_ASSAULT, None))
    assert [(r["date"], r["qualifier"], r["fact"], r["text"], r["section"]) for r in rows] == expected
    section = [(r["date"], r["qualifier"], r["fact"], r["text"]) for r in rows if r["section"] == "Timeline"]
    assert section == TIMELINE_SECTION
    assert [r["date"] for r in rows if r["section"] == "Timeline"] == [
        "2016-08",
        "2017-08",
        "2017-09",
        "2017-10",
        "2017-12",
        "2018-05-07",
    ]
    for row in rows:
        assert row["sources"] == [WIKIPEDIA]
        assert row["rev"] == 1
        assert list(row)[:6] == ["date", "qualifier", "text", "fact", "rev", "sources"]


def test_infobox_gives_the_twelve_fields_in_order(bundled: Path, ok) -> None:
    rows = _json(ok, bundled, "show", DERNA, "--view", "infobox", "--format", "json")
    assert isinstance(rows, list)
    assert [(r["key"], r["value"], r["rev"]) for r in rows] == INFOBOX
    assert [r["fact"] for r in rows] == [f"i{n}" for n in range(1, 13)]
    for row in rows:
        assert list(row)[:5] == ["key", "value", "fact", "rev", "sources"]
        assert row["sources"] == [WIKIPEDIA]


def test_revision_one_is_the_seed_and_head_the_cleanup(bundled: Path, ok, seed_text: bytes) -> None:
    assert ok("-C", bundled, "show", DERNA, "--at", "1").out == seed_text
    head = ok("-C", bundled, "show", DERNA).out
    cleaned = seed_text.replace(
        b"- Combatant2: Shura Council of Mujahideen in Derna,\n", b"- Combatant2: Shura Council of Mujahideen in Derna\n"
    ).replace(b"- Commander2: Ahmed Al-HabibKIA, Moaz Tashani\n", b"- Commander2: Ahmed Al-Habib (KIA), Moaz Tashani\n")
    assert cleaned != seed_text
    assert head == cleaned
    # the cleanup changed exactly the two fields, i7 and i10, and nothing else
    changed = [
        (before, after) for before, after in zip(seed_text.splitlines(), head.splitlines(), strict=True) if before != after
    ]
    assert len(changed) == 2
    at_one = _json(ok, bundled, "show", DERNA, "--view", "infobox", "--format", "json", "--at", "1")
    assert isinstance(at_one, list)
    assert [r["fact"] for r in at_one if r["rev"] == 1] == [f"i{n}" for n in range(1, 13)]


def test_log_lists_two_revisions(bundled: Path, ok) -> None:
    rows = _json(ok, bundled, "log", "--format", "json")
    assert isinstance(rows, list)
    assert [(r["rev"], r["events"], r["records"]) for r in rows] == [(2, 2, [DERNA]), (1, 28, [DERNA])]
    assert "Import" in rows[1]["summary"]
    assert "Ahmed Al-Habib" in rows[0]["summary"] and "comma" in rows[0]["summary"]
    text = ok("-C", bundled, "log").text
    assert [line.split()[0] for line in text.splitlines()] == ["r2", "r1"]
    lines = [json.loads(line) for line in (bundled / "events.jsonl").read_bytes().splitlines()]
    assert [(e["type"], e["fact"]) for e in lines if e["rev"] == 2] == [("infobox.revised", "i7"), ("infobox.revised", "i10")]
