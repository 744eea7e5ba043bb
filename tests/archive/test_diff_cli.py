"""End-to-end tests of ``archive diff``, ``archive blame`` and ``archive history`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DERNA = "siege-of-derna"
Result = Any  # tests/conftest.py:Result, what the run fixture gives back


def _refused(ran: Result, *fragments: str) -> None:
    assert ran.err.startswith("Error:"), ran.err
    for fragment in fragments:
        assert fragment in ran.err, f"{fragment!r} not in {ran.err!r}"


def _log(root: Path) -> bytes:
    return (root / "events.jsonl").read_bytes()


# ------------------------------------------------------------------ diff


def test_diff_of_the_bundled_archive_shows_exactly_the_cleanup(example: Path, ok) -> None:
    text = ok("-C", example, "diff", DERNA, "1", "2").text
    assert "Facts: 0 added, 0 removed, 2 changed, 0 moved" in text
    assert "Infobox: ~Combatant2, ~Commander2" in text and "Timeline: no change" in text
    assert "    Shura Council of Mujahideen in Derna[-,-]\n" in text
    assert "    Ahmed Al-[-HabibKIA-]{+Habib (KIA)+}, Moaz Tashani\n" in text
    assert "\x1b[" not in text, "no colour when piped"
    changed_lines = [line for line in text.splitlines() if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
    assert changed_lines == [
        "-- Combatant2: Shura Council of Mujahideen in Derna,",
        "+- Combatant2: Shura Council of Mujahideen in Derna",
        "-- Commander2: Ahmed Al-HabibKIA, Moaz Tashani",
        "+- Commander2: Ahmed Al-Habib (KIA), Moaz Tashani",
    ]
    data = json.loads(ok("-C", example, "diff", DERNA, "1", "HEAD", "--format", "json").out)
    assert [data[k] for k in ("record", "from", "to", "added", "removed", "moved")] == [DERNA, 1, 2, [], [], []]
    assert [(c["fact"], c["before"]["text"], c["after"]["text"]) for c in data["changed"]] == [
        ("i7", "Shura Council of Mujahideen in Derna,", "Shura Council of Mujahideen in Derna"),
        ("i10", "Ahmed Al-HabibKIA, Moaz Tashani", "Ahmed Al-Habib (KIA), Moaz Tashani"),
    ]
    assert data["changed"][0]["after"]["sources"][0]["url"] == "https://en.wikipedia.org/wiki/Siege_of_Derna"


def test_diff_colours_on_request_and_b_defaults_to_head(example: Path, run) -> None:
    coloured = run("-C", example, "diff", DERNA, "HEAD~1", "--color").text
    assert "\x1b[31m\x1b[9mHabibKIA\x1b[0m" in coloured and "\x1b[32m\x1b[4mHabib (KIA)\x1b[0m" in coloured
    assert "r1 → r2" in coloured
    assert "No change." in run("-C", example, "diff", DERNA, "2").text


def test_diff_takes_a_time_for_a_revision(example: Path, run) -> None:
    events = [json.loads(line) for line in _log(example).splitlines()]
    first_end = next(e["at"] for e in events if e.get("end"))
    data = json.loads(run("-C", example, "diff", DERNA, first_end, "--format", "json").out)
    assert (data["from"], data["to"]) == (1, 2)


def test_diff_refuses_bad_revisions_and_records(example: Path, archive, refused, run) -> None:
    before = _log(example)
    refused(archive("-C", example, "diff", DERNA, "2", "1"), 1, "comes after revision B", f"archive diff {DERNA} 1 2")
    refused(archive("-C", example, "diff", DERNA, "1", "9"), 1, "Revision 9 does not exist yet", "revision 2")
    _refused(run("-C", example, "diff", DERNA, "HEAD~5", code=1), "HEAD~5 does not exist")
    _refused(run("-C", example, "diff", DERNA, "yesterday", code=1), "'yesterday' does not name a revision")
    _refused(run("-C", example, "diff", DERNA, "1999-01-01", code=1), "No revision was recorded at or before")
    _refused(run("-C", example, "diff", "nope", "1", "2", code=1), "Record 'nope' does not exist at revision 2", DERNA)
    assert archive("-C", example, "diff", DERNA).code == 2
    assert _log(example) == before


def test_diff_reports_a_retraction_with_its_reason_and_a_move(seeded: Path, ok, run) -> None:
    run("-C", seeded, "append", DERNA, "--retract", "s6", "--reason", "Unsourced quote", "--source", "editor")
    run("-C", seeded, "append", DERNA, "--move", "s4", "--section", "See also")
    text = ok("-C", seeded, "diff", DERNA, "1", "3").text
    assert "Facts: 0 added, 1 removed, 0 changed, 1 moved" in text
    assert "- s6" in text and "    reason: Unsourced quote" in text
    assert any(line.startswith("> s4 ") and line.endswith("sentence  Timeline → See also") for line in text.splitlines())
    assert "    after h1 → after li1: The siege began in August 2016." in text
    data = json.loads(run("-C", seeded, "diff", DERNA, "2", "3", "--format", "json").out)
    assert data["removed"] == [] and [m["fact"] for m in data["moved"]] == ["s4"]
    assert data["moved"][0]["to"] == {"section": "See also", "after": "li1"}


# ------------------------------------------------------------------ blame


def test_blame_attributes_every_line(example: Path, ok, seed_text: bytes) -> None:
    text = ok("-C", example, "blame", DERNA).text
    text, legend = text.split("\n\nSources:\n")
    assert legend.startswith("[1] ")
    lines = text.splitlines()
    article = seed_text.decode().splitlines()
    assert len(lines) == len(article)
    assert all(line.startswith(("r1 ", "r2 ")) for line in lines)
    assert [line.split("│", 1)[1] for line in lines][:3] == ["= Siege of Derna =", "", "Infobox"]
    assert [line.split()[0] for line in lines if "Combatant2" in line or "Commander2" in line] == ["r2", "r2"]
    data = json.loads(ok("-C", example, "blame", DERNA, "--format", "json").out)
    assert [d["line"] for d in data] == list(range(1, len(article) + 1))
    assert all(d["rev"] in (1, 2) and d["by"] == "fact-archive editors" and d["at"].endswith("Z") for d in data)
    assert all(set(d) >= {"line", "text", "facts", "rev", "by", "at", "sources", "sentences"} for d in data)
    two = next(d for d in data if d["text"].startswith("In August 2017"))
    assert two["facts"] == ["s5", "s6"] and [s["fact"] for s in two["sentences"]] == ["s5", "s6"]
    assert two["sentences"][1]["text"].startswith("He was quoted")


def test_blame_at_an_earlier_revision_and_refusals(example: Path, run, archive, refused) -> None:
    data = json.loads(run("-C", example, "blame", DERNA, "--at", "1", "--format", "json").out)
    assert {d["rev"] for d in data} == {1} and any("Al-HabibKIA" in d["text"] for d in data)
    refused(archive("-C", example, "blame", DERNA, "--at", "7"), 1, "Revision 7 does not exist yet")
    _refused(run("-C", example, "blame", "nope", code=1), "Record 'nope' does not exist")


# ------------------------------------------------------------------ history


def test_history_of_a_fact(example: Path, ok, run, archive, refused) -> None:
    run(
        "-C",
        example,
        "append",
        DERNA,
        "--revise",
        "i10",
        "--text",
        "Ahmed Al-Habib (killed), Moaz Tashani",
        "--source",
        "https://example.org/b",
        "--by",
        "ann",
    )
    run("-C", example, "append", DERNA, "--remove-infobox", "Commander2", "--reason", "Disputed", "--source", "editor")
    text = ok("-C", example, "history", DERNA, "i10").text
    assert text.startswith("i10  infobox  Commander2  of 'siege-of-derna': 4 versions, retracted")
    assert "r3  " in text and "  ann  infobox.revised" in text
    assert "    Commander2: Ahmed Al-Habib ([-KIA-]{+killed+}), Moaz Tashani\n" in text
    assert "    retracted: Disputed" in text
    data = json.loads(run("-C", example, "history", DERNA, "i10", "--format", "json").out)
    assert [v["rev"] for v in data["versions"]] == [1, 2, 3, 4]
    assert data["versions"][2]["fact"]["sources"][-1]["url"] == "https://example.org/b"  # gained, the old ones kept
    assert data["versions"][3]["retracted"] is True and data["versions"][3]["changes"] == [
        {"type": "fact.retracted", "fact": "i10"}
    ]
    before = _log(example)
    refused(
        archive("-C", example, "history", DERNA, "s99"), 1, "Fact 's99' does not exist in record 'siege-of-derna'", "--view facts"
    )
    _refused(run("-C", example, "history", "nope", "s1", code=1), "Record 'nope' does not exist")
    assert _log(example) == before
