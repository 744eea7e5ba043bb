"""Revisions signed by their authors: what is signed, how the end line carries it, and how it is checked.

A signed revision's end line carries ``"sig":"<key id>:<base64 Ed25519 signature>"`` just before ``prev``
(the key id: 16 hex digits, the start of SHA-256 of the author's public key). The signature cannot
cover its own bytes, so what is signed is the revision's lines *as they would be without it*: the
message is ``fact-archive revision v1\\n`` followed by the hex leaf hash (``archive.store.merkle.leaf_hash``)
of each of the revision's lines, one per line, the end line taken with its ``,"sig":"..."`` cut out, which
gives exactly the bytes the append encoded before signing. Those lines hold ``seq``, ``rev``, ``by`` and
``prev``, so a signature holds for one revision at one place in one log, and cannot be moved.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from archive.store.keys import AuthorKey
from archive.store.merkle import leaf_hash
from archive.store.notes import public_bytes

__all__ = ["SignatureCheck", "check_revision", "revision_message", "signer", "unsigned_line"]

_SIG = re.compile(rb',"sig":"([0-9a-f]{16}):([A-Za-z0-9+/]{86}==)"(,"prev":"[0-9a-f]{64}"\}\n)$')


def unsigned_line(line: bytes) -> tuple[bytes, tuple[str, bytes] | None]:
    """The line without its signature, and the signature (key id, bytes) if it carries one that reads."""
    found = _SIG.search(line)
    if found is None:
        return line, None
    try:
        signature = base64.b64decode(found.group(2), validate=True)
    except binascii.Error:
        return line, None
    return line[: found.start()] + found.group(3), (found.group(1).decode(), signature)


def revision_message(lines: Sequence[bytes]) -> bytes:
    """What the author signs: a fixed first line, then the leaf hash of each unsigned line."""
    return b"fact-archive revision v1\n" + b"".join(leaf_hash(line).hex().encode() + b"\n" for line in lines)


def signer(key: Ed25519PrivateKey) -> Callable[[Sequence[bytes]], str]:
    """The ``sig`` value for a revision's unsigned lines, made with ``key``."""
    import hashlib  # noqa: PLC0415

    key_id = hashlib.sha256(public_bytes(key)).hexdigest()[:16]

    def sign(lines: Sequence[bytes]) -> str:
        return f"{key_id}:{base64.b64encode(key.sign(revision_message(lines))).decode()}"

    return sign


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What a revision's signature says, checked against the registered authors."""

    status: str
    """``signed``, ``unsigned`` or ``failed``."""
    signer: str | None = None
    """The registered author whose key signed it (when signed)."""
    problem: str | None = None
    """Why it failed (when failed)."""

    def describe(self) -> str:
        """``signed by NAME``, ``unsigned``, or ``signature fails: ...``."""
        if self.status == "signed":
            return f"signed by {self.signer}"
        return "unsigned" if self.status == "unsigned" else f"signature fails: {self.problem}"


def check_revision(lines: Sequence[bytes], by: str, rev: int, authors: dict[str, AuthorKey]) -> SignatureCheck:
    """Check the signature on the end line of one revision's ``lines`` (its author ``by``) against ``authors``."""
    *head, end = lines
    unsigned, signature = unsigned_line(end)
    if signature is None:
        if b'"sig":' in end[-300:]:
            return SignatureCheck("failed", problem="its sig field does not read")
        author = authors.get(by)
        if author is not None and rev >= author.since:
            return SignatureCheck("failed", problem=f"{by} has a key registered since revision {author.since}, but it is unsigned")
        return SignatureCheck("unsigned")
    key_id, value = signature
    by_id = {author.key_id: author for author in authors.values()}
    author = by_id.get(key_id)
    if author is None:
        return SignatureCheck("failed", problem=f"signed with the unknown key {key_id} (not in keys/authors.json)")
    try:
        Ed25519PublicKey.from_public_bytes(author.raw).verify(value, revision_message([*head, unsigned]))
    except InvalidSignature:
        return SignatureCheck("failed", problem=f"the signature of {author.name}'s key does not hold for these lines")
    if author.name != by:
        return SignatureCheck("failed", problem=f"signed with {author.name}'s key, but the revision says it is by {by}")
    return SignatureCheck("signed", signer=author.name)
