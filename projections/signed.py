"""What the log says of each revision's signature, as data the views show: signed by whom, unsigned, or failed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["UNSIGNED", "Signature", "Signatures", "signature_json", "signature_of"]


@dataclass(frozen=True, slots=True)
class Signature:
    """One revision's signature, as checked against the archive's registered authors (``keys/authors.json``)."""

    status: Literal["signed", "unsigned", "failed"]
    """``signed`` (by a registered author's key, the one ``by`` names), ``unsigned``, or ``failed``."""
    signer: str | None = None
    """The author whose key signed it (when signed)."""
    problem: str | None = None
    """Why it failed (when failed)."""

    def describe(self) -> str:
        """``signed by NAME``, ``unsigned``, or ``signature fails: ...``."""
        if self.status == "signed":
            return f"signed by {self.signer}"
        return "unsigned" if self.status == "unsigned" else f"signature fails: {self.problem}"


UNSIGNED = Signature("unsigned")

Signatures = Mapping[int, Signature]
"""Each revision's signature by number; a revision it lacks is unsigned."""


def signature_of(signatures: Signatures | None, rev: int | None) -> Signature:
    """The signature of revision ``rev`` in ``signatures`` (unsigned when it is not there)."""
    if signatures is None or rev is None:
        return UNSIGNED
    return signatures.get(rev, UNSIGNED)


def signature_json(signature: Signature) -> dict[str, Any]:
    """The keys a JSON row about a revision gains: ``signed`` (the signer's name, or null) and ``signature``
    (``signed``, ``unsigned`` or ``failed``)."""
    return {"signed": signature.signer if signature.status == "signed" else None, "signature": signature.status}
