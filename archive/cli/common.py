"""What every command shares: finding the archive, reading state at a revision, output, warnings, progress."""

from __future__ import annotations

import difflib
import getpass
import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

import click

from events.errors import UnknownName

__all__ = [
    "REV_HELP",
    "author",
    "cited_sources",
    "citing",
    "closest",
    "get_record",
    "loaded_at",
    "open_archive",
    "out",
    "progress",
    "record_hint",
    "signer",
    "state_at",
    "warn",
]

REV_HELP = (
    "A revision: its number, HEAD, HEAD~k, an ISO 8601 time (the last revision at or before it), "
    "or a date (2026-11-25, 2026-11: as the record stood at its end)."
)


def warn(message: str) -> None:
    """Tell the user on stderr, without stopping."""
    click.echo(f"Warning: {message}", err=True)


def out(text: str) -> None:
    """Write exactly these characters to standard output, as UTF-8 whatever the locale."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def open_archive(ctx: click.Context) -> Any:
    """The archive -C names; refuses a folder that is not one."""
    from archive.store.folder import find_archive  # noqa: PLC0415

    return find_archive(ctx.obj["root"])


def author(by: str | None) -> str:
    """Who records a revision: --by, else $ARCHIVE_USER, else the login name."""
    if by:
        return by
    name = os.environ.get("ARCHIVE_USER")
    if name:
        return name
    with suppress(Exception):
        return getpass.getuser()
    return "unknown"


def signer(found: Any) -> Any:
    """What signs the revisions of authors with a registered key (keys/authors.json), for ``append_revisions(sign=)``;
    None when no author has one. The private key is $ARCHIVE_AUTHOR_KEY, else the one 'keys add-author' made
    (``archive.ingest.signing``, which the server's accounts use too)."""
    from archive.ingest.signing import author_signer  # noqa: PLC0415

    return author_signer(found)


def cited_sources(values: Sequence[str]) -> tuple[Any, ...]:
    """The --source options as Source objects."""
    from events.source import parse_source  # noqa: PLC0415

    return tuple(parse_source(value) for value in values)


def progress(total: int, label: str) -> Any:
    """A progress bar on a terminal's stderr; nothing when piped."""
    return click.progressbar(length=total, label=label, file=sys.stderr) if sys.stderr.isatty() and total > 1 else None


def state_at(ctx: click.Context, at: str | None) -> Any:
    """The archive's state at revision ``at`` (HEAD when None); refuses a revision that does not exist.

    Starts from the checkpoint in ``.archive/`` when it still matches the log, and reads only the lines after it.
    """
    return loaded_at(ctx, at)[0]


def loaded_at(ctx: click.Context, at: str | None) -> tuple[Any, Any]:
    """``state_at``, and where the log read for it ended (a Tail; None when ``at`` stopped before the end)."""
    from archive.cli.log_filter import resolve_at  # noqa: PLC0415
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from archive.store.folder import open_log  # noqa: PLC0415

    found = open_archive(ctx)
    until = None if at is None else resolve_at(at, open_log(found))
    state, tail = load_state(found, until=until, warn=warn)
    if until is not None and state.head < until:
        raise UnknownName(f"Revision {at} does not exist yet: the archive is at revision {state.head}.")
    return state, tail


def record_at(ctx: click.Context, slug: str, at: str | None) -> Any:
    """Record ``slug`` at revision ``at`` (HEAD when None); refuses an unknown record or revision.

    At HEAD it is read from its file in ``.archive/records/`` and the log lines after it, when these can be
    used; else from the whole state (``state_at``), after which the record files are written anew.
    """
    if at is None:
        from archive.saved.record_cache import load_records, rebuild_if_free  # noqa: PLC0415

        found = open_archive(ctx)
        partial = load_records(found, [slug], warn=warn)
        if partial is not None and slug in partial.state.records:
            return partial.state.records[slug]
        from archive.saved.checkpoint import load_state  # noqa: PLC0415

        state, tail = load_state(found, warn=warn)
        if partial is None and tail is not None:
            rebuild_if_free(found, state, tail, warn=warn)
        return get_record(state, slug, at)
    return get_record(state_at(ctx, at), slug, at)


def get_record(state: Any, slug: str, at: str | None, *, action: str | None = None, advice: str = "") -> Any:
    """The record named ``slug`` in ``state``; refuses an unknown one, suggesting the closest names.

    ``action`` replaces the message's opening ("Record 'x' does not exist").
    """
    record = state.records.get(slug)
    if record is None:
        where = f" at revision {state.head}" if at is not None else ""
        raise UnknownName(f"{action or f'Record {slug!r} does not exist'}{where}.", hint=advice + record_hint(slug, state.records))
    return record


def closest(name: str, names: Iterable[str], count: int = 3) -> list[str]:
    """Up to ``count`` of ``names`` that look most like ``name`` (difflib), best first."""
    return difflib.get_close_matches(name, list(names), n=count, cutoff=0.5)


def record_hint(slug: str, names: Iterable[str]) -> str:
    """What to say after an unknown record: the closest names, else the records there are."""
    known = sorted(names)
    near = closest(slug, known)
    listed = f"Records: {', '.join(known[:20]) or 'none yet'}" + (f" and {len(known) - 20} more." if len(known) > 20 else ".")
    if near:
        return "Did you mean " + " or ".join(f"'{n}'" for n in near) + "? " + listed
    return listed


def citing(sources: Sequence[Any], *, given_by_user: bool, default: str) -> str:
    """How a command says which sources a revision was recorded with: their labels, or ``default`` explained."""
    labels = "; ".join(s.label() for s in sources)
    return labels if given_by_user else f"{labels} ({default}: no --source given)"
