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
    """The section a body fact lands in, from the record and the headings the changes add (each answer kept,
    so a batch of many additions costs one pass)."""

    def __init__(self, record: RecordState, changes: list[Change]) -> None:
        self.record = record
        self.known: dict[str | None, str] = {None: "the lead"}
        for change in changes:
            if isinstance(change, HeadingAdded):
                self.known[change.fact] = change.text
            elif isinstance(change, ContentChange) and change.type not in _REVISED and change.type != "infobox.added":
                self.known[change.fact] = self.of(getattr(change, "after", None))

    def of(self, after: str | None) -> str:
        """The section a fact placed right after ``after`` stands in."""
        if after in self.known:
            return self.known[after]
        fact = self.record.facts.get(after)  # type: ignore[arg-type]
        if fact is None:
            where = "the lead"
        elif fact.kind == "heading":
            where = fact.text
        else:
            heading = self.record.section_of(after)  # type: ignore[arg-type]
            where = self.record.facts[heading].text if heading is not None else "the lead"
        self.known[after] = where
        return where


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
