"""Saved states prove themselves against the log: the routes by which stale record files once made `show`
lie and `append` write a line `verify` refuses, each through the real command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_archive

SRC = "https://e.org"
OFF = {"ARCHIVE_NO_CHECKPOINT": "1"}


def ok(*args: str | Path, env: dict[str, str] | None = None) -> str:
    result = run_archive(*args, env=env)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.text


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """An archive with records a and b, imported in one revision."""
    root = tmp_path / "t"
    ok("init", root)
    (tmp_path / "a.txt").write_text("= A =\n\nFirst sentence of A.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("= B =\n\nFirst sentence of B.\n", encoding="utf-8")
    ok("-C", root, "import", tmp_path / "a.txt", tmp_path / "b.txt", "--source", SRC)
    return root


def show(root: Path, slug: str) -> str:
    return ok("-C", root, "show", slug)


def replayed(root: Path, slug: str) -> str:
    return ok("-C", root, "show", slug, env=OFF)


def lead(root: Path, slug: str, text: str, env: dict[str, str] | None = None) -> str:
    return ok("-C", root, "append", slug, "--lead", "--text", text, "--source", SRC, env=env)


def verify_ok(root: Path) -> None:
    result = run_archive("-C", root, "verify")
    assert result.code == 0, result.err


def test_an_append_without_saved_states_is_not_lost_by_the_next(two: Path) -> None:
    lead(two, "a", "Second sentence of A.", env=OFF)
    lead(two, "b", "Second sentence of B.")
    assert "Second sentence of A." in show(two, "a")
    assert show(two, "a") == replayed(two, "a")
    lead(two, "a", "Third.")
    verify_ok(two)
    assert show(two, "a") == replayed(two, "a")
    assert "Second sentence of A.\n\nThird.\n" in show(two, "a")


def test_a_log_put_back_from_a_backup_is_noticed_by_show_and_append(tmp_path: Path) -> None:
    root = tmp_path / "u"
    ok("init", root)
    (tmp_path / "a.txt").write_text("= A =\n\nFirst.\n", encoding="utf-8")
    ok("-C", root, "import", tmp_path / "a.txt", "--source", SRC)
    backup = (root / "events.jsonl").read_bytes()
    lead(root, "a", "Lost sentence.", env=OFF)
    (root / "events.jsonl").write_bytes(backup)
    shown = run_archive("-C", root, "show", "a")
    assert shown.code == 4, shown.err
    assert "missing: revision 2 was written up to line 4" in shown.err
    before = (root / "events.jsonl").read_bytes()
    appended = run_archive("-C", root, "append", "a", "--lead", "--text", "New.", "--source", SRC)
    assert appended.code == 4, appended.err
    assert (root / "events.jsonl").read_bytes() == before


def test_an_appender_killed_after_the_fsync_leaves_states_that_catch_up(two: Path) -> None:
    killed = run_archive("-C", two, "append", "a", "--lead", "--text", "Kept.", "--source", SRC,
                         env={"ARCHIVE_FAULTS": "after-log-fsync=kill"})
    assert killed.code == -9
    lead(two, "b", "Second sentence of B.")
    assert "Kept." in show(two, "a")
    lead(two, "a", "After.")
    verify_ok(two)
    for slug in ("a", "b"):
        assert show(two, slug) == replayed(two, slug)


@pytest.mark.parametrize("step", ["saved-write", "after-saved-write"])
def test_a_full_disk_while_saving_states_costs_speed_only(two: Path, step: str) -> None:
    result = run_archive("-C", two, "append", "a", "--lead", "--text", "Disk full.", "--source", SRC,
                         env={"ARCHIVE_FAULTS": f"{step}=enospc"})
    assert result.code == 0, result.err
    assert not list((two / ".archive").rglob("*.tmp")), "a failed saved-state write left a temporary file"
    lead(two, "b", "Second sentence of B.")
    lead(two, "a", "After.")
    verify_ok(two)
    for slug in ("a", "b"):
        assert show(two, slug) == replayed(two, slug)
    assert "Disk full." in show(two, "a")


def test_a_full_disk_while_writing_the_log_leaves_it_byte_for_byte(two: Path) -> None:
    before = (two / "events.jsonl").read_bytes()
    for fault in ("log-write=enospc", "log-write-partial=enospc", "log-fsync=eio"):
        result = run_archive("-C", two, "append", "a", "--lead", "--text", "Never.", "--source", SRC,
                             env={"ARCHIVE_FAULTS": fault})
        assert result.code == 1, (fault, result.err)
        assert "the revision was not recorded and the log is as it was" in result.err
        assert (two / "events.jsonl").read_bytes() == before, fault
    lead(two, "a", "Now.")
    verify_ok(two)


def test_a_longer_log_from_another_copy(two: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(two, other)
    lead(other, "a", "Written elsewhere.", env=OFF)
    lead(two, "b", "Second sentence of B.")  # moves this copy's saved states forward
    shutil.copy(other / "events.jsonl", two / "events.jsonl")  # as git pull or rsync would: a log that differs
    shutil.copy(other / ".archive" / "head.json", two / ".archive" / "head.json")
    assert show(two, "a") == replayed(two, "a")
    assert "Written elsewhere." in show(two, "a")
    assert "Second sentence of B." not in show(two, "b")
    lead(two, "a", "Then here.")
    verify_ok(two)


def test_an_older_record_state_put_back(two: Path, tmp_path: Path) -> None:
    lead(two, "a", "Second.")
    old = tmp_path / "old-state"
    shutil.copytree(two / ".archive" / "records", old)
    lead(two, "a", "Third.")
    lead(two, "b", "Second sentence of B.")
    shutil.rmtree(two / ".archive" / "records")
    shutil.copytree(old, two / ".archive" / "records")
    assert "Third." in show(two, "a")
    lead(two, "a", "Fourth.")
    verify_ok(two)
    for slug in ("a", "b"):
        assert show(two, slug) == replayed(two, slug)


def test_the_whole_state_folder_put_back(two: Path, tmp_path: Path) -> None:
    lead(two, "a", "Second.")
    old = tmp_path / "old"
    shutil.copytree(two / ".archive", old)
    lead(two, "a", "Third.")
    lead(two, "b", "More of B.")
    head = (two / ".archive" / "head.json").read_bytes()
    shutil.rmtree(two / ".archive")
    shutil.copytree(old, two / ".archive")
    (two / ".archive" / "head.json").write_bytes(head)
    for slug in ("a", "b"):
        assert show(two, slug) == replayed(two, slug)
    lead(two, "b", "Yet more.")
    verify_ok(two)


def test_deleting_every_saved_state_loses_nothing(two: Path) -> None:
    lead(two, "a", "Second.")
    expected = {slug: show(two, slug) for slug in ("a", "b")}
    for path in (two / ".archive").iterdir():
        if path.name != "head.json":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert {slug: show(two, slug) for slug in ("a", "b")} == expected


def test_verify_names_a_saved_state_that_disagrees_and_it_is_rebuilt(two: Path) -> None:
    from archive.saved import record_cache  # noqa: PLC0415
    from archive.saved.record_codec import decode_record  # noqa: PLC0415
    from archive.store.tail import Tail  # noqa: PLC0415

    lead(two, "a", "Second.")
    path = two / ".archive" / "records" / "a.state"
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 1)
    import orjson  # noqa: PLC0415

    mark = orjson.loads(header)
    record = decode_record(body)
    fact = next(f for f in record.facts.values() if getattr(f, "text", None) == "Second.")
    fact.text = "Forged."
    record_cache._write_file(path.parent, record, Tail(mark["offset"], mark["seq"], mark["rev"], mark["hash"]))
    assert "Forged." in show(two, "a")  # a forged state with a valid checksum is only caught by comparing with the log
    result = run_archive("-C", two, "verify")
    assert result.code == 0, result.err
    assert ".archive/records/a.state disagrees with the log" in result.err
    assert "Forged." not in show(two, "a")
    assert show(two, "a") == replayed(two, "a")
    again = run_archive("-C", two, "verify")
    assert "disagrees" not in again.err


def test_verify_says_what_a_hash_chain_cannot_show(two: Path) -> None:
    text = ok("-C", two, "verify")
    assert "cannot show a history rewritten whole" in text
    (two / ".archive" / "head.json").unlink()
    result = run_archive("-C", two, "verify")
    assert "whole revisions lost from the end, cannot be seen" in result.err


def test_recover_on_a_full_disk_names_the_file_and_leaves_no_quarantine_file(two: Path) -> None:
    with open(two / "events.jsonl", "ab") as log:
        log.write(b'{"seq": 99, "half')
    before = (two / "events.jsonl").read_bytes()
    result = run_archive("-C", two, "recover", env={"ARCHIVE_FAULTS": "quarantine-write=enospc"})
    assert result.code == 1, result.err
    assert ".archive/quarantine/" in result.err and "No space left on device" in result.err
    assert list((two / ".archive" / "quarantine").iterdir()) == []
    assert (two / "events.jsonl").read_bytes() == before
    ok("-C", two, "recover")
    verify_ok(two)
