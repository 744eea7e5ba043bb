"""The JSON shapes of the lists of records and of revisions, shared by the command line and the server's API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.state import RecordState, Revision

__all__ = ["record_row", "records_json", "revision_row", "revisions_json"]


def record_row(record: RecordState) -> dict[str, Any]:
    """One record as ``archive records --format json`` lists it: ``record``, ``title``, ``facts`` shown, ``rev``, ``created``."""
    return {
        "record": record.slug,
        "title": record.title_text(),
        "facts": sum(not f.retracted for f in record.facts.values()),
        "rev": record.rev,
        "created": record.created,
    }


def records_json(records: Iterable[RecordState]) -> list[dict[str, Any]]:
    """The list of records, in the order given."""
    return [record_row(r) for r in records]


def revision_row(revision: Revision) -> dict[str, Any]:
    """One revision as ``archive log --format json`` lists it: ``rev``, ``at``, ``by``, ``summary``, ``events``, ``records``."""
    return {
        "rev": revision.rev,
        "at": revision.at.isoformat().replace("+00:00", "Z"),
        "by": revision.by,
        "summary": revision.summary,
        "events": revision.events,
        "records": list(revision.records),
    }


def revisions_json(revisions: Iterable[Revision]) -> list[dict[str, Any]]:
    """The list of revisions, in the order given (the log lists them newest first)."""
    return [revision_row(r) for r in revisions]
