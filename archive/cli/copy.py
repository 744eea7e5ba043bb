"""``archive copy SOURCE TARGET``: move a whole log between a folder and a PostgreSQL database."""

from __future__ import annotations

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
    if fmt == "json":
        common.out(to_json(copied.as_json()))
        return
    head = copied.head
    what = f"{head.seq} lines, {head.rev} revisions, {head.offset} bytes" if head else "an empty log"
    common.out(f"Copied {what} from {copied.source} to {copied.target}.\n")
