"""Renders a record as Markdown: infobox as a table, a footnote to its sources after each fact."""

from __future__ import annotations

from events.source import Source
from projections.layout import blocks
from projections.sources import source_rows
from projections.state import Fact, RecordState

__all__ = ["escape_html", "render_markdown", "source_markdown", "table_cell"]


def escape_html(text: str) -> str:
    """Text with no raw HTML left: ``&``, ``<`` and ``>`` as entities, which Markdown shows as the characters
    (a ``<script>`` in the log stays words on the page)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table: raw HTML escaped, pipes escaped, line breaks as spaces."""
    return escape_html(text).replace("|", "\\|").replace("\n", " ")


def source_markdown(source: Source) -> str:
    """A source as one Markdown line: linked title, author, publisher, dates, quote."""
    title = escape_html(source.title) if source.title else None
    head = f"[{title}]({source.url})" if title and source.url else title or f"<{source.url}>"
    extra = [escape_html(part) for part in (source.author, source.publisher, source.published) if part]
    if source.accessed:
        extra.append(f"accessed {source.accessed}")
    line = head + (", " + ", ".join(extra) if extra else "")
    if source.quote:
        line += f': "{escape_html(source.quote)}"'
    return line


def render_markdown(record: RecordState) -> str:
    """The article in Markdown, with numbered footnotes naming the sources of every fact."""
    numbers = {row.source: index for index, row in enumerate(source_rows(record), start=1)}

    def cite(fact: Fact) -> str:
        return "".join(f"[^{numbers[s]}]" for s in fact.sources)

    out: list[str] = []
    for block in blocks(record):
        first = block.facts[0]
        match block.kind:
            case "title":
                out.append(f"# {escape_html(first.text)}{cite(first)}")
            case "heading":
                out.append(f"{'#' * first.level} {escape_html(first.text)}{cite(first)}")
            case "infobox":
                rows = ["| Field | Value |", "| --- | --- |"]
                rows += [f"| {table_cell(f.key)} | {table_cell(f.text)}{cite(f)} |" for f in block.facts]
                out.append("\n".join(rows))
            case "list":
                out.append("\n".join(f"- {escape_html(f.text)}{cite(f)}" for f in block.facts))
            case "paragraph":
                out.append(" ".join(f"{escape_html(f.text.strip())}{cite(f)}" for f in block.facts))
    if numbers:
        out.append("## Sources")
        out.append("\n".join(f"[^{n}]: {source_markdown(s)}" for s, n in numbers.items()))
    return "\n\n".join(out) + "\n"
