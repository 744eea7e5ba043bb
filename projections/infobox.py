"""The infobox view: the visible fields in article order."""

from __future__ import annotations

from projections.entries import InfoboxRow
from projections.state import RecordState

__all__ = ["infobox_rows"]


def infobox_rows(record: RecordState) -> list[InfoboxRow]:
    """Each visible infobox field with the revision and sources behind it, and its alternative claims."""
    return [
        InfoboxRow(
            f.key,
            f.text,
            f.id,
            f.rev,
            f.sources,
            tuple(InfoboxRow(a.key, a.text, a.id, a.rev, a.sources) for a in record.claims_of(f.id)[1:]),
        )
        for f in record.visible_infobox()
    ]
