"""The serve command: the views as web pages that follow the log live."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli
from events.errors import ArchiveError, Conflict

__all__ = ["serve"]


def _start_watch(archive: Any, out: Path, on_rebuild: Any, stop: threading.Event) -> threading.Thread | None:
    """Run the watch loop in a background thread, calling ``on_rebuild`` after each rebuild; None without one."""
    try:
        from archive.web.watch import run_watch  # noqa: PLC0415
    except ImportError as exc:
        if exc.name != "archive.web.watch":
            raise
        return None

    def run() -> None:
        try:
            run_watch(archive, out, on_rebuild=on_rebuild, stop=stop)
        except ArchiveError as exc:
            common.warn(f"Live reload stopped: {exc}")

    thread = threading.Thread(target=run, name="archive-watch", daemon=True)
    thread.start()
    return thread


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address to listen on; loopback keeps it to this machine."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port to listen on; 0 picks a free one."
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="The views folder (default: the archive's views/).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out: Path | None) -> None:
    """Serve the views as web pages, read-only, and reload open pages as the log changes.

    Builds the views first, then keeps them current (the watch loop) and tells
    every open page to reload after each rebuild, through server-sent events.
    Only files under the views folder are served. Ctrl-C stops.
    """
    from archive.saved.checkpoint import load_state  # noqa: PLC0415
    from archive.web.capture_copies import write_capture_copies  # noqa: PLC0415
    from archive.web.diff_pages import DiffPages  # noqa: PLC0415
    from archive.web.serve import LiveReload, ViewServer, is_loopback  # noqa: PLC0415
    from archive.web.views_out import write_views  # noqa: PLC0415

    found = common.open_archive(ctx)
    target = out if out is not None else found.views
    state = common.state_at(ctx, None)
    write_views(state, target)
    write_capture_copies(found.root, state.records.values(), target)
    diffs = DiffPages(found, target)
    diffs.build(state)
    live = LiveReload()

    told: set[str] = set()

    def rebuilt(rebuild: Any) -> None:
        """After the watch loop rewrote the views: add the new revisions' diff pages, then reload the open pages."""
        error = getattr(rebuild, "error", None)
        if error and error not in told:
            told.add(error)
            common.warn(f"The views stop at revision {getattr(rebuild, 'revision', '?')}: {error}")
        try:
            changed = diffs.update()
        except ArchiveError as exc:
            common.warn(f"The diff pages of the new revisions were not written: {exc}")
            changed = 0
        try:
            now, _ = load_state(found, warn=common.warn)
            changed += write_capture_copies(found.root, now.records.values(), target)
        except ArchiveError as exc:
            common.warn(f"The archived copies of the new captures were not written: {exc}")
        if changed or getattr(rebuild, "files", 1) or getattr(rebuild, "removed", ()):
            live.bump()

    try:
        server = ViewServer((host, port), target, live)
    except OSError as exc:
        raise Conflict(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            hint="Choose another --port, or --port 0 for a free one.",
        ) from exc
    stop = threading.Event()
    watcher = _start_watch(found, target, rebuilt, stop)
    click.echo(f"Serving the views of {found.root} at {server.url} (Ctrl-C stops).")
    if not is_loopback(host):
        common.warn(f"{host} is not loopback: anyone who can reach {server.url} can read these views.")
    if watcher is None:
        common.warn("Live reload is off: this installation has no watch loop (archive.watch); pages show the views as built.")
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        server.server_close()
        if watcher is not None:
            watcher.join(timeout=5)
