"""Renders the timeline as Knight Lab TimelineJS JSON: dates only as precise as known, text escaped for its HTML fields."""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

from events.source import Source
from projections.entries import TimelineRow
from projections.state import RecordState
from projections.timeline import timeline_rows
from projections.timeline_display import DateParts, display_date

__all__ = ["render_timelinejs", "timelinejs"]


def _date(parts: DateParts) -> dict[str, int]:
    """A TimelineJS date object holding only the parts that are known."""
    out = {"year": parts.year}
    if parts.month is not None:
        out["month"] = parts.month
        if parts.day is not None:
            out["day"] = parts.day
    return out


def _source_html(source: Source) -> str:
    """One source as TimelineJS HTML: a link only for an http(s) address, everything escaped."""
    label = escape(source.label())
    url = source.url
    if url and url.lower().startswith(("http://", "https://")):
        return f'<a href="{escape(url, quote=True)}">{label}</a>'
    return label


def _slide(row: TimelineRow) -> dict[str, Any] | None:
    shown = display_date(row.date, row.qualifier, row.inferred)
    start = shown.start or shown.end
    if start is None:
        return None
    slide: dict[str, Any] = {"start_date": _date(start)}
    if shown.end is not None and shown.start is not None:
        slide["end_date"] = _date(shown.end)
    if not shown.plain:
        slide["display_date"] = shown.text
    sources = "; ".join(_source_html(s) for s in row.sources)
    slide["text"] = {"headline": escape(shown.text), "text": f"<p>{escape(row.text.strip())}</p><p>Sources: {sources}</p>"}
    if row.section is not None:
        slide["group"] = escape(row.section)
    slide["unique_id"] = row.fact
    slide["autolink"] = False
    return slide


def timelinejs(record: RecordState) -> dict[str, Any]:
    """The TimelineJS data object of a record's timeline: a title slide and one slide per dated fact."""
    events = [slide for slide in (_slide(row) for row in timeline_rows(record)) if slide is not None]
    data: dict[str, Any] = {"events": events}
    title = record.title_text()
    if title is not None:
        data["title"] = {"text": {"headline": escape(title), "text": ""}}
    return data


def render_timelinejs(record: RecordState) -> str:
    """TimelineJS JSON, indented, with a final newline."""
    return orjson.dumps(timelinejs(record), option=orjson.OPT_INDENT_2).decode() + "\n"
