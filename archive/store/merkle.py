"""The Merkle tree over the log's lines, as RFC 9162 section 2.1 hashes it: leaves, nodes, roots, inclusion and
consistency proofs and their checks. Pure: no files; the stored nodes come through the ``Nodes`` protocol.

A leaf is one log line's exact bytes, its newline included (the bytes ``prev`` hashes):
``SHA-256(0x00 || line)``; a node is ``SHA-256(0x01 || left || right)``. The tree of ``n`` leaves is the
RFC's ``MTH``: for ``n`` not a power of two, the left subtree holds the largest power of two below ``n``.

Every node a proof needs is the hash of a *perfect* subtree (``2**h`` leaves starting at a multiple of
``2**h``) or a right fold of several (the right edge of a tree whose size is not a power of two). Perfect
subtrees are kept in post-order, the order in which an append completes them (a "Merkle mountain
range"): after ``m`` leaves, ``2m - popcount(m)`` nodes. ``node_position`` says where each one is, so
a store is a single append-only array of 32-byte hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

__all__ = [
    "EMPTY_ROOT",
    "Frontier",
    "NodeList",
    "Nodes",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "node_position",
    "nodes_after",
    "range_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the tree of no leaves (RFC 9162: the hash of the empty string)."""

_sha256 = hashlib.sha256


def leaf_hash(line: bytes) -> bytes:
    """The leaf of one log line (its bytes, newline included)."""
    return _sha256(b"\x00" + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The node over two subtrees."""
    return _sha256(b"\x01" + left + right).digest()


class ProofError(ValueError):
    """A proof cannot be made (a size or index out of range) or does not hold."""


class Nodes(Protocol):
    """Where the hashes of perfect subtrees are kept."""

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of the ``2**level`` leaves from ``index * 2**level``."""
        ...


def nodes_after(leaves: int) -> int:
    """How many perfect-subtree hashes a tree of ``leaves`` leaves keeps in post-order."""
    return 2 * leaves - leaves.bit_count()


def node_position(level: int, index: int) -> int:
    """Where the perfect subtree (``level``, ``index``) is in post-order: right after its last leaf's merges below it."""
    last = ((index + 1) << level) - 1
    return nodes_after(last) + level


def _perfect_ranges(start: int, end: int) -> list[tuple[int, int]]:
    """The aligned perfect subtrees that make up leaves ``[start, end)``, left to right, as (level, index)."""
    out: list[tuple[int, int]] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while start + (1 << level) > end:
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def range_hash(nodes: Nodes, start: int, end: int) -> bytes:
    """``MTH`` of leaves ``[start, end)``, for a range the RFC's recursion makes (``start`` a multiple of the
    smallest power of two ``>= end - start``): the right fold of its perfect subtrees."""
    if start == end:
        return EMPTY_ROOT
    parts = [nodes.perfect(level, index) for level, index in _perfect_ranges(start, end)]
    return _fold(parts)


def _fold(parts: Sequence[bytes]) -> bytes:
    value = parts[-1]
    for part in reversed(parts[:-1]):
        value = node_hash(part, value)
    return value


def root(nodes: Nodes, size: int) -> bytes:
    """The root of the first ``size`` leaves."""
    return range_hash(nodes, 0, size)


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(nodes: Nodes, index: int, size: int) -> list[bytes]:
    """RFC 9162 ``PATH(index, D[size])``: the hashes that lead from leaf ``index`` to the root of ``size`` leaves."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(nodes, start + k, end))
            end = start + k
        else:
            path.append(range_hash(nodes, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(nodes: Nodes, old: int, new: int) -> list[bytes]:
    """RFC 9162 ``PROOF(old, D[new])``: the hashes that show the tree of ``old`` leaves is a prefix of the one of ``new``."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {old} leaves cannot be a prefix of one of {new}")
    if old in (0, new):
        return []
    path: list[bytes] = []
    start, end, whole = 0, new, True
    while True:
        if old == end:
            if not whole:
                path.append(range_hash(nodes, start, end))
            break
        k = _split(end - start)
        if old <= start + k:
            path.append(range_hash(nodes, start + k, end))
            end = start + k
        else:
            path.append(range_hash(nodes, start, start + k))
            start += k
            whole = False
    path.reverse()
    return path


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    """Check an inclusion proof (RFC 9162 2.1.3.2); raise ProofError when it does not lead to ``expected_root``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    fn, sn, value = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            value = node_hash(sibling, value)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = node_hash(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if value != expected_root:
        raise ProofError("the proof does not lead to the root")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Check a consistency proof (RFC 9162 2.1.4.2); raise ProofError when the tree of ``old`` leaves with
    ``old_root`` is not shown to be a prefix of the one of ``new`` leaves with ``new_root``."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {old} leaves cannot be a prefix of one of {new}")
    if old == 0:
        if proof:
            raise ProofError("a proof from the empty tree holds no hash")
        return
    if old == new:
        if proof:
            raise ProofError("a proof between trees of the same size holds no hash")
        if old_root != new_root:
            raise ProofError("two trees of the same size have different roots")
        return
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    if not path:
        raise ProofError("the proof is empty")
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root: the old tree is not a prefix of the new one")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")


class Frontier:
    """The roots of the perfect subtrees of a growing tree (at most one per level, biggest first):
    O(log n) hashes, enough to add a leaf and to give the root. ``push`` returns the nodes it completed,
    in post-order, so a store can append them."""

    __slots__ = ("peaks", "size")

    def __init__(self, size: int = 0, peaks: Iterable[bytes] = ()) -> None:
        self.size = size
        self.peaks: list[bytes] = list(peaks)
        if len(self.peaks) != size.bit_count():
            raise ProofError(f"a tree of {size} leaves has {size.bit_count()} peaks, not {len(self.peaks)}")

    def push(self, leaf: bytes) -> list[bytes]:
        """Add one leaf hash; the new nodes in post-order (the leaf, then each subtree it completes)."""
        made = [leaf]
        value, size = leaf, self.size
        while size & 1:
            value = node_hash(self.peaks.pop(), value)
            made.append(value)
            size >>= 1
        self.peaks.append(value)
        self.size += 1
        return made

    def root(self) -> bytes:
        """The root of the tree so far."""
        return _fold(self.peaks) if self.peaks else EMPTY_ROOT


class NodeList:
    """Every perfect subtree of a tree, in post-order in memory: for tests, benchmarks and a reader with the lines at hand."""

    __slots__ = ("frontier", "nodes")

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.nodes: list[bytes] = []
        self.frontier = Frontier()
        for leaf in leaves:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        self.nodes.extend(self.frontier.push(leaf))

    @property
    def size(self) -> int:
        """How many leaves."""
        return self.frontier.size

    def perfect(self, level: int, index: int) -> bytes:
        """The hash of a perfect subtree."""
        return self.nodes[node_position(level, index)]
