"""The saved Merkle tree reads the log through the log port, so any backend (the JSONL file, PostgreSQL) gets the
same tree: here a port that keeps the lines in memory stands in for another backend, with no events.jsonl at all."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.saved import proving, tree
from archive.store.folder import find_archive
from archive.store.tail import Tail
from tests.archive.test_merkle import mth


class MemoryLog:
    """The read side of the log port over bytes in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @property
    def name(self) -> str:
        return "memory"

    def lines(self, start: Tail | None = None) -> Iterator[bytes]:
        yield from self.data[start.offset if start is not None else 0 :].splitlines(keepends=True)

    def holds(self, tail: Tail) -> bool:
        if tail.offset == 0 or tail.offset > len(self.data) or self.data[tail.offset - 1 : tail.offset] != b"\n":
            return False
        begin = self.data.rfind(b"\n", 0, tail.offset - 1) + 1
        return hashlib.sha256(self.data[begin : tail.offset]).hexdigest() == tail.hash


def test_the_tree_is_the_same_through_another_port(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (seeded / "events.jsonl").read_bytes()
    expected = mth(data.splitlines(keepends=True))
    assert tree.bring_up_to_date(find_archive(seeded)).root() == expected

    elsewhere = Path(shutil.copytree(seeded, tmp_path / "elsewhere", ignore=shutil.ignore_patterns(".archive")))
    found = find_archive(elsewhere)
    (elsewhere / "events.jsonl").write_bytes(b"")  # the lines live in the other backend only
    memory = MemoryLog(data)
    monkeypatch.setattr(tree, "open_log", lambda _archive: memory)
    monkeypatch.setattr(proving, "open_log", lambda _archive: memory)
    built = tree.bring_up_to_date(found)
    assert (built.size, built.root()) == (len(data.splitlines()), expected)
    assert tree.bring_up_to_date(found).root() == expected, "the saved tree is proven through the port and used again"

    more = b'{"seq":%d,"rev":99,"end":true,"prev":"x"}\n' % (built.size + 1)  # a line that does not follow: refused
    memory.data = data + more
    with pytest.raises(Exception, match="does not follow"):
        tree.bring_up_to_date(found)
    memory.data = data[:-10] + b"X" * 10  # the last line changed: the saved tree is not used
    assert not tree._proven(found, tree._load(found))
