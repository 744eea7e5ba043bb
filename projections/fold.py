"""Folds events into state, one handler per change type; refuses a change the state cannot take."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch

from events.errors import Conflict, UnknownName
from events.model import (
    Change,
    FactMoved,
    FactRetracted,
    HeadingAdded,
    HeadingRevised,
    InfoboxAdded,
    InfoboxPreferred,
    InfoboxRevised,
    ItemAdded,
    ItemRevised,
    RecordCreated,
    RecordRevised,
    SentenceAdded,
    SentenceRevised,
    TitleAdded,
    TitleRevised,
)
from projections.state import ArchiveState, Fact, FactKind, RecordState, Revision

__all__ = ["apply_event", "apply_revision"]

_BODY_KINDS = frozenset({"heading", "sentence", "item"})


def apply_revision(state: ArchiveState, events: Iterable[Change]) -> Revision:
    """Fold the events of one whole revision (stamped, the last one marked ``end``)."""
    count = 0
    records: dict[str, None] = {}
    first = last = None
    for event in events:
        apply_event(state, event)
        records[event.record] = None
        count += 1
        if first is None:
            first = event
        last = event
    if first is None or last is None:
        raise Conflict("A revision holds at least one event.")
    revision = Revision(
        rev=last.rev,  # type: ignore[attr-defined]
        at=last.at,  # type: ignore[attr-defined]
        by=last.by,  # type: ignore[attr-defined]
        summary=last.summary,  # type: ignore[attr-defined]
        events=count,
        records=tuple(records),
        first_seq=first.seq,  # type: ignore[attr-defined]
    )
    state.revisions.append(revision)
    return revision


def apply_event(state: ArchiveState, event: Change) -> None:
    """Fold one stamped event into ``state``; raise Conflict or UnknownName if it cannot apply."""
    if isinstance(event, RecordCreated):
        if event.record in state.records:
            raise Conflict(
                f"Record '{event.record}' already exists.",
                hint="Add to it with 'archive append', or choose another name with --record.",
            )
        state.records[event.record] = RecordState(
            slug=event.record,
            created=event.rev,
            ending=event.ending,
            rev=event.rev,  # type: ignore[attr-defined]
        )
    else:
        record = state.records.get(event.record)
        if record is None:
            raise UnknownName(
                f"Record '{event.record}' does not exist.",
                hint="'archive records' lists the records; 'archive import' makes a new one.",
            )
        _apply(event, record)
        record.rev = event.rev  # type: ignore[attr-defined]
    state.seq = event.seq  # type: ignore[attr-defined]


# ---------------------------------------------------------------- helpers


def _new_fact(record: RecordState, fact_id: str) -> None:
    if fact_id in record.facts:
        raise Conflict(f"Fact '{fact_id}' already exists in record '{record.slug}'; choose another id.")


def _existing(record: RecordState, fact_id: str, *kinds: FactKind) -> Fact:
    fact = record.facts.get(fact_id)
    if fact is None:
        raise UnknownName(
            f"Fact '{fact_id}' does not exist in record '{record.slug}'.",
            hint=f"'archive show {record.slug} --view facts' lists the fact ids.",
        )
    if kinds and fact.kind not in kinds:
        raise Conflict(f"Fact '{fact_id}' of record '{record.slug}' is a {fact.kind}, not a {' or '.join(kinds)}.")
    return fact


def _live(record: RecordState, fact_id: str, *kinds: FactKind) -> Fact:
    fact = _existing(record, fact_id, *kinds)
    if fact.retracted:
        raise Conflict(f"Fact '{fact_id}' of record '{record.slug}' is retracted; it can no longer change.")
    return fact


def _check_anchor(record: RecordState, after: str | None, kinds: frozenset[str]) -> None:
    if after is None:
        return
    fact = record.facts.get(after)
    if fact is None or fact.kind not in kinds:
        raise UnknownName(
            f"'after': fact '{after}' is not in the {'infobox' if 'infobox' in kinds else 'body'} of record '{record.slug}'."
        )


def _insert(order: list[str], fact_id: str, after: str | None) -> None:
    if after is None:
        order.insert(0, fact_id)
    elif order and order[-1] == after:
        order.append(fact_id)
    else:
        order.insert(order.index(after) + 1, fact_id)


def _run(record: RecordState, field_id: str) -> list[str]:
    """A field's claim and the alternative claims standing right after it (same key, rank normal)."""
    order = record.infobox
    start = order.index(field_id)
    key = record.facts[field_id].key
    end = start + 1
    while end < len(order) and (f := record.facts[order[end]]).key == key and f.rank == "normal":
        end += 1
    return order[start:end]


def _insert_field(record: RecordState, ids: list[str], after: str | None) -> None:
    """Put infobox claims ``ids`` after the field ``after`` and its alternatives (first when None)."""
    order = record.infobox
    index = 0 if after is None else order.index(after) + len(_run(record, after))
    order[index:index] = ids


def _check_group(record: RecordState, fact_id: str, group: str, kind: FactKind, what: str) -> None:
    if group == fact_id:
        return
    opener = record.facts.get(group)
    if opener is None or opener.kind != kind or opener.group != group:
        raise UnknownName(f"'{what}': '{group}' does not name a {what} of record '{record.slug}'.")


# ---------------------------------------------------------------- handlers


@singledispatch
def _apply(event: Change, record: RecordState) -> None:
    raise TypeError(f"no fold for {type(event).__name__}")  # pragma: no cover - every type is registered


@_apply.register
def _(event: TitleAdded, record: RecordState) -> None:
    _new_fact(record, event.fact)
    if record.title_text() is not None:
        raise Conflict(f"Record '{record.slug}' already has a title; revise it with --revise {record.title}.")
    rev = event.rev  # type: ignore[attr-defined]
    record.facts[event.fact] = Fact(event.fact, "title", event.text, event.sources, rev, rev)
    record.title = event.fact


@_apply.register
def _(event: InfoboxAdded, record: RecordState) -> None:
    _new_fact(record, event.fact)
    shown = next((f for f in record.visible_infobox() if f.key == event.key), None)
    rev = event.rev  # type: ignore[attr-defined]
    fact = Fact(event.fact, "infobox", event.value, event.sources, rev, rev, key=event.key, gap=event.gap)
    if event.rank == "normal":
        if shown is None:
            raise Conflict(
                f"The infobox of '{record.slug}' has no field '{event.key}' to add an alternative claim to.",
                hint=f"Add the field first: --infobox '{event.key}=VALUE'.",
            )
        fact.rank = "normal"
        record.facts[event.fact] = fact
        run = _run(record, shown.id)
        index = record.infobox.index(run[-1]) + 1
        record.infobox.insert(index, event.fact)
        return
    if shown is not None:
        raise Conflict(f"The infobox of '{record.slug}' already has '{event.key}' (fact {shown.id}); revise that fact.")
    _check_anchor(record, event.after, frozenset({"infobox"}))
    record.facts[event.fact] = fact
    _insert_field(record, [event.fact], event.after)


@_apply.register
def _(event: HeadingAdded, record: RecordState) -> None:
    _new_fact(record, event.fact)
    _check_anchor(record, event.after, _BODY_KINDS)
    rev = event.rev  # type: ignore[attr-defined]
    record.facts[event.fact] = Fact(event.fact, "heading", event.text, event.sources, rev, rev, level=event.level, gap=event.gap)
    _insert(record.body, event.fact, event.after)


@_apply.register
def _(event: SentenceAdded, record: RecordState) -> None:
    _new_fact(record, event.fact)
    _check_anchor(record, event.after, _BODY_KINDS)
    _check_group(record, event.fact, event.paragraph, "sentence", "paragraph")
    rev = event.rev  # type: ignore[attr-defined]
    record.facts[event.fact] = Fact(
        event.fact,
        "sentence",
        event.text,
        event.sources,
        rev,
        rev,
        when=event.when,
        group=event.paragraph,
        lead=event.lead,
        gap=event.gap,
    )
    _insert(record.body, event.fact, event.after)


@_apply.register
def _(event: ItemAdded, record: RecordState) -> None:
    _new_fact(record, event.fact)
    _check_anchor(record, event.after, _BODY_KINDS)
    _check_group(record, event.fact, event.list, "item", "list")
    rev = event.rev  # type: ignore[attr-defined]
    record.facts[event.fact] = Fact(
        event.fact,
        "item",
        event.text,
        event.sources,
        rev,
        rev,
        when=event.when,
        group=event.list,
        bullet=event.bullet,
        gap=event.gap,
    )
    _insert(record.body, event.fact, event.after)


def _revise(record: RecordState, event: Change, kind: FactKind, text: str) -> Fact:
    fact = _live(record, event.fact, kind)  # type: ignore[attr-defined]
    fact.text = text
    fact.sources = event.sources  # type: ignore[attr-defined]
    fact.rev = event.rev  # type: ignore[attr-defined]
    fact.versions += 1
    return fact


@_apply.register
def _(event: TitleRevised, record: RecordState) -> None:
    _revise(record, event, "title", event.text)


@_apply.register
def _(event: InfoboxRevised, record: RecordState) -> None:
    _revise(record, event, "infobox", event.value)


@_apply.register
def _(event: HeadingRevised, record: RecordState) -> None:
    _revise(record, event, "heading", event.text).level = event.level


@_apply.register
def _(event: SentenceRevised, record: RecordState) -> None:
    _revise(record, event, "sentence", event.text).when = event.when


@_apply.register
def _(event: ItemRevised, record: RecordState) -> None:
    _revise(record, event, "item", event.text).when = event.when


@_apply.register
def _(event: FactMoved, record: RecordState) -> None:
    fact = _live(record, event.fact, "heading", "sentence", "item", "infobox")
    if event.after == event.fact:
        raise Conflict(f"Fact '{event.fact}' cannot be moved after itself.")
    if fact.kind == "infobox":
        _move_field(event, record, fact)
        return
    _check_anchor(record, event.after, _BODY_KINDS)
    if event.bullet is not None:
        if fact.kind != "item":
            raise Conflict(f"Only a list item has a bullet; '{event.fact}' is a {fact.kind}.")
        fact.bullet = event.bullet
    if event.paragraph is not None:
        if fact.kind != "sentence":
            raise Conflict(f"Only a sentence belongs to a paragraph; '{event.fact}' is a {fact.kind}.")
        _check_group(record, event.fact, event.paragraph, "sentence", "paragraph")
        fact.group = event.paragraph
    if event.list is not None:
        if fact.kind != "item":
            raise Conflict(f"Only an item belongs to a list; '{event.fact}' is a {fact.kind}.")
        _check_group(record, event.fact, event.list, "item", "list")
        fact.group = event.list
    if event.lead is not None:
        fact.lead = event.lead
    if event.gap is not None:
        fact.gap = event.gap
    record.body.remove(event.fact)
    _insert(record.body, event.fact, event.after)


def _move_field(event: FactMoved, record: RecordState, fact: Fact) -> None:
    if any(v is not None for v in (event.paragraph, event.list, event.lead, event.bullet)):
        raise Conflict(f"An infobox field takes only 'after' and 'gap' when moved; '{event.fact}' is a field.")
    if fact.rank != "preferred":
        raise Conflict(
            f"Fact '{event.fact}' is an alternative claim; it stands with its field. Move the field's shown claim instead."
        )
    _check_anchor(record, event.after, frozenset({"infobox"}))
    run = _run(record, fact.id)
    if event.after in run:
        raise Conflict(f"Field '{event.fact}' cannot be moved after its own alternative claim '{event.after}'.")
    if event.gap is not None:
        fact.gap = event.gap
    del record.infobox[record.infobox.index(fact.id) : record.infobox.index(fact.id) + len(run)]
    _insert_field(record, run, event.after)


@_apply.register
def _(event: InfoboxPreferred, record: RecordState) -> None:
    claim = _live(record, event.fact, "infobox")
    if claim.rank == "preferred":
        raise Conflict(f"Fact '{event.fact}' of record '{record.slug}' is already the preferred claim of '{claim.key}'.")
    shown = next(f for f in record.visible_infobox() if f.key == claim.key)
    order = record.infobox
    here, there = order.index(shown.id), order.index(claim.id)
    order[here], order[there] = claim.id, shown.id
    claim.gap, shown.gap = shown.gap, claim.gap
    claim.rank, shown.rank = "preferred", "normal"
    claim.rev = shown.rev = event.rev  # type: ignore[attr-defined]


@_apply.register
def _(event: RecordRevised, record: RecordState) -> None:
    if event.ending is not None:
        record.ending = event.ending
        record.ending_rev = event.rev  # type: ignore[attr-defined]


@_apply.register
def _(event: FactRetracted, record: RecordState) -> None:
    fact = _existing(record, event.fact)
    if fact.retracted:
        raise Conflict(f"Fact '{event.fact}' of record '{record.slug}' is already retracted.")
    if fact.kind == "infobox" and fact.rank == "preferred":
        alternatives = [record.facts[i] for i in _run(record, fact.id)[1:] if not record.facts[i].retracted]
        if alternatives:
            alternatives[0].rank = "preferred"  # the next claim of the field is shown in its place
            alternatives[0].rev = event.rev  # type: ignore[attr-defined]
    fact.retracted = True
    fact.reason = event.reason
