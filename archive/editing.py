"""Builds the changes of one ``archive append`` from a record's current state: where a fact goes, its id, its date."""

from __future__ import annotations

from pydantic import ValidationError

from archive.dates import find_when
from events.errors import Conflict, InvalidInput, UnknownName
from events.ids import KIND_PREFIX, next_fact_id
from events.model import (
    Change,
    FactRetracted,
    HeadingAdded,
    HeadingRevised,
    InfoboxAdded,
    InfoboxRevised,
    ItemAdded,
    ItemRevised,
    SentenceAdded,
    SentenceRevised,
    TitleRevised,
)
from events.source import Source, first_problem
from events.when import QUALIFIERS, When
from projections.state import Fact, RecordState

__all__ = [
    "AUTO",
    "add_item",
    "add_sentence",
    "new_id",
    "parse_when",
    "remove_infobox",
    "retract",
    "revise",
    "set_infobox",
]

AUTO = "auto"
"""``when`` value meaning: read the date from the text."""


def parse_when(value: str) -> When:
    """``--when`` as given: an EDTF date, optionally after a qualifier (``by 2017-09``)."""
    words = value.split()
    qualifier = words[0] if len(words) == 2 and words[0] in QUALIFIERS else None
    edtf = words[-1] if qualifier else value.strip()
    try:
        return When(edtf=edtf, qualifier=qualifier)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidInput(
            f"--when {value!r} is not a date: {first_problem(exc)}.",
            hint="Give an EDTF date such as 2017-09, 2018-05-07 or 2016-08/2019-02-12, "
            f"optionally after one of {', '.join(QUALIFIERS)}: 'by 2017-09'.",
        ) from exc


def new_id(record: RecordState, kind: str, taken: set[str] | None = None) -> str:
    """A fresh id for a fact of ``kind`` in ``record`` (and not in ``taken``)."""
    number = record.next_counter(KIND_PREFIX[kind])
    fact = next_fact_id(kind, number)
    while taken and fact in taken:
        number += 1
        fact = next_fact_id(kind, number)
    return fact


def _make(cls: type[Change], **fields: object) -> Change:
    try:
        return cls(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "change"
        option = {"text": "--text", "value": "--infobox", "key": "--infobox", "reason": "--reason"}.get(name, name)
        raise InvalidInput(f"{option}: {first_problem(exc).split(': ', 1)[-1]}.") from exc


def _visible(record: RecordState, fact_id: str) -> Fact:
    fact = record.facts.get(fact_id)
    if fact is None:
        raise UnknownName(
            f"Fact '{fact_id}' does not exist in record '{record.slug}'.",
            hint=f"'archive show {record.slug} --view facts' lists the fact ids.",
        )
    if fact.retracted:
        raise Conflict(f"Fact '{fact_id}' of record '{record.slug}' is retracted.")
    return fact


def _section_span(record: RecordState, section: str | None) -> tuple[str | None, list[str]] | None:
    """The heading id and the body ids of a section's own text (up to the next heading); None if missing."""
    facts = record.facts
    start: int | None = None
    heading: str | None = None
    if section is None:
        start = 0
    else:
        for index, fid in enumerate(record.body):
            fact = facts[fid]
            if fact.kind == "heading" and not fact.retracted and fact.text == section:
                start, heading = index + 1, fid
                break
    if start is None:
        return None
    span: list[str] = []
    for fid in record.body[start:]:
        fact = facts[fid]
        if fact.kind == "heading" and not fact.retracted:
            break
        span.append(fid)
    return heading, span


def _year_hint(record: RecordState, before: str | None) -> int | None:
    """The year of the nearest dated fact at or before ``before`` in the body, else of the infobox Date."""
    hint: int | None = None
    for fact in record.visible_infobox():
        if fact.key.lower() == "date" and (when := find_when(fact.text)) is not None:
            hint = when.start_year()
    if before is None:
        return hint
    for fid in record.body:
        fact = record.facts[fid]
        if not fact.retracted and fact.when is not None:
            hint = fact.when.start_year()
        if fid == before:
            break
    return hint


def _paragraph_gap(record: RecordState) -> int:
    """How this record lays out a paragraph that follows its heading: 0 (directly) or 1 (after a blank line)."""
    previous: Fact | None = None
    for fact in record.visible_body():
        if previous is not None and previous.kind == "heading" and fact.kind == "sentence":
            return record.facts[fact.group].gap
        previous = fact
    return 1


def _place(
    record: RecordState, section: str | None, sources: tuple[Source, ...]
) -> tuple[list[Change], str | None, list[str], bool]:
    """Where a new block of ``section`` goes: changes to make the section if missing, the anchor, the span, and
    whether the block directly follows a heading."""
    found = _section_span(record, section)
    if found is None:
        assert section is not None
        heading = new_id(record, "heading")
        after = record.body[-1] if record.body else None
        gap = 1 if (record.body or record.infobox or record.title) else 0
        change = _make(
            HeadingAdded, record=record.slug, fact=heading, text=section, level=2, after=after, gap=gap, sources=sources
        )
        return [change], heading, [], True
    heading, span = found
    visible = [fid for fid in span if not record.facts[fid].retracted]
    anchor = span[-1] if span else heading
    if section is None and not span:
        anchor = None
    return [], anchor, span, heading is not None and not visible


def _when(record: RecordState, text: str, when: When | str | None, before: str | None) -> When | None:
    if when == AUTO:
        return find_when(text, year_hint=_year_hint(record, before))
    return when  # type: ignore[return-value]


def add_sentence(
    record: RecordState,
    *,
    section: str | None,
    text: str,
    when: When | str | None,
    paragraph: str | None,
    sources: tuple[Source, ...],
) -> list[Change]:
    """A new sentence: appended to the paragraph holding ``paragraph``, else a new paragraph at the end of ``section``
    (``None``: the lead), the section made if missing."""
    fact = new_id(record, "sentence")
    if paragraph is not None:
        holder = _visible(record, paragraph)
        if holder.kind != "sentence":
            raise InvalidInput(f"--paragraph {paragraph}: that fact is a {holder.kind}, not a sentence of a paragraph.")
        if section is not None:
            heading = record.section_of(paragraph)
            if heading is None or record.facts[heading].text != section:
                raise InvalidInput(
                    f"--paragraph {paragraph} is not in the section '{section}'.",
                    hint="Drop --section, or name the paragraph's own.",
                )
        anchor = [fid for fid in record.body if record.facts[fid].kind == "sentence" and record.facts[fid].group == holder.group][
            -1
        ]
        return [
            _make(
                SentenceAdded,
                record=record.slug,
                fact=fact,
                text=text,
                when=_when(record, text, when, anchor),
                after=anchor,
                paragraph=holder.group,
                lead=" ",
                gap=0,
                sources=sources,
            )
        ]
    changes, anchor, _span, after_heading = _place(record, section, sources)
    gap = _paragraph_gap(record) if after_heading else 1
    if anchor is None and not record.body and not record.infobox:
        gap = 1
    changes.append(
        _make(
            SentenceAdded,
            record=record.slug,
            fact=fact,
            text=text,
            when=_when(record, text, when, anchor),
            after=anchor,
            paragraph=fact,
            lead="",
            gap=gap,
            sources=sources,
        )
    )
    return changes


def add_item(record: RecordState, *, section: str | None, text: str, sources: tuple[Source, ...]) -> list[Change]:
    """A new list item at the end of ``section``: in its last list if the section ends with one, else a new list."""
    fact = new_id(record, "item")
    changes, anchor, span, after_heading = _place(record, section, sources)
    visible = [fid for fid in span if not record.facts[fid].retracted]
    last = record.facts[visible[-1]] if visible else None
    if last is not None and last.kind == "item":
        group, gap, bullet = last.group, 0, last.bullet
    else:
        group, gap, bullet = fact, (_paragraph_gap(record) if after_heading else 1), "- "
    when = find_when(text, year_hint=_year_hint(record, anchor))
    changes.append(
        _make(
            ItemAdded,
            record=record.slug,
            fact=fact,
            text=text,
            when=when,
            after=anchor,
            list=group,
            bullet=bullet,
            gap=gap,
            sources=sources,
        )
    )
    return changes


def set_infobox(record: RecordState, *, assignment: str, sources: tuple[Source, ...]) -> list[Change]:
    """``KEY=VALUE``: a new value for an existing field, else a new field at the end of the infobox."""
    key, sep, value = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InvalidInput(
            f"--infobox {assignment!r} must read KEY=VALUE.", hint="For example --infobox 'Result=Libyan National Army victory'."
        )
    for fact in record.visible_infobox():
        if fact.key == key:
            return [_make(InfoboxRevised, record=record.slug, fact=fact.id, value=value, sources=sources)]
    fields = record.infobox
    return [
        _make(
            InfoboxAdded,
            record=record.slug,
            fact=new_id(record, "infobox"),
            key=key,
            value=value,
            after=fields[-1] if fields else None,
            gap=1,
            sources=sources,
        )
    ]


def remove_infobox(record: RecordState, *, key: str, reason: str | None, sources: tuple[Source, ...]) -> list[Change]:
    """Retract the infobox field named ``key``."""
    for fact in record.visible_infobox():
        if fact.key == key:
            return [_make(FactRetracted, record=record.slug, fact=fact.id, reason=reason, sources=sources)]
    keys = ", ".join(f.key for f in record.visible_infobox()) or "none"
    raise UnknownName(f"The infobox of '{record.slug}' has no field '{key}'.", hint=f"Its fields: {keys}.")


def revise(record: RecordState, *, fact_id: str, text: str, when: When | str | None, sources: tuple[Source, ...]) -> list[Change]:
    """A new version of a fact, same id: its text (an infobox field's value) and, for sentences and items, its date."""
    fact = _visible(record, fact_id)
    common = {"record": record.slug, "fact": fact_id, "sources": sources}
    match fact.kind:
        case "title":
            return [_make(TitleRevised, text=text, **common)]
        case "infobox":
            return [_make(InfoboxRevised, value=text, **common)]
        case "heading":
            return [_make(HeadingRevised, text=text, level=fact.level, **common)]
        case "sentence":
            return [_make(SentenceRevised, text=text, when=_when(record, text, when, fact_id), **common)]
        case _:
            return [_make(ItemRevised, text=text, when=_when(record, text, when, fact_id), **common)]


def retract(record: RecordState, *, fact_id: str, reason: str | None, sources: tuple[Source, ...]) -> list[Change]:
    """The fact leaves the views; its history stays."""
    _visible(record, fact_id)
    return [_make(FactRetracted, record=record.slug, fact=fact_id, reason=reason, sources=sources)]
