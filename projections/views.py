"""The views of a record and the formats each renders to: one registry, so a new view is one entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from events.source import Source
from projections.entries import FactRow, InfoboxRow, SourceRow, TimelineRow
from projections.infobox import infobox_rows
from projections.render_markdown import render_markdown, source_markdown, table_cell
from projections.render_text import render_text
from projections.render_timelinejs import render_timelinejs
from projections.sources import source_rows, visible_facts
from projections.state import Capture, RecordState
from projections.timeline import timeline_rows
from projections.timeline_display import display_date

__all__ = ["BUILD_FILES", "FORMATS", "VIEWS", "View", "capture_json", "capture_line", "render_view", "source_json", "to_json"]

FORMATS = ("text", "markdown", "json")


def source_json(source: Source) -> dict[str, Any]:
    """A source in its full JSON shape (absent fields null); ``sha256`` only for a stored local document."""
    data = source.model_dump()
    if data["sha256"] is None:
        del data["sha256"]
    return data


def _default(value: object) -> object:
    if isinstance(value, Source):
        return source_json(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def to_json(data: object) -> str:
    """Indented JSON with a final newline; sources in their full shape (absent fields null)."""
    return orjson.dumps(data, default=_default, option=orjson.OPT_INDENT_2).decode() + "\n"


def _dates(row: TimelineRow) -> str:
    """The date as people read it ("by Sept 2017", "c. Oct 1975", "4 Aug [2011]"); the JSON view keeps the EDTF."""
    return display_date(row.date, row.qualifier, row.inferred).text


def _sources_label(sources: tuple[Source, ...]) -> str:
    return "; ".join(s.label() for s in sources)


# ------------------------------------------------------------- article


def _article_json(record: RecordState) -> str:
    return to_json({"record": record.slug, "rev": record.rev, "title": record.title_text(), "text": render_text(record)})


# ------------------------------------------------------------- infobox


def _infobox_text(record: RecordState) -> str:
    rows = infobox_rows(record)
    width = max((len(r.key) for r in rows), default=0)
    return "".join(f"{r.key.ljust(width)}  {r.value}    [{r.fact}, r{r.rev}]\n" for r in rows)


def _infobox_markdown(record: RecordState) -> str:
    rows = infobox_rows(record)
    lines = ["| Field | Value | Fact | Rev | Sources |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| {table_cell(r.key)} | {table_cell(r.value)} | {r.fact} | {r.rev} | {table_cell(_sources_label(r.sources))} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def _infobox_json(record: RecordState) -> str:
    return to_json([_row(r) for r in infobox_rows(record)])


# ------------------------------------------------------------- timeline


def _timeline_text(record: RecordState) -> str:
    rows = timeline_rows(record)
    width = max((len(_dates(r)) for r in rows), default=0)
    return "".join(f"{_dates(r).ljust(width)}  {r.text}    [{r.fact}, r{r.rev}]\n" for r in rows)


def _timeline_markdown(record: RecordState) -> str:
    return "".join(f"- **{_dates(r)}**: {r.text} ({r.fact}; {_sources_label(r.sources)})\n" for r in timeline_rows(record))


def _timeline_json(record: RecordState) -> str:
    return to_json([_row(r) for r in timeline_rows(record)])


# ------------------------------------------------------------- sources


def capture_line(capture: Capture) -> str:
    """One kept copy in a line: when, what answered, and the hash of its WARC file."""
    answer = capture.error or (f"HTTP {capture.status}" if capture.status is not None else "file")
    kind = f", {capture.content_type}" if capture.content_type else ""
    return f"{capture.fetched}  {answer}{kind}, {capture.size} bytes, warc sha256:{capture.warc[:16]}  (r{capture.rev}, {capture.by})"


def _sources_text(record: RecordState) -> str:
    out = []
    for index, row in enumerate(source_rows(record), start=1):
        out.append(f"[{index}] {source_markdown(row.source)}\n    backs: {', '.join(row.facts)}\n")
        if row.captures:
            out.append(f"    copies: {len(row.captures)}, {row.drift} since first kept\n")
            out.extend(f"      {capture_line(c)}\n" for c in row.captures)
    return "".join(out)


def _sources_markdown(record: RecordState) -> str:
    out = []
    for i, r in enumerate(source_rows(record), 1):
        kept = f"; {len(r.captures)} archived {'copy' if len(r.captures) == 1 else 'copies'}, {r.drift}" if r.captures else ""
        out.append(f"{i}. {source_markdown(r.source)} (backs {', '.join(r.facts)}{kept})\n")
    return "".join(out)


def _sources_json(record: RecordState) -> str:
    return to_json([_row(r) for r in source_rows(record)])


# ------------------------------------------------------------- facts


def fact_rows(record: RecordState) -> list[FactRow]:
    """Every visible fact with its id, kind and section: what ``--revise`` and ``--retract`` name."""
    rows = []
    section: str | None = None
    for fact in visible_facts(record):
        if fact.kind == "heading":
            section = fact.text
        rows.append(
            FactRow(
                fact.id,
                fact.kind,
                fact.text,
                fact.key or None,
                section if fact.kind in ("sentence", "item") else None,
                fact.when.edtf if fact.when else None,
                fact.rev,
                fact.added,
                fact.sources,
            )
        )
    return rows


def _facts_text(record: RecordState) -> str:
    rows = fact_rows(record)
    width = max((len(r.fact) for r in rows), default=0)
    out = []
    for r in rows:
        words = f"{r.key}: {r.text}" if r.key else r.text
        out.append(f"{r.fact.ljust(width)}  {r.kind:<8}  r{r.rev:<4} {words}\n")
    return "".join(out)


def _facts_markdown(record: RecordState) -> str:
    lines = ["| Fact | Kind | Rev | Text |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {r.fact} | {r.kind} | {r.rev} | {table_cell((r.key + ': ') if r.key else '')}{table_cell(r.text)} |"
        for r in fact_rows(record)
    ]
    return "\n".join(lines) + "\n"


def _facts_json(record: RecordState) -> str:
    return to_json([_row(r) for r in fact_rows(record)])


def capture_json(capture: Capture) -> dict[str, Any]:
    """A kept copy as JSON: every field of its event but the stamp, plus ``rev`` and ``by``."""
    return {name: getattr(capture, name) for name in capture.__dataclass_fields__}


def _row(row: InfoboxRow | TimelineRow | SourceRow | FactRow) -> dict[str, Any]:
    if isinstance(row, SourceRow):
        return {
            **source_json(row.source),
            "facts": list(row.facts),
            "captures": [capture_json(c) for c in row.captures],
            "drift": row.drift,
        }
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


# ------------------------------------------------------------- registry


Renderer = Callable[[RecordState], str]


@dataclass(frozen=True, slots=True)
class View:
    """A named projection of a record, and how it renders in each format."""

    name: str
    help: str
    formats: dict[str, Renderer]


VIEWS: dict[str, View] = {
    view.name: view
    for view in (
        View("article", "the article text", {"text": render_text, "markdown": render_markdown, "json": _article_json}),
        View(
            "infobox",
            "the infobox fields in order",
            {"text": _infobox_text, "markdown": _infobox_markdown, "json": _infobox_json},
        ),
        View(
            "timeline",
            "dated facts, earliest first",
            {"text": _timeline_text, "markdown": _timeline_markdown, "json": _timeline_json, "timelinejs": render_timelinejs},
        ),
        View(
            "sources",
            "each source and the facts it backs",
            {"text": _sources_text, "markdown": _sources_markdown, "json": _sources_json},
        ),
        View(
            "facts",
            "every fact with its id, kind and revision",
            {"text": _facts_text, "markdown": _facts_markdown, "json": _facts_json},
        ),
    )
}

BUILD_FILES: tuple[tuple[str, str, str], ...] = (
    ("article.txt", "article", "text"),
    ("article.md", "article", "markdown"),
    ("infobox.json", "infobox", "json"),
    ("timeline.json", "timeline", "json"),
    ("sources.json", "sources", "json"),
)
"""What ``build`` writes for each record: file name, view, format."""


def render_view(record: RecordState, view: str, fmt: str) -> str:
    """Render one view of ``record`` in one format."""
    return VIEWS[view].formats[fmt](record)
