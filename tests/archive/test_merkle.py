"""The Merkle tree math against a plain reference written from RFC 9162 section 2.1, for every size up to a few hundred."""

from __future__ import annotations

import hashlib
import random

import pytest

from archive.store.merkle import (
    EMPTY_ROOT,
    Frontier,
    NodeList,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# ---------------------------------------------------------------- the RFC, read literally


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True)


# ---------------------------------------------------------------- the tests

DATA = [f'{{"seq":{i + 1}}}\n'.encode() for i in range(300)]
TREE = NodeList(leaf_hash(line) for line in DATA)
ROOTS = [mth(DATA[:n]) for n in range(len(DATA) + 1)]


def test_roots_of_every_size_match_the_reference() -> None:
    frontier = Frontier()
    assert root(TREE, 0) == frontier.root() == EMPTY_ROOT == ROOTS[0]
    for n in range(1, len(DATA) + 1):
        frontier.push(leaf_hash(DATA[n - 1]))
        assert root(TREE, n) == frontier.root() == ROOTS[n], n


def test_inclusion_proofs_for_every_leaf_of_every_size_up_to_150() -> None:
    for n in range(1, 151):
        for i in range(n):
            made = inclusion_proof(TREE, i, n)
            assert made == path(i, DATA[:n]), (i, n)
            verify_inclusion(leaf_hash(DATA[i]), i, n, made, ROOTS[n])


def test_inclusion_proofs_up_to_300_for_a_sample_of_leaves() -> None:
    rng = random.Random(7)
    for n in range(151, 301):
        for i in {0, n - 1, rng.randrange(n), rng.randrange(n)}:
            made = inclusion_proof(TREE, i, n)
            assert made == path(i, DATA[:n])
            verify_inclusion(leaf_hash(DATA[i]), i, n, made, ROOTS[n])


def test_consistency_proofs_for_every_pair_up_to_120_and_random_pairs_to_300() -> None:
    pairs = [(m, n) for n in range(1, 121) for m in range(1, n + 1)]
    rng = random.Random(11)
    pairs += [tuple(sorted((rng.randrange(1, 301), rng.randrange(1, 301)))) for _ in range(400)]  # type: ignore[misc]
    for m, n in pairs:
        made = consistency_proof(TREE, m, n)
        assert made == proof(m, DATA[:n]), (m, n)
        verify_consistency(m, n, ROOTS[m], ROOTS[n], made)


def test_random_pairs_in_a_large_tree() -> None:
    rng = random.Random(5)
    big = [f"line {i}\n".encode() for i in range(5000)]
    tree = NodeList(leaf_hash(line) for line in big)
    for _ in range(30):
        m, n = sorted((rng.randrange(1, 5001), rng.randrange(1, 5001)))
        assert consistency_proof(tree, m, n) == proof(m, big[:n])
        verify_consistency(m, n, mth(big[:m]), mth(big[:n]), consistency_proof(tree, m, n))
        i = rng.randrange(n)
        assert inclusion_proof(tree, i, n) == path(i, big[:n])


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


def test_altered_inclusion_proofs_are_refused() -> None:
    n, i = 77, 40
    good = inclusion_proof(TREE, i, n)
    leaf = leaf_hash(DATA[i])
    bad = [
        (leaf_hash(DATA[i + 1]), i, n, good),
        (leaf, i + 1, n, good),
        (leaf, i, 2 * n, good),  # (the size itself is bound by the signed checkpoint, not by the path)
        (leaf, i, n, good[:-1]),
        (leaf, i, n, [*good, good[0]]),
        (leaf, i, n, [_flip(good[0]), *good[1:]]),
    ]
    for args in bad:
        with pytest.raises(ProofError):
            verify_inclusion(*args, ROOTS[n])
    with pytest.raises(ProofError):
        verify_inclusion(leaf, i, n, good, ROOTS[n - 1])


def test_altered_consistency_proofs_are_refused() -> None:
    m, n = 37, 201
    good = consistency_proof(TREE, m, n)
    for old_root, new_root, made in [
        (ROOTS[m + 1], ROOTS[n], good),
        (ROOTS[m], ROOTS[n - 1], good),
        (ROOTS[m], ROOTS[n], good[:-1]),
        (ROOTS[m], ROOTS[n], [_flip(good[0]), *good[1:]]),
    ]:
        with pytest.raises(ProofError):
            verify_consistency(m, n, old_root, new_root, made)
    with pytest.raises(ProofError):
        verify_consistency(n, m, ROOTS[n], ROOTS[m], good)
    with pytest.raises(ProofError):
        verify_consistency(m, m, ROOTS[m], ROOTS[m + 1], [])
