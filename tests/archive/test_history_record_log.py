"""Tests of archive.store.record_log: one record's revisions read fast, with every line's place in the chain checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.store.folder import find_archive
from archive.store.log import LogReader
from archive.store.record_log import record_revisions
from projections.diff import diff_json, diff_records
from projections.history import fact_history
from projections.replay import capture

DERNA = "siege-of-derna"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def two_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example archive with another record imported and edits of both, interleaved."""
    from archive.cli.main import main  # noqa: PLC0415

    root = tmp_path_factory.mktemp("records") / "archive"
    shutil.copytree(REPO / "examples" / "siege-of-derna", root)
    other = REPO / "tests" / "data" / "articles" / "structure.txt"
    for args in (
        ["import", other, "--record", "battle"],
        ["append", DERNA, "--revise", "s4", "--text", "The siege started in August 2016.", "--source", "x"],
        ["append", "battle", "--retract", "s2", "--source", "x"],
        ["append", DERNA, "--move", "s6", "--after", "s9"],
        ["append", DERNA, "--infobox", "Casualties4=20 killed", "--alternative", "--source", "y"],
        ["append", DERNA, "--prefer", "i13"],
    ):
        assert main(["-C", str(root), *map(str, args)]) == 0
    return root


def test_it_gives_what_the_full_reader_gives(two_records: Path) -> None:
    log = find_archive(two_records).log
    head = sum(1 for _ in record_revisions(log, DERNA))
    assert head == 8
    for a in range(1, head + 1):
        for b in range(a, head + 1):
            fast = capture(record_revisions(log, DERNA), DERNA, (a, b))
            full = capture(LogReader(log).revisions(), DERNA, (a, b))
            assert diff_json(diff_records(fast.states[a], fast.states[b])) == diff_json(
                diff_records(full.states[a], full.states[b])
            )
    assert [r.records for r in fast.archive.revisions] == [r.records for r in full.archive.revisions]
    assert [(r.rev, r.at, r.by, r.summary, r.events, r.first_seq) for r in fast.archive.revisions] == [
        (r.rev, r.at, r.by, r.summary, r.events, r.first_seq) for r in full.archive.revisions
    ]
    for fact in ("s4", "s6", "i12", "i13"):
        assert (
            fact_history(record_revisions(log, DERNA), DERNA, fact)[0] == fact_history(LogReader(log).revisions(), DERNA, fact)[0]
        )


def test_a_changed_line_of_another_record_still_stops_diff(two_records: Path, tmp_path: Path, archive, refused) -> None:
    root = Path(shutil.copytree(two_records, tmp_path / "damaged"))
    lines = (root / "events.jsonl").read_bytes().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, start=1) if b'"record":"battle"' in line and b"Tensions" in line)
    lines[number - 1] = lines[number - 1].replace(b"Tensions", b"Tension!")
    (root / "events.jsonl").write_bytes(b"".join(lines))
    refused(archive("-C", root, "diff", DERNA, "1"), 4, f"events.jsonl:{number + 1}", "prev does not match")
    refused(archive("-C", root, "history", DERNA, "s4"), 4, f"events.jsonl:{number + 1}")


def test_a_bad_line_and_a_torn_tail(two_records: Path, tmp_path: Path, archive, refused) -> None:
    root = Path(shutil.copytree(two_records, tmp_path / "torn"))
    log = root / "events.jsonl"
    whole = log.read_bytes()
    log.write_bytes(whole + b'{"seq": 99, "rev"')
    result = archive("-C", root, "history", DERNA, "s4")
    assert result.code == 0 and "unfinished revision (being written now, or cut short by a crash) and were ignored" in result.err
    assert "2 versions" in result.text  # the same warning as every reader of the log gives
    log.write_bytes(whole + b"not json\n")
    bad_line = len(whole.splitlines()) + 1
    refused(archive("-C", root, "history", DERNA, "s4"), 4, f"events.jsonl:{bad_line}", "not valid JSON")
