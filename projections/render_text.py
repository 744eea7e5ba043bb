"""Renders a record as article text, the format it was imported from, byte for byte."""

from __future__ import annotations

from projections.layout import Block, blocks
from projections.state import Fact, RecordState

__all__ = ["field_line", "heading_line", "paragraph_text", "render_text"]


def heading_line(text: str, level: int) -> str:
    """``== Text ==`` for a level-2 heading; level 1 is the title."""
    marks = "=" * level
    return f"{marks} {text} {marks}"


def field_line(key: str, value: str) -> str:
    """``- Key: value``, or ``- Key:`` for an empty value."""
    return f"- {key}: {value}" if value else f"- {key}:"


def paragraph_text(sentences: list[Fact]) -> str:
    """The sentences of a paragraph with the white space between them.

    The first sentence shown keeps its lead only if it opened the paragraph (an
    indent); a later sentence that became first because the opener was
    retracted drops its separator.
    """
    parts: list[str] = []
    for index, fact in enumerate(sentences):
        if index or fact.group == fact.id:
            parts.append(fact.lead)
        parts.append(fact.text)
    return "".join(parts)


def block_lines(block: Block) -> list[str]:
    """The lines of one block, without the blank lines before it."""
    match block.kind:
        case "title":
            return [heading_line(block.facts[0].text, 1)]
        case "heading":
            fact = block.facts[0]
            return [heading_line(fact.text, fact.level)]
        case "infobox":
            return ["Infobox", *(field_line(f.key, f.text) for f in block.facts)]
        case "list":
            return [f.bullet + f.text for f in block.facts]
        case "paragraph":
            return paragraph_text(block.facts).split("\n")


def render_text(record: RecordState) -> str:
    """The article text of ``record``: for an imported article, the bytes of the original."""
    lines: list[str] = []
    previous = ""
    for block in blocks(record):
        if lines:
            # the infobox ends at a blank line: a block that came to follow it directly still gets one
            lines.extend([""] * (max(block.gap, 1) if previous == "infobox" else block.gap))
        lines.extend(block_lines(block))
        previous = block.kind
    return "\n".join(lines) + record.ending if lines else ""
