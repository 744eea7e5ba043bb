"""The watch command: keeps views/ current as the log changes."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli

__all__ = ["status_line", "watch"]


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _names(records: tuple[str, ...], limit: int = 3) -> str:
    shown = ", ".join(records[:limit])
    return shown + (f" and {len(records) - limit} more" if len(records) > limit else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _took(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def status_line(rebuild: Any, out: Path, *, failed_before: bool = False) -> str | None:
    """One line for a person about one Rebuild; None for those not worth a line (the list of records rewritten)."""
    r = rebuild
    if r.error is not None:
        return f"{r.error} The views stay at revision {r.revision}; watching for the line to be mended."
    if r.kind == "index":
        return None
    if r.kind == "start":
        return (
            f"Watching: the views of {_plural(len(r.records), 'record')} at revision {r.revision} are in {out} "
            f"({_plural(r.files, 'file')} written in {_took(r.seconds)}). Ctrl-C stops."
        )
    if r.kind == "replay":
        return (
            f"r{r.revision}  read the whole log again: {_plural(len(r.records), 'record')}, "
            f"{_plural(r.files, 'file')} written in {_took(r.seconds)}"
            + (f"; removed the views of {_names(r.removed)}" if r.removed else "")
        )
    if r.revisions == 0:
        return f"r{r.revision}  caught up: the log reads cleanly again" if failed_before else None
    return (
        f"r{r.revision}  +{_plural(r.revisions, 'revision')} ({_plural(r.events, 'event')}): {_names(r.records)}  "
        f"{_plural(r.files, 'file')} in {_took(r.seconds)}"
    )


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Where to write (default: the archive's views/).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object per rebuild (for other programs) instead of status lines."
)
@click.pass_context
def watch(ctx: click.Context, out: Path | None, as_json: bool) -> None:
    """Keep the views current as events.jsonl changes, until Ctrl-C.

    Builds every view first, then on each change reads only the new lines and
    rewrites the views of the records they touch, each file atomically. A line
    that does not read is reported with its number and the views stay as they
    were until it is mended; a rewritten history is read again from line 1.
    With --json, each rebuild is one line of JSON: kind (start, update,
    replay, index), revision, records, seconds, error, revisions, events,
    files, removed, warnings.
    """
    from archive.web.watch import Watcher, log_changes, watch_loop  # noqa: PLC0415

    found = common.open_archive(ctx)
    target = out if out is not None else found.views
    emit = _json_emitter() if as_json else _text_emitter(target)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        watch_loop(Watcher(found, target, warn=common.warn), log_changes(found), emit)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped watching.", err=True)


def _json_emitter() -> Callable[[Any], None]:
    import orjson  # noqa: PLC0415

    def emit(rebuild: Any) -> None:
        for message in rebuild.warnings:
            common.warn(message)
        common.out(orjson.dumps(rebuild.to_json()).decode() + "\n")

    return emit


def _text_emitter(out: Path) -> Callable[[Any], None]:
    failed = False

    def emit(rebuild: Any) -> None:
        nonlocal failed
        for message in rebuild.warnings:
            common.warn(message)
        line = status_line(rebuild, out, failed_before=failed)
        failed = rebuild.error is not None
        if line is None:
            return
        stamp = datetime.now().strftime("%H:%M:%S")
        if rebuild.error is not None:
            click.echo(f"{stamp}  Error: {line}", err=True)
        else:
            click.echo(f"{stamp}  {line}")
        sys.stdout.flush()

    return emit
