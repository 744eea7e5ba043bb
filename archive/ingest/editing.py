"""Builds the changes of one ``archive append`` from a record's current state: where a fact goes, its id, its date."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from archive.ingest.dates import Story
from archive.ingest.placement import BodyTarget, NewIds, plan_body
from events.errors import Conflict, InvalidInput, UnknownName
from events.ids import KIND_PREFIX, next_fact_id
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
    SentenceAdded,
    SentenceRevised,
    TitleRevised,
)
from events.source import Source, first_problem
from events.when import QUALIFIERS, When
from projections.layout import blocks
from projections.state import Fact, RecordState

__all__ = [
    "AUTO",
    "add_item",
    "add_sentence",
    "move",
    "new_id",
    "parse_when",
    "prefer",
    "remove_infobox",
    "retract",
    "revise",
    "set_infobox",
    "story_at",
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


_OPTIONS = {"text": "--text", "value": "--infobox", "key": "--infobox", "reason": "--reason"}
"""The command-line option that gave each field, to name it when the value is refused."""


def _make(cls: type[Change], *, options: dict[str, str] | None = None, **fields: object) -> Change:
    try:
        return cls(**fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]) or "change"
        option = {**_OPTIONS, **(options or {})}.get(name, name)
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


def story_at(record: RecordState, before: str | None) -> Story:
    """The story's year just after fact ``before`` (None: before the body), read as import reads it: the infobox
    Date, then each heading's year and the main line of the dated facts up to it."""
    story = Story()
    for fact in record.visible_infobox():
        story.field(fact.key, fact.text)
    if before is None:
        return story
    for fid in record.body:
        fact = record.facts[fid]
        if not fact.retracted:
            if fact.kind == "heading":
                story.heading(fact.text)
            elif fact.when is not None:
                story.follow_fact(fact.text, fact.when)
        if fid == before:
            break
    return story


def _read_date(record: RecordState, text: str, before: str | None, warn: Callable[[str], None] | None, option: str) -> When | None:
    reading = story_at(record, before).read(text)
    if reading.problem is not None and warn is not None:
        warn(f"{option}: {reading.problem}; the sentence is left undated (give the date with --when).")
    return reading.when


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
            HeadingAdded,
            options={"text": "--section"},
            record=record.slug,
            fact=heading,
            text=section,
            level=2,
            after=after,
            gap=gap,
            sources=sources,
        )
        return [change], heading, [], True
    heading, span = found
    visible = [fid for fid in span if not record.facts[fid].retracted]
    anchor = span[-1] if span else heading
    if section is None and not span:
        anchor = None
    return [], anchor, span, heading is not None and not visible


def _when(
    record: RecordState, text: str, when: When | str | None, before: str | None, warn: Callable[[str], None] | None = None
) -> When | None:
    if when == AUTO:
        return _read_date(record, text, before, warn, "--text")
    return when  # type: ignore[return-value]


def add_sentence(
    record: RecordState,
    *,
    section: str | None,
    text: str,
    when: When | str | None,
    paragraph: str | None,
    sources: tuple[Source, ...],
    warn: Callable[[str], None] | None = None,
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
                when=_when(record, text, when, anchor, warn),
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
            when=_when(record, text, when, anchor, warn),
            after=anchor,
            paragraph=fact,
            lead="",
            gap=gap,
            sources=sources,
        )
    )
    return changes


def add_item(
    record: RecordState, *, section: str | None, text: str, sources: tuple[Source, ...], warn: Callable[[str], None] | None = None
) -> list[Change]:
    """A new list item at the end of ``section``: in its last list if the section ends with one, else a new list."""
    fact = new_id(record, "item")
    changes, anchor, span, after_heading = _place(record, section, sources)
    visible = [fid for fid in span if not record.facts[fid].retracted]
    last = record.facts[visible[-1]] if visible else None
    if last is not None and last.kind == "item":
        group, gap, bullet = last.group, 0, last.bullet
    else:
        group, gap, bullet = fact, (_paragraph_gap(record) if after_heading else 1), "- "
    when = _read_date(record, text, anchor, warn, "--item")
    changes.append(
        _make(
            ItemAdded,
            options={"text": "--item"},
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


def set_infobox(record: RecordState, *, assignment: str, sources: tuple[Source, ...], alternative: bool = False) -> list[Change]:
    """``KEY=VALUE``: a new value for an existing field, else a new field at the end of the infobox.

    With ``alternative``: another claim for the existing field KEY, from another source, kept beside the
    shown one with rank ``normal`` (``prefer`` makes it the shown one).
    """
    key, sep, value = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InvalidInput(
            f"--infobox {assignment!r} must read KEY=VALUE.", hint="For example --infobox 'Result=Libyan National Army victory'."
        )
    if alternative:
        return _alternative(record, key, value, sources)
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
    """Retract the infobox field named ``key``, its alternative claims too."""
    for fact in record.visible_infobox():
        if fact.key == key:
            return [
                _make(FactRetracted, record=record.slug, fact=claim.id, reason=reason, sources=sources)
                for claim in reversed(record.claims_of(fact.id))
            ]
    keys = ", ".join(f.key for f in record.visible_infobox()) or "none"
    raise UnknownName(f"The infobox of '{record.slug}' has no field '{key}'.", hint=f"Its fields: {keys}.")


def revise(
    record: RecordState,
    *,
    fact_id: str,
    text: str,
    when: When | str | None,
    sources: tuple[Source, ...],
    warn: Callable[[str], None] | None = None,
) -> list[Change]:
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
            return [_make(SentenceRevised, text=text, when=_when(record, text, when, _before(record, fact_id), warn), **common)]
        case _:
            return [_make(ItemRevised, text=text, when=_when(record, text, when, _before(record, fact_id), warn), **common)]


def _before(record: RecordState, fact_id: str) -> str | None:
    """The fact just before ``fact_id`` in the body: a revised fact's date is read with the story up to it."""
    index = record.body.index(fact_id) if fact_id in record.body else 0
    return record.body[index - 1] if index > 0 else None


def retract(record: RecordState, *, fact_id: str, reason: str | None, sources: tuple[Source, ...]) -> list[Change]:
    """The fact leaves the views; its history stays. The title stays: an article needs one."""
    if _visible(record, fact_id).kind == "title":
        raise Conflict(
            f"Fact '{fact_id}' is the title of '{record.slug}': an article keeps its title.",
            hint=f"Give it new words with --revise {fact_id} --text '...'.",
        )
    return [_make(FactRetracted, record=record.slug, fact=fact_id, reason=reason, sources=sources)]


def _alternative(record: RecordState, key: str, value: str, sources: tuple[Source, ...]) -> list[Change]:
    shown = next((f for f in record.visible_infobox() if f.key == key), None)
    if shown is None:
        keys = ", ".join(f.key for f in record.visible_infobox()) or "none"
        raise UnknownName(
            f"The infobox of '{record.slug}' has no field '{key}' to add an alternative claim to.",
            hint=f"Its fields: {keys}. Add a new field without --alternative.",
        )
    for claim in record.claims_of(shown.id):
        if claim.text == value:
            raise Conflict(
                f"'{key}' already has the claim '{value}' (fact {claim.id}).",
                hint=f"To cite another source for it, revise it: --revise {claim.id} --text '{value}'.",
            )
    return [
        _make(
            InfoboxAdded,
            record=record.slug,
            fact=new_id(record, "infobox"),
            key=key,
            value=value,
            after=record.claims_of(shown.id)[-1].id,
            gap=0,
            rank="normal",
            sources=sources,
        )
    ]


def prefer(record: RecordState, *, fact_id: str, reason: str | None, sources: tuple[Source, ...]) -> list[Change]:
    """Make the alternative claim ``fact_id`` the shown value of its infobox field; the one shown until now stays,
    as an alternative."""
    fact = _visible(record, fact_id)
    if fact.kind != "infobox":
        raise InvalidInput(f"--prefer {fact_id}: that fact is a {fact.kind}; only an infobox claim can be preferred.")
    if fact.rank == "preferred":
        others = [c.id for c in record.claims_of(fact_id) if c.id != fact_id]
        raise Conflict(
            f"--prefer {fact_id}: it is already the shown claim of '{fact.key}'.",
            hint=f"Its alternatives: {', '.join(others)}." if others else "Add another with --infobox KEY=VALUE --alternative.",
        )
    return [_make(InfoboxPreferred, record=record.slug, fact=fact_id, reason=reason, sources=sources)]


def move(
    record: RecordState,
    *,
    fact_id: str,
    section: str | None,
    lead: bool = False,
    after: str | None = None,
    paragraph: str | None = None,
    sources: tuple[Source, ...] = (),
) -> list[Change]:
    """Move a heading, sentence or list item: right after the fact ``after`` (a sentence joins the paragraph of a
    sentence it follows), into the paragraph holding ``paragraph`` (at its end), or to the end of ``section``
    (``lead``: the lead), as a new paragraph, or for an item into the list the section ends with. Other facts
    keep their places; a paragraph whose first sentence leaves keeps its spacing."""
    fact = _visible(record, fact_id)
    if fact.kind not in ("heading", "sentence", "item"):
        raise InvalidInput(
            f"--move {fact_id}: that fact is a {fact.kind}; only headings, sentences and list items move.",
            hint="Infobox fields keep their order; remove and add one to place it elsewhere.",
        )
    targets = _current_targets(record)
    moving = next(t for t in targets if t.fact == fact_id)
    _lift(targets, moving)
    if after is not None:
        _place_after(record, targets, moving, after)
    elif paragraph is not None:
        holder = _visible(record, paragraph)
        if holder.kind != "sentence" or fact.kind != "sentence":
            raise InvalidInput(f"--paragraph {paragraph}: only a sentence joins a paragraph, and it names a sentence's.")
        heading = record.section_of(paragraph)
        if section is not None and (heading is None or record.facts[heading].text != section):
            raise InvalidInput(f"--paragraph {paragraph} is not in the section '{section}'.", hint="Drop --section.")
        block = next(t.block for t in targets if t.fact == paragraph)
        last = max(i for i, t in enumerate(targets) if t.kind == "sentence" and t.block == block)
        moving.block, moving.lead, moving.gap = block, " ", 0
        targets.insert(last + 1, moving)
    else:
        _place_in_section(record, targets, moving, None if lead else section, sources)
    changes = plan_body(record, targets, sources=sources, reason=None, new_ids=NewIds(record))
    # the move of the named fact cites the sources given (the others only keep the layout)
    return [c.model_copy(update={"sources": sources}) if isinstance(c, FactMoved) and c.fact == fact_id else c for c in changes]


def _current_targets(record: RecordState) -> list[BodyTarget]:
    """The body as it shows now, as placement targets (each keeping its fact)."""
    targets: list[BodyTarget] = []
    for number, block in enumerate(blocks(record)):
        if block.kind in ("title", "infobox"):
            continue
        for index, fact in enumerate(block.facts):
            shown_lead = fact.lead if (index or fact.group == fact.id) else ""
            targets.append(
                BodyTarget(
                    fact.kind,  # type: ignore[arg-type]
                    fact.text,
                    fact=fact.id,
                    block=number,
                    lead=shown_lead,
                    bullet=fact.bullet,
                    gap=block.gap if index == 0 else 0,
                    level=fact.level,
                )
            )
    return targets


def _lift(targets: list[BodyTarget], moving: BodyTarget) -> None:
    """Take ``moving`` out; the next fact of its paragraph or list inherits its place at the block's start."""
    index = targets.index(moving)
    targets.pop(index)
    if moving.kind == "heading":
        return
    following = targets[index] if index < len(targets) else None
    was_first = index == 0 or targets[index - 1].block != moving.block or targets[index - 1].kind == "heading"
    if was_first and following is not None and following.kind != "heading" and following.block == moving.block:
        following.gap, following.lead = moving.gap, moving.lead


def _fresh_block(targets: list[BodyTarget]) -> int:
    return max((t.block for t in targets), default=0) + 1


def _ends_block(targets: list[BodyTarget], index: int) -> bool:
    here = targets[index]
    following = targets[index + 1] if index + 1 < len(targets) else None
    return here.kind == "heading" or following is None or following.kind == "heading" or following.block != here.block


def _place_after(record: RecordState, targets: list[BodyTarget], moving: BodyTarget, after: str) -> None:
    anchor = _visible(record, after)
    if after == moving.fact or anchor.kind not in ("heading", "sentence", "item"):
        raise InvalidInput(f"--after {after}: name another heading, sentence or list item of '{record.slug}'.")
    index = next(i for i, t in enumerate(targets) if t.fact == after)
    here = targets[index]
    joins = moving.kind != "heading" and here.kind == moving.kind
    if joins:
        moving.block, moving.gap = here.block, 0
        moving.lead = " " if moving.kind == "sentence" else ""
        if moving.kind == "item":
            moving.bullet = here.bullet
    elif not _ends_block(targets, index):
        raise InvalidInput(
            f"--after {after}: {after} stands inside a {'paragraph' if here.kind == 'sentence' else 'list'}; "
            f"a {moving.kind} placed there would split it.",
            hint="Name the block's last fact, or a heading.",
        )
    elif moving.kind != "heading":
        moving.block, moving.lead = _fresh_block(targets), ""
        moving.gap = _paragraph_gap(record) if here.kind == "heading" else 1
    targets.insert(index + 1, moving)


def _place_in_section(
    record: RecordState, targets: list[BodyTarget], moving: BodyTarget, section: str | None, sources: tuple[Source, ...]
) -> None:
    if moving.kind == "heading":
        raise InvalidInput("--move of a heading takes --after FACT: the heading to follow, or the last fact of a section.")
    if section is None:
        start = 0
    else:
        found = [i for i, t in enumerate(targets) if t.kind == "heading" and t.text == section]
        if not found:
            if not sources:
                raise UnknownName(
                    f"'{record.slug}' has no section '{section}'.",
                    hint="Give --source to make it (a new heading cites one), or name an existing section.",
                )
            gap = 1 if targets or record.infobox or record.title else 0
            targets.append(BodyTarget("heading", section, gap=gap, level=2))
            found = [len(targets) - 1]
        start = found[0] + 1
    end = start
    while end < len(targets) and targets[end].kind != "heading":
        end += 1
    last = targets[end - 1] if end > start else None
    if moving.kind == "item" and last is not None and last.kind == "item":
        moving.block, moving.gap, moving.bullet = last.block, 0, last.bullet
    else:
        moving.block, moving.lead = _fresh_block(targets), ""
        moving.gap = 1 if last is not None else (_paragraph_gap(record) if section is not None else 1)
    targets.insert(end, moving)
