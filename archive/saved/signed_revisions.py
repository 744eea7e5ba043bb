"""Each revision's signature as the views show it ("signed by NAME", "unsigned"), checked against the archive's
registered authors: computed here, from the log, and handed to the pure renderers as data."""

from __future__ import annotations

from collections.abc import Iterable

from archive.saved.proving import revision_signatures
from archive.store.folder import Archive
from projections.signed import Signature

__all__ = ["signatures_of"]


def signatures_of(archive: Archive, revs: Iterable[int] | None = None) -> dict[int, Signature]:
    """The signature of each revision (of ``revs`` only, if given) that is signed or whose signature fails; a
    revision left out is unsigned. Without ``keys/authors.json`` nothing is signed and the log is not read."""
    wanted = None if revs is None else set(revs)
    if wanted is not None and not wanted:
        return {}
    return {
        rev: Signature(check.status, check.signer, check.problem)  # type: ignore[arg-type]
        for rev, (_by, check) in revision_signatures(archive, wanted).items()
        if check.status != "unsigned"
    }
