"""Parses the article text format (title, infobox, sections, paragraphs, lists) into blocks, naming the line at fault."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from events.errors import InvalidInput
from events.text import MAX_TEXT

__all__ = ["ParsedArticle", "ParsedBlock", "parse_article"]

_TITLE = re.compile(r"= (\S(?:.*\S)?) =")
_HEADING = re.compile(r"(={2,6}) (\S(?:.*\S)?) \1")
_ITEM = re.compile(r"([ \t]*[-*] )(.*)")
_FIELD = re.compile(r"- ([^:]*):(?: (.*))?")
_MAX_ENDING = 20


@dataclass(slots=True)
class ParsedBlock:
    """A block of the article as read: its kind, where it starts, and what it holds."""

    kind: Literal["infobox", "heading", "paragraph", "list"]
    line: int
    """The 1-based line it starts on."""
    gap: int
    """Blank lines before it."""
    text: str = ""
    """A heading's words, or a paragraph's lines joined with line breaks."""
    level: int = 0
    fields: list[tuple[str, str, int]] = field(default_factory=list)
    """Infobox ``(key, value, line)`` in order."""
    items: list[tuple[str, str, int]] = field(default_factory=list)
    """List ``(bullet, text, line)`` in order."""


@dataclass(slots=True)
class ParsedArticle:
    """A whole article: title, blocks, and the line breaks it ends with."""

    title: str
    blocks: list[ParsedBlock]
    ending: str


def _refuse(name: str, line: int, problem: str, fix: str) -> InvalidInput:
    return InvalidInput(f"{name}:{line}: {problem}.", hint=fix)


def parse_article(text: str, name: str = "<article>") -> ParsedArticle:
    """Read article text; raise InvalidInput naming ``name:LINE`` where it breaks the format."""
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise _refuse(name, line, "has a carriage return (Windows line ending)", "Save the file with \\n line endings.")
    if "\ufeff" in text[:1]:
        raise _refuse(name, 1, "starts with a byte order mark", "Save the file as UTF-8 without BOM.")
    body = text.rstrip("\n")
    ending = text[len(body) :]
    if len(ending) > _MAX_ENDING:
        raise _refuse(name, body.count("\n") + 2, f"ends with {len(ending)} line breaks", f"Keep at most {_MAX_ENDING}.")
    lines = body.split("\n")
    title = _TITLE.fullmatch(lines[0])
    if title is None:
        raise _refuse(
            name,
            1,
            f"the first line must be the title, '= Title =', not {lines[0][:60]!r}",
            "Begin the file with the title line.",
        )
    parsed = ParsedArticle(title.group(1), [], ending)
    gap = 0
    current: ParsedBlock | None = None
    in_infobox = False
    for number, line in enumerate(lines[1:], start=2):
        if line == "":
            gap += 1
            current = None
            in_infobox = False
            continue
        if not line.strip():
            raise _refuse(name, number, "holds only white space", "Make it an empty line, or remove it.")
        if in_infobox and current is not None:
            current.fields.append(_field(line, number, name))
            continue
        if line == "Infobox" and not parsed.blocks:
            current = ParsedBlock("infobox", number, gap)
            parsed.blocks.append(current)
            in_infobox = True
            gap = 0
            continue
        heading = _HEADING.fullmatch(line)
        if heading is not None:
            parsed.blocks.append(ParsedBlock("heading", number, gap, heading.group(2), len(heading.group(1))))
            current = None
        elif (item := _ITEM.fullmatch(line)) is not None and item.group(2).strip():
            if current is None or current.kind != "list":
                current = ParsedBlock("list", number, gap)
                parsed.blocks.append(current)
            current.items.append((item.group(1), item.group(2), number))
        elif current is not None and current.kind == "paragraph":
            current.text += "\n" + line
        else:
            current = ParsedBlock("paragraph", number, gap, line)
            parsed.blocks.append(current)
        gap = 0
    for block in parsed.blocks:
        if block.kind == "paragraph" and len(block.text) > MAX_TEXT:
            raise _refuse(
                name,
                block.line,
                f"the paragraph is {len(block.text)} characters long, more than the {MAX_TEXT} a paragraph may hold",
                "Split it into paragraphs with an empty line.",
            )
        if block.kind == "infobox" and not block.fields:
            raise _refuse(
                name, block.line, "'Infobox' is followed by no field", "Give '- Key: value' lines under it, or remove it."
            )
    return parsed


def _field(line: str, number: int, name: str) -> tuple[str, str, int]:
    match = _FIELD.fullmatch(line)
    if match is None or not match.group(1).strip():
        raise _refuse(
            name,
            number,
            f"an infobox field must read '- Key: value', not {line[:60]!r}",
            "End the infobox with an empty line before other text.",
        )
    key, value = match.group(1), match.group(2)
    if key != key.strip():
        raise _refuse(
            name, number, f"the infobox key {key!r} has space at an end", "Write '- Key: value' with one space after the dash."
        )
    if value is None:
        if line.endswith(" "):
            raise _refuse(
                name, number, f"the infobox field '{key}' has a space but no value", "Remove the space or give a value."
            )
        value = ""
    elif value == "" or not value.strip():
        raise _refuse(name, number, f"the infobox field '{key}' has a space but no value", "Remove the space or give a value.")
    return key, value, number
