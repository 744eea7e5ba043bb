"""Blame: every line of a record's article text with the revision, author, time and sources behind it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.source import Source
from projections.lines import article_lines
from projections.signed import UNSIGNED, Signature, Signatures, signature_json, signature_of
from projections.state import RecordState, Revision

__all__ = ["BlameLine", "BlamePiece", "blame_json", "blame_lines"]


@dataclass(frozen=True, slots=True)
class BlamePiece:
    """One fact's words on a line (a sentence, or the part of a wrapped sentence on this line), resolved on its own."""

    fact: str
    text: str
    """The fact's words that stand on this line."""
    start: int
    """Where they start on the line (0-based character offset)."""
    rev: int
    """The last revision that changed the fact's content."""
    by: str | None
    at: datetime | None
    sources: tuple[Source, ...]
    signature: Signature = UNSIGNED
    """The signature of revision ``rev``."""


@dataclass(frozen=True, slots=True)
class BlameLine:
    """One line of the article and what stands behind it."""

    line: int
    """1-based line number."""
    text: str
    facts: tuple[str, ...]
    """The facts whose words stand on the line; for a blank line or the ``Infobox`` line, the fact the line
    belongs to (the first of the block that follows, or the first field); empty for the blank lines of the
    record's ending."""
    rev: int | None
    """The newest revision among the line's facts (the record's, for the blank lines of its ending)."""
    by: str | None
    at: datetime | None
    sources: tuple[Source, ...]
    """Every source of the line's facts, in order of first citation, each once."""
    pieces: tuple[BlamePiece, ...]
    """Each fact's words on the line, resolved on their own (empty for blank lines and the ``Infobox`` line)."""
    signature: Signature = UNSIGNED
    """The signature of revision ``rev``."""


def blame_lines(
    record: RecordState, revisions: Mapping[int, Revision] | Sequence[Revision], signatures: Signatures | None = None
) -> list[BlameLine]:
    """Every line of ``render_text(record)`` with the revision, author, time and sources behind it.

    ``revisions`` gives who and when for each revision number: a mapping, or the list of an
    ``ArchiveState`` (``state.revisions``); a revision it lacks leaves ``by`` and ``at`` None.
    A line's ``rev`` is the newest of its facts' revisions, as git's blame names the commit that last
    touched a line; each fact's own revision is in ``pieces``. ``signatures`` says how each revision is signed
    (computed in ``archive/``: ``archive.saved.proving.revision_signatures``); a revision it lacks is unsigned.
    """
    known = revisions if isinstance(revisions, Mapping) else {r.rev: r for r in revisions}
    facts = record.facts

    def who(rev: int | None) -> tuple[str | None, datetime | None]:
        found = known.get(rev) if rev is not None else None
        return (found.by, found.at) if found is not None else (None, None)

    out: list[BlameLine] = []
    for line in article_lines(record):
        pieces: list[BlamePiece] = []
        for span in line.spans:
            fact = facts[span.fact]
            by, at = who(fact.rev)
            pieces.append(
                BlamePiece(
                    fact.id, line.text[span.start : span.end], span.start, fact.rev, by, at, fact.sources,
                    signature_of(signatures, fact.rev),
                )
            )
        ids = tuple(dict.fromkeys(p.fact for p in pieces)) or ((line.owner,) if line.owner is not None else ())
        if ids:
            rev: int | None = max(facts[i].rev for i in ids)
            cited = tuple(dict.fromkeys(s for i in ids for s in facts[i].sources))
        else:
            rev, cited = (record.ending_rev or record.created), ()
        by, at = who(rev)
        out.append(BlameLine(line.number, line.text, ids, rev, by, at, cited, tuple(pieces), signature_of(signatures, rev)))
    return out


def _when(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat().replace("+00:00", "Z")


def blame_json(lines: Sequence[BlameLine]) -> list[dict[str, Any]]:
    """Blame as the JSON of ``archive blame --format json``: DESIGN.md's ``line, text, facts, rev, by, at,
    sources`` plus ``signed`` (who signed the revision, or null) and ``signature`` (signed, unsigned or failed),
    and ``sentences``, each fact's words on the line resolved on their own."""
    return [
        {
            "line": b.line,
            "text": b.text,
            "facts": list(b.facts),
            "rev": b.rev,
            "by": b.by,
            "at": _when(b.at),
            "sources": list(b.sources),
            **signature_json(b.signature),
            "sentences": [
                {
                    "fact": p.fact,
                    "text": p.text,
                    "start": p.start,
                    "rev": p.rev,
                    "by": p.by,
                    "at": _when(p.at),
                    "sources": list(p.sources),
                    **signature_json(p.signature),
                }
                for p in b.pieces
            ],
        }
        for b in lines
    ]
