"""Issue 14's remainder through the real command line: the history page shows each correction's reason and
sources; disputed infobox fields are marked with their other claims; keys in other Unicode normal forms are one
field."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from tests.conftest import SEED, Run

WIKI = "https://en.wikipedia.org/wiki/Siege_of_Derna"
AMNESTY = "https://example.org/amnesty"
FIX = "https://example.org/fix"
RECORD = "siege-of-derna"


def _derna(tmp_path: Path, ok: Run) -> Path:
    root = tmp_path / "d"
    ok("init", root)
    ok("-C", root, "import", SEED, "--source", WIKI)
    return root


def _client(root: Path) -> Any:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from archive.store.folder import find_archive  # noqa: PLC0415
    from archive.web.app import make_app  # noqa: PLC0415

    return TestClient(make_app(find_archive(root)), base_url="http://127.0.0.1")


# ------------------------------------------------------------------ 2. the history page


def _corrected(tmp_path: Path, ok: Run) -> Path:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--infobox", "Casualties4=20 civilians killed", "--alternative", "--source", AMNESTY)
    ok("-C", root, "append", RECORD, "--prefer", "i13", "--reason", "more recent count", "--source", AMNESTY)
    ok("-C", root, "append", RECORD, "--retract", "s9", "--reason", "unsourced <quote>", "--source", FIX)
    ok("-C", root, "append", RECORD, "--move", "s10", "--section", "Aftermath", "--source", "Editor's note")
    return root


def _history_rows(page: str) -> dict[str, str]:
    """The rows of the history table by revision id (``r3``), as HTML."""
    rows = page.split('<tr id="')[1:]
    return {row.split('"', 1)[0]: row.split("</tr>", 1)[0] for row in rows}


def test_the_history_page_shows_reasons_and_sources_of_corrections(tmp_path: Path, ok: Run) -> None:
    root = _corrected(tmp_path, ok)
    ok("-C", root, "build")
    built = (root / "views" / RECORD / "history.html").read_text(encoding="utf-8")
    rows = _history_rows(built)
    assert "Preferred" in rows["r3"] and "Reason: more recent count" in rows["r3"] and AMNESTY in rows["r3"]
    assert "20 civilians killed" in rows["r3"]
    assert "Retracted" in rows["r4"] and "Reason: unsourced &lt;quote&gt;" in rows["r4"] and FIX in rows["r4"]
    assert "<quote>" not in built  # every text escaped
    assert "Moved" in rows["r5"] and "Editor&#39;s note" in rows["r5"]
    assert "Reason" not in rows["r2"] and "correction" not in rows["r1"]  # an addition is no correction
    # the server renders the same page on request
    with _client(root) as client:
        served = client.get(f"/{RECORD}/history.html").text
    assert _history_rows(served) == rows


def test_a_move_that_cites_nothing_is_no_correction(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    ok("-C", root, "append", RECORD, "--move", "s6", "--after", "s4")
    ok("-C", root, "build")
    rows = _history_rows((root / "views" / RECORD / "history.html").read_text(encoding="utf-8"))
    assert 'class="correction' not in rows["r2"]


# ------------------------------------------------------------------ 3. disputed values are visible


def _disputed(tmp_path: Path, ok: Run) -> Path:
    root = _derna(tmp_path, ok)
    amnesty = json.dumps({"title": "Amnesty <report>", "url": AMNESTY})
    ok("-C", root, "append", RECORD, "--infobox", "Casualties4=20 civilians killed", "--alternative", "--source", amnesty)
    return root


def test_a_disputed_field_shows_its_other_claims_in_every_infobox_view(tmp_path: Path, ok: Run) -> None:
    root = _derna(tmp_path, ok)
    plain = ok("-C", root, "show", RECORD, "--view", "infobox").text
    assert "disputed" not in plain and "or:" not in plain
    rows = json.loads(ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "json").out)
    assert all(r["disputed"] is False and r["alternatives"] == [] for r in rows)

    root = _disputed(tmp_path / "two", ok)
    text = ok("-C", root, "show", RECORD, "--view", "infobox").text.splitlines()
    [at] = [i for i, line in enumerate(text) if line.startswith("Casualties4")]
    assert text[at].endswith("[i12, r1]  disputed")
    assert text[at + 1].strip() == "or: 20 civilians killed    [i13, r2]  sources: Amnesty <report>"
    assert sum("disputed" in line for line in text) == 1  # the undisputed fields say nothing
    markdown = ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "markdown").text
    assert "| Casualties4 (disputed) | 15 civilians killed, 17 civilians wounded | i12 | 1 |" in markdown
    assert "| ↳ other claim | 20 civilians killed | i13 | 2 | Amnesty &lt;report&gt; |" in markdown
    rows = json.loads(ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "json").out)
    [row] = [r for r in rows if r["key"] == "Casualties4"]
    assert list(row)[:5] == ["key", "value", "fact", "rev", "sources"]  # DESIGN's keys first, unchanged
    assert row["disputed"] is True and row["value"] == "15 civilians killed, 17 civilians wounded"
    [other] = row["alternatives"]
    assert (other["value"], other["fact"], other["rev"], other["disputed"]) == ("20 civilians killed", "i13", 2, True)
    assert [s["url"] for s in other["sources"]] == [AMNESTY]
    assert [r["disputed"] for r in rows].count(True) == 1


def test_the_article_marks_a_disputed_field_but_its_text_stays_the_import_format(tmp_path: Path, ok: Run) -> None:
    root = _disputed(tmp_path, ok)
    # the text article is what import reads: it shows the preferred claim only, so show | edit | import --update
    # never takes a marker for part of the value
    assert ok("-C", root, "show", RECORD).out == SEED.read_bytes()
    markdown = ok("-C", root, "show", RECORD, "--format", "markdown").text
    field = "| Casualties4 | 15 civilians killed, 17 civilians wounded[^1] (disputed; other claims: 20 civilians killed[^2]) |"
    assert field in markdown
    ok("-C", root, "build")
    page = (root / "views" / RECORD / "index.html").read_text(encoding="utf-8")
    row = page.split('<tr id="f-i12" class="disputed">', 1)[1].split("</tr>", 1)[0]
    assert "<details" in row and "Disputed: 1 other claim" in row
    assert '<li id="f-i13">20 civilians killed' in row and f'href="{AMNESTY}"' in row and "Amnesty &lt;report&gt;" in row
    assert page.count('class="disputed"') == 1 and "<script" not in row  # a disclosure: no script needed
    # preferring the other claim swaps them; retracting it leaves the field undisputed
    ok("-C", root, "append", RECORD, "--prefer", "i13", "--reason", "newer count", "--source", AMNESTY)
    rows = json.loads(ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "json").out)
    [row_after] = [r for r in rows if r["key"] == "Casualties4"]
    assert row_after["fact"] == "i13" and [a["fact"] for a in row_after["alternatives"]] == ["i12"]
    ok("-C", root, "append", RECORD, "--retract", "i12", "--reason", "superseded", "--source", AMNESTY)
    rows = json.loads(ok("-C", root, "show", RECORD, "--view", "infobox", "--format", "json").out)
    assert not any(r["disputed"] for r in rows)
    with _client(root) as client:
        assert 'class="disputed"' not in client.get(f"/{RECORD}/").text
