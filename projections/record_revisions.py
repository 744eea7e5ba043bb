"""The revisions that touched each record, found in one pass over an archive's revisions."""

from __future__ import annotations

from collections.abc import Iterable

from projections.state import Revision

__all__ = ["revisions_by_record"]


def revisions_by_record(revisions: Iterable[Revision]) -> dict[str, list[Revision]]:
    """Each record's revisions (those with an event of it), oldest first: what the history, blame and diff
    pages of one record read, without a scan of every revision per record."""
    out: dict[str, list[Revision]] = {}
    for revision in revisions:
        for slug in revision.records:
            mine = out.get(slug)
            if mine is None:
                out[slug] = [revision]
            else:
                mine.append(revision)
    return out
