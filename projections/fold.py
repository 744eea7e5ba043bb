"""Folds events into state, one handler per change type; refuses a change the state cannot take.

Handlers read an event's fields by name from a mapping: a model's ``__dict__`` for a validated event
(``apply_event``), or ``events.wire.event_fields`` of a log line read back without validating it again
(``apply_fields``). One fold serves both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from events.errors import Conflict, UnknownName
from projections.state import ArchiveState, Capture, Fact, FactKind, RecordState, Revision

if TYPE_CHECKING:
    from events.model import Change

__all__ = ["Fields", "apply_event", "apply_fields", "apply_fields_of", "apply_revision", "revision_of"]

Fields = Mapping[str, Any]
"""One stamped event's fields by name (``type``, ``record``, ``seq``, ``rev``, ``fact``, ``sources`` ...)."""

_BODY_KINDS = frozenset({"heading", "sentence", "item"})


def apply_revision(state: ArchiveState, events: Iterable[Change]) -> Revision:
    """Fold the events of one whole revision (stamped, the last one marked ``end``)."""
    return _fold_revision(state, [event.__dict__ for event in events])


def apply_fields(state: ArchiveState, events: list[Fields]) -> Revision:
    """Fold one whole revision given as the fields of its events (``events.wire.event_fields``)."""
    return _fold_revision(state, events)


def apply_fields_of(state: ArchiveState, events: list[Fields], wanted: Mapping[str, int]) -> Revision:
    """Fold, of one whole revision, only the events of the records in ``wanted`` that come after the event
    ``wanted[slug]`` (those records' states are already past it); record the whole revision's stamp.

    For a state that holds only some records (``archive.saved.record_cache``).
    """
    if not events:
        raise Conflict("A revision holds at least one event.")
    records: dict[str, None] = {}
    for event in events:
        slug = event["record"]
        records[slug] = None
        done = wanted.get(slug)
        if done is not None and event["seq"] > done:
            _fold(state, event)
    state.seq = events[-1]["seq"]
    revision = revision_of(events[-1], len(events), tuple(records), events[0]["seq"])
    state.revisions.append(revision)
    return revision


def _fold_revision(state: ArchiveState, events: list[Fields]) -> Revision:
    if not events:
        raise Conflict("A revision holds at least one event.")
    records: dict[str, None] = {}
    for event in events:
        _fold(state, event)
        records[event["record"]] = None
    revision = revision_of(events[-1], len(events), tuple(records), events[0]["seq"])
    state.revisions.append(revision)
    return revision


def revision_of(last: Fields, count: int, records: tuple[str, ...], first_seq: int) -> Revision:
    """The stamp of a revision, from its last event's fields (or its decoded JSON: ``summary`` may be absent)."""
    at = last["at"]
    return Revision(
        rev=last["rev"],
        at=at if isinstance(at, datetime) else datetime.fromisoformat(at),
        by=last["by"],
        summary=last.get("summary"),
        events=count,
        records=records,
        first_seq=first_seq,
    )


def apply_event(state: ArchiveState, event: Change) -> None:
    """Fold one stamped event into ``state``; raise Conflict or UnknownName if it cannot apply."""
    _fold(state, event.__dict__)


def _fold(state: ArchiveState, event: Fields) -> None:
    slug = event["record"]
    if event["type"] == "record.created":
        if slug in state.records:
            raise Conflict(
                f"Record '{slug}' already exists.",
                hint="Add to it with 'archive append', or choose another name with --record.",
            )
        state.records[slug] = RecordState(slug=slug, created=event["rev"], ending=event["ending"], rev=event["rev"])
    else:
        record = state.records.get(slug)
        if record is None:
            raise UnknownName(
                f"Record '{slug}' does not exist.",
                hint="'archive records' lists the records; 'archive import' makes a new one.",
            )
        _HANDLERS[event["type"]](event, record)
        record.rev = event["rev"]
    state.seq = event["seq"]


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


def _shown(record: RecordState, key: str) -> Fact | None:
    """The claim the infobox shows for field ``key``, if any."""
    facts = record.facts
    for fid in record.infobox:
        fact = facts[fid]
        if fact.key == key and fact.rank == "preferred" and not fact.retracted:
            return fact
    return None


def _title_added(event: Fields, record: RecordState) -> None:
    fid = event["fact"]
    _new_fact(record, fid)
    if record.title_text() is not None:
        raise Conflict(f"Record '{record.slug}' already has a title; revise it with --revise {record.title}.")
    rev = event["rev"]
    record.facts[fid] = Fact(fid, "title", event["text"], event["sources"], rev, rev)
    record.title = fid


def _infobox_added(event: Fields, record: RecordState) -> None:
    fid, key = event["fact"], event["key"]
    _new_fact(record, fid)
    shown = _shown(record, key)
    rev = event["rev"]
    fact = Fact(fid, "infobox", event["value"], event["sources"], rev, rev, key=key, gap=event["gap"])
    if event["rank"] == "normal":
        if shown is None:
            raise Conflict(
                f"The infobox of '{record.slug}' has no field '{key}' to add an alternative claim to.",
                hint=f"Add the field first: --infobox '{key}=VALUE'.",
            )
        fact.rank = "normal"
        record.facts[fid] = fact
        run = _run(record, shown.id)
        index = record.infobox.index(run[-1]) + 1
        record.infobox.insert(index, fid)
        return
    if shown is not None:
        raise Conflict(f"The infobox of '{record.slug}' already has '{key}' (fact {shown.id}); revise that fact.")
    _check_anchor(record, event["after"], frozenset({"infobox"}))
    record.facts[fid] = fact
    _insert_field(record, [fid], event["after"])


def _heading_added(event: Fields, record: RecordState) -> None:
    fid = event["fact"]
    _new_fact(record, fid)
    _check_anchor(record, event["after"], _BODY_KINDS)
    rev = event["rev"]
    record.facts[fid] = Fact(fid, "heading", event["text"], event["sources"], rev, rev, level=event["level"], gap=event["gap"])
    _insert(record.body, fid, event["after"])


def _grouped_added(event: Fields, record: RecordState, kind: FactKind, group: str, **layout: str) -> None:
    """A sentence (``group`` is ``paragraph``) or a list item (``list``) joins the body."""
    fid = event["fact"]
    _new_fact(record, fid)
    _check_anchor(record, event["after"], _BODY_KINDS)
    _check_group(record, fid, event[group], kind, group)
    rev = event["rev"]
    record.facts[fid] = Fact(
        fid, kind, event["text"], event["sources"], rev, rev, when=event["when"], group=event[group], gap=event["gap"], **layout
    )
    _insert(record.body, fid, event["after"])


def _sentence_added(event: Fields, record: RecordState) -> None:
    _grouped_added(event, record, "sentence", "paragraph", lead=event["lead"])


def _item_added(event: Fields, record: RecordState) -> None:
    _grouped_added(event, record, "item", "list", bullet=event["bullet"])


def _revise(record: RecordState, event: Fields, kind: FactKind, text: str) -> Fact:
    fact = _live(record, event["fact"], kind)
    fact.text = text
    fact.sources = event["sources"]
    fact.rev = event["rev"]
    fact.versions += 1
    return fact


def _title_revised(event: Fields, record: RecordState) -> None:
    _revise(record, event, "title", event["text"])


def _infobox_revised(event: Fields, record: RecordState) -> None:
    _revise(record, event, "infobox", event["value"])


def _heading_revised(event: Fields, record: RecordState) -> None:
    _revise(record, event, "heading", event["text"]).level = event["level"]


def _sentence_revised(event: Fields, record: RecordState) -> None:
    _revise(record, event, "sentence", event["text"]).when = event["when"]


def _item_revised(event: Fields, record: RecordState) -> None:
    _revise(record, event, "item", event["text"]).when = event["when"]


def _fact_moved(event: Fields, record: RecordState) -> None:
    fid, after = event["fact"], event["after"]
    fact = _live(record, fid, "heading", "sentence", "item", "infobox")
    if after == fid:
        raise Conflict(f"Fact '{fid}' cannot be moved after itself.")
    if fact.kind == "infobox":
        _move_field(event, record, fact)
        return
    _check_anchor(record, after, _BODY_KINDS)
    if event["bullet"] is not None:
        if fact.kind != "item":
            raise Conflict(f"Only a list item has a bullet; '{fid}' is a {fact.kind}.")
        fact.bullet = event["bullet"]
    if event["paragraph"] is not None:
        if fact.kind != "sentence":
            raise Conflict(f"Only a sentence belongs to a paragraph; '{fid}' is a {fact.kind}.")
        _check_group(record, fid, event["paragraph"], "sentence", "paragraph")
        fact.group = event["paragraph"]
    if event["list"] is not None:
        if fact.kind != "item":
            raise Conflict(f"Only an item belongs to a list; '{fid}' is a {fact.kind}.")
        _check_group(record, fid, event["list"], "item", "list")
        fact.group = event["list"]
    if event["lead"] is not None:
        fact.lead = event["lead"]
    if event["gap"] is not None:
        fact.gap = event["gap"]
    record.body.remove(fid)
    _insert(record.body, fid, after)


def _move_field(event: Fields, record: RecordState, fact: Fact) -> None:
    fid, after = event["fact"], event["after"]
    if any(event[name] is not None for name in ("paragraph", "list", "lead", "bullet")):
        raise Conflict(f"An infobox field takes only 'after' and 'gap' when moved; '{fid}' is a field.")
    if fact.rank != "preferred":
        raise Conflict(f"Fact '{fid}' is an alternative claim; it stands with its field. Move the field's shown claim instead.")
    _check_anchor(record, after, frozenset({"infobox"}))
    run = _run(record, fact.id)
    if after in run:
        raise Conflict(f"Field '{fid}' cannot be moved after its own alternative claim '{after}'.")
    if event["gap"] is not None:
        fact.gap = event["gap"]
    del record.infobox[record.infobox.index(fact.id) : record.infobox.index(fact.id) + len(run)]
    _insert_field(record, run, after)


def _infobox_preferred(event: Fields, record: RecordState) -> None:
    claim = _live(record, event["fact"], "infobox")
    if claim.rank == "preferred":
        raise Conflict(f"Fact '{claim.id}' of record '{record.slug}' is already the preferred claim of '{claim.key}'.")
    shown = _shown(record, claim.key)
    assert shown is not None  # an alternative claim stands only with a shown one
    order = record.infobox
    here, there = order.index(shown.id), order.index(claim.id)
    order[here], order[there] = claim.id, shown.id
    claim.gap, shown.gap = shown.gap, claim.gap
    claim.rank, shown.rank = "preferred", "normal"
    claim.rev = shown.rev = event["rev"]


def _record_revised(event: Fields, record: RecordState) -> None:
    if event["ending"] is not None:
        record.ending = event["ending"]
        record.ending_rev = event["rev"]


def _fact_retracted(event: Fields, record: RecordState) -> None:
    fact = _existing(record, event["fact"])
    if fact.retracted:
        raise Conflict(f"Fact '{fact.id}' of record '{record.slug}' is already retracted.")
    if fact.kind == "infobox" and fact.rank == "preferred":
        alternatives = [record.facts[i] for i in _run(record, fact.id)[1:] if not record.facts[i].retracted]
        if alternatives:
            alternatives[0].rank = "preferred"  # the next claim of the field is shown in its place
            alternatives[0].rev = event["rev"]
    fact.retracted = True
    fact.reason = event["reason"]


def _source_captured(event: Fields, record: RecordState) -> None:
    fetched = event["fetched"]
    if isinstance(fetched, datetime):
        fetched = fetched.isoformat().replace("+00:00", "Z")
    capture = Capture(
        rev=event["rev"],
        by=event["by"],
        url=event["url"],
        file=event["file"],
        final_url=event["final_url"],
        status=event["status"],
        content_type=event["content_type"],
        size=event["size"],
        sha256=event["sha256"],
        text_sha256=event["text_sha256"],
        warc=event["warc"],
        fetched=fetched,
        tool=event["tool"],
        address=event["address"],
        error=event["error"],
    )
    record.captures[capture.key] = (*record.captures.get(capture.key, ()), capture)


_HANDLERS: dict[str, Callable[[Fields, RecordState], None]] = {
    "title.added": _title_added,
    "infobox.added": _infobox_added,
    "heading.added": _heading_added,
    "sentence.added": _sentence_added,
    "item.added": _item_added,
    "title.revised": _title_revised,
    "infobox.revised": _infobox_revised,
    "heading.revised": _heading_revised,
    "sentence.revised": _sentence_revised,
    "item.revised": _item_revised,
    "fact.moved": _fact_moved,
    "infobox.preferred": _infobox_preferred,
    "record.revised": _record_revised,
    "fact.retracted": _fact_retracted,
    "source.captured": _source_captured,
}
