"""Issue 14 through the real command line: sources follow evidence, reasons show, output a person can act on,
times mean the same everywhere, files others can read, pipes."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import SEED, Result, Run

WIKI = "https://en.wikipedia.org/wiki/Siege_of_Derna"
FIX = "https://example.org/typo-fix"
RECORD = "siege-of-derna"


def _derna(tmp_path: Path, ok: Run) -> Path:
    root = tmp_path / "d"
    ok("init", root)
    ok("-C", root, "import", SEED, "--source", WIKI)
    return root


def _typo(root: Path, ok: Run, tmp_path: Path) -> Path:
    edited = tmp_path / "d.txt"
    edited.write_bytes(ok("-C", root, "show", RECORD).out)
    text = edited.read_text(encoding="utf-8")
    assert "killing at least 15 civilians" in text
    edited.write_text(text.replace("killing at least 15 civilians", "killing at least fifteen civilians"), encoding="utf-8")
    return edited


def _fact(root: Path, ok: Run, fact: str) -> dict[str, object]:
    rows = json.loads(ok("-C", root, "history", RECORD, fact, "--format", "json").out)
    return rows["versions"][-1]["fact"]  # type: ignore[no-any-return]


def _urls(sources: object) -> list[str]:
    return [s["url"] or s["title"] for s in sources]  # type: ignore[attr-defined, index]


# ------------------------------------------------------------------ 1. sources follow evidence


def test_a_typo_fix_keeps_the_source_that_reported_the_figure(tmp_path: Path, ok: Run) -> None:
    """The reproduction of the issue: the casualty figure stays with Wikipedia and gains the typo fix."""
    root = _derna(tmp_path, ok)
    edited = _typo(root, ok, tmp_path)
    done = ok("-C", root, "import", "--update", edited, "--record", RECORD, "--source", FIX)
    assert f"citing {FIX}" in done.text
    diff = ok("-C", root, "diff", RECORD, "HEAD~1").text
    assert f"sources gained: {FIX}" in diff
    assert "sources lost" not in diff and f"{WIKI} -> {FIX}" not in diff
    changed = json.loads(ok("-C", root, "diff", RECORD, "HEAD~1", "--format", "json").out)["changed"]
    [change] = changed
    assert _urls(change["after"]["sources"]) == [WIKI, FIX]
    assert _urls(change["sources_gained"]) == [FIX] and change["sources_lost"] == []
    assert "fifteen" in ok("-C", root, "show", RECORD).text


def test_replace_sources_is_an_explicit_choice_shown_in_the_diff(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    edited = _typo(root, ok, tmp_path)
    ok("-C", root, "import", "--update", edited, "--record", RECORD, "--source", FIX, "--replace-sources")
    diff = ok("-C", root, "diff", RECORD, "HEAD~1").text
    assert f"sources gained: {FIX}" in diff and f"sources lost: {WIKI}" in diff


def test_append_revise_and_infobox_keep_the_old_sources(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--revise", "s9", "--text", "In October 2017, an airstrike hit Derna.", "--source", FIX)
    assert _urls(_fact(root, ok, "s9")["sources"]) == [WIKI, FIX]
    ok("-C", root, "append", RECORD, "--infobox", "Result=Victory", "--source", FIX)
    facts = json.loads(ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "json").out)
    result = next(f for f in facts if f["key"] == "Result")
    assert _urls(result["sources"]) == [WIKI, FIX]
    ok("-C", root, "append", RECORD, "--revise", "s9", "--text", "In October 2017.", "--source", FIX, "--replace-sources")
    assert _urls(_fact(root, ok, "s9")["sources"]) == [FIX]


def test_update_without_source_refuses_to_add_or_reword(tmp_path: Path, ok: Run, archive: Run, refused: object) -> None:
    root = _derna(tmp_path, ok)
    edited = _typo(root, ok, tmp_path)
    log = (root / "events.jsonl").read_bytes()
    result = archive("-C", root, "import", "--update", edited, "--record", RECORD)
    refused(result, 1, "no --source given", "s9", "--source")  # type: ignore[operator]
    assert (root / "events.jsonl").read_bytes() == log
    # a removal alone cites the editor
    text = ok("-C", root, "show", RECORD).text
    edited.write_text(text.replace("\n- Derna campaign (2014–2016)", ""), encoding="utf-8")
    if edited.read_text(encoding="utf-8") == text:  # the seed's See also may differ: drop the last paragraph instead
        edited.write_text(text.rsplit("\n\n", 1)[0] + "\n", encoding="utf-8")
    done = ok("-C", root, "import", "--update", edited, "--record", RECORD)
    assert "Edited by tester (the editor: no --source given)" in done.text
    assert "Edited by tester" in ok("-C", root, "diff", RECORD, "HEAD~1").text


def test_a_multi_file_import_says_which_source_each_file_cites(tmp_path: Path, ok: Run) -> None:
    root = tmp_path / "m"
    ok("init", root)
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("= One =\n\nIt began in 2001.\n", encoding="utf-8")
    two.write_text("= Two =\n\nIt ended in 2002.\n", encoding="utf-8")
    lines = ok("-C", root, "import", one, two).text.splitlines()
    assert "citing one.txt (the file itself: no --source given)" in lines[0]
    assert "citing two.txt (the file itself: no --source given)" in lines[1]
    root2 = tmp_path / "m2"
    ok("init", root2)
    lines = ok("-C", root2, "import", one, two, "--source", WIKI).text.splitlines()
    assert all(line.endswith(f"citing {WIKI}.") for line in lines)


# ------------------------------------------------------------------ 2. reasons and sources of corrections


def test_reasons_and_sources_of_corrections_show_everywhere(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    amnesty = "https://example.org/amnesty"
    ok("-C", root, "append", RECORD, "--infobox", "Casualties4=20 civilians killed", "--alternative", "--source", amnesty)
    alt = ok("-C", root, "append", RECORD, "--prefer", "i13", "--reason", "more recent count", "--source", amnesty)
    assert alt.code == 0
    diff = ok("-C", root, "diff", RECORD, "HEAD~1").text
    assert "reason: more recent count" in diff and f"preferred on: {amnesty}" in diff
    data = json.loads(ok("-C", root, "diff", RECORD, "HEAD~1", "--format", "json").out)
    [note] = data["corrections"]
    assert note["kind"] == "preferred" and note["reason"] == "more recent count" and _urls(note["sources"]) == [amnesty]
    history = ok("-C", root, "history", RECORD, "i12", "--no-color").text
    assert "an alternative claim, not shown" in history.splitlines()[0]
    assert "more recent count" in history and amnesty in history
    ok("-C", root, "append", RECORD, "--retract", "s9", "--reason", "unsourced quote", "--source", FIX)
    diff = ok("-C", root, "diff", RECORD, "HEAD~1").text
    assert "reason: unsourced quote" in diff and f"retracted on: {FIX}" in diff
    assert f"retracted (s9) on: {FIX}" in ok("-C", root, "history", RECORD, "s9", "--no-color").text
    ok("-C", root, "build")
    page = (root / "views" / RECORD / f"diff-{4}.html").read_text(encoding="utf-8")
    assert "Reason: unsourced quote" in page and "Retracted on:" in page and FIX in page
    assert "Reason: more recent count" in (root / "views" / RECORD / "diff-3.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ 5. output a person can act on


def test_append_prints_new_ids_and_writes_a_summary(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    added = ok("-C", root, "append", RECORD, "--section", "Timeline", "--text", "On 28 June 2018, it ended.", "--source", FIX)
    assert added.text.rstrip().endswith("New fact: s12.")
    ok("-C", root, "append", RECORD, "--retract", "s12", "--reason", "unsourced quote", "--source", FIX)
    log = json.loads(ok("-C", root, "log", "--format", "json").out)
    assert [r["summary"] for r in log[:2]] == ["Retract s12: unsourced quote", "Add s12 to Timeline"]
    assert all(r["summary"] for r in log)


def test_unknown_records_suggest_the_closest_and_imports_point_to_update(
    tmp_path: Path, ok: Run, archive: Run, refused: object
) -> None:
    root = _derna(tmp_path, ok)
    refused(archive("-C", root, "show", "siege-of-dern"), 1, "Did you mean 'siege-of-derna'?")  # type: ignore[operator]
    refused(archive("-C", root, "append", "siege-derna", "--retract", "s1", "--source", FIX), 1, "'siege-of-derna'")  # type: ignore[operator]
    log = (root / "events.jsonl").read_bytes()
    result = archive("-C", root, "import", SEED, "--record", RECORD)
    refused(result, 1, "already exists", f"archive import --update {SEED} --record {RECORD}")  # type: ignore[operator]
    assert (root / "events.jsonl").read_bytes() == log


# ------------------------------------------------------------------ 6. times


def test_a_bare_date_means_the_end_of_that_day_everywhere(tmp_path: Path, ok: Run, archive: Run, refused: object) -> None:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--retract", "s9", "--source", FIX)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    head = ok("-C", root, "show", RECORD).out
    assert ok("-C", root, "show", RECORD, "--at", today).out == head  # the end of today: HEAD
    assert ok("-C", root, "log", "--until", today, "--format", "json").out == ok("-C", root, "log", "--format", "json").out
    assert "No change." in ok("-C", root, "diff", RECORD, today, "HEAD").text
    refused(archive("-C", root, "show", RECORD, "--at", "2026-02-30"), 1, "not a real date")  # type: ignore[operator]
    refused(archive("-C", root, "show", RECORD, "--at", "2001-01-01"), 1, "No revision")  # type: ignore[operator]


# ------------------------------------------------------------------ 7. files others can read


def test_views_are_written_with_the_users_umask_and_markdown_escapes_html(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--section", "Timeline", "--text", "In 2019 <script>alert(1)</script> & more.", "--source", FIX)
    ok("-C", root, "build", env={"ARCHIVE_UMASK_TEST": "1"})
    for path in (root / "views").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask(), path
    markdown = (root / "views" / RECORD / "article.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in markdown


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ------------------------------------------------------------------ 9. pipes


def test_update_reads_standard_input_once(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    edited = _typo(root, ok, tmp_path)
    done = ok("-C", root, "import", "--update", "-", "--record", RECORD, "--source", FIX, stdin=edited.read_bytes())
    assert "1 revised" in done.text
    assert ok("-C", root, "show", RECORD).out == edited.read_bytes()
    again = ok("-C", root, "import", "--update", "/dev/stdin", "--record", RECORD, "--source", FIX, stdin=edited.read_bytes())
    assert "nothing to record" in again.text


def test_stdin_without_a_record_name_is_refused(tmp_path: Path, ok: Run, archive: Run, refused: object) -> None:
    root = _derna(tmp_path, ok)
    result: Result = archive("-C", root, "import", "--update", "-", "--source", FIX, stdin=b"= X =\n")
    refused(result, 1, "--record")  # type: ignore[operator]


# ------------------------------------------------------------------ 4. diff names things right


def test_a_moved_heading_is_named_by_its_own_text(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--move", "h2", "--after", "s2", "--source", "editor")
    diff = ok("-C", root, "diff", RECORD, "HEAD~1", "--no-color").text
    [line] = [row for row in diff.splitlines() if row.startswith("> h2")]
    assert line.endswith("“See also”") and "Timeline" not in line
    ok("-C", root, "build")
    page = (root / "views" / RECORD / "diff-2.html").read_text(encoding="utf-8")
    assert "“See also” now after s2" in page
