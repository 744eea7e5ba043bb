"""What changed in one record between two states: facts added, removed, changed and moved, and the text.

``diff_records`` compares two states of a record, however they were reached (``projections.replay.capture``
gets both in one pass over the log). Facts are compared by id, so a sentence revised in place is one change,
not a removal and an addition; only content counts as a change (text, value, key, level, date, sources,
rank), and only place as a move: a change of order among the facts both states show (all but a longest
run that kept its order have moved, so the fewest facts are named). Spacing alone (a lead, a gap, a
paragraph split or joined by a blank line) is neither: the text diff shows it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import Any

from events.source import Source
from events.when import When
from projections.entries import TimelineRow
from projections.order import kept_in_order
from projections.render_text import render_text
from projections.state import Fact, RecordState
from projections.timeline import timeline_rows
from projections.words import WordOp, word_diff

__all__ = [
    "CONTENT_FIELDS",
    "FactChange",
    "FactMove",
    "FactSnapshot",
    "FieldChange",
    "InfoboxSummary",
    "RecordDiff",
    "TimelineChange",
    "TimelineSummary",
    "diff_json",
    "diff_records",
    "sections",
    "snapshot",
    "snapshot_json",
]

CONTENT_FIELDS: tuple[str, ...] = ("text", "key", "level", "when", "sources", "rank")
"""What makes a fact's content: a difference in any of these is a change."""


@dataclass(frozen=True, slots=True)
class FactSnapshot:
    """One fact as it stood in one state of the record."""

    fact: str
    kind: str
    """title, infobox, heading, sentence or item."""
    text: str
    """The words (an infobox field's value)."""
    key: str | None
    """An infobox field's key."""
    level: int | None
    """A heading's level."""
    when: When | None
    sources: tuple[Source, ...]
    section: str | None
    """The heading the fact stands under (its text); None in the lead and for title and infobox."""
    rank: str | None
    """An infobox claim's rank: preferred (shown) or normal (an alternative)."""
    rev: int
    """The last revision that changed its content."""
    reason: str | None = None
    """Why it was retracted, for a removed fact."""


@dataclass(frozen=True, slots=True)
class FactChange:
    """A fact both states show, with different content."""

    fact: str
    kind: str
    before: FactSnapshot
    after: FactSnapshot
    fields: tuple[str, ...]
    """Which of ``CONTENT_FIELDS`` differ."""
    words: tuple[WordOp, ...]
    """The word diff of the text; empty when the text is the same."""


@dataclass(frozen=True, slots=True)
class FactMove:
    """A fact both states show, standing elsewhere: out of order with the others (in another section, say)."""

    fact: str
    kind: str
    text: str
    from_section: str | None
    to_section: str | None
    from_after: str | None
    """The shown fact it followed before (None: it came first)."""
    to_after: str | None
    regrouped: bool
    """It now shares a paragraph or list with none of the facts it shared one with (of those both states
    show), and with some others."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """An infobox field (by key) as shown in each state; None where the field is not shown."""

    key: str
    before: str | None
    after: str | None
    fact: str
    """The claim shown after (before, for a removed field)."""


@dataclass(frozen=True, slots=True)
class InfoboxSummary:
    """The infobox as a reader sees it, compared by key."""

    added: tuple[FieldChange, ...]
    removed: tuple[FieldChange, ...]
    changed: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class TimelineChange:
    """A timeline entry of one fact whose date or words differ."""

    fact: str
    before: TimelineRow
    after: TimelineRow


@dataclass(frozen=True, slots=True)
class TimelineSummary:
    """The timeline compared by fact."""

    added: tuple[TimelineRow, ...]
    removed: tuple[TimelineRow, ...]
    changed: tuple[TimelineChange, ...]


@dataclass(frozen=True, slots=True)
class RecordDiff:
    """Everything that differs between two states of one record."""

    record: str
    from_rev: int
    to_rev: int
    added: tuple[FactSnapshot, ...]
    """Facts shown after but not before, in article order."""
    removed: tuple[FactSnapshot, ...]
    """Facts shown before but not after (retracted), in the old article order, with the reason."""
    changed: tuple[FactChange, ...]
    moved: tuple[FactMove, ...]
    infobox: InfoboxSummary
    timeline: TimelineSummary
    text_before: str
    text_after: str

    @property
    def facts_changed(self) -> bool:
        """Whether any fact was added, removed, changed or moved."""
        return bool(self.added or self.removed or self.changed or self.moved)

    def unified(self, context: int = 3) -> list[str]:
        """The unified diff of the article texts, each line ending in a line break (``\\ No newline at end of
        file`` after a last line that has none, as git writes it)."""
        before = self.text_before.splitlines(keepends=True)
        after = self.text_after.splitlines(keepends=True)
        out: list[str] = []
        for line in difflib.unified_diff(
            before,
            after,
            fromfile=f"{self.record} r{self.from_rev}",
            tofile=f"{self.record} r{self.to_rev}",
            n=context,
        ):
            if line.endswith("\n"):
                out.append(line)
            else:
                out.append(line + "\n")
                out.append("\\ No newline at end of file\n")
        return out


def sections(record: RecordState) -> dict[str, str | None]:
    """The heading text each shown body fact stands under (None in the lead), in one pass."""
    out: dict[str, str | None] = {}
    heading: str | None = None
    for fact in record.visible_body():
        if fact.kind == "heading":
            out[fact.id] = heading
            heading = fact.text
        else:
            out[fact.id] = heading
    return out


def snapshot(fact: Fact, section: str | None = None) -> FactSnapshot:
    """A fact's content as it stands, for diff and history."""
    return FactSnapshot(
        fact=fact.id,
        kind=fact.kind,
        text=fact.text,
        key=fact.key or None,
        level=fact.level if fact.kind == "heading" else None,
        when=fact.when,
        sources=fact.sources,
        section=section,
        rank=fact.rank if fact.kind == "infobox" else None,
        rev=fact.rev,
        reason=fact.reason if fact.retracted else None,
    )


def _shown(record: RecordState | None) -> list[Fact]:
    """Title, infobox claims (alternatives included), body: every fact not retracted, in article order."""
    if record is None:
        return []
    title = [record.facts[record.title]] if record.title_text() is not None else []
    return title + record.visible_claims() + record.visible_body()  # type: ignore[list-item]


def _content(fact: Fact) -> tuple[Any, ...]:
    return (fact.text, fact.key, fact.level, fact.when, fact.sources, fact.rank)


def _mates(record: RecordState, common: set[str]) -> dict[str, set[str]]:
    """For each shown sentence or item, the facts of ``common`` in its paragraph or list (itself included)."""
    groups: dict[str, set[str]] = {}
    for fact in record.visible_body():
        if fact.kind != "heading" and fact.id in common:
            groups.setdefault(fact.group, set()).add(fact.id)
    return {fid: members for members in groups.values() for fid in members}


def _moves(
    before: RecordState, after: RecordState, old_sections: dict[str, str | None], new_sections: dict[str, str | None]
) -> list[FactMove]:
    old_body = [f.id for f in before.visible_body()]
    new_body = [f.id for f in after.visible_body()]
    old_fields = [f.id for f in before.visible_infobox()]
    new_fields = [f.id for f in after.visible_infobox()]
    common = set(old_body) & set(new_body)
    old_mates, new_mates = _mates(before, common), _mates(after, common)
    kept = kept_in_order(old_body, new_body) | kept_in_order(old_fields, new_fields)
    previous = {}
    for order in (old_body, old_fields):
        previous.update({fid: order[i - 1] if i else None for i, fid in enumerate(order)})
    moves: list[FactMove] = []
    for order, old in ((new_fields, set(old_fields)), (new_body, set(old_body))):
        for index, fid in enumerate(order):
            if fid not in old:
                continue
            fact = after.facts[fid]
            if fid in kept:
                continue
            mates_before, mates_after = old_mates.get(fid, set()) - {fid}, new_mates.get(fid, set()) - {fid}
            regrouped = bool(mates_before and mates_after) and mates_before.isdisjoint(mates_after)
            moves.append(
                FactMove(
                    fact=fid,
                    kind=fact.kind,
                    text=fact.text,
                    from_section=old_sections.get(fid),
                    to_section=new_sections.get(fid),
                    from_after=previous[fid],
                    to_after=order[index - 1] if index else None,
                    regrouped=regrouped,
                )
            )
    return moves


def _infobox(before: RecordState | None, after: RecordState) -> InfoboxSummary:
    old = {f.key: f for f in before.visible_infobox()} if before is not None else {}
    new = {f.key: f for f in after.visible_infobox()}
    added = tuple(FieldChange(k, None, f.text, f.id) for k, f in new.items() if k not in old)
    removed = tuple(FieldChange(k, f.text, None, f.id) for k, f in old.items() if k not in new)
    changed = tuple(
        FieldChange(k, old[k].text, f.text, f.id)
        for k, f in new.items()
        if k in old and (old[k].text, old[k].id) != (f.text, f.id)
    )
    return InfoboxSummary(added, removed, changed)


def _timeline(before: RecordState | None, after: RecordState) -> TimelineSummary:
    old = {row.fact: row for row in timeline_rows(before)} if before is not None else {}
    new = {row.fact: row for row in timeline_rows(after)}
    added = tuple(row for fid, row in new.items() if fid not in old)
    removed = tuple(row for fid, row in old.items() if fid not in new)
    changed = tuple(
        TimelineChange(fid, old[fid], row)
        for fid, row in new.items()
        if fid in old and (old[fid].date, old[fid].qualifier, old[fid].text) != (row.date, row.qualifier, row.text)
    )
    return TimelineSummary(added, removed, changed)


def diff_records(
    before: RecordState | None,
    after: RecordState,
    *,
    from_rev: int | None = None,
    to_rev: int | None = None,
) -> RecordDiff:
    """What changed from ``before`` (None: the record did not exist yet) to ``after``, two states of one record.

    ``from_rev`` and ``to_rev`` name the revisions compared (default: the last revision that changed each
    state, 0 for a missing ``before``). Pure: neither state is changed.
    """
    old_sections = sections(before) if before is not None else {}
    new_sections = sections(after)
    old_shown = _shown(before)
    old_ids = {f.id for f in old_shown}
    new_shown = _shown(after)
    new_ids = {f.id for f in new_shown}
    added = tuple(snapshot(f, new_sections.get(f.id)) for f in new_shown if f.id not in old_ids)
    removed = tuple(
        replace(snapshot(f, old_sections.get(f.id)), reason=after.facts[f.id].reason if f.id in after.facts else None)
        for f in old_shown
        if f.id not in new_ids
    )
    changed: list[FactChange] = []
    for fact in new_shown:
        if fact.id not in old_ids:
            continue
        was = before.facts[fact.id]  # type: ignore[union-attr]
        if _content(was) == _content(fact):
            continue
        fields = tuple(name for name, a, b in zip(CONTENT_FIELDS, _content(was), _content(fact), strict=True) if a != b)
        words = tuple(word_diff(was.text, fact.text)) if "text" in fields else ()
        changed.append(
            FactChange(
                fact.id,
                fact.kind,
                snapshot(was, old_sections.get(fact.id)),
                snapshot(fact, new_sections.get(fact.id)),
                fields,
                words,
            )
        )
    moved = _moves(before, after, old_sections, new_sections) if before is not None else []
    return RecordDiff(
        record=after.slug,
        from_rev=from_rev if from_rev is not None else (before.rev if before is not None else 0),
        to_rev=to_rev if to_rev is not None else after.rev,
        added=added,
        removed=removed,
        changed=tuple(changed),
        moved=tuple(moved),
        infobox=_infobox(before, after),
        timeline=_timeline(before, after),
        text_before=render_text(before) if before is not None else "",
        text_after=render_text(after),
    )


def _fields(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__dataclass_fields__}


# ------------------------------------------------------------------ JSON


def snapshot_json(snap: FactSnapshot) -> dict[str, Any]:
    """A fact snapshot as a JSON object: ``fact, kind, key, text, level, date, qualifier, section, rank, rev,
    sources`` (and ``reason`` for a removed fact)."""
    data: dict[str, Any] = {
        "fact": snap.fact,
        "kind": snap.kind,
        "key": snap.key,
        "text": snap.text,
        "level": snap.level,
        "date": snap.when.edtf if snap.when else None,
        "qualifier": snap.when.qualifier if snap.when else None,
        "section": snap.section,
        "rank": snap.rank,
        "rev": snap.rev,
        "sources": list(snap.sources),
    }
    if snap.reason is not None:
        data["reason"] = snap.reason
    return data


def _row_json(row: TimelineRow) -> dict[str, Any]:
    return _fields(row) | {"sources": list(row.sources)}


def diff_json(diff: RecordDiff) -> dict[str, Any]:
    """The diff as the JSON object of ``archive diff --format json``: DESIGN.md's ``record, from, to, added,
    removed, changed: [{fact, before, after}]`` plus ``moved``, ``infobox``, ``timeline`` and ``text``."""
    return {
        "record": diff.record,
        "from": diff.from_rev,
        "to": diff.to_rev,
        "added": [snapshot_json(s) for s in diff.added],
        "removed": [snapshot_json(s) for s in diff.removed],
        "changed": [
            {
                "fact": c.fact,
                "kind": c.kind,
                "fields": list(c.fields),
                "before": snapshot_json(c.before),
                "after": snapshot_json(c.after),
                "words": [{"op": w.op, "text": w.text} for w in c.words],
            }
            for c in diff.changed
        ],
        "moved": [
            {
                "fact": m.fact,
                "kind": m.kind,
                "text": m.text,
                "from": {"section": m.from_section, "after": m.from_after},
                "to": {"section": m.to_section, "after": m.to_after},
                "regrouped": m.regrouped,
            }
            for m in diff.moved
        ],
        "infobox": {
            name: [{"key": f.key, "before": f.before, "after": f.after, "fact": f.fact} for f in getattr(diff.infobox, name)]
            for name in ("added", "removed", "changed")
        },
        "timeline": {
            "added": [_row_json(r) for r in diff.timeline.added],
            "removed": [_row_json(r) for r in diff.timeline.removed],
            "changed": [
                {"fact": c.fact, "before": _row_json(c.before), "after": _row_json(c.after)} for c in diff.timeline.changed
            ],
        },
        "text": "".join(diff.unified()),
    }
