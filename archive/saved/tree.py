"""The Merkle tree over the log, kept as a saved state in ``.archive/tree/``: every perfect subtree's hash in
post-order (``nodes``, 32 bytes each) and ``state.json`` naming the last line it covers.

``state.json`` holds the tree's size (lines), the log offset after its last line, where that line starts,
that line's hash (the ``prev`` of the next) and revision, and the frontier (the roots of its perfect
subtrees). The tree is used only after the log is seen to hold that line with that hash; as each line's
``prev`` is the hash of the one before, that proves every earlier line unchanged too. Otherwise it is
rebuilt from line 1, with a warning. An append extends it by its new lines only (O(log n) hashes per
line), when the tree covered the log up to the append; ``bring_up_to_date`` reads any lines it is behind.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import closing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from archive.store.folder import Archive, open_log
from archive.store.jsonl import JsonlLog
from archive.store.port import LogPort
from archive.store.merkle import Frontier, leaf_hash, node_position, nodes_after, root
from archive.store.tail import Tail
from events.codec import GENESIS
from events.errors import DamagedLog

__all__ = ["TreeState", "bring_up_to_date", "extend_after_append", "read_raw_lines"]

Warn = Callable[[str], None]

TREE_DIR = "tree"
_HASH = 32


@dataclass(slots=True)
class TreeState:
    """The saved tree: how many lines it covers, where the last one is, and its frontier."""

    size: int
    offset: int
    """The log's byte offset after the last line covered."""
    last_start: int
    """Where that last line starts."""
    hash: str
    """SHA-256 (hex) of that line's bytes (``GENESIS`` for an empty tree)."""
    rev: int
    """The revision that line ends."""
    frontier: Frontier
    nodes_path: Path

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of a perfect subtree, read from ``nodes`` (``archive.store.merkle.Nodes``)."""
        if ((index + 1) << level) > self.size:
            raise ValueError(f"the subtree ({level}, {index}) is beyond the {self.size} lines the tree covers")
        with open(self.nodes_path, "rb") as nodes:
            return os.pread(nodes.fileno(), _HASH, node_position(level, index) * _HASH)

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` lines (all it covers by default)."""
        return self.frontier.root() if size is None or size == self.size else root(self, size)


def _dir(archive: Archive) -> Path:
    return archive.state_dir / TREE_DIR


def _load(archive: Archive) -> TreeState | None:
    folder = _dir(archive)
    try:
        data = orjson.loads((folder / "state.json").read_bytes())
        peaks = [bytes.fromhex(peak) for peak in data["peaks"]]
        state = TreeState(
            data["size"], data["offset"], data["last_start"], data["hash"], data["rev"], Frontier(data["size"], peaks),
            folder / "nodes",
        )
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    return state


def _empty(archive: Archive) -> TreeState:
    return TreeState(0, 0, 0, GENESIS, 0, Frontier(), _dir(archive) / "nodes")


def _proven(archive: Archive, state: TreeState) -> bool:
    """Whether the log holds the tree's last line with its hash, and ``nodes`` holds every node of the tree."""
    try:
        if state.nodes_path.stat().st_size < nodes_after(state.size) * _HASH:
            return False
        if state.size == 0:
            return True
        port = open_log(archive)
        if not isinstance(port, JsonlLog):  # a database: its row of that line, by number, end and hash
            return port.holds(Tail(state.offset, state.size, 0, state.hash))
        with open(archive.log, "rb") as log:
            line = os.pread(log.fileno(), state.offset - state.last_start, state.last_start)
    except OSError:
        return False
    return line.endswith(b"\n") and hashlib.sha256(line).hexdigest() == state.hash and f'"seq":{state.size},'.encode() in line[:40]


def _save(archive: Archive, state: TreeState, new_nodes: Sequence[bytes], from_size: int) -> None:
    """Write the nodes made since the tree had ``from_size`` lines, then ``state.json`` (renamed into place)."""
    folder = _dir(archive)
    folder.mkdir(parents=True, exist_ok=True)
    if new_nodes:
        mode = "r+b" if state.nodes_path.exists() else "w+b"
        with open(state.nodes_path, mode) as nodes:
            nodes.seek(nodes_after(from_size) * _HASH)
            nodes.write(b"".join(new_nodes))
            nodes.truncate()
    data = {
        "size": state.size,
        "offset": state.offset,
        "last_start": state.last_start,
        "hash": state.hash,
        "rev": state.rev,
        "peaks": [peak.hex() for peak in state.frontier.peaks],
    }
    temporary = folder / f".state.json.{os.getpid()}"
    temporary.write_bytes(orjson.dumps(data) + b"\n")
    os.replace(temporary, folder / "state.json")


def _push_lines(state: TreeState, lines: Sequence[bytes], start_offset: int, rev: int) -> list[bytes]:
    """Add whole revisions' lines to ``state``; the nodes they make, in post-order."""
    made: list[bytes] = []
    offset = start_offset
    for line in lines:
        made.extend(state.frontier.push(leaf_hash(line)))
        state.last_start, offset = offset, offset + len(line)
    if lines:
        state.size += len(lines)
        state.offset = offset
        state.hash = hashlib.sha256(lines[-1]).hexdigest()
        state.rev = rev
    return made


def extend_after_append(archive: Archive, before: Tail, lines: Sequence[bytes], rev: int, warn: Warn | None = None) -> None:
    """Called by an append that wrote ``lines`` after ``before``: extend the saved tree when it covered the log
    exactly up to there (else leave it for ``bring_up_to_date``). Never fails the append."""
    state = _load(archive)
    if state is None or state.size != before.seq or state.hash != before.hash or state.offset != before.offset:
        return
    try:
        made = _push_lines(state, lines, before.offset, rev)
        _save(archive, state, made, before.seq)
    except OSError as exc:
        if warn is not None:
            warn(f".archive/{TREE_DIR} could not be updated ({exc.strerror}); it will be caught up later.")


def read_raw_lines(path: Path | LogPort, offset: int, seq: int, prev: str) -> Iterator[tuple[list[bytes], int]]:
    """Each whole revision's exact line bytes from ``offset`` (after line ``seq`` of hash ``prev``), with its revision,
    checking ``seq`` and the hash chain; an unfinished revision at the end is left out. ``path``: the log port (a
    Path is read as the JSONL file)."""
    pending: list[bytes] = []
    port = JsonlLog(path) if isinstance(path, Path) else path
    name = port.name
    source = port.lines(Tail(offset, seq, 0, prev) if seq else None)
    with closing(source):  # type: ignore[type-var]
        for raw in source:
            if not raw.endswith(b"\n"):
                break
            try:
                data = orjson.loads(raw)
                line_seq, line_prev, rev = data["seq"], data["prev"], data["rev"]
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise DamagedLog(f"{name}:{seq + 1}: not an event line.", hint="Run 'archive verify'.") from exc
            if line_seq != seq + 1 or line_prev != prev:
                raise DamagedLog(
                    f"{name}:{seq + 1}: seq or prev does not follow line {seq}: the log was changed.", hint="Run 'archive verify'."
                )
            seq, prev = line_seq, hashlib.sha256(raw).hexdigest()
            pending.append(raw)
            if data.get("end") is True:
                yield pending, rev
                pending = []


def bring_up_to_date(archive: Archive, warn: Warn | None = None) -> TreeState:
    """The saved tree, proven against the log (else rebuilt from line 1) and extended over every whole revision after it."""
    state = _load(archive)
    if state is not None and not _proven(archive, state):
        if warn is not None:
            warn(f".archive/{TREE_DIR} does not match the log (its last line changed or its nodes are short): rebuilt from line 1.")
        state = None
    fresh = state is None
    if state is None:
        state = _empty(archive)
        state.nodes_path.parent.mkdir(parents=True, exist_ok=True)
        state.nodes_path.write_bytes(b"")
    made: list[bytes] = []
    from_size, saved = state.size, not fresh
    for lines, rev in read_raw_lines(open_log(archive), state.offset, state.size, state.hash):
        made.extend(_push_lines(state, lines, state.offset, rev))
        if len(made) > 1 << 16:
            _save(archive, state, made, from_size)
            made, from_size, saved = [], state.size, True
    if made or not saved:
        _save(archive, state, made, from_size)
    return state
