"""The infobox view: the visible fields in article order."""

from __future__ import annotations

from projections.entries import InfoboxRow
from projections.state import RecordState

__all__ = ["infobox_rows"]


def infobox_rows(record: RecordState) -> list[InfoboxRow]:
    """Each visible infobox field with the revision and sources behind it."""
    return [InfoboxRow(f.key, f.text, f.id, f.rev, f.sources) for f in record.visible_infobox()]
