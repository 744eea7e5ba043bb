"""``archive verify`` and ``archive recover`` on logs forged line by line (valid hashes, wrong content): every
check names its line; recover refuses anything but a torn tail and changes nothing then; read commands notice
a changed last line or lost revisions through the head witness."""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from archive.cli.main import main
from archive.store.folder import Archive, init_archive
from archive.store.head import HEAD_NAME
from archive.store.log import replay
from archive.store.recover import QUARANTINE, recover_log
from archive.store.verify import verify_log
from events.codec import GENESIS, encode_line, line_hash
from events.errors import DamagedLog
from events.model import FactRetracted, RecordCreated, SentenceAdded, SentenceRevised, TitleAdded, stamp
from events.source import Source

SOURCE = (Source(title="A book"),)
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _forge(root: Path, revisions: list[list[Any]], *, tweak: Callable[[int, dict[str, Any]], None] | None = None) -> Path:
    """Write ``revisions`` (lists of changes) as a correctly chained log; ``tweak(seq, fields)`` may change a
    line's stamp before it is encoded."""
    init_archive(root)
    prev, seq, lines = GENESIS, 0, []
    for rev, changes in enumerate(revisions, start=1):
        for index, change in enumerate(changes):
            seq += 1
            fields: dict[str, Any] = {"seq": seq, "rev": rev, "at": AT, "by": "forger", "prev": prev}
            if index == len(changes) - 1:
                fields |= {"end": True, "summary": f"revision {rev}"}
            if tweak is not None:
                tweak(seq, fields)
            line = encode_line(stamp(change, **fields))
            prev = line_hash(line)
            lines.append(line)
    (root / "events.jsonl").write_bytes(b"".join(lines))
    return root


def _created() -> list[Any]:
    return [
        RecordCreated(record="forged"),
        TitleAdded(record="forged", fact="t1", text="Forged", sources=SOURCE),
        SentenceAdded(record="forged", fact="s1", text="A first sentence.", paragraph="s1", sources=SOURCE),
    ]


def _finding(root: Path) -> tuple[int, str]:
    report = verify_log(Archive(root))
    assert report.finding is not None
    return report.finding.line, report.finding.problem


def test_a_sound_forged_log_verifies(tmp_path: Path) -> None:
    root = _forge(tmp_path / "a", [_created(), [SentenceRevised(record="forged", fact="s1", text="Revised.", sources=SOURCE)]])
    report = verify_log(Archive(root))
    assert report.ok
    assert (report.lines, report.revisions, report.records, report.witness) == (4, 2, 1, False)


@pytest.mark.parametrize(
    ("second", "fragment"),
    [
        ([SentenceRevised(record="forged", fact="s9", text="No such fact.", sources=SOURCE)], "Fact 's9' does not exist"),
        ([FactRetracted(record="forged", fact="s9")], "Fact 's9' does not exist"),
        ([FactRetracted(record="ghost", fact="s1")], "Record 'ghost' does not exist"),
        ([RecordCreated(record="forged")], "Record 'forged' already exists"),
        ([FactRetracted(record="forged", fact="s1"), FactRetracted(record="forged", fact="s1")], "retracted"),
    ],
    ids=[
        "revision of an unknown fact",
        "retraction of an unknown fact",
        "unknown record",
        "record made twice",
        "retracted twice",
    ],
)
def test_references_are_checked_by_folding(tmp_path: Path, second: list[Any], fragment: str) -> None:
    root = _forge(tmp_path / "a", [_created(), second])
    line, problem = _finding(root)
    assert line == 3 + len(second)
    assert problem.startswith("revision 2 cannot apply: ")
    assert fragment in problem


def test_a_summary_on_a_line_without_the_end_mark(tmp_path: Path) -> None:
    root = _forge(tmp_path / "a", [_created()], tweak=lambda seq, f: f.update(summary="early") if seq == 2 else None)
    assert _finding(root) == (2, "a summary on a line without the end mark: only a revision's last line carries it.")


def test_lines_of_one_revision_share_their_author(tmp_path: Path) -> None:
    root = _forge(tmp_path / "a", [_created()], tweak=lambda seq, f: f.update(by="someone else") if seq == 3 else None)
    assert _finding(root) == (3, "by differs from line 1: every line of revision 1 carries the same.")


def test_a_revision_without_its_end_mark_before_the_next(tmp_path: Path) -> None:
    root = _forge(
        tmp_path / "a", [_created(), _created()[2:]], tweak=lambda seq, f: f.update(end=None, summary=None) if seq == 3 else None
    )
    line, problem = _finding(root)
    assert (line, problem) == (4, "rev is 2, expected 1: the lines of revision 1 have no end mark before it.")


def test_a_log_that_does_not_begin_at_genesis(tmp_path: Path) -> None:
    root = _forge(tmp_path / "a", [_created()], tweak=lambda seq, f: f.update(prev="1" * 64) if seq == 1 else None)
    line, problem = _finding(root)
    assert line == 1
    assert problem.startswith("prev does not match the hash of line 0")


def test_schema_and_json_problems_name_the_field(tmp_path: Path) -> None:
    root = _forge(tmp_path / "a", [_created()])
    data = (root / "events.jsonl").read_bytes()
    (root / "events.jsonl").write_bytes(data.replace(b'"fact":"s1"', b'"fact":"S 1"', 1))
    line, problem = _finding(root)
    assert line == 3
    assert problem.startswith("does not fit the event schema: ")
    assert "fact" in problem
    (root / "events.jsonl").write_bytes(data.replace(b'"fact":"s1"', b'"fact":s1', 1))
    line, problem = _finding(root)
    assert (line, problem.startswith("not valid JSON (")) == (3, True)


def test_verify_streams_in_memory_that_does_not_grow_with_the_log(tmp_path: Path) -> None:
    """5,000 revisions of one sentence: the log grows, the folded state does not, and neither does verify's memory."""
    revisions = [_created()] + [
        [SentenceRevised(record="forged", fact="s1", text=f"Version {n} of the first sentence.", sources=SOURCE)]
        for n in range(5_000)
    ]
    root = _forge(tmp_path / "a", revisions)
    size = (root / "events.jsonl").stat().st_size
    verify_log(Archive(root))  # builds the validators once
    tracemalloc.start()
    try:
        report = verify_log(Archive(root))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.ok, report.finding
    assert (report.lines, report.revisions) == (5_003, 5_001)
    assert peak < size / 10, f"verify held {peak} bytes at its peak for a log of {size} bytes"


def test_recover_refuses_damage_before_the_tail_and_changes_nothing(
    tmp_path: Path, archive: Callable[..., Any], refused: Callable[..., Any]
) -> None:
    root = _forge(tmp_path / "a", [_created(), _created()[2:]])
    data = (root / "events.jsonl").read_bytes()
    damaged = data.replace(b"A first sentence.", b"A forged sentence.", 1) + b'{"seq":5,'
    (root / "events.jsonl").write_bytes(damaged)
    result = refused(archive("-C", root, "recover"), 4, "Error: events.jsonl:4: prev does not match the hash of line 3")
    assert result.out == b""
    assert (root / "events.jsonl").read_bytes() == damaged
    assert not (root / ".archive" / QUARANTINE).exists()


def test_recover_with_nothing_torn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _forge(tmp_path / "a", [_created()])
    data = (root / "events.jsonl").read_bytes()
    assert main(["-C", str(root), "recover"]) == 0
    assert capsys.readouterr().out == "Nothing to recover: events.jsonl ends with a whole revision (revision 1).\n"
    assert (root / "events.jsonl").read_bytes() == data


def test_recover_refuses_when_the_witness_names_a_lost_revision(tmp_path: Path) -> None:
    """A whole revision the witness says was written is never treated as a torn tail, even if its end mark is gone."""
    root = tmp_path / "a"
    assert main(["init", str(root)]) == 0
    article = tmp_path / "w.txt"
    article.write_text("= W =\n\nOne. Two.\n", encoding="utf-8")
    assert main(["-C", str(root), "import", str(article)]) == 0
    data = (root / "events.jsonl").read_bytes()
    (root / "events.jsonl").write_bytes(data[:-1])  # the last newline gone: it looks like a torn write
    with pytest.raises(DamagedLog, match=r"events.jsonl:4: missing: revision 1 was written up to line 4"):
        recover_log(Archive(root))
    assert (root / "events.jsonl").read_bytes() == data[:-1]
    line, problem = _finding(root)
    assert line == 4
    assert problem.startswith("the line ended revision 1 when it was written, but now it is cut short")


def test_read_commands_notice_a_changed_last_line_and_lost_revisions(
    tmp_path: Path, refused: Callable[..., Any], archive: Callable[..., Any]
) -> None:
    root = tmp_path / "a"
    assert main(["init", str(root)]) == 0
    article = tmp_path / "w.txt"
    article.write_text("= W =\n\nOne. Two.\n", encoding="utf-8")
    assert main(["-C", str(root), "import", str(article)]) == 0
    assert main(["-C", str(root), "append", "w", "--lead", "--text", "Three.", "--source", "s"]) == 0
    data = (root / "events.jsonl").read_bytes()
    witness = orjson.loads((root / ".archive" / HEAD_NAME).read_bytes())
    assert (witness["seq"], witness["rev"], witness["offset"]) == (5, 2, len(data))

    (root / "events.jsonl").write_bytes(data.replace(b"Three.", b"Thr3e."))
    refused(archive("-C", root, "show", "w"), 4, "events.jsonl:5: the line differs from the one revision 2 wrote there")

    (root / "events.jsonl").write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1])  # revision 2 removed whole
    refused(archive("-C", root, "show", "w"), 4, "events.jsonl:5: missing: revision 2 was written up to line 5")
    # without the witness, the shorter log is a sound log of one revision
    (root / ".archive" / HEAD_NAME).unlink()
    assert replay(Archive(root))[0].head == 1


def test_verify_help_and_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _forge(tmp_path / "a", [_created()])
    shutil.rmtree(root / ".archive")
    assert main(["-C", str(root), "verify"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"events.jsonl is sound: 3 lines, 1 revisions, 1 record, {(root / 'events.jsonl').stat().st_size} bytes; "
        f"the hash chain holds to line 3 (head {verify_log(Archive(root)).head[:12]}).\n"
        "The chain shows no line was changed, removed or reordered since it was written; it cannot show a history "
        "rewritten whole with a recomputed chain and witness: only a checkpoint kept elsewhere can.\n"
    )
    assert "Warning: no .archive/head.json" in err
    assert not (root / ".archive").exists(), "verify wrote to an archive it only reads"
    assert main(["verify", "--help"]) == 0
    helped = capsys.readouterr().out
    assert "--format [text|json]" in helped
    assert "name the first bad line" in helped
    assert main(["recover", "--help"]) == 0
    assert "--dry-run" in capsys.readouterr().out
