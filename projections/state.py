"""The state the log folds into: records, their facts in article order, and the revisions."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from events.source import Source
from events.when import When

__all__ = ["ArchiveState", "Capture", "Fact", "FactKind", "RecordState", "Revision", "source_key"]

FactKind = Literal["title", "infobox", "heading", "sentence", "item"]


@dataclass(slots=True)
class Fact:
    """One fact as it stands after the events folded so far (retracted ones are kept)."""

    id: str
    kind: FactKind
    text: str
    """The words: a sentence, an item, a heading, the title, or an infobox field's value."""
    sources: tuple[Source, ...]
    added: int
    """The revision that added it."""
    rev: int
    """The last revision that changed its content."""
    key: str = ""
    """An infobox field's key."""
    level: int = 0
    """A heading's level (2 for ``== H ==``)."""
    when: When | None = None
    group: str = ""
    """The paragraph (sentences) or list (items) it belongs to, by its opener's id."""
    lead: str = ""
    """White space before a sentence inside its paragraph."""
    bullet: str = "- "
    gap: int = 1
    """Blank lines before the block it opens."""
    retracted: bool = False
    reason: str | None = None
    versions: int = 1
    """How many versions its content has had."""
    rank: str = "preferred"
    """An infobox claim's rank: ``preferred`` (the value shown) or ``normal`` (an alternative claim of the
    same field, kept with its sources, shown in the sources view). Other facts are always ``preferred``."""


@dataclass(slots=True, frozen=True)
class Capture:
    """One kept copy of a source (a ``source.captured`` event), as the record that cites it holds it."""

    rev: int
    """The revision that recorded it."""
    by: str
    """Who asked for it."""
    url: str | None
    file: str | None
    final_url: str | None
    status: int | None
    content_type: str | None
    size: int
    sha256: str | None
    """SHA-256 of the payload; None when no answer came."""
    text_sha256: str | None
    warc: str
    """SHA-256 of the WARC file in the capture store."""
    fetched: str
    """When it was fetched, ISO 8601 UTC."""
    tool: str
    address: str | None
    error: str | None

    @property
    def key(self) -> str:
        """What a source names it by: its URL, or ``sha256:<hex>`` for a local document."""
        return self.url if self.url is not None else f"sha256:{self.sha256}"

    @property
    def answered(self) -> bool:
        """Whether the page was there: a file, or an answer with a status below 400."""
        return self.error is None and (self.status is None or self.status < 400)

    @property
    def fingerprint(self) -> str | None:
        """What drift is judged on: the hash of its text, else of its bytes."""
        return self.text_sha256 or self.sha256


def source_key(source: Source) -> str | None:
    """The key the captures of ``source`` are kept under in ``RecordState.captures``, if it can have any."""
    if source.url is not None:
        return source.url
    if source.sha256 is not None:
        return f"sha256:{source.sha256}"
    return None


@dataclass(slots=True)
class RecordState:
    """One record: its facts by id and their order in the article."""

    slug: str
    created: int
    """The revision that created it."""
    ending: str = "\n"
    rev: int = 0
    """The last revision that changed it."""
    title: str | None = None
    """The id of its title fact."""
    infobox: list[str] = field(default_factory=list)
    """Infobox field ids in order (retracted ones included)."""
    body: list[str] = field(default_factory=list)
    """Heading, sentence and item ids in article order (retracted ones included)."""
    facts: dict[str, Fact] = field(default_factory=dict)
    ending_rev: int = 0
    """The last revision that changed ``ending`` (0: it is as the record was created)."""
    captures: dict[str, tuple[Capture, ...]] = field(default_factory=dict)
    """The kept copies of the sources it cites, by URL (``sha256:<hex>`` for a local document), oldest first."""

    def copy(self) -> RecordState:
        """An independent copy: later folds into this record do not change it (facts are copied one by one)."""
        return RecordState(
            slug=self.slug,
            created=self.created,
            ending=self.ending,
            rev=self.rev,
            title=self.title,
            infobox=list(self.infobox),
            body=list(self.body),
            facts={fid: copy(fact) for fid, fact in self.facts.items()},
            ending_rev=self.ending_rev,
            captures=dict(self.captures),
        )

    def visible(self, fact_id: str) -> bool:
        """Whether the fact exists and is not retracted."""
        fact = self.facts.get(fact_id)
        return fact is not None and not fact.retracted

    def visible_body(self) -> list[Fact]:
        """The body facts that show in the article, in order."""
        facts = self.facts
        return [f for f in (facts[i] for i in self.body) if not f.retracted]

    def visible_infobox(self) -> list[Fact]:
        """The infobox fields that show, in order: each field's preferred claim."""
        facts = self.facts
        return [f for f in (facts[i] for i in self.infobox) if not f.retracted and f.rank == "preferred"]

    def visible_claims(self) -> list[Fact]:
        """Every infobox claim not retracted, in order: each shown field followed by its alternatives."""
        facts = self.facts
        return [f for f in (facts[i] for i in self.infobox) if not f.retracted]

    def claims_of(self, field_id: str) -> list[Fact]:
        """The claims of the field whose claim ``field_id`` is: the preferred one first, then its alternatives
        (retracted ones left out)."""
        key = self.facts[field_id].key
        claims = [f for f in self.visible_claims() if f.key == key]
        return sorted(claims, key=lambda f: f.rank != "preferred")

    def title_text(self) -> str | None:
        """The title, unless it is missing or retracted."""
        if self.title is None or self.facts[self.title].retracted:
            return None
        return self.facts[self.title].text

    def section_of(self, fact_id: str) -> str | None:
        """The id of the nearest heading above a body fact, or None in the lead."""
        section: str | None = None
        for fid in self.body:
            fact = self.facts[fid]
            if fid == fact_id:
                return section
            if fact.kind == "heading" and not fact.retracted:
                section = fid
        return section

    def next_counter(self, prefix: str) -> int:
        """One more than the highest number of an id ``<prefix><number>`` in this record."""
        top = 0
        n = len(prefix)
        for fid in self.facts:
            if fid.startswith(prefix) and fid[n:].isdigit():
                top = max(top, int(fid[n:]))
        return top + 1


@dataclass(slots=True, frozen=True)
class Revision:
    """One append: its number, provenance, and what it touched."""

    rev: int
    at: datetime
    by: str
    summary: str | None
    events: int
    records: tuple[str, ...]
    first_seq: int


@dataclass(slots=True)
class ArchiveState:
    """Everything the log says up to some revision."""

    records: dict[str, RecordState] = field(default_factory=dict)
    revisions: list[Revision] = field(default_factory=list)
    seq: int = 0
    """The last event folded."""

    @property
    def head(self) -> int:
        """The last revision folded, 0 for an empty log."""
        return self.revisions[-1].rev if self.revisions else 0
