"""The ``archive`` command line: parses arguments, calls the application, and turns errors into exit statuses."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.common import REV_HELP
from events.errors import ArchiveError, InvalidInput, UsageError

__all__ = ["cli", "main"]

_FORMATS = ("text", "markdown", "json", "timelinejs")
_VIEWS = ("article", "infobox", "timeline", "sources", "facts")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-C",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ARCHIVE_DIR",
    default=".",
    show_default="$ARCHIVE_DIR, else the current folder",
    help="The archive folder to work in.",
)
@click.version_option(package_name="fact-archive", prog_name="archive")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Keep a sourced record of events: every fact of an article is an append-only event in events.jsonl.

    \b
    Start:    archive init DIR && archive -C DIR import article.txt
    Read:     archive show RECORD [--view timeline] [--format json]
    Add:      archive append RECORD --section Timeline --text "..." --source URL
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


@cli.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--database",
    metavar="URL",
    help="Keep the log in this PostgreSQL database (postgresql://USER@HOST:PORT/DATABASE; default: $ARCHIVE_DATABASE_URL, "
    "else the file events.jsonl). The folder names it in archive.json, without the password.",
)
@click.pass_context
def init(ctx: click.Context, directory: Path | None, database: str | None) -> None:
    """Make an empty archive in DIRECTORY (default: -C, else the current folder)."""
    import os  # noqa: PLC0415

    from archive.store.folder import init_archive  # noqa: PLC0415

    root = directory if directory is not None else ctx.obj["root"]
    if database is None and os.environ.get("ARCHIVE_DATABASE_URL"):
        from archive.store.pg_connect import shown_url  # noqa: PLC0415
        from archive.store.pg_init import init_database_archive  # noqa: PLC0415

        url = os.environ["ARCHIVE_DATABASE_URL"]
        init_database_archive(root, url, settings=False)
        click.echo(f"Made an archive in {root}, its log in {shown_url(url)} ($ARCHIVE_DATABASE_URL). Next: archive -C {root} import ARTICLE.txt")
        return
    init_archive(root, database)
    if database is not None:
        from archive.store.pg_connect import shown_url  # noqa: PLC0415

        click.echo(
            f"Made an archive in {root}, its log in {shown_url(database)} (named in {root / 'archive.json'}, without a password). "
            f"Next: archive -C {root} import ARTICLE.txt"
        )
        return
    click.echo(f"Made an empty archive in {root}. Next: archive -C {root} import ARTICLE.txt")


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--record", "slug", help="The record's name (one file only); default: from the file name.")
@click.option(
    "--source", "sources", multiple=True, help="A URL, a citation, or a JSON Source object; repeatable. Default: the file itself."
)
@click.option("--by", help="Who records this (default: $ARCHIVE_USER, else your login name).")
@click.option("--summary", help="The edit summary (default: 'Import FILE').")
@click.option("--expect-rev", type=int, help="Refuse (exit 3) unless the archive is at this revision.")
@click.option(
    "--update",
    is_flag=True,
    help="Each FILE is an edited text of an existing record: record only the facts that changed, as one revision.",
)
@click.option(
    "--replace-sources",
    is_flag=True,
    help="With --update: a reworded fact cites only --source (default: its sources so far, and --source).",
)
@click.pass_context
def import_(
    ctx: click.Context,
    files: tuple[Path, ...],
    slug: str | None,
    sources: tuple[str, ...],
    by: str | None,
    summary: str | None,
    expect_rev: int | None,
    update: bool,
    replace_sources: bool,
) -> None:
    """Import article text FILES; each becomes one revision of a new record.

    The format: '= Title =', an optional 'Infobox' block of '- Key: value'
    lines, paragraphs, '== Section ==' headings and '- item' lists. Showing the
    record gives back the same bytes.

    With --update, FILE is the record's text edited (archive show RECORD > FILE,
    then an editor): only the sentences, items, headings and fields that were
    added, revised, removed or moved are recorded, unchanged facts keep their
    ids, and a file that changes nothing records nothing. A reworded fact keeps
    its sources and gains --source (--replace-sources: only --source). An edit
    that adds or rewords facts needs --source; moves and removals alone cite the
    editor. FILE '-' reads standard input (with --record).
    """
    if update:
        from archive.cli.update import run_update  # noqa: PLC0415

        run_update(ctx, files, slug, sources, by, summary, expect_rev, replace_sources)
        return
    if replace_sources:
        raise UsageError("--replace-sources goes with --update: a new record has no sources to replace.")
    from archive.ingest.importer import STDIN, article_changes, read_article, slug_for  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from events.errors import Conflict  # noqa: PLC0415
    from events.source import Source  # noqa: PLC0415

    if slug is not None and len(files) > 1:
        raise UsageError("--record names one record; give it with one file only.")
    given = common.cited_sources(sources)
    bar = common.progress(len(files), "Reading")
    plans: list[tuple[Path, str, list[Any], tuple[Any, ...]]] = []
    seen: dict[str, Path] = {}
    for path in files:
        article = read_article(path)
        name = slug if slug is not None else slug_for(path)
        if name in seen:
            raise InvalidInput(
                f"{path} and {seen[name]} would both become record '{name}'.",
                hint="Rename one file, or import them one at a time with --record.",
            )
        seen[name] = path
        cited = given or (Source(title=path.name if path != STDIN else "standard input"),)
        plans.append((path, name, article_changes(article, name, cited, str(path), warn=common.warn), cited))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.render_finish()

    def build(state: Any) -> list[PendingRevision]:
        for path, name, _, _ in plans:
            if name in state.records:
                raise Conflict(
                    f"{path}: record '{name}' already exists.",
                    hint=f"Add to it with 'archive append {name} ...', or record your edits of its text with "
                    f"'archive import --update {path} --record {name} --source URL', "
                    "or import this file as another record with --record NEW-NAME.",
                )
        return [PendingRevision(changes, summary or f"Import {path.name}") for path, _, changes, _ in plans]

    found = common.open_archive(ctx)
    written = append_revisions(
        found, build, by=common.author(by), expect_rev=expect_rev, warn=common.warn, records=list(seen), sign=common.signer(found)
    )
    for (path, name, changes, cited), revision in zip(plans, written, strict=True):
        citing = common.citing(cited, given_by_user=bool(given), default="the file itself")
        click.echo(f"Imported {path} as record '{name}': revision {revision.rev}, {len(changes) - 1} facts, citing {citing}.")


@cli.command()
@click.argument("record")
@click.option("--section", help="The heading of the section to add to (made if missing).")
@click.option("--lead", is_flag=True, help="Add to the lead, before the first heading.")
@click.option("--text", help="A sentence to add, or with --revise the fact's new text.")
@click.option(
    "--when",
    help="The date the fact is about, EDTF (2017-09), optionally after a qualifier ('by 2017-09'). Default: read from the text.",
)
@click.option("--paragraph", metavar="FACT", help="Append the sentence to the paragraph that holds FACT.")
@click.option("--item", metavar="TEXT", help="A list item to add at the end of --section.")
@click.option("--infobox", "infobox", metavar="KEY=VALUE", help="Set an infobox field.")
@click.option("--remove-infobox", metavar="KEY", help="Remove an infobox field.")
@click.option("--revise", metavar="FACT", help="A new version of FACT (same id), with --text.")
@click.option("--retract", metavar="FACT", help="FACT leaves the views; its history stays.")
@click.option("--reason", help="Why, with --retract, --remove-infobox or --prefer.")
@click.option(
    "--move", metavar="FACT", help="Move FACT: to the end of --section (or --lead), into --paragraph, or --after a fact."
)
@click.option("--after", "after", metavar="FACT", help="With --move: place it right after FACT.")
@click.option(
    "--alternative",
    is_flag=True,
    help="With --infobox KEY=VALUE: another source's value for the field KEY, kept beside the shown one (not shown).",
)
@click.option(
    "--prefer",
    metavar="FACT",
    help="Show the alternative infobox claim FACT; the claim shown until now is kept as an alternative.",
)
@click.option(
    "--events",
    "events_file",
    metavar="FILE",
    type=click.File("rb"),
    help="A batch of changes as JSON lines ('-': stdin), one revision.",
)
@click.option("--source", "sources", multiple=True, help="A URL, a citation, or a JSON Source object; repeatable; required.")
@click.option(
    "--source-file",
    "source_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A local document (a PDF, a photo, a report) as a source: stored in the archive, hashed, with its custody record.",
)
@click.option("--capture", "capture_now", is_flag=True, help="Keep a copy of every --source URL first (see 'archive capture').")
@click.option("--allow-private", is_flag=True, help="With --capture: allow private and loopback addresses.")
@click.option(
    "--replace-sources",
    is_flag=True,
    help="A revised fact cites only --source (default: the sources it had, and --source).",
)
@click.option("--by", help="Who records this (default: $ARCHIVE_USER, else your login name).")
@click.option("--summary", help="The edit summary (default: written from the change, 'Add s67 to Timeline').")
@click.option("--expect-rev", type=int, help="Refuse (exit 3) unless the archive is still at this revision.")
@click.pass_context
def append(
    ctx: click.Context,
    record: str,
    section: str | None,
    lead: bool,
    text: str | None,
    when: str | None,
    paragraph: str | None,
    item: str | None,
    infobox: str | None,
    remove_infobox: str | None,
    revise: str | None,
    retract: str | None,
    reason: str | None,
    move: str | None,
    after: str | None,
    alternative: bool,
    prefer: str | None,
    events_file: Any,
    sources: tuple[str, ...],
    source_files: tuple[Path, ...],
    capture_now: bool,
    allow_private: bool,
    replace_sources: bool,
    by: str | None,
    summary: str | None,
    expect_rev: int | None,
) -> None:
    """Add, revise or retract facts of RECORD as one revision, citing --source.

    A revised fact keeps the sources it cited and gains --source; --replace-sources
    makes it cite only --source. Prints the ids of the facts it adds.

    \b
    One change per call:
      --section H --text S [--when D] [--paragraph FACT]   a new sentence
      --lead --text S                                      a new sentence in the lead
      --section H --item TEXT                              a new list item
      --infobox KEY=VALUE / --remove-infobox KEY           set or remove a field
      --revise FACT --text TEXT [--when D]                 a new version of a fact
      --retract FACT [--reason TEXT]                       the fact leaves the views
      --move FACT --section H | --lead | --paragraph F | --after F   the fact stands elsewhere
      --infobox KEY=VALUE --alternative                    another source's value, kept, not shown
      --prefer FACT [--reason TEXT]                        show that claim of its field instead
      --events FILE                                        a batch of changes, JSON lines

    \b
    --capture keeps a copy of each --source URL in the same revision;
    --source-file PATH cites a local document, stored and hashed. A quoted
    source whose quote is not in its archived copy is warned about.
    """
    from archive.ingest.append_options import AppendOptions, build_changes, check_options  # noqa: PLC0415
    from archive.ingest.batch import read_batch  # noqa: PLC0415
    from archive.ingest.summaries import automatic_summary, new_facts  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415

    batch = None
    options = AppendOptions(
        section=section,
        lead=lead,
        text=text,
        when=when,
        paragraph=paragraph,
        item=item,
        infobox=infobox,
        remove_infobox=remove_infobox,
        revise=revise,
        retract=retract,
        reason=reason,
        move=move,
        after=after,
        alternative=alternative,
        prefer=prefer,
        batch=("", "") if events_file is not None else None,  # type: ignore[arg-type] # read after the checks
        replace_sources=replace_sources,
    )
    when_value = check_options(options, cited=bool(sources or source_files))
    cited = common.cited_sources(sources)
    found = common.open_archive(ctx)
    copies: list[Any] = []
    if source_files or capture_now:
        from archive.cli.sources import keep_urls, make_limits  # noqa: PLC0415
        from archive.ingest.capture import Refused  # noqa: PLC0415
        from archive.ingest.source_copies import keep_file  # noqa: PLC0415

        limits = make_limits(allow_private, 30.0, 50 * 1024 * 1024, 5)
        if capture_now:
            urls = [s.url for s in cited if s.url]
            if not urls:
                raise UsageError("--capture keeps copies of --source URLs; this change cites none.")
            copies += keep_urls(found.root, list(dict.fromkeys(urls)), limits).values()
        for path in source_files:
            try:
                kept, source = keep_file(found.root, path, limits)
            except Refused as exc:
                raise InvalidInput(f"--source-file: {exc}.") from exc
            copies.append(kept)
            cited = (*cited, source)
    if events_file is not None:
        name = "<stdin>" if events_file.name == "<stdin>" else events_file.name
        batch = (read_batch(events_file, name), name)
        options = dataclasses.replace(options, batch=batch)

    def build(state: Any) -> list[PendingRevision]:
        rec = common.get_record(state, record, None)
        changes = build_changes(rec, options, cited, when_value, warn=common.warn)
        made[:] = new_facts(changes)
        return [PendingRevision([*changes, *(kept.change_for(record) for kept in copies)], summary or automatic_summary(rec, changes))]

    made: list[str] = []
    [revision] = append_revisions(
        found, build, by=common.author(by), expect_rev=expect_rev, warn=common.warn, records=[record], sign=common.signer(found)
    )
    events = f"{revision.events} event{'s' if revision.events != 1 else ''}"
    listed = ", ".join(made) if len(made) <= 20 else f"{', '.join(made[:10])} … {', '.join(made[-3:])} ({len(made)} in all)"
    news = f" New fact{'s' if len(made) != 1 else ''}: {listed}." if made else ""
    click.echo(f"Recorded revision {revision.rev} of '{record}': {events}.{news}")
    quoted = [s for s in cited if s.quote]
    if quoted:
        _warn_quotes(ctx, record, quoted)


def _warn_quotes(ctx: click.Context, record: str, quoted: list[Any]) -> None:
    """Warn about each quoted source of this append whose quote is not in its archived copy."""
    from archive.ingest.page_text import MissingExtra  # noqa: PLC0415
    from archive.ingest.source_copies import quote_misses  # noqa: PLC0415

    state = common.record_at(ctx, record, None)
    try:
        misses = quote_misses(common.open_archive(ctx).root, state)
    except MissingExtra:
        return
    for miss in misses:
        if miss.source in quoted and miss.capture is not None:
            common.warn(f"the quote {miss.source.quote!r} of {miss.source.label()} is {miss.problem} (facts {', '.join(miss.facts)}).")


@cli.command()
@click.argument("record")
@click.option("--view", type=click.Choice(_VIEWS), default="article", show_default=True, help="Which view.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True, help="How to print it.")
@click.option("--at", help=REV_HELP + " Default: HEAD.")
@click.pass_context
def show(ctx: click.Context, record: str, view: str, fmt: str, at: str | None) -> None:
    """Print one view of RECORD: the article, its infobox, timeline, sources or facts.

    --format timelinejs (timeline only) writes Knight Lab TimelineJS JSON.
    """
    from projections.views import VIEWS, render_view  # noqa: PLC0415

    if fmt not in VIEWS[view].formats:
        shown = ", ".join(VIEWS[view].formats)
        raise UsageError(f"--view {view} has no --format {fmt}.", hint=f"Formats of --view {view}: {shown}.")
    common.out(render_view(common.record_at(ctx, record, at), view, fmt))


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Where to write (default: the archive's views/).")
@click.option("--at", help=REV_HELP + " Default: HEAD.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, at: str | None) -> None:
    """Write views/<record>/: article.txt, article.md, infobox.json, timeline.json, sources.json.

    And the web pages: views/index.html, and per record index.html (the article), timeline.html,
    sources.html, history.html, blame.html and diff-REV.html for its latest revisions.
    """
    from archive.web.build_again import build_again, unchanged  # noqa: PLC0415

    found = common.open_archive(ctx)
    target = out if out is not None else found.views
    until = None
    if at is not None:
        from archive.cli.log_filter import resolve_at  # noqa: PLC0415 - it loads the event models

        until = resolve_at(at, found.log)
    built = unchanged(found, target, until)
    if built is None:
        state, tail = common.loaded_at(ctx, at)
        bar = common.progress(len(state.records), "Building")
        built = build_again(found, state, tail, target, on_record=(lambda _slug: bar.update(1)) if bar else None)
        if bar is not None:
            bar.render_finish()
    s, pages = "s" if built.records != 1 else "", "s" if built.diff_pages != 1 else ""
    click.echo(
        f"Built the views of {built.records} record{s} at revision {built.revision} in {target}: "
        f"{built.rendered} rendered, {built.unchanged} unchanged, {built.diff_pages} diff page{pages}."
    )


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the list."
)
@click.option("--at", help=REV_HELP + " Default: HEAD.")
@click.pass_context
def records(ctx: click.Context, fmt: str, at: str | None) -> None:
    """List the records: name, title, facts shown, last revision."""
    from projections.listing import records_json  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    state = common.state_at(ctx, at)
    rows = records_json(state.records.values())
    if fmt == "json":
        common.out(to_json(rows))
        return
    for row in rows:
        common.out(f"{row['record']}  {row['title'] or '(no title)'}  ({row['facts']} facts, r{row['rev']})\n")


@cli.command()
@click.argument("record", required=False)
@click.option("--by", "author", metavar="NAME", help="Only revisions recorded by NAME (ignoring case).")
@click.option(
    "--since",
    metavar="WHEN",
    help="Only revisions from WHEN on: a revision (12, HEAD~3), a date (2026-11-25, 2026-11) or an ISO time.",
)
@click.option(
    "--until", metavar="WHEN", help="Only revisions up to WHEN (included): a revision, a date (its whole day) or an ISO time."
)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print it.")
@click.pass_context
def log(ctx: click.Context, record: str | None, author: str | None, since: str | None, until: str | None, fmt: str) -> None:
    """List the revisions, newest first (only those touching RECORD, if given, by --by, in --since..--until)."""
    from archive.cli.log_filter import parse_bound, select  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    log_file = open_log(common.open_archive(ctx))
    low = parse_bound(since, end=False, log=log_file, option="--since") if since is not None else None
    high = parse_bound(until, end=True, log=log_file, option="--until") if until is not None else None
    state = common.state_at(ctx, None)
    if record is not None:
        common.get_record(state, record, None)
    revisions = select(reversed(state.revisions), record=record, by=author, since=low, until=high)
    from archive.store.checkpoints import kept_checkpoints  # noqa: PLC0415

    covered = {kept.rev: kept.checkpoint.size for kept in kept_checkpoints(common.open_archive(ctx))}  # rev -> lines signed
    if fmt == "json":
        from projections.listing import revision_row  # noqa: PLC0415

        common.out(
            to_json([revision_row(r) | ({"checkpoint": covered[r.rev]} if r.rev in covered else {}) for r in revisions])
        )
        return
    for r in revisions:
        when = r.at.strftime("%Y-%m-%d %H:%M:%SZ")
        if r.rev in covered:
            common.out(f"-- checkpoint of {covered[r.rev]:,} lines: covers revisions 1-{r.rev}\n")
        common.out(
            f"r{r.rev}  {when}  {r.by}  {', '.join(r.records)}  ({r.events} event{'s' if r.events != 1 else ''})  {r.summary or ''}".rstrip()
            + "\n"
        )


@cli.command()
def schema() -> None:
    """Print the JSON Schema of one line of events.jsonl."""
    from events.model import event_adapter  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    schema = event_adapter().json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "fact-archive event line", **schema}
    common.out(to_json(schema))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 refused, 2 usage, 3 stale, 4 damaged)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="archive", standalone_mode=False)
    except ArchiveError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except BrokenPipeError:
        with suppress(OSError):
            sys.stdout = None  # type: ignore[assignment]
        return 0
    except OSError as exc:
        click.echo(f"Error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
        return 1
    return result if isinstance(result, int) else 0


# Commands of later topics live in their own modules and register on import.
from archive.cli import copy, history, integrity, proofs, users, watch, web  # noqa: E402, F401
from archive.cli import sources as _sources  # noqa: E402, F401
