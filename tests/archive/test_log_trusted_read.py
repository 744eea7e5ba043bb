"""Reading the log without validating witnessed lines again (``LogReader.fields``) gives exactly the state
full validation gives, for every change type; lines past the head witness are still validated in full; a
tampered or malformed line is refused with its line named, whichever way it was changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.head import read_head
from archive.store.log import LogReader, replay
from events.codec import line_hash
from events.errors import DamagedLog
from events.model import CHANGE_TYPES
from projections.fold import apply_fields, apply_revision
from projections.state import ArchiveState

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "siege-of-derna"
ENV = {**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "tester", "ARCHIVE_NO_CHECKPOINT": "1"}
SOURCE = [{"title": "Field notes", "url": "https://example.org/notes"}]

# Every change type the log can hold, after importing structure.txt (record 'structure').
BATCHES: list[list[dict[str, object]]] = [
    [
        {
            "type": "title.revised",
            "record": "structure",
            "fact": "t1",
            "text": "Battle of the Example River (1862)",
            "sources": SOURCE,
        },
        {"type": "heading.revised", "record": "structure", "fact": "h1", "text": "Origins", "level": 3, "sources": SOURCE},
        {
            "type": "item.revised",
            "record": "structure",
            "fact": "li2",
            "text": "2nd Division (reserve)",
            "sources": SOURCE,
            "when": {"edtf": "1862-06", "qualifier": "in"},
        },
        {
            "type": "sentence.revised",
            "record": "structure",
            "fact": "s2",
            "text": "It lasted three days.",
            "sources": SOURCE,
            "when": {"edtf": "1862-06-05", "qualifier": "by"},
        },
        {"type": "infobox.revised", "record": "structure", "fact": "i5", "value": "Inconclusive", "sources": SOURCE},
    ],
    [
        {
            "type": "infobox.added",
            "record": "structure",
            "fact": "i9",
            "key": "Result",
            "value": "Northern victory",
            "rank": "normal",
            "sources": [{"title": "Another history"}],
        },
        {"type": "infobox.preferred", "record": "structure", "fact": "i9", "reason": "The later study"},
        {"type": "fact.moved", "record": "structure", "fact": "s3", "after": "s7", "paragraph": "s7", "lead": " "},
        {"type": "fact.moved", "record": "structure", "fact": "i3", "after": "i6", "gap": 0},
        {"type": "fact.moved", "record": "structure", "fact": "li1", "after": "li3", "bullet": "* "},
    ],
    [
        {"type": "fact.retracted", "record": "structure", "fact": "i9", "reason": "Withdrawn"},
        {"type": "fact.retracted", "record": "structure", "fact": "s8"},
        {"type": "record.revised", "record": "structure", "ending": "\n\n"},
        {
            "type": "source.captured",
            "record": "structure",
            "url": "https://example.org/history",
            "final_url": "https://example.org/history/",
            "status": 200,
            "content_type": "text/html",
            "size": 3,
            "sha256": "a" * 64,
            "text_sha256": "b" * 64,
            "warc": "c" * 64,
            "fetched": "2024-05-01T12:30:00.5Z",
            "tool": "fact-archive test",
            "address": "192.0.2.1",
        },
        {
            "type": "heading.added",
            "record": "structure",
            "fact": "h9",
            "text": "Legacy",
            "level": 2,
            "after": "li8",
            "sources": SOURCE,
        },
        {
            "type": "sentence.added",
            "record": "structure",
            "fact": "s20",
            "text": "A monument stands by 1900.",
            "after": "h9",
            "paragraph": "s20",
            "when": {"edtf": "1900", "qualifier": "by"},
            "sources": SOURCE,
        },
        {
            "type": "item.added",
            "record": "structure",
            "fact": "li20",
            "text": "The ford today",
            "after": "s20",
            "list": "li20",
            "gap": 1,
            "sources": SOURCE,
        },
    ],
]


def _append_batch(root: Path, tmp_path: Path, batch: list[dict[str, object]], n: int) -> None:
    path = tmp_path / f"batch-{n}.jsonl"
    path.write_bytes(b"".join(orjson.dumps(change) + b"\n" for change in batch))
    assert main(["-C", str(root), "append", "structure", "--events", str(path), "--by", "tester"]) == 0


@pytest.fixture
def every_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An archive whose log holds every change type, and two records."""
    monkeypatch.setenv("ARCHIVE_NO_CHECKPOINT", "1")
    root = tmp_path / "archive"
    assert main(["init", str(root)]) == 0
    for article in ("structure.txt", "unicode.txt"):
        assert main(["-C", str(root), "import", str(ARTICLES / article), "--by", "tester"]) == 0
    for n, batch in enumerate(BATCHES):
        _append_batch(root, tmp_path, batch, n)
    return root


def _typed(root: Path) -> ArchiveState:
    state = ArchiveState()
    for events in LogReader(root / "events.jsonl").revisions():
        apply_revision(state, events)
    return state


def test_the_log_holds_every_change_type(every_type: Path) -> None:
    types = {orjson.loads(line)["type"] for line in (every_type / "events.jsonl").read_bytes().splitlines()}
    assert types == set(CHANGE_TYPES)


def test_trusted_reading_gives_the_state_full_validation_gives(every_type: Path) -> None:
    reader = LogReader(every_type / "events.jsonl", head=read_head(every_type / ".archive"))
    assert reader.head is not None and reader.head.seq > 0
    fast = ArchiveState()
    for events in reader.fields():
        apply_fields(fast, events)
    assert fast == _typed(every_type)
    assert replay(Archive(every_type))[0] == fast


def test_the_bundled_example_reads_the_same_both_ways() -> None:
    state, _ = replay(Archive(EXAMPLE))
    assert state == _typed(EXAMPLE)


def _lines(root: Path) -> list[bytes]:
    return (root / "events.jsonl").read_bytes().splitlines(keepends=True)


def _rechain(lines: list[bytes], start: int) -> list[bytes]:
    """Recompute every ``prev`` from line ``start`` (0-based) on, as a forger would."""
    out = lines[:start]
    for line in lines[start:]:
        data = orjson.loads(line)
        data["prev"] = line_hash(out[-1]) if out else "0" * 64
        out.append(orjson.dumps(data) + b"\n")
    return out


def _archive(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), *args], capture_output=True, text=True, env=ENV, check=False
    )


def test_a_line_past_the_witness_is_validated_in_full(every_type: Path) -> None:
    """A line someone wrote by hand after the last append, chained correctly but invalid, is refused."""
    lines = _lines(every_type)
    last = orjson.loads(lines[-1])
    forged = {**last, "seq": last["seq"] + 1, "rev": last["rev"] + 1, "prev": line_hash(lines[-1]), "type": "sentence.revised"}
    forged.update(fact="s1", text="Bad\u0007text", end=True)
    (every_type / "events.jsonl").write_bytes(b"".join(lines) + orjson.dumps(forged) + b"\n")
    result = _archive(every_type, "show", "structure")
    assert result.returncode == 4, result.stderr
    assert f"events.jsonl:{len(lines) + 1}" in result.stderr and "U+0007" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rechained_edit_before_the_witness_is_refused(every_type: Path) -> None:
    """Editing an early line and recomputing every later hash still breaks the head witness."""
    lines = _lines(every_type)
    data = orjson.loads(lines[1])
    data["text"] = "A forged title"
    lines[1] = orjson.dumps(data) + b"\n"
    before = b"".join(_rechain(lines, 2))
    (every_type / "events.jsonl").write_bytes(before)
    result = _archive(every_type, "show", "structure")
    assert result.returncode == 4
    assert "head.json" in result.stderr and "Traceback" not in result.stderr
    assert (every_type / "events.jsonl").read_bytes() == before


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sources", "not a list", "sources"),
        ("type", "sentence.exploded", "type"),
        ("when", {"edtf": "2019-02-30"}, "when"),
        ("fact", ["s", 1], "fact"),
    ],
)
def test_a_malformed_witnessed_line_is_named(every_type: Path, field: str, value: object, expected: str) -> None:
    """A witnessed line that is not what a valid append writes (rechained, witness rewritten: a deliberate
    forgery) is still refused with its line and field, not folded into nonsense."""
    lines = _lines(every_type)
    target = next(i for i, line in enumerate(lines) if orjson.loads(line)["type"] == "sentence.added")
    data = orjson.loads(lines[target])
    data[field] = value
    lines[target] = orjson.dumps(data) + b"\n"
    lines = _rechain(lines, target + 1)
    (every_type / "events.jsonl").write_bytes(b"".join(lines))
    head = orjson.loads((every_type / ".archive" / "head.json").read_bytes())
    head["hash"] = line_hash(lines[-1])
    (every_type / ".archive" / "head.json").write_bytes(orjson.dumps(head))
    with pytest.raises(DamagedLog) as caught:
        replay(Archive(every_type))
    assert f"events.jsonl:{target + 1}" in str(caught.value) and expected in str(caught.value)
