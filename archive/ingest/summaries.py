"""Edit summaries written for revisions given none: what the changes do, in a line ("Add s67 to Timeline")."""

from __future__ import annotations

from events.model import (
    Change,
    ContentChange,
    FactMoved,
    FactRetracted,
    HeadingAdded,
    InfoboxAdded,
    InfoboxPreferred,
    RecordRevised,
)
from projections.state import RecordState

__all__ = ["MAX_SUMMARY", "automatic_summary", "new_facts"]

MAX_SUMMARY = 2000
"""As long as an edit summary may be."""
_REVISED = frozenset({"title.revised", "infobox.revised", "heading.revised", "sentence.revised", "item.revised"})


def new_facts(changes: list[Change]) -> list[str]:
    """The ids of the facts ``changes`` add, in order."""
    return [c.fact for c in changes if isinstance(c, ContentChange) and c.type not in _REVISED]


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")


class _Sections:
    """The section a body fact lands in, from the record and the headings the changes add."""

    def __init__(self, record: RecordState, changes: list[Change]) -> None:
        self.record = record
        self.added_after: dict[str, str | None] = {}
        self.heading_text: dict[str, str] = {}
        for change in changes:
            if isinstance(change, ContentChange) and change.type not in _REVISED:
                self.added_after[change.fact] = getattr(change, "after", None)
                if isinstance(change, HeadingAdded):
                    self.heading_text[change.fact] = change.text

    def of(self, after: str | None) -> str:
        """The section a fact placed right after ``after`` stands in."""
        seen: set[str] = set()
        while after is not None and after in self.added_after and after not in seen:
            seen.add(after)
            if after in self.heading_text:
                return self.heading_text[after]
            after = self.added_after[after]
        if after is None:
            return "the lead"
        fact = self.record.facts.get(after)
        if fact is None:
            return "the lead"
        if fact.kind == "heading":
            return fact.text
        heading = self.record.section_of(after)
        return self.record.facts[heading].text if heading is not None else "the lead"


def automatic_summary(record: RecordState, changes: list[Change]) -> str:
    """One line saying what ``changes`` do to ``record``: "Add s67 to Timeline", "Retract s66: unsourced quote",
    "Prefer i16: more recent count", several parts joined by "; "."""
    sections = _Sections(record, changes)
    parts: list[str] = []
    added: dict[str, list[str]] = {}
    revised: list[str] = []
    moved: dict[str, list[str]] = {}
    signed_moves = any(isinstance(c, FactMoved) and c.sources for c in changes)
    for change in changes:
        if isinstance(change, InfoboxAdded):
            if change.rank == "normal":
                parts.append(f"Add {change.fact}, another claim for {change.key}")
            else:
                parts.append(f"Add {change.fact} ({change.key}) to the infobox")
        elif isinstance(change, ContentChange) and change.type == "title.added":
            parts.append(f"Add the title {change.fact}")
        elif isinstance(change, ContentChange) and change.type not in _REVISED:
            added.setdefault(sections.of(getattr(change, "after", None)), []).append(change.fact)
        elif isinstance(change, ContentChange):
            revised.append(change.fact)
        elif isinstance(change, FactRetracted):
            parts.append(f"Retract {change.fact}" + (f": {change.reason}" if change.reason else ""))
        elif isinstance(change, InfoboxPreferred):
            parts.append(f"Prefer {change.fact}" + (f": {change.reason}" if change.reason else ""))
        elif isinstance(change, FactMoved) and (change.sources or not signed_moves):
            fact = record.facts.get(change.fact)
            where = "in the infobox" if fact is not None and fact.kind == "infobox" else f"to {sections.of(change.after)}"
            moved.setdefault(where, []).append(change.fact)
        elif isinstance(change, RecordRevised):
            parts.append("Change the line breaks at the end")
    parts = [f"Add {_ids(ids)} to {where}" for where, ids in added.items()] + parts
    if revised:
        parts.append(f"Revise {_ids(revised)}")
    parts += [f"Move {_ids(ids)} {where}" for where, ids in moved.items()]
    text = "; ".join(parts) or "No change of content"
    text = " ".join(text.split())
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"
