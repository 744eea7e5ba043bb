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
