"""The work of ``archive import --update``: edited article files recorded as the fact-level changes they make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archive.cli import common
from events.errors import InvalidInput, UnknownName, UsageError

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
) -> None:
    """Record, for each file, one revision of the record it edits holding only what changed; say so when nothing did."""
    from archive.ingest.importer import read_article, slug_for  # noqa: PLC0415
    from archive.ingest.update import UpdatePlan, plan_update  # noqa: PLC0415
    from archive.saved.appending import PendingRevision, append_revisions  # noqa: PLC0415
    from events.source import Source  # noqa: PLC0415

    if slug is not None and len(files) > 1:
        raise UsageError("--record names one record; give it with one file only.")
    given = common.cited_sources(sources)
    edits: list[tuple[Path, str, Any, str]] = []
    seen: dict[str, Path] = {}
    for path in files:
        article = read_article(path)
        text = path.read_bytes().decode("utf-8")
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
            record = state.records.get(name)
            if record is None:
                known = ", ".join(sorted(state.records)) or "none yet"
                raise UnknownName(
                    f"{path}: record '{name}' does not exist, so it cannot be updated.",
                    hint=f"Import it without --update to make it, or name the record with --record (records: {known}).",
                )
            plan = plan_update(
                record, article, text, sources=given or (Source(title=path.name),), name=str(path), warn=common.warn
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
                found := common.open_archive(ctx), build, by=common.author(by), expect_rev=expect_rev, warn=common.warn,
                sign=common.signer(found),
            )
        )
    except _NothingToRecord:
        written = iter(())
    for (path, name, _, _), plan in zip(edits, plans, strict=True):
        if not plan.changes:
            click.echo(f"{path}: record '{name}' already reads like this; nothing to record.")
            continue
        revision = next(written)
        click.echo(f"Updated record '{name}' from {path}: revision {revision.rev} ({plan.summary()}; {revision.events} event{'s' if revision.events != 1 else ''}).")
