"""Groups a record's visible facts into the blocks of its article: title, infobox, headings, paragraphs, lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from projections.state import Fact, RecordState

__all__ = ["Block", "blocks"]


@dataclass(slots=True)
class Block:
    """A run of lines in the article, preceded by ``gap`` blank lines."""

    kind: Literal["title", "infobox", "heading", "paragraph", "list"]
    gap: int
    facts: list[Fact] = field(default_factory=list)
    group: str = ""
    """The paragraph or list id, for paragraphs and lists."""


def blocks(record: RecordState) -> list[Block]:
    """The article's blocks in order; retracted facts are left out."""
    out: list[Block] = []
    title = record.title_text()
    if title is not None:
        out.append(Block("title", 0, [record.facts[record.title]]))  # type: ignore[index]
    fields = record.visible_infobox()
    if fields:
        first = record.facts[record.infobox[0]]
        out.append(Block("infobox", first.gap, fields))
    facts = record.facts
    current: Block | None = None
    for fact in record.visible_body():
        if fact.kind == "heading":
            current = None
            out.append(Block("heading", fact.gap, [fact]))
            continue
        kind: Literal["paragraph", "list"] = "paragraph" if fact.kind == "sentence" else "list"
        if current is None or current.kind != kind or current.group != fact.group:
            opener = facts.get(fact.group, fact)
            current = Block(kind, opener.gap, [], fact.group)
            out.append(current)
        current.facts.append(fact)
    return out
