"""Plans the events that give a record's body and infobox a wanted order, grouping and layout, with few moves.

The caller says what the body and infobox should hold, in order: each wanted fact either keeps an
existing fact (by id, maybe with new words) or is new. The plan retracts the shown facts not kept,
revises the kept ones whose words changed, adds the new ones, and moves only the kept facts that must
move: those out of order with the others (all but a longest run that kept its order), or whose paragraph,
list or spacing must change. Folding the plan gives the wanted article, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from events.errors import InvalidInput
from events.ids import KIND_PREFIX, next_fact_id
from events.model import (
    Change,
    FactMoved,
    FactRetracted,
    HeadingAdded,
    HeadingRevised,
    InfoboxAdded,
    InfoboxRevised,
    ItemAdded,
    ItemRevised,
    SentenceAdded,
    SentenceRevised,
)
from events.source import Source, first_problem
from events.when import When
from projections.order import kept_in_order
from projections.state import Fact, RecordState

__all__ = ["BodyTarget", "FieldTarget", "NewIds", "plan_body", "plan_infobox"]


@dataclass(slots=True)
class BodyTarget:
    """One fact the body should show, in order."""

    kind: Literal["heading", "sentence", "item"]
    text: str
    fact: str | None = None
    """The existing (shown) fact it keeps; None: a new fact."""
    block: int = 0
    """For sentences and items: the paragraph or list it belongs to; consecutive targets with one number form one."""
    lead: str = ""
    """A sentence's white space before it in its paragraph (the indent, for the first)."""
    bullet: str = "- "
    gap: int = 0
    """Blank lines before it, for a heading or the first fact of a paragraph or list."""
    level: int = 2
    when: When | None = None
    """The date of a new fact, or of a kept one whose words change."""


@dataclass(slots=True)
class FieldTarget:
    """One field the infobox should show, in order."""

    key: str
    value: str
    fact: str | None = None
    """The shown claim of an existing field it keeps; None: a new field."""


class NewIds:
    """Fresh ids for the new facts of one revision: past every id of the record, each kind counted on from its
    highest number (found once per kind, so many new facts cost one scan)."""

    def __init__(self, record: RecordState) -> None:
        self.record = record
        self.next: dict[str, int] = {}

    def take(self, kind: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
        """The next free id for a fact of ``kind`` (``s12``), not in the record nor in ``taken``."""
        prefix = KIND_PREFIX[kind]
        counter = self.next.get(prefix) or self.record.next_counter(prefix)
        fid = next_fact_id(kind, counter)
        while fid in self.record.facts or fid in taken:
            counter += 1
            fid = next_fact_id(kind, counter)
        self.next[prefix] = counter + 1
        return fid


def _make(cls: type[Change], **fields: object) -> Change:
    try:
        return cls(**fields)
    except ValidationError as exc:
        raise InvalidInput(f"{cls.model_fields['type'].default}: {first_problem(exc)}.") from exc


# ------------------------------------------------------------------ infobox


def plan_infobox(
    record: RecordState,
    fields: list[FieldTarget],
    gap: int,
    *,
    sources: tuple[Source, ...],
    reason: str | None,
    ids: NewIds,
) -> list[Change]:
    """The changes that make the infobox show ``fields`` in order, ``gap`` blank lines before it.

    A field not kept is removed with all its claims; a kept field keeps its alternative claims.
    """
    slug = record.slug
    shown = record.visible_infobox()
    wanted = {t.fact for t in fields if t.fact is not None}
    changes: list[Change] = []
    for fact in shown:
        if fact.id not in wanted:
            for claim in reversed(record.claims_of(fact.id)):
                changes.append(_make(FactRetracted, record=slug, fact=claim.id, reason=reason, sources=sources))
    kept = kept_in_order([f.id for f in shown], [t.fact for t in fields if t.fact is not None])
    previous: str | None = None
    front = False
    for index, target in enumerate(fields):
        first_gap = gap if index == 0 else 0
        if target.fact is None:
            fid = ids.take("infobox")
            changes.append(
                _make(
                    InfoboxAdded,
                    record=slug,
                    fact=fid,
                    key=target.key,
                    value=target.value,
                    after=previous,
                    gap=first_gap,
                    sources=sources,
                )
            )
            front = front or index == 0
        else:
            fid = target.fact
            fact = record.facts[fid]
            if fact.text != target.value:
                changes.append(_make(InfoboxRevised, record=slug, fact=fid, value=target.value, sources=sources))
            if fid not in kept:
                changes.append(_make(FactMoved, record=slug, fact=fid, after=previous, gap=first_gap if index == 0 else None))
                front = front or index == 0
        previous = fid
    if fields and not front and fields[0].fact is not None and record.facts[record.infobox[0]].gap != gap:
        changes.append(_make(FactMoved, record=slug, fact=fields[0].fact, after=None, gap=gap))
    return changes


# ------------------------------------------------------------------ body


def _choose_groups(record: RecordState, targets: list[BodyTarget], ids: list[str]) -> dict[int, str]:
    """The paragraph or list id of each target block: an existing one where its members already share it and
    its opener allows it, else the id of its first fact (which then opens it)."""
    facts = record.facts
    wanted = {t.fact for t in targets if t.fact is not None}
    members: dict[int, list[int]] = {}
    for index, target in enumerate(targets):
        if target.kind != "heading":
            members.setdefault(target.block, []).append(index)
    used: set[str] = set()
    chosen: dict[int, str] = {}
    for block, indices in members.items():
        first = targets[indices[0]]
        kind = first.kind
        own = {targets[i].fact for i in indices if targets[i].fact is not None}
        counts: dict[str, int] = {}
        for i in indices:
            if targets[i].fact is not None:
                group = facts[targets[i].fact].group  # type: ignore[index]
                counts[group] = counts.get(group, 0) + 1
        ranked = sorted(counts, key=lambda g: (-counts[g], g != first.fact))
        best: str | None = None
        for group in ranked:
            opener = facts.get(group)
            if group in used or opener is None or opener.kind != kind or opener.group != group:
                continue
            if opener.id in own:
                if opener.id != first.fact and kind == "sentence" and first.lead:
                    continue  # the first sentence would lose its indent
            elif opener.id in wanted:
                continue  # its opener stands in another block
            elif opener.gap != first.gap or (kind == "sentence" and first.lead):
                continue  # a retracted opener keeps its gap, and the first sentence shown drops its lead
            best = group
            break
        if best is None:
            best = ids[indices[0]]
        used.add(best)
        chosen[block] = best
    return chosen


def _revision(record: RecordState, fact: Fact, target: BodyTarget, sources: tuple[Source, ...]) -> Change | None:
    slug = record.slug
    if fact.kind == "heading":
        if (fact.text, fact.level) == (target.text, target.level):
            return None
        return _make(HeadingRevised, record=slug, fact=fact.id, text=target.text, level=target.level, sources=sources)
    if fact.text == target.text:
        return None
    cls = SentenceRevised if fact.kind == "sentence" else ItemRevised
    return _make(cls, record=slug, fact=fact.id, text=target.text, when=target.when, sources=sources)


def plan_body(
    record: RecordState,
    targets: list[BodyTarget],
    *,
    sources: tuple[Source, ...],
    reason: str | None,
    new_ids: NewIds,
) -> list[Change]:
    """The changes that make the body show ``targets`` in order, grouped and spaced as they say.

    Shown body facts no target keeps are retracted (with ``reason``); new ids are taken from ``new_ids`` in
    article order.
    """
    slug = record.slug
    facts = record.facts
    shown = [f.id for f in record.visible_body()]
    wanted = {t.fact for t in targets if t.fact is not None}
    changes: list[Change] = [
        _make(FactRetracted, record=slug, fact=fid, reason=reason, sources=sources) for fid in shown if fid not in wanted
    ]
    ids: list[str] = []
    for target in targets:
        if target.fact is None:
            fid = new_ids.take(target.kind)
            ids.append(fid)
        else:
            ids.append(target.fact)
    groups = _choose_groups(record, targets, ids)
    firsts: dict[int, int] = {}
    for index, target in enumerate(targets):
        if target.kind != "heading":
            firsts.setdefault(target.block, index)
    kept = kept_in_order(shown, [t.fact for t in targets if t.fact is not None])
    previous: str | None = None
    for index, (target, fid) in enumerate(zip(targets, ids, strict=True)):
        group = groups.get(target.block, "") if target.kind != "heading" else ""
        opens = target.kind == "heading" or fid == group
        gap = targets[firsts[target.block]].gap if target.kind != "heading" else target.gap
        if target.fact is None:
            changes.append(_added(slug, target, fid, previous, group, gap if opens else 0, sources))
            previous = fid
            continue
        fact = facts[fid]
        revision = _revision(record, fact, target, sources)
        if revision is not None:
            changes.append(revision)
        move: dict[str, object] = {}
        if target.kind == "sentence":
            if fact.group != group:
                move["paragraph"] = group
            shows_lead = index != firsts[target.block] or fid == group
            if shows_lead and fact.lead != target.lead:
                move["lead"] = target.lead
        elif target.kind == "item":
            if fact.group != group:
                move["list"] = group
            if fact.bullet != target.bullet:
                move["bullet"] = target.bullet
        if opens and fact.gap != gap:
            move["gap"] = gap
        if move or fid not in kept:
            changes.append(_make(FactMoved, record=slug, fact=fid, after=previous, **move))
        previous = fid
    return changes


def _added(
    slug: str, target: BodyTarget, fid: str, after: str | None, group: str, gap: int, sources: tuple[Source, ...]
) -> Change:
    common = {"record": slug, "fact": fid, "after": after, "gap": gap, "sources": sources}
    if target.kind == "heading":
        return _make(HeadingAdded, text=target.text, level=target.level, **common)
    if target.kind == "sentence":
        return _make(SentenceAdded, text=target.text, when=target.when, paragraph=group, lead=target.lead, **common)
    return _make(ItemAdded, text=target.text, when=target.when, list=group, bullet=target.bullet, **common)
