"""Turns article text into the changes of one revision: a new record and every fact of it."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from archive.ingest.article_text import ParsedArticle, parse_article
from archive.ingest.dates import Story
from archive.ingest.sentences import split_sentences
from events.errors import InvalidInput
from events.ids import is_slug, next_fact_id
from events.model import (
    Change,
    HeadingAdded,
    InfoboxAdded,
    ItemAdded,
    RecordCreated,
    SentenceAdded,
    TitleAdded,
)
from events.source import Source, first_problem
from events.when import When

__all__ = ["STDIN", "article_changes", "read_article", "read_article_text", "slug_for"]

_MAX_FILE = 50 * 1024 * 1024
STDIN = Path("-")
"""The file name that means standard input."""


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, read once (a pipe, ``-`` or ``/dev/stdin``, can be read only once)."""
    if path == STDIN:
        data = sys.stdin.buffer.read(_MAX_FILE + 1)
    else:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_FILE + 1)
    if len(data) > _MAX_FILE:
        raise InvalidInput(f"{path}: more than the {_MAX_FILE} bytes an article may have.")
    return data


def read_article(path: Path) -> ParsedArticle:
    """Read and parse an article file; refuse a missing, huge, non-UTF-8 or malformed one."""
    return read_article_text(path)[0]


def read_article_text(path: Path) -> tuple[ParsedArticle, str]:
    """Read an article file once (``-``: standard input), parse it, and give back its text too."""
    name = "<stdin>" if path == STDIN else str(path)
    try:
        data = _read_bytes(path)
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: no such file.") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{path} is a folder, not an article file.") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}).",
            hint="Convert the file to UTF-8 (iconv -t UTF-8).",
        ) from exc
    if not text:
        raise InvalidInput(f"{name}: the file is empty.", hint="An article begins with its title line, '= Title ='.")
    return parse_article(text, name), text


def slug_for(path: Path) -> str:
    """The record name a file gets when ``--record`` is not given: its name, lower-cased, hyphenated."""
    if path == STDIN:
        raise InvalidInput("Standard input has no file name to make a record name from.", hint="Name the record with --record SLUG.")
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:100]
    if not is_slug(slug):
        raise InvalidInput(f"{path}: no record name can be made from the file name.", hint="Name one with --record SLUG.")
    return slug


class _Ids:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return next_fact_id(kind, self.counts[kind])


def article_changes(
    article: ParsedArticle,
    slug: str,
    sources: tuple[Source, ...],
    name: str,
    warn: Callable[[str], None] | None = None,
) -> list[Change]:
    """The changes that create record ``slug`` holding every fact of ``article``, in article order.

    Each sentence and item is dated from its text, a date without its year taking the year of the story
    (``archive.ingest.dates.Story``); a date the calendar does not have is told to ``warn`` with its line.
    """
    ids = _Ids()
    changes: list[Change] = []

    def add(line: int, cls: type[Change], **fields: object) -> None:
        try:
            changes.append(cls(record=slug, sources=sources, **fields))
        except ValidationError as exc:
            raise InvalidInput(f"{name}:{line}: {first_problem(exc)}.") from exc

    try:
        changes.append(RecordCreated(record=slug, ending=article.ending))
    except ValidationError as exc:
        raise InvalidInput(f"record name '{slug}': {first_problem(exc)}.", hint="A record name is [a-z0-9][a-z0-9-]*.") from exc
    add(1, TitleAdded, fact=ids.next("title"), text=article.title)
    story = Story()
    after: str | None = None

    def read(line: int, text: str) -> When | None:
        reading = story.read(text)
        if reading.problem is not None and warn is not None:
            warn(f"{name}:{line}: {reading.problem}; the sentence is left undated.")
        return reading.when

    for block in article.blocks:
        if block.kind == "infobox":
            field_after: str | None = None
            seen: dict[str, int] = {}
            for index, (key, value, line) in enumerate(block.fields):
                if key in seen:
                    raise InvalidInput(
                        f"{name}:{line}: the infobox field '{key}' is given twice (first on line {seen[key]}).",
                        hint="Give each key once: an infobox holds one value per key.",
                    )
                seen[key] = line
                fact = ids.next("infobox")
                add(line, InfoboxAdded, fact=fact, key=key, value=value, after=field_after, gap=block.gap if index == 0 else 0)
                field_after = fact
                story.field(key, value)
        elif block.kind == "heading":
            fact = ids.next("heading")
            add(block.line, HeadingAdded, fact=fact, text=block.text, level=block.level, after=after, gap=block.gap)
            story.heading(block.text)
            after = fact
        elif block.kind == "paragraph":
            opener = ""
            line = block.line
            for lead, text in split_sentences(block.text):
                line += lead.count("\n")
                fact = ids.next("sentence")
                opener = opener or fact
                when = read(line, text)
                gap = block.gap if fact == opener else 0
                add(line, SentenceAdded, fact=fact, text=text, when=when, after=after, paragraph=opener, lead=lead, gap=gap)
                line += text.count("\n")
                after = fact
        else:
            opener = ""
            for bullet, text, line in block.items:
                fact = ids.next("item")
                opener = opener or fact
                when = read(line, text)
                gap = block.gap if fact == opener else 0
                add(line, ItemAdded, fact=fact, text=text, when=when, after=after, list=opener, bullet=bullet, gap=gap)
                after = fact
    return changes
