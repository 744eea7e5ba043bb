"""Issue 17 figures: what the Merkle tree adds to an append, and proof size and time at 1,000,000 lines.

    .venv/bin/python benchmarks/proofs.py [--appends 200] [--leaves 1000000]

Appends run in this process through the real command line (``archive append``), alternating one with the
saved tree and one without it (its state removed before the append, so the append's hook finds none).
The proofs use 1,000,000 synthetic leaves hashed directly (no log), their nodes written to a file and read
back as ``archive prove`` reads them (``archive.saved.tree.TreeState``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from archive.cli.main import main
from archive.saved.tree import TreeState, bring_up_to_date
from archive.store.folder import Archive
from archive.store.merkle import (
    Frontier,
    NodeList,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

SEED = Path(__file__).resolve().parents[1] / "examples" / "articles" / "siege-of-derna.txt"


def _quiet(*args: str) -> None:
    import contextlib  # noqa: PLC0415
    import io  # noqa: PLC0415

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = main(list(args))
    assert status == 0, args


def appends(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "a"
        _quiet("init", str(root))
        _quiet("-C", str(root), "import", str(SEED), "--source", "x")
        archive = Archive(root)
        state = root / ".archive" / "tree" / "state.json"
        with_tree: list[float] = []
        without: list[float] = []
        for n in range(count):
            tree = n % 2 == 0
            if tree:
                bring_up_to_date(archive)
            else:
                state.unlink(missing_ok=True)
            start = time.perf_counter()
            _quiet("-C", str(root), "append", "siege-of-derna", "--infobox", f"Key{n}=value {n}", "--source", "x")
            (with_tree if tree else without).append(time.perf_counter() - start)
        a, b = statistics.median(with_tree), statistics.median(without)
        print(f"append, median of {len(with_tree)} each: with the tree {a * 1000:.2f} ms, without {b * 1000:.2f} ms: {100 * (a - b) / b:+.1f}%")


def proofs(leaves: int) -> None:
    start = time.perf_counter()
    tree = NodeList(leaf_hash(b'{"seq":%d}\n' % i) for i in range(leaves))
    print(f"{leaves:,} leaves hashed into the tree in {time.perf_counter() - start:.1f} s ({len(tree.nodes):,} nodes)")
    with tempfile.TemporaryDirectory() as folder:
        nodes = Path(folder) / "nodes"
        nodes.write_bytes(b"".join(tree.nodes))
        stored = TreeState(leaves, 0, 0, "", 0, Frontier(leaves, tree.frontier.peaks), nodes)
        root = stored.root()
        rng = random.Random(1)
        sizes, makes, checks = [], [], []
        for _ in range(1000):
            i = rng.randrange(leaves)
            t0 = time.perf_counter()
            proof = inclusion_proof(stored, i, leaves)
            t1 = time.perf_counter()
            verify_inclusion(leaf_hash(b'{"seq":%d}\n' % i), i, leaves, proof, root)
            t2 = time.perf_counter()
            sizes.append(len(proof))
            makes.append(t1 - t0)
            checks.append(t2 - t1)
        print(
            f"inclusion proof at {leaves:,} lines: {statistics.median(sizes):.0f} hashes ({32 * statistics.median(sizes):.0f} bytes), "
            f"made in {statistics.median(makes) * 1000:.3f} ms, checked in {statistics.median(checks) * 1000:.3f} ms (medians of 1000)"
        )
        sizes, makes, checks = [], [], []
        for _ in range(200):
            m = rng.randrange(1, leaves)
            t0 = time.perf_counter()
            proof = consistency_proof(stored, m, leaves)
            t1 = time.perf_counter()
            verify_consistency(m, leaves, stored.root(m), root, proof)
            t2 = time.perf_counter()
            sizes.append(len(proof))
            makes.append(t1 - t0)
            checks.append(t2 - t1)
        print(
            f"consistency proof to {leaves:,} lines: {statistics.median(sizes):.0f} hashes, made in "
            f"{statistics.median(makes) * 1000:.3f} ms, checked in {statistics.median(checks) * 1000:.3f} ms (medians of 200)"
        )
        print(f"nodes file: {os.path.getsize(nodes) / 1e6:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    args = parser.parse_args()
    appends(args.appends)
    proofs(args.leaves)
