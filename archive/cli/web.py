"""The serve command: the archive as a shared service (pages on request, the JSON API, sign-in, editing)."""

from __future__ import annotations

import socket
from typing import Any

import click

from archive.cli import common
from archive.cli.main import cli
from events.errors import Conflict, UsageError

__all__ = ["serve"]

_EXTRA = "pip install 'fact-archive[server]'"


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one), with a long backlog."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(2048)
        except OSError:
            sock.close()
            raise
    except OSError as exc:
        raise Conflict(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}.",
            hint="Choose another --port, or --port 0 for a free one.",
        ) from exc
    sock.set_inheritable(True)
    return sock


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address to listen on; loopback keeps it to this machine."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port to listen on; 0 picks a free one."
)
@click.option("--private", is_flag=True, help="Everyone signs in, readers too (default: reading is open).")
@click.option("--secure-cookies", is_flag=True, help="Mark the session cookie Secure (when a proxy serves it over HTTPS).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, private: bool, secure_cookies: bool) -> None:
    """Serve the archive to a team: record pages, a JSON API, sign-in and editing in the browser.

    Pages are rendered when asked for, from each record's saved state, so the
    first page comes at once whatever the log's size; open pages reload by
    themselves after each new revision (server-sent events). Writing needs an
    account (archive users add NAME --role editor): a bearer token for the API
    (POST /api/records/RECORD/revisions), a password for the browser. The API
    is described at /api/openapi.json. Ctrl-C stops.
    """
    try:
        import uvicorn  # noqa: PLC0415

        from archive.web.app import ServerOptions, make_app  # noqa: PLC0415
        from archive.web.guard import is_loopback  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(f"archive serve needs the server's libraries ({exc.name} is missing).", hint=f"Install them: {_EXTRA}") from exc

    found = common.open_archive(ctx)
    loopback = is_loopback(host)
    sock = _listen(host, port)
    app: Any = make_app(found, ServerOptions(private=private, loopback=loopback, secure_cookies=secure_cookies), warn=common.warn)
    live = app.app.state.live

    class _Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            live.close()  # end the event streams, so that stopping does not wait for open pages
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=3,
        h11_max_incomplete_event_size=16 * 1024,
        limit_concurrency=1000,
        backlog=2048,
        server_header=False,
        date_header=True,
    )
    server = _Server(config)
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in str(bound[0]) else str(bound[0])
    url = f"http://{shown}:{bound[1]}/"
    click.echo(f"Serving {found.root} at {url} (Ctrl-C stops).")
    if not loopback:
        common.warn(f"{host} is not loopback: anyone who can reach {url} can read this archive (use --private to ask everyone to sign in).")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    click.echo("Stopped.")
