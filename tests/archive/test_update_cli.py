"""End-to-end tests of ``archive import --update``: edit the shown text, import it again, only the changes are recorded."""

from __future__ import annotations

import json
from pathlib import Path

DERNA = "siege-of-derna"


def _log(root: Path) -> bytes:
    return (root / "events.jsonl").read_bytes()


def _edit(text: str) -> str:
    """An editor's session: a word changed, a sentence removed, one moved, a field changed and one added,
    a new section, and the file's ending changed."""
    text = text.replace("The siege began in August 2016.", "The siege started in August 2016.")
    text = text.replace(
        " He was quoted as saying that no food, medicine, cooking gas, petrol or anything else would be allowed in.", ""
    )
    moved = "In October 2017, an airstrike hit Derna, killing at least 15 civilians, including women and children, and wounding 17 or more.\n\n"
    text = text.replace(moved, "")
    text = text.replace("By September 2017,", moved + "By September 2017,")
    text = text.replace("- Place: Derna, Libya\n", "- Place: Derna, Cyrenaica, Libya\n- Strength: unknown\n")
    text = text.replace("== See also ==", "== Aftermath ==\nThe city was rebuilt slowly.\n\n== See also ==")
    return text + "\n"


def test_update_records_only_the_edits_and_show_gives_the_file_back(example: Path, tmp_path: Path, ok) -> None:
    shown = ok("-C", example, "show", DERNA).text
    edited = tmp_path / f"{DERNA}.txt"
    edited.write_text(_edit(shown), encoding="utf-8")
    result = ok("-C", example, "import", "--update", edited, "--source", "https://example.org/edit", "--by", "ann")
    assert (
        result.text == f"Updated record '{DERNA}' from {edited}: revision 3 (3 added, 2 revised, 1 removed, 1 moved; 8 events), citing https://example.org/edit.\n"
    )
    assert ok("-C", example, "show", DERNA).out == edited.read_bytes()
    data = json.loads(ok("-C", example, "diff", DERNA, "2", "3", "--format", "json").out)
    assert [(s["fact"], s["text"]) for s in data["added"]] == [
        ("i13", "unknown"),
        ("h3", "Aftermath"),
        ("s12", "The city was rebuilt slowly."),
    ]
    assert [(s["fact"], s["reason"]) for s in data["removed"]] == [("s6", f"Removed in {edited}")]
    assert {c["fact"]: c["fields"] for c in data["changed"]} == {"i4": ["text", "sources"], "s4": ["text", "sources"]}
    assert [m["fact"] for m in data["moved"]] == ["s9"]
    facts = ok("-C", example, "show", DERNA, "--view", "facts").text
    assert "s4   sentence  r3    The siege started in August 2016." in facts, "a reworded sentence keeps its id"
    log = json.loads(ok("-C", example, "log", "--format", "json").out)
    assert [(r["rev"], r["by"], r["summary"]) for r in log] == [
        (3, "ann", f"Update from {edited.name}"),
        (2, "fact-archive editors", log[1]["summary"]),
        (1, "fact-archive editors", log[2]["summary"]),
    ]


def test_the_same_file_again_records_nothing(example: Path, tmp_path: Path, ok) -> None:
    edited = tmp_path / "article.txt"
    edited.write_bytes(ok("-C", example, "show", DERNA).out)
    before = _log(example)
    result = ok("-C", example, "import", "--update", edited, "--record", DERNA)
    assert result.text == f"{edited}: record '{DERNA}' already reads like this; nothing to record.\n"
    assert _log(example) == before


def test_update_with_a_source_keeps_unchanged_facts(example: Path, tmp_path: Path, ok) -> None:
    """(Without --source a rewording is refused since issue 14: tests/archive/test_who_said_what.py.)"""
    edited = tmp_path / "derna-edit.txt"
    edited.write_text(
        ok("-C", example, "show", DERNA).text.replace("(limited involvement)", "(some involvement)"), encoding="utf-8"
    )
    ok("-C", example, "import", "--update", edited, "--record", DERNA, "--source", "derna-edit notes")
    rows = json.loads(ok("-C", example, "show", DERNA, "--view", "infobox", "--format", "json").out)
    by_key = {r["key"]: r for r in rows}
    assert by_key["Combatant3"]["rev"] == 3 and by_key["Combatant3"]["sources"][-1]["title"] == "derna-edit notes"
    assert by_key["Combatant1"]["rev"] == 1 and by_key["Combatant2"]["rev"] == 2


def test_update_refuses_what_it_cannot_do_and_leaves_the_log(example: Path, tmp_path: Path, archive, refused) -> None:
    before = _log(example)
    other = tmp_path / "other-article.txt"
    other.write_text("= Other =\n\nText.\n", encoding="utf-8")
    refused(archive("-C", example, "import", "--update", other), 1, "record 'other-article' does not exist", "without --update")
    broken = tmp_path / "broken.txt"
    broken.write_text("No title here\n", encoding="utf-8")
    refused(archive("-C", example, "import", "--update", broken, "--record", DERNA), 1, "broken.txt:1")
    twice = tmp_path / "twice.txt"
    twice.write_text("= Siege of Derna =\n\nInfobox\n- Date: 2016\n- Date: 2017\n", encoding="utf-8")
    refused(archive("-C", example, "import", "--update", twice, "--record", DERNA), 1, "twice.txt:5", "'Date' twice")
    result = archive("-C", example, "import", "--update", other, broken, "--record", DERNA)
    refused(result, 2, "--record names one record")
    assert _log(example) == before


def test_update_changes_the_title_and_the_ending(example: Path, tmp_path: Path, ok) -> None:
    text = ok("-C", example, "show", DERNA).text
    edited = tmp_path / "e.txt"
    edited.write_text(text.replace("= Siege of Derna =", "= The Siege of Derna =").removesuffix("\n"), encoding="utf-8")
    ok("-C", example, "import", "--update", edited, "--record", DERNA, "--source", "https://example.org/title")
    assert ok("-C", example, "show", DERNA).out == edited.read_bytes()
    data = json.loads(ok("-C", example, "diff", DERNA, "HEAD~1", "--format", "json").out)
    assert [c["fact"] for c in data["changed"]] == ["t1"] and not data["added"] and not data["removed"]
    assert data["text"].endswith("\\ No newline at end of file\n")
