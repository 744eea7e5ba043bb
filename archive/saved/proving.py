"""Proofs made from the log and its saved Merkle tree: signed checkpoints, proof bundles, the consistency of
today's log with an older checkpoint, and the authors' signatures on every revision."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from archive.saved.tree import bring_up_to_date, read_raw_lines
from archive.store.bundle import BUNDLE_FORMAT, Bundle, ProvenLine
from archive.store.checkpoints import Kept, kept_checkpoints, store_checkpoint
from archive.store.folder import Archive, open_log
from archive.store.keys import load_archive_signer, load_authors
from archive.store.merkle import Frontier, ProofError, consistency_proof, inclusion_proof, leaf_hash, verify_consistency
from archive.store.notes import Checkpoint, Verifier, open_checkpoint, sign_checkpoint
from archive.store.signatures import SignatureCheck, check_revision
from events.codec import GENESIS
from events.errors import DamagedLog, InvalidInput, UnknownName

__all__ = ["Extension", "check_extends", "make_bundle", "make_checkpoint", "revision_signatures"]

Warn = Callable[[str], None]


def make_checkpoint(archive: Archive, *, key_path: Path | None = None, warn: Warn | None = None,
                    clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> tuple[Kept, bool]:
    """Sign a checkpoint of the log's whole revisions and keep it; an existing one of the same size is reused.
    Returns it and whether it is new."""
    verifier, key = load_archive_signer(archive, key_path)
    tree = bring_up_to_date(archive, warn=warn)
    for kept in kept_checkpoints(archive, verifier):
        if kept.checkpoint.size == tree.size:
            if kept.checkpoint.root != tree.root():
                raise DamagedLog(f"{kept.path.name} signs a log of {tree.size} lines with another root: the log was rewritten.",
                                 hint="Run 'archive verify --against' with it.")
            return kept, False
    at = clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    checkpoint = Checkpoint(verifier.name, tree.size, tree.root(), (f"time {at}", f"revision {tree.rev}"))
    note = sign_checkpoint(checkpoint, key)
    return Kept(store_checkpoint(archive, note, checkpoint), note, checkpoint), True


def make_bundle(archive: Archive, verifier: Verifier, slug: str, *, at: int | None = None, fact: str | None = None,
                warn: Warn | None = None) -> Bundle:
    """The lines of record ``slug`` (of ``fact`` only, if given) up to revision ``at`` (the latest checkpoint's when
    None), with inclusion proofs against the smallest kept checkpoint that covers them."""
    kept = kept_checkpoints(archive, verifier)
    usable = [k for k in kept if k.rev is not None and (at is None or k.rev >= at)]
    if not usable:
        raise InvalidInput(
            f"No checkpoint covers revision {at if at is not None else 'HEAD'}.",
            hint="Sign one with 'archive checkpoint', then prove again.",
        )
    chosen = usable[-1] if at is None else usable[0]
    checkpoint = chosen.checkpoint
    until = at if at is not None else chosen.rev
    assert until is not None
    tree = bring_up_to_date(archive, warn=warn)
    if tree.size < checkpoint.size or tree.root(checkpoint.size) != checkpoint.root:
        raise DamagedLog(f"The log no longer matches {chosen.path.name}: its first {checkpoint.size} lines changed.",
                         hint=f"Run 'archive verify --against {chosen.path}'.")
    needle = f'"record":"{slug}"'.encode()
    found: list[ProvenLine] = []
    seq = 0
    for lines, rev in read_raw_lines(open_log(archive), 0, 0, GENESIS):
        if rev > until:
            break
        for line in lines:
            seq += 1
            if needle not in line:
                continue
            data = orjson.loads(line)
            if data.get("record") != slug or (fact is not None and data.get("fact") != fact):
                continue
            proof = [base64.b64encode(step).decode() for step in inclusion_proof(tree, seq - 1, checkpoint.size)]
            found.append(ProvenLine(seq=seq, line=line[:-1].decode(), proof=tuple(proof)))
    if not found:
        what = f"fact {fact} of record {slug}" if fact is not None else f"record {slug}"
        raise UnknownName(f"No line of {what} at or before revision {until}.")
    return Bundle(format=BUNDLE_FORMAT, record=slug, fact=fact, rev=until, checkpoint=chosen.note, lines=tuple(found))


@dataclass(frozen=True, slots=True)
class Extension:
    """How today's log extends a checkpoint's."""

    checkpoint: Checkpoint
    size: int
    """Today's whole lines."""
    proof: int
    """Hashes in the consistency proof."""


def check_extends(archive: Archive, note: str, verifier: Verifier, *, name: str, warn: Warn | None = None) -> Extension:
    """Prove today's log extends the one ``note`` signs: the root of its first lines is the checkpoint's, recomputed
    from the log itself, and an RFC 9162 consistency proof from the saved tree leads from that root to today's.
    Raises DamagedLog when it does not."""
    checkpoint = open_checkpoint(note, verifier)
    frontier = Frontier()
    old_root: bytes | None = checkpoint.root if checkpoint.size == 0 else None
    for lines, _rev in read_raw_lines(open_log(archive), 0, 0, GENESIS):
        for line in lines:
            frontier.push(leaf_hash(line))
            if frontier.size == checkpoint.size:
                old_root = frontier.root()
    if old_root is None:
        raise DamagedLog(
            f"{archive.log.name} has {frontier.size} whole lines, fewer than the {checkpoint.size} that {name} signs: "
            "lines were removed.",
            hint="Restore events.jsonl from a backup.",
        )
    if old_root != checkpoint.root:
        raise DamagedLog(
            f"{archive.log.name}: its first {checkpoint.size} lines are not the ones {name} signs (their Merkle root differs): "
            "history was rewritten, even if the hash chain holds.",
            hint="Restore events.jsonl from a backup, or from a copy a witness kept.",
        )
    tree = bring_up_to_date(archive, warn=warn)
    if tree.size != frontier.size or tree.root() != frontier.root():
        if warn is not None:
            warn(".archive/tree does not match the log: rebuilt from line 1.")
        (tree.nodes_path.parent / "state.json").unlink(missing_ok=True)
        tree = bring_up_to_date(archive)
    proof = consistency_proof(tree, checkpoint.size, tree.size)
    try:
        verify_consistency(checkpoint.size, tree.size, checkpoint.root, frontier.root(), proof)
    except ProofError as exc:
        raise DamagedLog(f"{archive.log.name} does not extend {name}: {exc}.", hint="Run 'archive verify'.") from exc
    return Extension(checkpoint, tree.size, len(proof))


def revision_signatures(archive: Archive, revs: set[int] | None = None) -> dict[int, tuple[str, SignatureCheck]]:
    """Each revision's author and signature check (of ``revs`` only, if given). Without registered authors, every
    revision is unsigned as far as anyone can tell, and the log is not read."""
    authors = load_authors(archive)
    out: dict[int, tuple[str, SignatureCheck]] = {}
    if not authors:
        return out
    for lines, rev in read_raw_lines(open_log(archive), 0, 0, GENESIS):
        if revs is not None and rev not in revs:
            continue
        by = orjson.loads(lines[-1]).get("by", "")
        out[rev] = (by, check_revision(lines, by, rev, authors))
    return out

