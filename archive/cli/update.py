"""The work of ``archive import --update``: edited article files recorded as the fact-level changes they make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archive.cli import common
from events.errors import InvalidInput, UsageError

__all__ = ["run_update"]


class _NothingToRecord(Exception):
    """Every file matches its record already: no revision is written."""


def run_update(
    ctx: click.Context,
    files: tuple[Path, ...],
    slug: str | None,
    sources: tuple[str, ...],
    by: str | None,
    summary: str | None,
    expect_rev: int | None,
    replace_sources: bool = False,
) -> None:
    """Record, for each file, one revision of the record it edits holding only what changed; say so when nothing did.

    Without --source, an update that only moves or removes facts cites the editor; one that would add or
    reword a fact is refused, naming the facts (a new text needs a source that says it).
    """
    from archive.ingest.importer import read_article_text, slug_for  # noqa: PLC0415
    from archive.ingest.update import UpdatePlan, plan_update  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from events.model import ContentChange  # noqa: PLC0415
    from events.source import Source  # noqa: PLC0415

    if slug is not None and len(files) > 1:
        raise UsageError("--record names one record; give it with one file only.")
    if replace_sources and not sources:
        raise UsageError("--replace-sources replaces a fact's sources with those of --source; give --source too.")
    given = common.cited_sources(sources)
    author = common.author(by)
    cited = given or (Source(title=f"Edited by {author}"),)
    edits: list[tuple[Path, str, Any, str]] = []
    seen: dict[str, Path] = {}
    for path in files:
        article, text = read_article_text(path)
        name = slug if slug is not None else slug_for(path)
        if name in seen:
            raise InvalidInput(
                f"{path} and {seen[name]} both edit record '{name}'.",
                hint="Update a record from one file at a time.",
            )
        seen[name] = path
        edits.append((path, name, article, text))
    plans: list[UpdatePlan] = []

    def build(state: Any) -> list[PendingRevision]:
        plans.clear()
        pending: list[PendingRevision] = []
        for path, name, article, text in edits:
            record = common.get_record(state, name, None, action=f"{path}: record '{name}' does not exist, so it cannot be updated",
                advice="Import it without --update to make it, or name the record with --record. ",
            )
            plan = plan_update(record, article, text, sources=cited, name=str(path), replace_sources=replace_sources, warn=common.warn)
            if not given:
                asserted = [c.fact for c in plan.changes if isinstance(c, ContentChange)]
                if asserted:
                    shown = ", ".join(asserted[:20]) + (f" and {len(asserted) - 20} more" if len(asserted) > 20 else "")
                    raise InvalidInput(
                        f"{path}: no --source given, but the edit adds or rewords {len(asserted)} "
                        f"fact{'s' if len(asserted) != 1 else ''} of '{name}': {shown}.",
                        hint="Cite where the new words come from with --source URL (or a citation); "
                        "moves and removals alone need none.",
                    )
            plans.append(plan)
            if plan.changes:
                pending.append(PendingRevision(plan.changes, summary or f"Update from {path.name}"))
        if not pending:
            raise _NothingToRecord
        return pending

    try:
        written = iter(
            append_revisions(
                found := common.open_archive(ctx), build, by=author, expect_rev=expect_rev, warn=common.warn, records=list(seen),
                sign=common.signer(found),
            )
        )
    except _NothingToRecord:
        written = iter(())
    citing = common.citing(cited, given_by_user=bool(given), default="the editor")
    for (path, name, _, _), plan in zip(edits, plans, strict=True):
        if not plan.changes:
            click.echo(f"{path}: record '{name}' already reads like this; nothing to record.")
            continue
        revision = next(written)
        events = f"{revision.events} event{'s' if revision.events != 1 else ''}"
        click.echo(f"Updated record '{name}' from {path}: revision {revision.rev} ({plan.summary()}; {events}), citing {citing}.")
