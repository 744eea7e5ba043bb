"""Renders records as HTML pages (article, timeline, sources, history, index) from Jinja2 templates, every text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from events.source import Source
from projections.blame import BlameLine, BlamePiece, blame_lines
from projections.diff import RecordDiff
from projections.entries import TimelineRow
from projections.layout import Block, blocks
from projections.sources import drifted_facts, source_rows
from projections.state import ArchiveState, Fact, RecordState, Revision
from projections.timeline import timeline_rows
from projections.timeline_display import DateDisplay, display_date

__all__ = [
    "DIFF_PAGES",
    "RECORD_PAGES",
    "Page",
    "article_page",
    "blame_page",
    "diff_page",
    "diff_revisions",
    "history_page",
    "http_url",
    "index_page",
    "record_pages",
    "render_page",
    "sources_page",
    "timeline_page",
]

RECORD_PAGES: tuple[tuple[str, str], ...] = (
    ("index.html", "Article"),
    ("timeline.html", "Timeline"),
    ("sources.html", "Sources"),
    ("history.html", "History"),
    ("blame.html", "Blame"),
)
"""The pages of a record as file name and tab label, in the order of the tabs."""

DIFF_PAGES = 100
"""How many of a record's latest revisions get a diff page (``diff-<rev>.html``): older ones stay in the log."""


@dataclass(frozen=True, slots=True)
class Page:
    """What every page's frame needs: where it sits, what it is called, which tab is open."""

    title: str
    """The page's title, shown in the browser tab."""
    heading: str
    """The big heading at the top of the page."""
    root: str
    """The relative path from the page to the views' root: ``""`` or ``"../"``."""
    record: str | None
    """The record's slug, None on the index of records."""
    tab: str | None
    """The file name of the open tab."""
    rev: int
    """The revision the views were built at."""
    tabs: tuple[tuple[str, str], ...] = RECORD_PAGES


@dataclass(frozen=True, slots=True)
class _Entry:
    """One timeline entry ready to show."""

    row: TimelineRow
    shown: DateDisplay


@dataclass(frozen=True, slots=True)
class _RecordLink:
    """One line of the index of records."""

    slug: str
    title: str | None
    facts: int
    rev: int
    dated: int


@dataclass(frozen=True, slots=True)
class _Run:
    """A stretch of a blame line: one fact's words (with who and when), or the text between them."""

    text: str
    piece: BlamePiece | None


@dataclass(frozen=True, slots=True)
class _BlameRow:
    """One line of the blame page: the line, its stretches, and whether it starts a run of one revision."""

    line: BlameLine
    runs: tuple[_Run, ...]
    first_of_rev: bool


def http_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: only those become links."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _date_words(edtf: str | None) -> str:
    return display_date(edtf).text if edtf else ""


@cache
def _environment() -> Environment:
    """The template environment: package templates (read-only resources), autoescaping everything, strict names."""
    env = Environment(
        loader=PackageLoader("projections", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package files: never changed while running, so no stat of each template per page
    )
    env.filters["http_url"] = http_url
    env.filters["utc"] = _utc
    env.filters["iso"] = _iso
    env.filters["date_words"] = _date_words
    return env


def render_page(template: str, **context: Any) -> str:
    """Render one template of ``projections/templates`` with ``context``; every value is escaped unless marked safe.

    Every page gets ``citation(source)``, one source's citation (see ``_citation``).
    """
    return _environment().get_template(template).render(citation=_citation, **context)


@lru_cache(maxsize=8192)
def _citation(source: Source) -> Markup:
    """The ``citation`` macro of ``_macros.html`` for one source, rendered once: a page cites a source many times
    (blame cites it on every line it backs), and so do the pages of one build."""
    return _environment().get_template("_macros.html").module.citation(source)  # type: ignore[attr-defined]


def _numbers(record: RecordState) -> dict[Source, int]:
    return {row.source: index for index, row in enumerate(source_rows(record), start=1)}


def _page(record: RecordState, tab: str, label: str) -> Page:
    title = record.title_text() or record.slug
    heading = title if tab == "index.html" else f"{title}: {label.lower()}"
    return Page(title=heading, heading=heading, root="../", record=record.slug, tab=tab, rev=record.rev)


def _body_blocks(record: RecordState) -> list[Block]:
    return [b for b in blocks(record) if b.kind not in ("title", "infobox")]


def article_page(record: RecordState) -> str:
    """The article with its infobox as a side box, a source marker after every fact, and the sources at the end."""
    numbers = _numbers(record)

    def cites(fact: Fact) -> list[tuple[int, Source]]:
        return [(numbers[s], s) for s in fact.sources]

    title_fact = record.facts[record.title] if record.title_text() is not None and record.title else None
    return render_page(
        "article.html",
        page=_page(record, "index.html", "Article"),
        title_fact=title_fact,
        infobox=record.visible_infobox(),
        blocks=_body_blocks(record),
        cites=cites,
        sources=source_rows(record),
        drifted=drifted_facts(record),
    )


def timeline_page(record: RecordState) -> str:
    """The dated facts, earliest first, each date in the words its precision allows."""
    numbers = _numbers(record)
    entries = [_Entry(row, display_date(row.date, row.qualifier, row.inferred)) for row in timeline_rows(record)]
    return render_page(
        "timeline.html",
        page=_page(record, "timeline.html", "Timeline"),
        entries=entries,
        cites=lambda row: [(numbers[s], s) for s in row.sources],
    )


def sources_page(record: RecordState) -> str:
    """Each source with the facts it backs, linked into the article."""
    facts = record.facts
    return render_page(
        "sources.html",
        page=_page(record, "sources.html", "Sources"),
        sources=source_rows(record),
        facts=facts,
    )


def diff_revisions(slug: str, revisions: Sequence[Revision], limit: int = DIFF_PAGES) -> frozenset[int]:
    """The revisions of record ``slug`` that get a diff page: its latest ``limit``."""
    mine = [r.rev for r in revisions if slug in r.records]
    return frozenset(mine[-limit:] if limit > 0 else ())


def history_page(record: RecordState, revisions: Sequence[Revision], diffs: frozenset[int] | None = None) -> str:
    """The revisions that touched the record, newest first, each linked to its diff page (``diffs``; default
    ``diff_revisions``)."""
    mine = [r for r in reversed(revisions) if record.slug in r.records]
    linked = diff_revisions(record.slug, revisions) if diffs is None else diffs
    return render_page("history.html", page=_page(record, "history.html", "History"), revisions=mine, diffs=linked)


def _runs(line: BlameLine) -> tuple[_Run, ...]:
    """The line cut into the facts' words and the text between them (bullets, marks, white space)."""
    runs: list[_Run] = []
    at = 0
    for piece in sorted(line.pieces, key=lambda p: p.start):
        if piece.start > at:
            runs.append(_Run(line.text[at : piece.start], None))
        runs.append(_Run(piece.text, piece))
        at = max(at, piece.start + len(piece.text))
    if at < len(line.text):
        runs.append(_Run(line.text[at:], None))
    return tuple(runs)


def blame_page(record: RecordState, revisions: Sequence[Revision]) -> str:
    """Every line of the article text with the revision, author and time behind it; focus or hover a sentence
    for its own revision, author, time and sources."""
    numbers = _numbers(record)
    rows: list[_BlameRow] = []
    previous: int | None = None
    for line in blame_lines(record, revisions):
        rows.append(_BlameRow(line, _runs(line), line.rev != previous))
        previous = line.rev
    diffs = diff_revisions(record.slug, revisions)
    return render_page(
        "blame.html",
        page=_page(record, "blame.html", "Blame"),
        rows=rows,
        diffs=diffs,
        number=numbers.get,
    )


def diff_page(record: RecordState, diff: RecordDiff, revision: Revision | None) -> str:
    """What one revision changed in a record, words marked: deletions struck, insertions highlighted.

    ``record`` is the record after the revision; ``revision`` its who, when and summary.
    """
    title = record.title_text() or record.slug
    heading = f"{title}: revision {diff.to_rev}"
    page = Page(title=heading, heading=heading, root="../", record=record.slug, tab="history.html", rev=record.rev)
    return render_page(
        "diff.html", page=page, diff=diff, revision=revision, display_date=display_date, unified=_unified_html(diff)
    )


def _line_class(line: str) -> str:
    if line.startswith("+"):
        return "ctx" if line.startswith("+++") else "add"
    if line.startswith("-"):
        return "ctx" if line.startswith("---") else "del"
    return "hunk" if line.startswith("@@") else "ctx"


def _unified_html(diff: RecordDiff) -> Markup:
    """The unified diff of the article texts as ``<span class="add|del|hunk|ctx">`` lines, every text escaped
    (built here, not in the template: a page holds hundreds of lines)."""
    return Markup("".join(f'<span class="{_line_class(line)}">{escape(line.rstrip(chr(10)))}</span>' for line in diff.unified()))


def record_pages(record: RecordState, revisions: Sequence[Revision]) -> dict[str, str]:
    """Every page of one record that its state and the revisions alone determine, by file name."""
    return {
        "index.html": article_page(record),
        "timeline.html": timeline_page(record),
        "sources.html": sources_page(record),
        "history.html": history_page(record, revisions),
        "blame.html": blame_page(record, revisions),
    }


def index_page(state: ArchiveState) -> str:
    """The index of records: title, facts shown, dated facts, last revision."""
    links = [
        _RecordLink(
            r.slug,
            r.title_text(),
            sum(not f.retracted for f in r.facts.values()),
            r.rev,
            len(timeline_rows(r)),
        )
        for r in sorted(state.records.values(), key=lambda r: (r.title_text() or r.slug).casefold())
    ]
    page = Page(title="Records", heading="Records", root="", record=None, tab=None, rev=state.head)
    return render_page("index.html", page=page, records=links)
