"""`archive copy` between folders carries the archived copies of sources, each checked against its name."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archive.store.captures import capture_path, put_capture
from tests.conftest import SEED, run_archive


def test_copy_between_folders_carries_the_captures(tmp_path: Path) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    assert run_archive("init", source).code == 0
    assert run_archive("-C", source, "import", SEED).code == 0
    good = put_capture(source, b"WARC/1.1 a kept page")
    bad = put_capture(source, b"WARC/1.1 another page")
    damaged = capture_path(source, bad)
    damaged.write_bytes(b"WARC/1.1 another page, altered")
    result = run_archive("copy", source, target)
    assert result.code == 0, result.err
    assert "and 1 archived copy of sources" in result.text
    assert f"{damaged} was not copied: its bytes do not match its name" in result.err
    assert capture_path(target, good).read_bytes() == b"WARC/1.1 a kept page"
    assert hashlib.sha256(capture_path(target, good).read_bytes()).hexdigest() == good
    assert not capture_path(target, bad).exists()
    assert (target / "events.jsonl").read_bytes() == (source / "events.jsonl").read_bytes()
