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
from projections.corrections import Correction, correction_json
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
    "RecordCapture",
    "RecordDiff",
    "TimelineChange",
    "TimelineSummary",
    "capture_record",
    "diff_captures",
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
    corrections: tuple[Correction, ...] = ()
    """The retractions, moves and preferences of the revisions between, with their reasons and sources (filled
    by a caller that read the events: ``dataclasses.replace``)."""

    def corrections_of(self, fact: str) -> list[Correction]:
        """The corrections that name ``fact``."""
        return [c for c in self.corrections if c.fact == fact]

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


_Row = tuple[str, str, str, str, int, When | None, tuple[Source, ...], str, int, str | None]
"""One shown fact as a capture holds it: ``(id, kind, text, key, level, when, sources, rank, rev, section)``;
``row[2:8]`` is its content (``CONTENT_FIELDS``). Plain tuples: a capture holds hundreds and is taken often."""


@dataclass(frozen=True, slots=True)
class RecordCapture:
    """What ``diff_records`` needs of one state of a record, taken at once: later folds into the record leave
    it as it was, so one capture serves as the state after one revision and before the next."""

    slug: str
    rev: int
    """The last revision that changed the record."""
    rows: tuple[_Row, ...]
    """Every shown fact in article order: the title, the infobox claims (alternatives included), the body."""
    body: tuple[str, ...]
    """The shown body facts, in order."""
    fields: tuple[str, ...]
    """The shown infobox fields (preferred claims), in order."""
    groups: tuple[tuple[str, str], ...]
    """``(fact, group)`` of each shown sentence and item."""
    infobox: tuple[tuple[str, str, str], ...]
    """``(key, value, fact)`` of each shown field, in order."""
    dated: tuple[tuple[Any, ...], ...]
    """What the timeline is made of: ``(id, text, when, sources, rev, section)`` of each shown dated sentence
    and item, in article order."""
    timeline: tuple[TimelineRow, ...]
    text: str
    """The article text (``render_text``)."""
    index: dict[str, _Row]
    """The rows by fact id."""


def capture_record(record: RecordState, previous: RecordCapture | None = None) -> RecordCapture:
    """Take what ``diff_records`` compares of ``record`` as it stands now.

    ``previous``, an earlier capture of the same record, lends what of its timeline still holds.
    """
    facts = record.facts
    rows: list[_Row] = []
    if record.title_text() is not None:
        t = facts[record.title]  # type: ignore[index]
        rows.append((t.id, t.kind, t.text, t.key, t.level, t.when, t.sources, t.rank, t.rev, None))
    fields: list[str] = []
    infobox: list[tuple[str, str, str]] = []
    for f in record.visible_claims():
        rows.append((f.id, f.kind, f.text, f.key, f.level, f.when, f.sources, f.rank, f.rev, None))
        if f.rank == "preferred":
            fields.append(f.id)
            infobox.append((f.key, f.text, f.id))
    body: list[str] = []
    groups: list[tuple[str, str]] = []
    heading: str | None = None
    for f in record.visible_body():
        body.append(f.id)
        rows.append((f.id, f.kind, f.text, f.key, f.level, f.when, f.sources, f.rank, f.rev, heading))
        if f.kind == "heading":
            heading = f.text
        else:
            groups.append((f.id, f.group))
    # what timeline_rows reads of a fact: id, words, date, sources, revision, section; of dated body facts, in order
    dated = tuple(
        (r[0], r[2], r[5], r[6], r[8], r[9]) for r in rows[len(rows) - len(body) :] if r[5] is not None and r[1] != "heading"
    )
    return RecordCapture(
        slug=record.slug,
        rev=record.rev,
        rows=tuple(rows),
        body=tuple(body),
        fields=tuple(fields),
        groups=tuple(groups),
        infobox=tuple(infobox),
        dated=dated,
        timeline=_timeline_of(record, dated, previous),
        text=render_text(record),
        index={row[0]: row for row in rows},
    )


def _timeline_of(
    record: RecordState, dated: tuple[tuple[Any, ...], ...], previous: RecordCapture | None
) -> tuple[TimelineRow, ...]:
    """``timeline_rows(record)``, from ``previous`` when that is cheaper: the same dated facts give the same rows;
    the same facts with the same dates, in the same order, sort the same, so only the rows of facts whose words,
    sources, revision or section changed are made again."""
    if previous is None or len(previous.dated) != len(dated):
        return tuple(timeline_rows(record))
    if previous.dated == dated:
        return previous.timeline
    changed: dict[str, tuple[Any, ...]] = {}
    for old, new in zip(previous.dated, dated, strict=True):
        if old[0] != new[0] or old[2] != new[2]:
            return tuple(timeline_rows(record))  # another fact, or another date: the order may change
        if old != new:
            changed[new[0]] = new
    out: list[TimelineRow] = []
    for row in previous.timeline:
        new = changed.get(row.fact)
        out.append(row if new is None else replace(row, text=new[1], sources=new[3], rev=new[4], section=new[5]))
    return tuple(out)


def _snapshot(row: _Row) -> FactSnapshot:
    """``snapshot`` of a captured row (a shown fact, so no reason)."""
    fid, kind, text, key, level, when, sources, rank, rev, section = row
    return FactSnapshot(
        fact=fid,
        kind=kind,
        text=text,
        key=key or None,
        level=level if kind == "heading" else None,
        when=when,
        sources=sources,
        section=section,
        rank=rank if kind == "infobox" else None,
        rev=rev,
    )


def _mates(groups: tuple[tuple[str, str], ...], common: set[str]) -> dict[str, set[str]]:
    """For each shown sentence or item, the facts of ``common`` in its paragraph or list (itself included)."""
    members: dict[str, set[str]] = {}
    for fid, group in groups:
        if fid in common:
            members.setdefault(group, set()).add(fid)
    return {fid: mates for mates in members.values() for fid in mates}


def _moves(before: RecordCapture, after: RecordCapture, old_rows: dict[str, _Row], new_rows: dict[str, _Row]) -> list[FactMove]:
    old_body, new_body = before.body, after.body
    old_fields, new_fields = before.fields, after.fields
    if old_body == new_body and old_fields == new_fields:
        return []  # the same facts in the same order: nothing moved
    common = set(old_body) & set(new_body)
    old_mates, new_mates = _mates(before.groups, common), _mates(after.groups, common)
    kept = kept_in_order(old_body, new_body) | kept_in_order(old_fields, new_fields)
    previous = {}
    for order in (old_body, old_fields):
        previous.update({fid: order[i - 1] if i else None for i, fid in enumerate(order)})
    moves: list[FactMove] = []
    for order, old in ((new_fields, set(old_fields)), (new_body, set(old_body))):
        for index, fid in enumerate(order):
            if fid not in old or fid in kept:
                continue
            row = new_rows[fid]
            mates_before, mates_after = old_mates.get(fid, set()) - {fid}, new_mates.get(fid, set()) - {fid}
            regrouped = bool(mates_before and mates_after) and mates_before.isdisjoint(mates_after)
            moves.append(
                FactMove(
                    fact=fid,
                    kind=row[1],
                    text=row[2],
                    from_section=old_rows[fid][9],
                    to_section=row[9],
                    from_after=previous[fid],
                    to_after=order[index - 1] if index else None,
                    regrouped=regrouped,
                )
            )
    return moves


def _infobox(before: RecordCapture | None, after: RecordCapture) -> InfoboxSummary:
    old = {key: (text, fid) for key, text, fid in before.infobox} if before is not None else {}
    new = {key: (text, fid) for key, text, fid in after.infobox}
    added = tuple(FieldChange(k, None, text, fid) for k, (text, fid) in new.items() if k not in old)
    removed = tuple(FieldChange(k, text, None, fid) for k, (text, fid) in old.items() if k not in new)
    changed = tuple(FieldChange(k, old[k][0], text, fid) for k, (text, fid) in new.items() if k in old and old[k] != (text, fid))
    return InfoboxSummary(added, removed, changed)


def _timeline(before: RecordCapture | None, after: RecordCapture) -> TimelineSummary:
    if before is not None and before.timeline == after.timeline:
        return TimelineSummary((), (), ())
    old = {row.fact: row for row in before.timeline} if before is not None else {}
    new = {row.fact: row for row in after.timeline}
    added = tuple(row for fid, row in new.items() if fid not in old)
    removed = tuple(row for fid, row in old.items() if fid not in new)
    changed = tuple(
        TimelineChange(fid, old[fid], row)
        for fid, row in new.items()
        if fid in old
        and (old[fid].date, old[fid].qualifier, old[fid].inferred, old[fid].text) != (row.date, row.qualifier, row.inferred, row.text)
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
    old = capture_record(before) if before is not None else None
    return diff_captures(old, capture_record(after), after, from_rev=from_rev, to_rev=to_rev)


def diff_captures(
    before: RecordCapture | None,
    after: RecordCapture,
    record: RecordState,
    *,
    from_rev: int | None = None,
    to_rev: int | None = None,
) -> RecordDiff:
    """``diff_records`` of two captures; ``record`` is the record as ``after`` was taken (it gives a removed
    fact's reason). Lets a caller that compares a run of states capture each state once."""
    old_rows = before.index if before is not None else {}
    new_rows = after.index
    facts = record.facts
    added = tuple(_snapshot(row) for row in after.rows if row[0] not in old_rows)
    removed = tuple(
        replace(_snapshot(row), reason=facts[row[0]].reason if row[0] in facts else None)
        for row in (before.rows if before is not None else ())
        if row[0] not in new_rows
    )
    changed: list[FactChange] = []
    for row in after.rows:
        was = old_rows.get(row[0])
        if was is None or was == row:
            continue
        was_content, content = was[2:8], row[2:8]
        if was_content == content:
            continue
        fields = tuple(name for name, a, b in zip(CONTENT_FIELDS, was_content, content, strict=True) if a != b)
        words = tuple(word_diff(was[2], row[2])) if "text" in fields else ()
        changed.append(FactChange(row[0], row[1], _snapshot(was), _snapshot(row), fields, words))
    moved = _moves(before, after, old_rows, new_rows) if before is not None else []
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
        text_before=before.text if before is not None else "",
        text_after=after.text,
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
    removed, changed: [{fact, before, after}]`` plus ``moved``, ``infobox``, ``timeline``, ``corrections`` (the
    reasons and sources of retractions, moves and preferences) and ``text``; a change also names its
    ``sources_gained`` and ``sources_lost``."""
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
                "sources_gained": [s for s in c.after.sources if s not in c.before.sources],
                "sources_lost": [s for s in c.before.sources if s not in c.after.sources],
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
        "corrections": [correction_json(c) for c in diff.corrections],
        "text": "".join(diff.unified()),
    }
