"""The infobox view: the visible fields in article order, each with its alternative claims (a disputed field)."""

from __future__ import annotations

from projections.entries import InfoboxRow
from projections.state import Fact, RecordState

__all__ = ["alternatives_of", "infobox_rows"]


def alternatives_of(record: RecordState) -> dict[str, list[Fact]]:
    """The alternative claims (rank normal, not retracted) of each shown field, by the shown claim's id, in the
    order they stand (right after it); a field without any is left out. One pass over the infobox."""
    out: dict[str, list[Fact]] = {}
    shown: Fact | None = None
    for fact in record.visible_claims():
        if fact.rank == "preferred":
            shown = fact
        elif shown is not None and fact.key == shown.key:
            out.setdefault(shown.id, []).append(fact)
    return out


def infobox_rows(record: RecordState) -> list[InfoboxRow]:
    """Each visible infobox field with the revision and sources behind it, and its alternative claims."""
    others = alternatives_of(record)
    rows = []
    for f in record.visible_infobox():
        alternatives = others.get(f.id, [])
        disputed = bool(alternatives)
        rows.append(
            InfoboxRow(
                f.key,
                f.text,
                f.id,
                f.rev,
                f.sources,
                tuple(InfoboxRow(a.key, a.text, a.id, a.rev, a.sources, disputed=True) for a in alternatives),
                disputed=disputed,
            )
        )
    return rows
