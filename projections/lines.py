"""The lines of a record's article text, each with the facts whose words stand on it (what blame reads)."""

from __future__ import annotations

from dataclasses import dataclass

from projections.layout import Block, blocks
from projections.render_text import block_lines
from projections.state import RecordState

__all__ = ["ArticleLine", "LineSpan", "article_lines"]


@dataclass(frozen=True, slots=True)
class LineSpan:
    """Where one fact's words stand on a line: characters ``start`` to ``end`` of the line's text."""

    fact: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArticleLine:
    """One line of the article text, as ``render_text`` writes it."""

    number: int
    """1-based."""
    text: str
    """The line without its line break."""
    spans: tuple[LineSpan, ...]
    """The facts whose words stand on the line, left to right; a sentence wrapped over lines has a span on each."""
    owner: str | None
    """The fact the line belongs to: the one fact of a title, heading, field or item line; for a line of a
    paragraph, its first sentence on the line; for a blank line, the first fact of the block after it
    (blank lines are that block's ``gap``); for the ``Infobox`` line, the first field. None for the blank lines
    the record's ``ending`` adds after the last line."""


def _paragraph(block: Block) -> tuple[str, list[tuple[str, int, int]]]:
    """The paragraph text (as ``paragraph_text`` makes it) and where each sentence's words stand in it."""
    text = ""
    spans: list[tuple[str, int, int]] = []
    for index, fact in enumerate(block.facts):
        if index or fact.group == fact.id:
            text += fact.lead
        spans.append((fact.id, len(text), len(text) + len(fact.text)))
        text += fact.text
    return text, spans


def _block(block: Block) -> list[tuple[str, tuple[LineSpan, ...], str]]:
    if block.kind != "paragraph":
        lines = block_lines(block)
        if block.kind == "infobox":
            first = block.facts[0].id
            return [(lines[0], (), first)] + [
                (line, (LineSpan(f.id, 0, len(line)),), f.id) for line, f in zip(lines[1:], block.facts, strict=True)
            ]
        return [(line, (LineSpan(f.id, 0, len(line)),), f.id) for line, f in zip(lines, block.facts, strict=True)]
    text, spans = _paragraph(block)
    out: list[tuple[str, tuple[LineSpan, ...], str]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        on_line = tuple(
            LineSpan(fact, max(a, start) - start, min(b, end) - start) for fact, a, b in spans if a < end and b > start
        )
        out.append((line, on_line, on_line[0].fact if on_line else block.facts[0].id))
        start = end + 1
    return out


def article_lines(record: RecordState) -> list[ArticleLine]:
    """Every line of ``render_text(record)``, in order, as an editor numbers them: each text followed by a line
    break (the last one only if the record's ending has one) gives the rendered article byte for byte. The
    blank lines an ending of several line breaks makes are lines too."""
    rows: list[tuple[str, tuple[LineSpan, ...], str | None]] = []
    for block in blocks(record):
        opener = block.facts[0].id
        if rows:
            rows.extend(("", (), opener) for _ in range(block.gap))
        rows.extend(_block(block))
    if rows:
        rows.extend(("", (), None) for _ in range(max(record.ending.count("\n") - 1, 0)))
    return [ArticleLine(number, text, spans, owner) for number, (text, spans, owner) in enumerate(rows, start=1)]
