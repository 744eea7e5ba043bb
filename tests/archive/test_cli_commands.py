# ruff: noqa: RUF001 - the article text holds en dashes
"""Each command of the foundation, end to end, as a real process: init, import, append, build, show, records, log, schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ARTICLES = Path(__file__).parents[1] / "data" / "articles"
DERNA = "siege-of-derna"
SOURCE_KEYS = ["title", "url", "publisher", "author", "published", "accessed", "quote"]
JSON_KEYS = {
    "infobox": ["key", "value", "fact", "rev", "sources"],
    "timeline": ["date", "qualifier", "text", "fact", "rev", "sources"],
    "sources": [*SOURCE_KEYS, "facts"],
    "facts": ["fact", "kind", "text"],
}


def log_lines(root: Path) -> list[dict[str, Any]]:
    """The events of an archive's log, each line parsed."""
    return [json.loads(line) for line in (root / "events.jsonl").read_bytes().splitlines()]


def last_revision(root: Path) -> list[dict[str, Any]]:
    """The events of the newest revision."""
    lines = log_lines(root)
    return [line for line in lines if line["rev"] == lines[-1]["rev"]]


def facts(ok, root: Path, record: str = DERNA) -> dict[str, dict[str, Any]]:
    """The facts view as JSON, by fact id."""
    return {row["fact"]: row for row in json.loads(ok("-C", root, "show", record, "--view", "facts", "--format", "json").out)}


# ------------------------------------------------------------------ init


def test_init_makes_an_empty_archive(tmp_path: Path, ok) -> None:
    root = tmp_path / "new" / "arch"
    result = ok("init", root)
    assert (root / "events.jsonl").read_bytes() == b""
    assert (root / ".archive").is_dir()
    assert f"archive -C {root} import" in result.text
    assert ok("-C", root, "records").out == b""
    assert ok("-C", root, "log", "--format", "json").out.strip() == b"[]"


def test_init_without_dir_uses_C_and_then_the_current_folder(tmp_path: Path, ok) -> None:
    ok("-C", tmp_path / "by-c", "init")
    assert (tmp_path / "by-c" / "events.jsonl").is_file()
    here = tmp_path / "here"
    here.mkdir()
    ok("init", cwd=here)
    assert (here / "events.jsonl").is_file()


# ------------------------------------------------------------------ import


def test_import_one_file_defaults(tmp_path: Path, empty: Path, ok) -> None:
    """One revision; the file itself is the source; the summary names the file; ``by`` is $ARCHIVE_USER."""
    article = tmp_path / "Headings.TXT"
    shutil.copyfile(ARTICLES / "headings.txt", article)
    result = ok("-C", empty, "import", article)
    assert "record 'headings': revision 1" in result.text
    lines = log_lines(empty)
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert {line["rev"] for line in lines} == {1}
    assert lines[0]["type"] == "record.created" and lines[0]["record"] == "headings"
    assert all(line["by"] == "tester" for line in lines)
    assert lines[-1]["end"] is True and lines[-1]["summary"] == "Import Headings.TXT"
    assert all("end" not in line for line in lines[:-1])
    for line in lines[1:]:
        assert line["sources"] == [{"title": "Headings.TXT"}]
    assert ok("-C", empty, "show", "headings").out == article.read_bytes()


def test_import_several_files_one_revision_each(empty: Path, ok) -> None:
    files = [ARTICLES / "title-only.txt", ARTICLES / "unicode.txt", ARTICLES / "long-infobox.txt"]
    result = ok("-C", empty, "import", *files)
    assert result.text.count("Imported ") == 3
    lines = log_lines(empty)
    created = [(line["rev"], line["record"]) for line in lines if line["type"] == "record.created"]
    assert created == [(1, "title-only"), (2, "unicode"), (3, "long-infobox")]
    assert sum(1 for line in lines if line.get("end")) == 3
    records = json.loads(ok("-C", empty, "records", "--format", "json").out)
    assert [r["record"] for r in records] == ["title-only", "unicode", "long-infobox"]


def test_import_record_sources_summary_by(empty: Path, ok) -> None:
    source_json = '{"title": "Siege of Derna", "url": "https://en.wikipedia.org/wiki/Siege_of_Derna", "publisher": "Wikipedia"}'
    ok(
        "-C",
        empty,
        "import",
        ARTICLES / "structure.txt",
        "--record",
        "river-battle",
        "--source",
        "https://example.org/river",
        "--source",
        "Smith, J. A History of Rivers (1901), p. 12",
        "--source",
        source_json,
        "--summary",
        "First import",
        "--by",
        "A. Editor",
    )
    lines = log_lines(empty)
    assert lines[0]["record"] == "river-battle"
    assert {line["by"] for line in lines} == {"A. Editor"}
    assert lines[-1]["summary"] == "First import"
    expected = [
        {"url": "https://example.org/river"},
        {"title": "Smith, J. A History of Rivers (1901), p. 12"},
        {"title": "Siege of Derna", "url": "https://en.wikipedia.org/wiki/Siege_of_Derna", "publisher": "Wikipedia"},
    ]
    for line in lines[1:]:
        assert line["sources"] == expected
    log = json.loads(ok("-C", empty, "log", "--format", "json").out)
    assert log[0]["by"] == "A. Editor" and log[0]["summary"] == "First import" and log[0]["records"] == ["river-battle"]


# ------------------------------------------------------------------ append


def test_append_sentence_into_a_section_reads_its_date(seeded: Path, ok, seed_text: bytes) -> None:
    text = "On 28 June 2018, Khalifa Haftar declared that Derna had been liberated."
    result = ok("-C", seeded, "append", DERNA, "--section", "Timeline", "--text", text, "--source", "https://example.org/a")
    assert "revision 2" in result.text
    [event] = last_revision(seeded)
    assert event["type"] == "sentence.added" and event["text"] == text
    assert event["when"] == {"edtf": "2018-06-28", "qualifier": "on"}
    assert event["sources"] == [{"url": "https://example.org/a"}]
    article = ok("-C", seeded, "show", DERNA).text
    timeline_part = article.split("== Timeline ==\n")[1].split("\n\n== See also ==")[0]
    assert timeline_part.endswith("\n\n" + text)
    # everything else is as it was
    assert article.replace("\n\n" + text, "") == seed_text.decode()


def test_append_sentence_into_a_new_section(seeded: Path, ok, seed_text: bytes) -> None:
    ok("-C", seeded, "append", DERNA, "--section", "Aftermath", "--text", "Reconstruction began in 2020.", "--source", "x")
    heading, sentence = last_revision(seeded)
    assert heading["type"] == "heading.added" and heading["text"] == "Aftermath" and heading["level"] == 2
    assert sentence["when"] == {"edtf": "2020", "qualifier": "in"}
    article = ok("-C", seeded, "show", DERNA).out
    assert article == seed_text + b"\n== Aftermath ==\nReconstruction began in 2020.\n"


def test_append_to_the_lead(seeded: Path, ok) -> None:
    ok("-C", seeded, "append", DERNA, "--lead", "--text", "It is well documented.", "--source", "x")
    article = ok("-C", seeded, "show", DERNA).text
    assert "Government of National Accord.\n\nIt is well documented.\n\n== Timeline ==" in article


def test_append_to_a_paragraph_with_when_and_qualifier(seeded: Path, ok) -> None:
    ok("-C", seeded, "append", DERNA, "--paragraph", "s4", "--text", "It lasted long.", "--when", "by 2019-02", "--source", "x")
    [event] = last_revision(seeded)
    assert event["paragraph"] == "s4" and event["after"] == "s4" and event["lead"] == " "
    assert event["when"] == {"edtf": "2019-02", "qualifier": "by"}
    assert "\nThe siege began in August 2016. It lasted long.\n" in ok("-C", seeded, "show", DERNA).text
    timeline = json.loads(ok("-C", seeded, "show", DERNA, "--view", "timeline", "--format", "json").out)
    row = next(r for r in timeline if r["text"] == "It lasted long.")
    assert row["date"] == "2019-02" and row["qualifier"] == "by" and row["rev"] == 2


def test_append_when_without_qualifier_overrides_the_text(seeded: Path, ok) -> None:
    ok(
        "-C",
        seeded,
        "append",
        DERNA,
        "--section",
        "Timeline",
        "--text",
        "In 2020 it was quiet.",
        "--when",
        "2021",
        "--source",
        "x",
    )
    assert last_revision(seeded)[0]["when"] == {"edtf": "2021"}


def test_append_item(seeded: Path, ok) -> None:
    ok("-C", seeded, "append", DERNA, "--section", "See also", "--item", "Derna campaign (2014–2016)", "--source", "x")
    [event] = last_revision(seeded)
    assert event["type"] == "item.added" and event["list"] == "li1" and event["gap"] == 0
    assert ok("-C", seeded, "show", DERNA).text.endswith("- Battle of Derna (disambiguation)\n- Derna campaign (2014–2016)\n")


def test_append_infobox_set_add_and_remove(seeded: Path, ok) -> None:
    ok("-C", seeded, "append", DERNA, "--infobox", "Result=LNA victory", "--source", "x")
    assert last_revision(seeded)[0] | {"at": None, "prev": None} == {
        "seq": 29,
        "rev": 2,
        "type": "infobox.revised",
        "record": DERNA,
        "fact": "i5",
        "value": "LNA victory",
        "sources": [{"title": "siege-of-derna.txt"}, {"title": "x"}],  # the field keeps its source (issue 14)
        "at": None,
        "by": "tester",
        "end": True,
        "prev": None,
        "summary": "Revise i5",
    }
    ok("-C", seeded, "append", DERNA, "--infobox", "Casualties5=none known: see notes", "--source", "x")
    added = last_revision(seeded)[0]
    assert added["type"] == "infobox.added" and added["fact"] == "i13" and added["after"] == "i12"
    ok("-C", seeded, "append", DERNA, "--remove-infobox", "Combatant3", "--reason", "Not in the source", "--source", "x")
    removed = last_revision(seeded)[0]
    assert removed["type"] == "fact.retracted" and removed["fact"] == "i8" and removed["reason"] == "Not in the source"
    rows = json.loads(ok("-C", seeded, "show", DERNA, "--view", "infobox", "--format", "json").out)
    assert [(r["key"], r["value"]) for r in rows][-2:] == [
        ("Casualties4", "15 civilians killed, 17 civilians wounded"),
        ("Casualties5", "none known: see notes"),
    ]
    assert "Combatant3" not in [r["key"] for r in rows]
    result_row = next(r for r in rows if r["key"] == "Result")
    assert {k: result_row[k] for k in JSON_KEYS["infobox"]} == {
        "key": "Result",
        "value": "LNA victory",
        "fact": "i5",
        "rev": 2,
        "sources": [{"title": t} | dict.fromkeys(SOURCE_KEYS[1:]) for t in ("siege-of-derna.txt", "x")],
    }


def test_append_first_infobox_field_keeps_the_article_well_formed(empty: Path, ok) -> None:
    """An infobox added above a lead that followed the title directly gets the blank line that ends an infobox."""
    article = ARTICLES / "no-infobox-no-final-newline.txt"
    ok("-C", empty, "import", article, "--record", "plain")
    ok("-C", empty, "append", "plain", "--infobox", "Date=2020", "--source", "x")
    shown = ok("-C", empty, "show", "plain").out
    title, rest = article.read_bytes().split(b"\n", 1)
    assert shown == title + b"\n\nInfobox\n- Date: 2020\n\n" + rest
    again = empty.parent / "again.txt"
    again.write_bytes(shown)
    ok("-C", empty, "import", again)
    assert ok("-C", empty, "show", "again").out == shown


def test_append_revise_and_retract(seeded: Path, ok) -> None:
    ok("-C", seeded, "append", DERNA, "--revise", "s4", "--text", "The siege began in July 2016.", "--source", "x")
    revised = last_revision(seeded)[0]
    assert revised["type"] == "sentence.revised" and revised["fact"] == "s4"
    assert revised["when"] == {"edtf": "2016-07", "qualifier": "in"}
    ok("-C", seeded, "append", DERNA, "--retract", "s6", "--reason", "Unsourced quote", "--source", "x")
    retracted = last_revision(seeded)[0]
    assert retracted["type"] == "fact.retracted" and retracted["reason"] == "Unsourced quote"
    article = ok("-C", seeded, "show", DERNA).text
    assert "The siege began in July 2016.\n" in article
    assert "He was quoted" not in article
    assert "declared a total blockade of Derna.\n\nBy September 2017" in article
    shown = facts(ok, seeded)
    assert "s6" not in shown and shown["s4"]["rev"] == 2 and shown["s4"]["added"] == 1
    # history keeps it
    assert "He was quoted" in ok("-C", seeded, "show", DERNA, "--at", "1").text


def test_append_revise_title_heading_item_and_field(seeded: Path, ok) -> None:
    batch = [
        ("t1", "The Siege of Derna", "title.revised"),
        ("h2", "Related", "heading.revised"),
        ("li1", "Battle of Derna", "item.revised"),
        ("i7", "Shura Council of Mujahideen in Derna", "infobox.revised"),
    ]
    for fact, text, kind in batch:
        ok("-C", seeded, "append", DERNA, "--revise", fact, "--text", text, "--source", "x")
        assert last_revision(seeded)[0]["type"] == kind
    article = ok("-C", seeded, "show", DERNA).text
    assert article.startswith("= The Siege of Derna =\n")
    assert article.endswith("== Related ==\n- Battle of Derna\n")
    assert "- Combatant2: Shura Council of Mujahideen in Derna\n" in article


def _batch_lines() -> bytes:
    lines = [
        {"type": "heading.added", "fact": "aftermath", "text": "Aftermath"},
        {
            "type": "sentence.added",
            "text": "On 12 February 2019, the LNA captured the city.",
            "when": {"edtf": "2019-02-12", "qualifier": "on"},
        },
        {"type": "sentence.added", "fact": "s-two", "paragraph": "s12", "after": "s12", "lead": " ", "text": "Rebuilding began."},
        {"type": "infobox.revised", "fact": "i10", "value": "Ahmed Al-Habib (KIA), Moaz Tashani"},
        {"type": "fact.retracted", "fact": "i8", "reason": "Not in the source"},
    ]
    return b"\n".join(json.dumps(line).encode() for line in lines) + b"\n"


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_append_events_batch_is_one_revision(via: str, seeded: Path, tmp_path: Path, ok, seed_text: bytes) -> None:
    batch = tmp_path / "changes.jsonl"
    batch.write_bytes(_batch_lines())
    args = ["-C", seeded, "append", DERNA, "--source", "https://example.org/batch", "--summary", "A batch"]
    result = ok(*args, "--events", batch) if via == "file" else ok(*args, "--events", "-", stdin=batch.read_bytes())
    assert "revision 2" in result.text and "5 events" in result.text
    events = last_revision(seeded)
    assert [e["rev"] for e in events] == [2] * 5
    assert [e["fact"] for e in events] == ["aftermath", "s12", "s-two", "i10", "i8"]
    assert events[-1]["summary"] == "A batch" and events[-1]["end"] is True
    assert all(e["sources"] == [{"url": "https://example.org/batch"}] for e in events[:3])
    assert events[3]["sources"][-1] == {"url": "https://example.org/batch"} and len(events[3]["sources"]) == 2  # kept, gained
    article = ok("-C", seeded, "show", DERNA).out
    expected = (
        seed_text.replace(b"Ahmed Al-HabibKIA", b"Ahmed Al-Habib (KIA)").replace(b"- Combatant3: (limited involvement)\n", b"")
        + b"\n== Aftermath ==\n\nOn 12 February 2019, the LNA captured the city. Rebuilding began.\n"
    )
    assert article == expected


def test_append_expect_rev(seeded: Path, ok, archive, refused) -> None:
    ok("-C", seeded, "append", DERNA, "--lead", "--text", "One.", "--source", "x", "--expect-rev", "1")
    before = (seeded / "events.jsonl").read_bytes()
    result = archive("-C", seeded, "append", DERNA, "--lead", "--text", "Two.", "--source", "x", "--expect-rev", "1")
    refused(result, 3, "--expect-rev 1 no longer holds", "revision 2", "--expect-rev 2")
    assert (seeded / "events.jsonl").read_bytes() == before


# ------------------------------------------------------------------ build


def test_build_writes_every_view_file(example: Path, ok, seed_text: bytes) -> None:
    result = ok("-C", example, "build")
    assert "1 record" in result.text and "revision 2" in result.text
    views = example / "views" / DERNA
    written = {p.name for p in views.iterdir()}
    assert {"article.txt", "article.md", "infobox.json", "timeline.json", "sources.json"} <= written
    cleaned = seed_text.replace(b"Ahmed Al-HabibKIA", b"Ahmed Al-Habib (KIA)").replace(b"Derna,\n", b"Derna\n")
    assert (views / "article.txt").read_bytes() == cleaned
    assert (views / "article.md").read_text(encoding="utf-8").startswith("# Siege of Derna")
    for name, view in (("infobox.json", "infobox"), ("timeline.json", "timeline"), ("sources.json", "sources")):
        shown = ok("-C", example, "show", DERNA, "--view", view, "--format", "json").out
        assert (views / name).read_bytes() == shown
        json.loads(shown)


def test_build_out_and_at(example: Path, tmp_path: Path, ok, seed_text: bytes) -> None:
    out = tmp_path / "elsewhere"
    result = ok("-C", example, "build", "--out", out, "--at", "1")
    assert "revision 1" in result.text and str(out) in result.text
    assert (out / DERNA / "article.txt").read_bytes() == seed_text
    assert not (example / "views").exists()
    infobox = json.loads((out / DERNA / "infobox.json").read_bytes())
    assert infobox[6]["value"] == "Shura Council of Mujahideen in Derna,"


# ------------------------------------------------------------------ show


@pytest.fixture(scope="module")
def shared_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the bundled archive for read-only commands."""
    from_repo = Path(__file__).parents[2] / "examples" / DERNA
    return Path(shutil.copytree(from_repo, tmp_path_factory.mktemp("shared") / DERNA))


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("view", ["article", "infobox", "timeline", "sources", "facts"])
def test_show_every_view_in_every_format(view: str, fmt: str, shared_example: Path, in_process) -> None:
    """The whole matrix runs in-process (``archive.cli.main.main.main``); the other tests run each view as a real process."""
    out = in_process("-C", shared_example, "show", DERNA, "--view", view, "--format", fmt).text
    assert out.endswith("\n") and out.strip()
    if fmt == "json":
        data = json.loads(out)
        if view == "article":
            assert data["record"] == DERNA and data["title"] == "Siege of Derna" and data["rev"] == 2
            assert data["text"].startswith("= Siege of Derna =\n")
        else:
            assert isinstance(data, list) and data
            for row in data:
                assert set(JSON_KEYS[view]) <= set(row), row
                if "sources" in row:
                    assert all(list(s) == SOURCE_KEYS for s in row["sources"])
    elif fmt == "markdown":
        marker = {"article": "# Siege of Derna", "infobox": "| ", "timeline": "- **", "sources": "1. ", "facts": "| "}[view]
        assert out.startswith(marker)
    else:
        assert "Siege of Derna" in out or view == "timeline"
    if view in ("infobox", "facts") and fmt != "json":
        assert "Ahmed Al-Habib (KIA), Moaz Tashani" in out


@pytest.mark.parametrize("view", ["infobox", "facts"])
def test_markdown_tables_stay_tables(view: str, empty: Path, ok) -> None:
    """A pipe in a value and a hard-wrapped sentence stay inside their cells: every row has the header's columns."""
    ok("-C", empty, "import", ARTICLES / "structure.txt", "--source", "https://example.org/only-a-url")
    lines = ok("-C", empty, "show", "structure", "--view", view, "--format", "markdown").text.splitlines()
    columns = lines[0].count(" | ")
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines)
    assert all(line.replace("\\|", "").count(" | ") == columns for line in lines), lines
    assert any("800 \\| 900" in line for line in lines)
    sources = ok("-C", empty, "show", "structure", "--view", "sources", "--format", "markdown").text
    assert sources.startswith("1. <https://example.org/only-a-url> (backs t1, i1, ")


def test_show_at_names_revisions(shared_example: Path, ok, seed_text: bytes) -> None:
    head = ok("-C", shared_example, "show", DERNA).out
    assert ok("-C", shared_example, "show", DERNA, "--at", "HEAD").out == head
    assert ok("-C", shared_example, "show", DERNA, "--at", "2").out == head
    assert ok("-C", shared_example, "show", DERNA, "--at", "1").out == seed_text
    assert ok("-C", shared_example, "show", DERNA, "--at", "HEAD~1").out == seed_text
    assert ok("-C", shared_example, "show", DERNA, "--at", "head~1").out == seed_text
    log = json.loads(ok("-C", shared_example, "log", "--format", "json").out)
    first_at, second_at = log[1]["at"], log[0]["at"]
    assert ok("-C", shared_example, "show", DERNA, "--at", first_at).out == seed_text
    assert ok("-C", shared_example, "show", DERNA, "--at", second_at).out == head
    assert ok("-C", shared_example, "show", DERNA, "--at", "2100-01-01T00:00:00+01:00").out == head


# ------------------------------------------------------------------ records, log


def test_records_text_and_json(shared_example: Path, ok) -> None:
    rows = json.loads(ok("-C", shared_example, "records", "--format", "json").out)
    assert rows == [{"record": DERNA, "title": "Siege of Derna", "facts": 27, "rev": 2, "created": 1}]
    assert ok("-C", shared_example, "records").text == "siege-of-derna  Siege of Derna  (27 facts, r2)\n"
    at_one = json.loads(ok("-C", shared_example, "records", "--format", "json", "--at", "1").out)
    assert at_one[0]["rev"] == 1


def test_log_text_and_json(shared_example: Path, ok) -> None:
    rows = json.loads(ok("-C", shared_example, "log", "--format", "json").out)
    assert [r["rev"] for r in rows] == [2, 1]
    for row in rows:
        assert list(row)[:6] == ["rev", "at", "by", "summary", "events", "records"]
        assert row["at"].endswith("Z") and row["records"] == [DERNA] and row["by"] == "fact-archive editors"
    assert [r["events"] for r in rows] == [2, 28]
    text = ok("-C", shared_example, "log").text.splitlines()
    assert len(text) == 2 and text[0].startswith("r2  ") and text[1].startswith("r1  ")
    assert (
        ok("-C", shared_example, "log", DERNA, "--format", "json").out == ok("-C", shared_example, "log", "--format", "json").out
    )


# ------------------------------------------------------------------ schema


def _schema_check(schema: dict[str, Any], line: dict[str, Any]) -> None:
    """A small structural check that needs no library: the line's type picks one definition, whose
    required keys it has, and it has no key the definition does not know."""
    mapping = schema["discriminator"]["mapping"]
    ref = mapping[line["type"]]
    definition = schema["$defs"][ref.rsplit("/", 1)[-1]]
    assert definition["additionalProperties"] is False
    assert set(definition["required"]) <= set(line), (line["type"], definition["required"])
    assert set(line) <= set(definition["properties"]), (line["type"], set(line) - set(definition["properties"]))


def test_schema_describes_real_lines(shared_example: Path, seeded: Path, ok) -> None:
    out = ok("schema").out
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["discriminator"]["mapping"]) >= {"record.created", "sentence.added", "fact.retracted"}
    ok("-C", seeded, "append", DERNA, "--retract", "s6", "--reason", "r", "--source", "x")
    lines = log_lines(shared_example) + log_lines(seeded)
    for line in lines:
        _schema_check(schema, line)
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed: only the structural check ran")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(schema)
    for line in lines:
        validator.validate(line)
    broken = dict(lines[3])
    del broken["sources"]
    assert not validator.is_valid(broken)
    assert not validator.is_valid(lines[0] | {"type": "record.exploded"})


# ------------------------------------------------------------------ help, python -m, the script

COMMANDS = ["init", "import", "append", "build", "show", "records", "log", "schema"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, ok) -> None:
    out = ok(command, "--help").text
    assert out.startswith(f"Usage: archive {command}")
    assert "--help" in out
    for option in {"show": ["--view", "--format", "--at"], "build": ["--out", "--at"], "append": ["--source", "--events"]}.get(
        command, []
    ):
        assert option in out


def test_python_dash_m_archive(ok) -> None:
    out = ok("--help").text
    assert out.startswith("Usage: archive")
    for command in COMMANDS:
        assert f"  {command} " in out
    assert ok("--version").text.startswith("archive, version ")


def test_the_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "archive"
    if not script.exists():
        pytest.skip(f"no console script at {script} (install the project to get one)")
    proc = subprocess.run([script, "init", tmp_path / "a"], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a" / "events.jsonl").is_file()
