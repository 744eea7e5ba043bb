"""The options of one append (``archive append`` flags, or the fields of the server's write API): checked once,
turned into the changes of one revision by the same code whoever asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archive.ingest import editing
from archive.ingest.batch import BatchLine, resolve_batch
from archive.ingest.provenance import with_kept_sources
from events.errors import InvalidInput, UsageError
from events.model import Change
from events.source import Source
from events.when import When
from projections.state import RecordState

__all__ = ["AppendOptions", "OptionError", "as_field", "as_flag", "build_changes", "check_options"]

Name = Callable[[str], str]
"""How an option is called where the user wrote it: ``--text`` on the command line, ``text`` in JSON."""


def as_flag(name: str) -> str:
    """The command line's name of an option: ``remove_infobox`` → ``--remove-infobox``."""
    return "--" + name.replace("_", "-")


def as_field(name: str) -> str:
    """The JSON API's name of an option: the field itself."""
    return name


class OptionError(UsageError):
    """Options that do not go together, or one that is missing; ``field`` names the option to look at."""

    def __init__(self, message: str, *, field: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


@dataclass(frozen=True, slots=True)
class AppendOptions:
    """What one append asks for, by the names of ``archive append``'s options (``None``: not given)."""

    section: str | None = None
    lead: bool = False
    text: str | None = None
    when: str | None = None
    paragraph: str | None = None
    item: str | None = None
    infobox: str | None = None
    remove_infobox: str | None = None
    revise: str | None = None
    retract: str | None = None
    reason: str | None = None
    move: str | None = None
    after: str | None = None
    alternative: bool = False
    prefer: str | None = None
    batch: tuple[list[BatchLine], str] | None = None
    """A batch of changes already read (``read_batch``) and the name to report its lines by."""
    replace_sources: bool = False
    """A revised fact cites only the sources given (by default it keeps the ones it had, and gains these)."""


def check_options(o: AppendOptions, *, cited: bool, name: Name = as_flag) -> When | str | None:
    """Refuse options that do not make one change (``cited``: whether any source was given); return the date to give a new or revised sentence
    (``editing.AUTO``: read it from the text)."""
    chosen = [
        option
        for option, value in (
            ("text", o.text if o.revise is None else None),
            ("move", o.move),
            ("prefer", o.prefer),
            ("item", o.item),
            ("infobox", o.infobox),
            ("remove_infobox", o.remove_infobox),
            ("revise", o.revise),
            ("retract", o.retract),
            ("events", o.batch),
        )
        if value is not None
    ]
    if len(chosen) != 1:
        raise OptionError(
            "Give one change per call" + (f" (got {', '.join(name(c) for c in chosen)})." if chosen else "."),
            field=chosen[-1] if chosen else "text",
            hint=f"For several changes in one revision use {name('events')}{' FILE' if name('events').startswith('--') else ''}.",
        )
    if o.revise is not None and o.text is None:
        raise OptionError(f"{name('revise')} FACT needs {name('text')} with the new text.", field="text")
    if o.section is not None and o.lead:
        raise OptionError(f"{name('section')} and {name('lead')} name two places; give one.", field="lead")
    if o.after is not None and o.move is None:
        raise OptionError(f"{name('after')} FACT places a fact that {name('move')} names.", field="after")
    if o.alternative and o.infobox is None:
        raise OptionError(f"{name('alternative')} goes with {name('infobox')} KEY=VALUE.", field="alternative")
    if o.move is not None and sum((o.section is not None or o.lead or o.paragraph is not None, o.after is not None)) != 1:
        raise OptionError(
            f"{name('move')} FACT needs one place: {name('section')} HEADING, {name('lead')}, {name('paragraph')} FACT "
            f"or {name('after')} FACT.",
            field="move",
        )
    if (o.text is not None and o.revise is None) and o.section is None and not o.lead and o.paragraph is None:
        raise OptionError(
            f"A new sentence needs a place: {name('section')} HEADING, {name('lead')}, or {name('paragraph')} FACT.",
            field="section",
        )
    if o.item is not None and o.section is None and not o.lead:
        raise OptionError(f"A new item needs {name('section')} HEADING (or {name('lead')}).", field="section")
    if not cited and o.batch is None and o.move is None and o.prefer is None:  # --source-file counts as cited
        raise InvalidInput(
            f"No {name('source')} given: every fact must cite one.",
            hint=f"Add {name('source')} URL, {name('source')} 'a citation', or {name('source')} '{{\"title\": ..., \"url\": ...}}'.",
        )
    if o.replace_sources and not cited:
        raise OptionError(
            f"{name('replace_sources')} makes a revised fact cite only {name('source')}; give {name('source')} too.",
            field="replace_sources",
        )
    return editing.AUTO if o.when is None else editing.parse_when(o.when)


def build_changes(
    record: RecordState,
    o: AppendOptions,
    sources: tuple[Source, ...],
    when: When | str | None,
    warn: Callable[[str], None] | None = None,
) -> list[Change]:
    """The changes of one revision of ``record`` that the (checked) options ask for; ``warn`` hears of a date
    in the text that cannot be (31 February). A revised fact keeps the sources it had unless
    ``replace_sources`` says otherwise (sources follow evidence)."""
    return with_kept_sources(record, _changes(record, o, sources, when, warn), replace=o.replace_sources)


def _changes(
    record: RecordState, o: AppendOptions, sources: tuple[Source, ...], when: When | str | None, warn: Callable[[str], None] | None
) -> list[Change]:
    place = None if o.lead else o.section
    if o.batch is not None:
        return resolve_batch(o.batch[0], record, sources, o.batch[1], warn=warn)
    if o.revise is not None:
        return editing.revise(record, fact_id=o.revise, text=o.text or "", when=when, sources=sources, warn=warn)
    if o.retract is not None:
        return editing.retract(record, fact_id=o.retract, reason=o.reason, sources=sources)
    if o.move is not None:
        return editing.move(
            record, fact_id=o.move, section=o.section, lead=o.lead, after=o.after, paragraph=o.paragraph, sources=sources
        )
    if o.prefer is not None:
        return editing.prefer(record, fact_id=o.prefer, reason=o.reason, sources=sources)
    if o.infobox is not None:
        return editing.set_infobox(record, assignment=o.infobox, sources=sources, alternative=o.alternative)
    if o.remove_infobox is not None:
        return editing.remove_infobox(record, key=o.remove_infobox, reason=o.reason, sources=sources)
    if o.item is not None:
        return editing.add_item(record, section=place, text=o.item, sources=sources, warn=warn)
    return editing.add_sentence(
        record, section=place, text=o.text or "", when=when, paragraph=o.paragraph, sources=sources, warn=warn
    )
