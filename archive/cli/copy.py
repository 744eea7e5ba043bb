"""``archive copy SOURCE TARGET``: move a whole log between a folder and a PostgreSQL database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli

__all__ = ["copy"]


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True, help="How to print the result.")
def copy(source: str, target: str, fmt: str) -> None:
    """Copy the whole log of SOURCE into the empty log of TARGET, byte for byte.

    \b
    Each is a folder (its events.jsonl, or the database its archive.json names)
    or a PostgreSQL URL (postgresql://USER@HOST:PORT/DATABASE; the password from
    the URL, PGPASSWORD or ~/.pgpass). A database gets the log's tables if it has
    none; a folder is made if missing. The numbers and the hash chain of every
    line are checked as it streams; nothing is committed unless all hold and the
    last line is the one the source's witness names.

    \b
    archive copy my-archive postgresql://editor@db.example.org/newsroom
    archive copy postgresql://editor@db.example.org/newsroom backup-folder
    """
    from archive.store.copy import copy_log  # noqa: PLC0415
    from projections.views import to_json  # noqa: PLC0415

    copied = copy_log(source, target)
    kept, refused = _copy_captures(source, target)
    if fmt == "json":
        common.out(to_json({**copied.as_json(), "captures": kept}))
    else:
        head = copied.head
        what = f"{head.seq} lines, {head.rev} revisions, {head.offset} bytes" if head else "an empty log"
        extra = f" and {kept} archived cop{'y' if kept == 1 else 'ies'} of sources" if kept else ""
        common.out(f"Copied {what}{extra} from {copied.source} to {copied.target}.\n")
    for problem in refused:
        common.warn(f"{problem.path} was not copied: its bytes do not match its name ({problem.problem}); restore it from a backup.")


def _copy_captures(source: str, target: str) -> tuple[int, list[Any]]:
    """The archived copies of sources travel with the log between folders; a database keeps none (they stay
    in the folder of the archive that uses it), so going to a bare URL they are named as left behind."""
    from archive.store.captures import CAPTURES_DIR, copy_captures  # noqa: PLC0415

    here = Path(source)
    if not (here / CAPTURES_DIR).is_dir():
        return 0, []
    there = Path(target)
    if "://" in target or not there.is_dir():
        common.warn(f"the archived copies in {here / CAPTURES_DIR} stay there: copy that folder next to the log's new home.")
        return 0, []
    return copy_captures(here, there)
