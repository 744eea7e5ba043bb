"""End-to-end tests of corrections as editors make them (move, alternative claims, preference) and of ``log`` filters."""

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


def _last(root: Path) -> list[dict]:
    events = [json.loads(line) for line in _log(root).splitlines()]
    return [e for e in events if e["rev"] == events[-1]["rev"]]


# ------------------------------------------------------------------ move


def test_move_a_sentence_into_another_paragraph_and_section(seeded: Path, ok, run, seed_text: bytes) -> None:
    ok("-C", seeded, "append", DERNA, "--move", "s6", "--after", "s4")
    [event] = _last(seeded)
    assert (event["type"], event["fact"], event["after"], event["paragraph"]) == ("fact.moved", "s6", "s4", "s4")
    quote = " He was quoted as saying that no food, medicine, cooking gas, petrol or anything else would be allowed in."
    expected = seed_text.decode().replace(quote, "").replace("in August 2016.", "in August 2016." + quote, 1)
    assert ok("-C", seeded, "show", DERNA).text == expected
    run("-C", seeded, "append", DERNA, "--move", "s5", "--lead")
    text = run("-C", seeded, "show", DERNA).text
    assert "as well as by the Government of National Accord.\n\nIn August 2017\u2013after" in text
    assert "== Timeline ==\nThe siege began in August 2016. He was quoted" in text
    run("-C", seeded, "append", DERNA, "--move", "s10", "--section", "Aftermath", "--source", "editor")
    assert run("-C", seeded, "show", DERNA).text.endswith(
        "== See also ==\n- Battle of Derna (disambiguation)\n\n== Aftermath ==\nIn December 2017, Islamic State member "
        "Mohamed Fathi Al-Jamayel was executed by the Shura Council after a failed attempt to kill senior member Moaz Tashani.\n"
    )
    history = json.loads(run("-C", seeded, "history", DERNA, "s10", "--format", "json").out)
    assert [v["fact"]["section"] for v in history["versions"]] == ["Timeline", "Aftermath"]


def test_move_refuses_what_would_break_the_article(seeded: Path, archive, refused, run) -> None:
    before = _log(seeded)
    refused(archive("-C", seeded, "append", DERNA, "--move", "s99", "--lead"), 1, "Fact 's99' does not exist")
    _refused(run("-C", seeded, "append", DERNA, "--move", "h1", "--after", "s5", code=1), "inside a paragraph", "would split it")
    _refused(
        run("-C", seeded, "append", DERNA, "--move", "s4", "--section", "Nowhere", code=1), "no section 'Nowhere'", "--source"
    )
    _refused(run("-C", seeded, "append", DERNA, "--move", "i3", "--lead", code=1), "only headings, sentences and list items move")
    _refused(run("-C", seeded, "append", DERNA, "--move", "s4", code=2), "needs one place")
    _refused(
        run("-C", seeded, "append", DERNA, "--after", "s4", "--retract", "s5", "--source", "x", code=2),
        "--after FACT places a fact that --move names",
    )
    assert _log(seeded) == before


# ------------------------------------------------------------------ alternative claims


def test_two_sources_disagree_on_a_field_both_kept_one_preferred(seeded: Path, ok, run, archive, refused) -> None:
    amnesty = '{"title": "Amnesty report", "url": "https://example.org/amnesty"}'
    ok("-C", seeded, "append", DERNA, "--infobox", "Casualties4=20 civilians killed", "--alternative", "--source", amnesty)
    [event] = _last(seeded)
    assert (event["type"], event["fact"], event["rank"], event["after"]) == ("infobox.added", "i13", "normal", "i12")
    assert "Casualties4: 15 civilians killed, 17 civilians wounded\n" in run("-C", seeded, "show", DERNA).text
    rows = json.loads(run("-C", seeded, "show", DERNA, "--view", "infobox", "--format", "json").out)
    [row] = [r for r in rows if r["key"] == "Casualties4"]
    assert row["value"] == "15 civilians killed, 17 civilians wounded" and set(row) >= {"key", "value", "fact", "rev", "sources"}
    assert [(a["fact"], a["value"]) for a in row["alternatives"]] == [("i13", "20 civilians killed")]
    sources = json.loads(run("-C", seeded, "show", DERNA, "--view", "sources", "--format", "json").out)
    assert [s["facts"] for s in sources if s["title"] == "Amnesty report"] == [["i13"]]

    ok("-C", seeded, "append", DERNA, "--prefer", "i13", "--reason", "More recent count")
    [event] = _last(seeded)
    assert (event["type"], event["fact"], event["reason"]) == ("infobox.preferred", "i13", "More recent count")
    text = run("-C", seeded, "show", DERNA).text
    assert "- Casualties4: 20 civilians killed\n\n" in text and "15 civilians killed" not in text
    diff = json.loads(run("-C", seeded, "diff", DERNA, "HEAD~1", "--format", "json").out)
    assert diff["infobox"]["changed"] == [
        {
            "key": "Casualties4",
            "before": "15 civilians killed, 17 civilians wounded",
            "after": "20 civilians killed",
            "fact": "i13",
        }
    ]

    before = _log(seeded)
    refused(archive("-C", seeded, "append", DERNA, "--prefer", "i13"), 1, "already the shown claim", "i12")
    _refused(run("-C", seeded, "append", DERNA, "--prefer", "s1", code=1), "only an infobox claim can be preferred")
    _refused(
        run("-C", seeded, "append", DERNA, "--infobox", "Nope=1", "--alternative", "--source", "x", code=1), "no field 'Nope'"
    )
    _refused(
        run(
            "-C",
            seeded,
            "append",
            DERNA,
            "--infobox",
            "Casualties4=20 civilians killed",
            "--alternative",
            "--source",
            "x",
            code=1,
        ),
        "already has the claim",
    )
    _refused(
        run("-C", seeded, "append", DERNA, "--alternative", "--retract", "s1", "--source", "x", code=2), "--alternative goes with"
    )
    assert _log(seeded) == before

    run("-C", seeded, "append", DERNA, "--remove-infobox", "Casualties4", "--reason", "Disputed", "--source", "editor")
    assert [e["fact"] for e in _last(seeded)] == ["i12", "i13"]
    assert "Casualties4" not in run("-C", seeded, "show", DERNA).text


# ------------------------------------------------------------------ log


def test_log_filters_by_record_author_and_time(example: Path, tmp_path: Path, ok, run, archive, refused) -> None:
    other = tmp_path / "other.txt"
    other.write_text("= Other =\n\nText.\n", encoding="utf-8")
    run("-C", example, "import", other, "--by", "Bea")
    run("-C", example, "append", DERNA, "--lead", "--text", "One more.", "--source", "x", "--by", "ann")
    full = json.loads(ok("-C", example, "log", "--format", "json").out)
    assert [r["rev"] for r in full] == [4, 3, 2, 1]
    assert all(list(r) == ["rev", "at", "by", "summary", "events", "records"] for r in full)

    def revs(*args: str) -> list[int]:
        return [r["rev"] for r in json.loads(run("-C", example, "log", *args, "--format", "json").out)]

    assert revs(DERNA) == [4, 2, 1]
    assert revs("--by", "bea") == [3]
    assert revs("--since", "2", "--until", "HEAD~1") == [3, 2]
    assert revs("--since", full[1]["at"]) == [4, 3]
    assert revs("--until", full[2]["at"]) == [2, 1]
    assert revs("--until", full[0]["at"][:10]) == [4, 3, 2, 1], "a day runs to its end"
    text = ok("-C", example, "log", "--by", "ann").text
    assert text.startswith("r4  ") and text.count("\n") == 1
    assert run("-C", example, "log", "--by", "nobody").text == ""
    refused(archive("-C", example, "log", "--since", "last week"), 1, "--since 'last week' is neither a time nor a revision")
    _refused(run("-C", example, "log", "--until", "2026-02-30", code=1), "not a real date")
    _refused(run("-C", example, "log", "nope", code=1), "Record 'nope' does not exist")
