"""The timeline view: every visible dated fact, earliest first, ties in article order."""

from __future__ import annotations

from projections.entries import TimelineRow
from projections.state import RecordState

__all__ = ["timeline_rows"]


def timeline_rows(record: RecordState) -> list[TimelineRow]:
    """Dated sentences and items, ordered by the earliest day their date can mean, then the latest, then article order."""
    rows: list[tuple[object, int, TimelineRow]] = []
    section: str | None = None
    for index, fact in enumerate(record.visible_body()):
        if fact.kind == "heading":
            section = fact.text
            continue
        if fact.when is None:
            continue
        when = fact.when
        row = TimelineRow(when.edtf, when.qualifier, fact.text, fact.id, fact.rev, fact.sources, section, when.inferred)
        rows.append((fact.when.sort_key(), index, row))
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in rows]
