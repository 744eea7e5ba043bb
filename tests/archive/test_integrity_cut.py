"""Cut-short writes: a copy of the log cut at every byte offset inside its last revision reads as the revision
before, ``recover`` quarantines exactly the cut bytes, and the next append and ``verify`` succeed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from archive.cli.main import main
from archive.saved.appending import PendingRevision, append_revisions
from archive.store.folder import Archive
from archive.store.head import HEAD_NAME
from archive.store.log import LogReader, replay
from archive.store.recover import QUARANTINE, recover_log
from archive.store.verify import verify_log
from events.model import SentenceAdded
from events.source import Source

ARTICLE = """= Harbour Works =

Infobox
- Built: 1901
- Length: 300 m

The harbour works were begun in March 1901. They closed in 1914.

== Later use ==
The quay was rebuilt in 1952.
"""

# The last revision: two events (a sentence with non-ASCII text, a list item), so the cut falls inside lines,
# on the line boundary with no end mark after it, and one byte before the end.
BATCH = b"""{"type": "sentence.added", "fact": "s9", "text": "In 2020 the \xc3\xa9cole opened \xe2\x80\x94 by the quay.", "paragraph": "s9"}
{"type": "item.added", "fact": "li9", "text": "A plaque, 2021.", "list": "li9"}
"""


def _call(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes, int]:
    """An archive of two revisions; the log's bytes, the head witness as it was before revision 2, and where
    revision 2 starts."""
    base = tmp_path_factory.mktemp("cut")
    root = base / "a"
    article = base / "harbour-works.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    batch = base / "batch.jsonl"
    batch.write_bytes(BATCH)
    _call("init", root)
    _call("-C", root, "import", article, "--by", "cutter")
    witness = (root / ".archive" / HEAD_NAME).read_bytes()
    start = (root / "events.jsonl").stat().st_size
    _call("-C", root, "append", "harbour-works", "--events", batch, "--source", "https://example.org/w", "--by", "cutter")
    return root, (root / "events.jsonl").read_bytes(), witness, start


def _place(work: Path, template: Path, data: bytes, witness: bytes) -> Archive:
    """``work`` as a copy of the archive whose log is ``data`` and whose head witness is from before the last
    append: what a crash during that append leaves behind."""
    if not work.exists():
        shutil.copytree(template, work)
    shutil.rmtree(work / ".archive" / QUARANTINE, ignore_errors=True)
    (work / "events.jsonl").write_bytes(data)
    (work / ".archive" / HEAD_NAME).write_bytes(witness)
    return Archive(work)


def test_every_cut_inside_the_last_revision(built: tuple[Path, bytes, bytes, int], tmp_path: Path) -> None:
    template, full, witness, start = built
    end = len(full)
    before = replay(_place(tmp_path / "ref", template, full[:start], witness))[0]
    assert before.head == 1
    extra = SentenceAdded(
        record="harbour-works", fact="s50", text="Appended after recovery.", paragraph="s50", sources=(Source(title="t"),)
    )
    cuts = 0
    for cut in range(start + 1, end):
        archive = _place(tmp_path / "work", template, full[:cut], witness)
        warnings: list[str] = []
        # read: exactly the revision before, the cut bytes named in a warning
        state, tail = replay(archive, warn=warnings.append)
        assert tail is not None
        assert tail.torn == (start, cut), cut
        assert (tail.offset, tail.rev) == (start, 1)
        assert state == before, cut
        assert len(warnings) == 1
        assert f"bytes {start}-{cut}" in warnings[0]
        # recover: exactly the cut bytes moved to a file named for the range; the log back to revision 1
        result = recover_log(archive)
        assert (result.start, result.end, result.rev) == (start, cut, 1)
        assert result.quarantine is not None
        assert result.quarantine.parent == archive.state_dir / QUARANTINE
        assert result.quarantine.name.endswith(f"-bytes-{start}-{cut}.torn")
        assert result.quarantine.read_bytes() == full[start:cut]
        assert archive.log.read_bytes() == full[:start]
        # the next append and verify succeed
        [revision] = append_revisions(archive, lambda _state: [PendingRevision([extra], "after")], by="cutter")
        assert revision.rev == 2
        report = verify_log(archive)
        assert report.ok, report.finding
        assert (report.revisions, report.witness) == (2, True)
        cuts += 1
    assert cuts == end - start - 1 > 400


def test_cut_at_a_revision_boundary_is_whole(built: tuple[Path, bytes, bytes, int], tmp_path: Path) -> None:
    template, full, witness, start = built
    for cut in (start, len(full)):
        archive = _place(tmp_path / "whole", template, full[:cut], witness)
        reader = LogReader(archive.log)
        assert sum(1 for _ in reader.revisions()) == (1 if cut == start else 2)
        assert reader.tail is not None
        assert reader.tail.torn is None
        assert not recover_log(archive).torn
        assert archive.log.read_bytes() == full[:cut]


def test_cut_through_the_command_line(built: tuple[Path, bytes, bytes, int], tmp_path: Path, archive: Callable[..., Any]) -> None:
    template, full, witness, start = built
    cut = start + 40
    root = tmp_path / "cli"
    _place(root, template, full[:cut], witness)
    reference = tmp_path / "reference"
    _place(reference, template, full[:start], witness)

    shown = archive("-C", root, "show", "harbour-works")
    assert shown.code == 0, shown.err
    assert shown.out == archive("-C", reference, "show", "harbour-works").out
    assert f"Warning: events.jsonl: bytes {start}-{cut} at the end are an unfinished revision" in shown.err

    checked = archive("-C", root, "verify")
    first_torn_line = full[:start].count(b"\n") + 1
    assert checked.code == 4
    assert checked.err.startswith(
        f"Error: events.jsonl:{first_torn_line}: an unfinished revision ends the log: bytes {start}-{cut} (a line cut short)"
    )
    refused = archive("-C", root, "append", "harbour-works", "--lead", "--text", "Refused.", "--source", "s")
    assert refused.code == 4
    assert "Run 'archive recover'" in refused.err
    assert (root / "events.jsonl").read_bytes() == full[:cut]

    recovered = archive("-C", root, "recover")
    assert recovered.code == 0, recovered.err
    assert recovered.text.startswith(f"Moved bytes {start}-{cut} of events.jsonl (1 line) to .archive/quarantine/")
    assert recovered.text.endswith("; the log now ends with revision 1.\n")
    [moved] = (root / ".archive" / QUARANTINE).iterdir()
    assert moved.read_bytes() == full[start:cut]
    assert (root / "events.jsonl").read_bytes() == full[:start]

    again = archive("-C", root, "append", "harbour-works", "--lead", "--text", "After recovery.", "--source", "s")
    assert again.code == 0, again.err
    assert archive("-C", root, "verify").code == 0


def test_whole_lines_without_an_end_mark_through_the_command_line(
    built: tuple[Path, bytes, bytes, int], tmp_path: Path, archive: Callable[..., Any]
) -> None:
    template, full, witness, start = built
    cut = full.index(b"\n", start) + 1
    root = tmp_path / "cli"
    _place(root, template, full[:cut], witness)
    first_torn_line = full[:start].count(b"\n") + 1

    dry = archive("-C", root, "recover", "--dry-run", "--format", "json")
    assert dry.code == 0, dry.err
    assert orjson.loads(dry.out) == {
        "torn": True,
        "moved": False,
        "dry_run": True,
        "start": start,
        "end": cut,
        "bytes": cut - start,
        "lines": 1,
        "rev": 1,
        "quarantine": None,
    }
    assert (root / "events.jsonl").read_bytes() == full[:cut]
    checked = archive("-C", root, "verify", "--format", "json")
    assert checked.code == 4
    report = orjson.loads(checked.out)
    assert (report["ok"], report["line"], report["lines"], report["revisions"]) == (False, first_torn_line, first_torn_line, 1)
    assert report["problem"].startswith(
        f"an unfinished revision ends the log: bytes {start}-{cut} (line {first_torn_line} with no end mark)"
    )
