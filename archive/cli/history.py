"""Commands that read the record's history: diff, blame, history."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from archive.cli import common
from archive.cli.common import REV_HELP
from archive.cli.main import cli
from events.errors import ArchiveError, DamagedLog, InvalidInput, Unavailable, UnknownName

if TYPE_CHECKING:
    from events.source import Source
    from events.when import When
    from projections.corrections import Correction
    from projections.diff import FactSnapshot, RecordDiff
    from projections.words import WordOp

__all__ = ["blame", "diff", "history"]

Paint = Callable[..., str]


# ------------------------------------------------------------------ shared


def _painter(color: bool | None) -> tuple[Paint, bool]:
    """``paint(text, **style)`` and whether output is plain: colour is on with --color, or on a terminal unless
    $NO_COLOR is set; off with --no-color or when piped."""
    if color is None:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if color:
        return click.style, False
    return (lambda text, **_style: text), True


@contextmanager
def _reading(log_name: str) -> Iterator[None]:
    """A revision of the log that cannot apply is damage of the log (exit 4), not a refused input."""
    try:
        yield
    except (DamagedLog, Unavailable):
        raise
    except ArchiveError as exc:
        raise DamagedLog(f"{log_name}: a revision cannot apply: {exc}", hint="Run 'archive verify' for details.") from exc


def _stamp(at: Any) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%SZ")


def _when(when: When | None) -> str:
    if when is None:
        return "none"
    words = when.edtf if when.qualifier is None else f"{when.qualifier} {when.edtf}"
    return words if when.inferred is None else f"{words} ({when.inferred} inferred)"


def _sources(sources: tuple[Source, ...]) -> str:
    return "; ".join(s.label() for s in sources) or "none"


def _words(ops: tuple[WordOp, ...] | list[WordOp], paint: Paint, plain: bool) -> str:
    """A word diff inline: deletions struck and red, insertions underlined and green; ``[-...-]{+...+}`` without colour."""
    out = []
    for op in ops:
        if op.op == "equal":
            out.append(op.text)
        elif plain:
            out.append(f"[-{op.text}-]" if op.op == "delete" else f"{{+{op.text}+}}")
        elif op.op == "delete":
            out.append(paint(op.text, fg="red", strikethrough=True))
        else:
            out.append(paint(op.text, fg="green", underline=True))
    return "".join(out)


def _short(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _correction_lines(notes: list[Correction], kind: str) -> list[str]:
    """``reason:`` and ``sources:`` lines of the corrections of one kind (a retraction, move or preference)."""
    out: list[str] = []
    for note in notes:
        if note.kind != kind:
            continue
        if note.reason and kind != "retracted":  # a retraction's reason is on the fact already
            out.append(f"    reason: {note.reason}")
        if note.sources:
            out.append(f"    {kind} on: {_sources(note.sources)}")
    return out


def _known(state: Any) -> str:
    """The records the revisions read so far touched (the state may hold only the one asked for)."""
    return ", ".join(sorted({slug for revision in state.revisions for slug in revision.records})) or "none yet"


def _record_missing(state: Any, slug: str, rev: int) -> UnknownName:
    return UnknownName(f"Record '{slug}' does not exist at revision {rev}.", hint=f"Records: {_known(state)}.")


# ------------------------------------------------------------------ diff


@cli.command()
@click.argument("record")
@click.argument("rev_a", metavar="A")
@click.argument("rev_b", metavar="[B]", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.option("--color/--no-color", default=None, help="Colour the text diff (default: on a terminal, unless $NO_COLOR is set).")
@click.option(
    "--context", "context", type=click.IntRange(0, 1000), default=3, show_default=True, help="Lines of context in the text diff."
)
@click.pass_context
def diff(ctx: click.Context, record: str, rev_a: str, rev_b: str | None, fmt: str, color: bool | None, context: int) -> None:
    """What changed in RECORD from revision A to revision B (default: HEAD).

    \b
    Facts added, removed (retracted, with the reason), changed (words, date,
    sources, before and after, the words diffed inline) and moved (to another
    place or section); the infobox and timeline changes; then a unified diff of
    the article text.

    A and B: a revision number, HEAD, HEAD~k, or an ISO 8601 time (the last
    revision at or before it). A must not come after B.
    """
    from archive.cli.log_filter import resolve_at  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from archive.store.record_log import record_revisions  # noqa: PLC0415
    from projections.corrections import corrections  # noqa: PLC0415
    from projections.diff import diff_json, diff_records  # noqa: PLC0415
    from projections.replay import capture, events_of  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    found = common.open_archive(ctx)
    log = open_log(found, warn=common.warn)
    a = resolve_at(rev_a, log, "A")
    b = resolve_at(rev_b if rev_b is not None else "HEAD", log, "B")
    if a > b:
        raise InvalidInput(
            f"Revision A ({rev_a} = r{a}) comes after revision B ({rev_b or 'HEAD'} = r{b}).",
            hint=f"Give the older revision first: archive diff {record} {b} {a}.",
        )
    tapped: list[Any] = []

    def tap(items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            events = events_of(item)
            if events and a < events[0].rev <= b:
                tapped.extend(events)
            yield item

    with _reading(log.name):
        captured = capture(
            tap(record_revisions(log, record, warn=common.warn, head=log.witness())), record, (a, b)
        )
    head = captured.archive.head
    if b not in captured.states:
        missing = rev_a if a > head else (rev_b or "HEAD")
        raise UnknownName(f"Revision {missing} does not exist yet: the archive is at revision {head}.")
    after = captured.states[b]
    if after is None:
        raise _record_missing(captured.archive, record, b)
    result = diff_records(captured.states[a], after, from_rev=a, to_rev=b)
    result = replace(result, corrections=tuple(corrections(tapped, record)))
    if fmt == "json":
        common.out(to_json(diff_json(result)))
        return
    between = [r for r in captured.archive.revisions if a < r.rev <= b and record in r.records]
    paint, plain = _painter(color)
    common.out(_diff_text(result, between, paint, plain=plain, context=context))


def _label(snap: FactSnapshot) -> str:
    if snap.kind == "infobox":
        return f"{snap.key}" + (" (alternative)" if snap.rank == "normal" else "")
    if snap.kind == "heading":
        return f"heading, level {snap.level}"
    if snap.kind == "title":
        return "title"
    return f"in {snap.section}" if snap.section else "in the lead"


def _diff_text(result: RecordDiff, between: list[Any], paint: Paint, *, plain: bool, context: int) -> str:
    lines: list[str] = [paint(f"{result.record}: r{result.from_rev} → r{result.to_rev}", bold=True)]
    for r in between:
        lines.append(f"  r{r.rev}  {_stamp(r.at)}  {r.by}" + (f"  {r.summary}" if r.summary else ""))
    if not result.facts_changed and result.text_before == result.text_after:
        lines.append("No change.")
        return "\n".join(lines) + "\n"
    lines.append(
        f"Facts: {len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed, {len(result.moved)} moved"
    )
    box = result.infobox
    parts = [f"+{f.key}" for f in box.added] + [f"-{f.key}" for f in box.removed] + [f"~{f.key}" for f in box.changed]
    lines.append("Infobox: " + (", ".join(parts) if parts else "no change"))
    line = result.timeline
    lines.append(
        "Timeline: "
        + (
            f"{len(line.added)} added, {len(line.removed)} removed, {len(line.changed)} changed"
            if line.added or line.removed or line.changed
            else "no change"
        )
    )
    for row in line.added:
        lines.append(f"  + {row.date}  {row.fact}  {_short(row.text, 60)}")
    for row in line.removed:
        lines.append(f"  - {row.date}  {row.fact}  {_short(row.text, 60)}")
    for change in line.changed:
        dates = change.after.date if change.before.date == change.after.date else f"{change.before.date} → {change.after.date}"
        lines.append(f"  ~ {dates}  {change.fact}  {_short(change.after.text, 50)}")
    width = max((len(s.fact) for s in (*result.added, *result.removed)), default=3)
    width = max([width, *(len(c.fact) for c in result.changed), *(len(m.fact) for m in result.moved)])
    facts: list[str] = []
    for snap in result.added:
        facts.append(paint(f"+ {snap.fact.ljust(width)}  {snap.kind:<8}  {_label(snap)}", fg="green"))
        facts.append(f"    {snap.text}")
    for snap in result.removed:
        facts.append(paint(f"- {snap.fact.ljust(width)}  {snap.kind:<8}  {_label(snap)}", fg="red"))
        facts.append(f"    {snap.text}" + (f"\n    reason: {snap.reason}" if snap.reason else ""))
        facts.extend(_correction_lines(result.corrections_of(snap.fact), "retracted"))
    for change in result.changed:
        facts.append(paint(f"~ {change.fact.ljust(width)}  {change.kind:<8}  {_label(change.after)}", fg="yellow"))
        if change.words:
            facts.append("    " + _words(change.words, paint, plain))
        before, after = change.before, change.after
        if "level" in change.fields:
            facts.append(f"    level: {before.level} → {after.level}")
        if "when" in change.fields:
            facts.append(f"    date: {_when(before.when)} → {_when(after.when)}")
        if "rank" in change.fields:
            facts.append(f"    rank: {before.rank} → {after.rank}" + (" (now shown)" if after.rank == "preferred" else ""))
            facts.extend(_correction_lines(result.corrections_of(change.fact), "preferred"))
        if "sources" in change.fields:
            gained = [s for s in after.sources if s not in before.sources]
            lost = [s for s in before.sources if s not in after.sources]
            if gained:
                facts.append(f"    sources gained: {_sources(tuple(gained))}")
            if lost:
                facts.append(f"    sources lost: {_sources(tuple(lost))}")
    for move in result.moved:
        where = f"{move.from_section or 'the lead'} → {move.to_section or 'the lead'}"
        if move.kind == "infobox":
            where = "infobox"
        elif move.kind == "heading":  # named by its own words; the sections around it are not its own
            where = f"“{_short(move.text, 50)}”"
        facts.append(paint(f"> {move.fact.ljust(width)}  {move.kind:<8}  {where}", fg="cyan"))
        facts.append(
            f"    after {move.from_after or '(start)'} → after {move.to_after or '(start)'}"
            + ("; another paragraph" if move.regrouped and move.kind == "sentence" else "")
            + ("; another list" if move.regrouped and move.kind == "item" else "")
            + f": {_short(move.text, 60)}"
        )
        facts.extend(_correction_lines(result.corrections_of(move.fact), "moved"))
    listed = {s.fact for s in result.removed} | {m.fact for m in result.moved}
    listed |= {c.fact for c in result.changed if "rank" in c.fields}
    for note in result.corrections:
        if note.fact not in listed:  # preferred, then retracted again, say: the reason still shows
            facts.append(f"  {note.kind} {note.fact} in r{note.rev}")
            facts.extend(_correction_lines([note], note.kind))
    if facts:
        lines.append("")
        lines.extend(facts)
    unified = result.unified(context)
    if unified:
        lines.append("")
        for row in unified:
            text = row.rstrip("\n")
            if row.startswith(("---", "+++")):
                lines.append(paint(text, bold=True))
            elif row.startswith("@@"):
                lines.append(paint(text, fg="cyan"))
            elif row.startswith("-"):
                lines.append(paint(text, fg="red"))
            elif row.startswith("+"):
                lines.append(paint(text, fg="green"))
            else:
                lines.append(text)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ blame


@cli.command()
@click.argument("record")
@click.option("--at", help=REV_HELP + " Default: HEAD.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.pass_context
def blame(ctx: click.Context, record: str, at: str | None, fmt: str) -> None:
    """Every line of RECORD's article text with the revision, author, time, facts and sources behind it.

    A line's revision is the newest among its facts (the one that last changed its words); its sources are
    numbered [1], [2] ... and listed after the text. In JSON each sentence of a line is resolved on its own
    ("sentences"). A blank line belongs to the block after it.
    """
    from archive.saved.signed_revisions import signatures_of  # noqa: PLC0415
    from projections.blame import blame_json, blame_lines  # noqa: PLC0415
    from projections.signed import signature_of  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    state = common.state_at(ctx, at)
    found = common.get_record(state, record, at)
    signatures = signatures_of(common.open_archive(ctx), {r.rev for r in state.revisions if record in r.records})
    lines = blame_lines(found, state.revisions, signatures)
    if fmt == "json":
        common.out(to_json(blame_json(lines)))
        return
    rev_w = max((len(f"r{b.rev}") for b in lines if b.rev is not None), default=2)
    by_w = min(max((len(b.by or "") for b in lines), default=1), 20)
    facts_w = min(max((len(",".join(b.facts)) for b in lines), default=1), 14)
    num_w = len(str(len(lines)))
    numbers: dict[Any, int] = {}
    for b in lines:
        for source in b.sources:
            numbers.setdefault(source, len(numbers) + 1)
    cites = {id(b): ",".join(str(numbers[s]) for s in b.sources) for b in lines}
    src_w = min(max((len(c) for c in cites.values()), default=1), 12)
    out = []
    for b in lines:
        rev = f"r{b.rev}" if b.rev is not None else "-"
        day = b.at.strftime("%Y-%m-%d") if b.at is not None else "-"
        by = (b.by or "-")[:by_w]
        facts = ",".join(b.facts) or "-"
        if len(facts) > facts_w:
            facts = facts[: facts_w - 1] + "…"
        cited = f"[{cites[id(b)]}]" if cites[id(b)] else "-"
        if len(cited) > src_w + 2:
            cited = cited[: src_w + 1] + "…"
        out.append(f"{rev:<{rev_w}}  {day}  {by:<{by_w}}  {facts:<{facts_w}}  {cited:<{src_w + 2}}  {b.line:>{num_w}}│{b.text}\n")
    if numbers:
        out.append("\nSources:\n" + "".join(f"[{n}] {source.label()}\n" for source, n in numbers.items()))
    shown = sorted({rev for b in lines for rev in (b.rev, *(p.rev for p in b.pieces)) if rev is not None}, reverse=True)
    known = {r.rev: r for r in state.revisions}
    if shown:
        out.append("\nRevisions:\n")
        for rev in shown:
            who = known[rev].by if rev in known else "-"
            out.append(f"r{rev:<{rev_w - 1}}  {who:<{by_w}}  {signature_of(signatures, rev).describe()}\n")
    common.out("".join(out))


# ------------------------------------------------------------------ history


@cli.command()
@click.argument("record")
@click.argument("fact")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.option("--color/--no-color", default=None, help="Colour the word diffs (default: on a terminal, unless $NO_COLOR is set).")
@click.pass_context
def history(ctx: click.Context, record: str, fact: str, fmt: str, color: bool | None) -> None:
    """Every version of FACT of RECORD: each revision that added, revised, moved, ranked or retracted it, with
    who, when, the words (diffed against the version before), the date and the sources."""
    from archive.saved.signed_revisions import signatures_of  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from archive.store.record_log import record_revisions  # noqa: PLC0415
    from projections.history import fact_history, history_json  # noqa: PLC0415
    from projections.signed import signature_of  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415
    from projections.words import word_diff  # noqa: PLC0415

    found = common.open_archive(ctx)
    log = open_log(found, warn=common.warn)
    with _reading(log.name):
        versions, state = fact_history(record_revisions(log, record, warn=common.warn, head=log.witness()), record, fact)
    if record not in state.records:
        raise UnknownName(f"Record '{record}' does not exist.", hint=f"Records: {_known(state)}.")
    if not versions:
        raise UnknownName(
            f"Fact '{fact}' does not exist in record '{record}'.",
            hint=f"'archive show {record} --view facts' lists the fact ids.",
        )
    signatures = signatures_of(found, {v.rev for v in versions})
    if fmt == "json":
        common.out(to_json(history_json(record, fact, versions, signatures)))
        return
    paint, plain = _painter(color)

    last = versions[-1].fact
    if versions[-1].retracted:
        status = "retracted"
    elif last.kind == "infobox" and last.rank == "normal":
        status = "an alternative claim, not shown"
    else:
        status = "shown"
    lines = [paint(f"{fact}  {last.kind}  {_label(last)}  of '{record}': {len(versions)} versions, {status}", bold=True)]
    previous = None
    for v in versions:
        what = ", ".join(t if f == fact else f"{t} {f}" for t, f in v.changes) or "changed"
        lines.append("")
        lines.append(paint(f"r{v.rev}  {_stamp(v.at)}  {v.by}  {what}", fg="yellow"))
        lines.append(f"    {signature_of(signatures, v.rev).describe()}")
        if v.summary:
            lines.append(f"    summary: {v.summary}")
        snap = v.fact
        text = snap.text if snap.kind != "infobox" else f"{snap.key}: {snap.text}"
        if previous is not None and previous.text != snap.text:
            key = f"{snap.key}: " if snap.kind == "infobox" else ""
            lines.append("    " + key + _words(word_diff(previous.text, snap.text), paint, plain))
        else:
            lines.append(f"    {text}")
        if snap.kind in ("sentence", "item"):
            lines.append(f"    date: {_when(snap.when)}")
        if snap.kind == "infobox":
            lines.append(f"    rank: {snap.rank}")
        place = "infobox" if snap.kind == "infobox" else _label(snap)
        lines.append(f"    place: {place}, after {v.after or '(start)'}")
        lines.append(f"    sources: {_sources(snap.sources)}")
        if v.retracted:
            lines.append("    retracted" + (f": {v.reason}" if v.reason else ""))
        for note in v.corrections:
            if note.reason and not (note.kind == "retracted" and v.retracted):
                lines.append(f"    {note.kind} ({note.fact}): {note.reason}")
            if note.sources:
                lines.append(f"    {note.kind} ({note.fact}) on: {_sources(note.sources)}")
        previous = snap
    common.out("\n".join(lines) + "\n")
