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
    # the server renders the same corrections on request (its page may show more columns, such as signatures)
    with _client(root) as client:
        served = client.get(f"/{RECORD}/history.html").text
    assert _notes(_history_rows(served)) == _notes(rows) and _notes(rows)["r4"]


def _notes(rows: dict[str, str]) -> dict[str, list[str]]:
    """The correction lines of each history row."""
    return {rev: [line.strip() for line in row.splitlines() if 'class="correction' in line] for rev, row in rows.items()}


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


# ------------------------------------------------------------------ 8. text that looks the same is the same

NFC_KEY = unicodedata.normalize("NFC", "Lieu de décès")
NFD_KEY = unicodedata.normalize("NFD", "Lieu de décès")
ARTICLE_NFD = f"= Émile Zola =\n\nInfobox\n- {NFD_KEY}: Paris\n- Né: 1840\n\nÉmile Zola était un écrivain français.\n"


def _zola(tmp_path: Path, ok: Run) -> tuple[Path, Path]:
    assert NFC_KEY != NFD_KEY and len(NFD_KEY.encode()) > len(NFC_KEY.encode())
    root, source = tmp_path / "z", tmp_path / "zola.txt"
    tmp_path.mkdir(parents=True, exist_ok=True)
    source.write_text(ARTICLE_NFD, encoding="utf-8")
    ok("init", root)
    ok("-C", root, "import", source, "--record", "zola", "--source", WIKI)
    return root, source


def _infobox(root: Path, ok: Run) -> list[dict[str, Any]]:
    return json.loads(ok("-C", root, "show", "zola", "--view", "infobox", "--format", "json").out)  # type: ignore[no-any-return]


def _log(root: Path) -> bytes:
    return (root / "events.jsonl").read_bytes()


def test_an_article_with_a_key_in_nfd_renders_back_byte_for_byte(tmp_path: Path, ok: Run) -> None:
    root, source = _zola(tmp_path, ok)
    assert ok("-C", root, "show", "zola").out == source.read_bytes()
    [added] = [e for e in map(json.loads, _log(root).splitlines()) if e.get("fact") == "i1"]
    assert added["key"] == NFD_KEY  # the key's own bytes are what the log keeps
    # and an update of the same bytes finds nothing to record
    assert "nothing to record" in ok("-C", root, "import", "--update", source, "--record", "zola", "--source", WIKI).text


def test_a_file_with_one_key_in_two_normal_forms_is_refused(tmp_path: Path, ok: Run, archive: Run, refused: Any) -> None:
    root = tmp_path / "z"
    ok("init", root)
    twice = tmp_path / "twice.txt"
    twice.write_text(f"= Zola =\n\nInfobox\n- {NFD_KEY}: Paris\n- {NFC_KEY}: Lyon\n\nText.\n", encoding="utf-8")
    before = _log(root)
    refused(
        archive("-C", root, "import", twice, "--record", "zola"),
        1,
        f"twice.txt:5: the infobox field '{NFC_KEY}' is given twice (first on line 4, there in NFD, here in NFC",
    )
    assert _log(root) == before
    root, _source = _zola(tmp_path / "u", ok)
    before = _log(root)
    refused(
        archive("-C", root, "import", "--update", twice, "--record", "zola", "--source", WIKI),
        1,
        "twice.txt:5: the infobox has",
        "another Unicode normal form",
    )
    assert _log(root) == before


def test_update_refuses_a_key_an_editor_normalized(tmp_path: Path, ok: Run, archive: Run, refused: Any) -> None:
    root, source = _zola(tmp_path, ok)
    source.write_text(ARTICLE_NFD.replace(NFD_KEY, NFC_KEY).replace("Paris", "Médan"), encoding="utf-8")
    before = _log(root)
    refused(
        archive("-C", root, "import", "--update", source, "--record", "zola", "--source", WIKI),
        1,
        f"zola.txt:4: the infobox key '{NFC_KEY}' is field",
        "(fact i1) written in another Unicode normal form (NFC here, NFD in the archive)",
    )
    assert _log(root) == before and len(_infobox(root, ok)) == 2


def test_append_names_a_field_by_its_key_in_any_normal_form(tmp_path: Path, ok: Run) -> None:
    root, source = _zola(tmp_path, ok)
    ok("-C", root, "append", "zola", "--infobox", f"{NFC_KEY}=Paris, France", "--source", FIX)
    rows = _infobox(root, ok)
    assert [(r["key"], r["fact"], r["value"]) for r in rows] == [(NFD_KEY, "i1", "Paris, France"), ("Né", "i2", "1840")]
    assert ok("-C", root, "show", "zola").out == source.read_bytes().replace(b"Paris", b"Paris, France")
    ok("-C", root, "append", "zola", "--infobox", f"{NFC_KEY}=Médan", "--alternative", "--source", AMNESTY)
    [row, _born] = _infobox(root, ok)
    assert row["disputed"] and [(a["key"], a["value"]) for a in row["alternatives"]] == [(NFD_KEY, "Médan")]
    ok("-C", root, "append", "zola", "--remove-infobox", NFC_KEY, "--reason", "unsure", "--source", FIX)
    assert [r["key"] for r in _infobox(root, ok)] == ["Né"]


def test_a_batch_key_in_another_normal_form_is_refused(tmp_path: Path, ok: Run, archive: Run, refused: Any) -> None:
    root, _source = _zola(tmp_path, ok)
    before = _log(root)
    clash = json.dumps({"type": "infobox.added", "key": NFC_KEY, "value": "Médan"}) + "\n"
    refused(
        archive("-C", root, "append", "zola", "--events", "-", "--source", FIX, stdin=clash.encode()),
        1,
        f"<stdin>:1: the infobox key '{NFC_KEY}' is field '{NFD_KEY}' (fact i1)",
        "Revise the field (infobox.revised, fact i1)",
    )
    new_twice = "".join(
        json.dumps({"type": "infobox.added", "key": unicodedata.normalize(form, "Décédé"), "value": v}) + "\n"
        for form, v in (("NFD", "oui"), ("NFC", "non"))
    )
    refused(
        archive("-C", root, "append", "zola", "--events", "-", "--source", FIX, stdin=new_twice.encode()),
        1,
        ":2: the infobox key 'Décédé' is field",
    )
    assert _log(root) == before
    same = json.dumps({"type": "infobox.added", "key": NFD_KEY, "value": "Médan", "rank": "normal"}) + "\n"
    ok("-C", root, "append", "zola", "--events", "-", "--source", FIX, stdin=same.encode())
    assert [a["value"] for a in _infobox(root, ok)[0]["alternatives"]] == ["Médan"]
