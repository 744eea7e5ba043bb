"""Each revision's signature as the views show it ("signed by NAME", "unsigned"), checked against the archive's
registered authors: computed here, from the log, and handed to the pure renderers as data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import orjson

from archive.saved.proving import revision_signatures
from archive.saved.tree import read_raw_lines
from archive.store.folder import Archive, open_log
from archive.store.keys import load_authors
from archive.store.signatures import check_revision
from archive.store.tail import Tail
from events.codec import GENESIS
from projections.signed import Signature

__all__ = ["KnownSignatures", "signatures_of"]


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


class KnownSignatures:
    """The signatures of every revision read so far, extended by reading only the lines after them: for a process
    that renders pages again and again (``archive watch``). Read from line 1 again when the registered authors
    change or the log no longer holds what was read."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._authors: tuple[tuple[str, bytes, int], ...] = ()
        self._tail: Tail | None = None
        self._known: dict[int, Signature] = {}

    def now(self) -> dict[int, Signature]:
        """Every revision's signature that is not "unsigned", up to the log's last whole revision."""
        authors = load_authors(self.archive)
        registered = tuple(sorted((a.name, a.raw, a.since) for a in authors.values()))
        if registered != self._authors:
            self._authors, self._tail, self._known = registered, None, {}
        if not authors:
            return {}
        log = open_log(self.archive)
        if self._tail is not None and not log.holds(self._tail):
            self._tail, self._known = None, {}
        for lines, rev in read_raw_lines(log, self._tail):
            by = orjson.loads(lines[-1]).get("by", "")
            check = check_revision(lines, by, rev, authors)
            if check.status != "unsigned":
                self._known[rev] = Signature(check.status, check.signer, check.problem)  # type: ignore[arg-type]
            start = self._tail or Tail(0, 0, 0, GENESIS)
            self._tail = Tail(start.offset + sum(map(len, lines)), start.seq + len(lines), rev, hashlib.sha256(lines[-1]).hexdigest())
        return dict(self._known)
