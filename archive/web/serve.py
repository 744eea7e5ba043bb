"""A read-only web server for the views folder that tells open pages to reload when the views are rebuilt."""

from __future__ import annotations

import ipaddress
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["EVENTS_PATH", "SCRIPT_PATH", "LiveReload", "ViewServer", "is_loopback", "resolve_request"]

EVENTS_PATH = "/_live/events"
"""The server-sent events stream: one ``rebuild`` event with the generation on connect, then one per rebuild."""
SCRIPT_PATH = "/_live/reload.js"
"""The only script a page gets, added by this server (built files hold none)."""

_KEEPALIVE_SECONDS = 15.0
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_COPY_POLICY = "sandbox; default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
"""For the readers' copies of captured pages (``/_captures/``): whatever they hold, nothing in them runs."""
_SCRIPT = b"""(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me ? me.getAttribute("data-generation") : null;
  if (!window.EventSource) { return; }
  var events = new EventSource("/_live/events");
  events.addEventListener("rebuild", function (event) {
    if (event.data !== shown) { events.close(); window.location.reload(); }
  });
})();
"""


class LiveReload:
    """Counts rebuilds of the views and wakes every open page's event stream when one lands."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._generation = 0
        self._closed = False

    @property
    def generation(self) -> int:
        """How many rebuilds have landed since the server started."""
        with self._changed:
            return self._generation

    @property
    def closed(self) -> bool:
        """True once the server is stopping."""
        with self._changed:
            return self._closed

    def bump(self) -> int:
        """Record a rebuild and wake the waiting streams; return the new generation."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()
            return self._generation

    def wait(self, seen: int | None, timeout: float) -> int:
        """Block until the generation differs from ``seen``, the server stops, or ``timeout`` seconds pass."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._generation != seen, timeout=timeout)
            return self._generation

    def close(self) -> None:
        """Release every waiting stream: the server is stopping."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_request(root: Path, target: str) -> tuple[HTTPStatus, Path | None]:
    """The file under ``root`` a request target names, or why not.

    Returns ``(OK, file)``, ``(MOVED_PERMANENTLY, None)`` for a folder named without its final
    ``/``, ``(FORBIDDEN, None)`` for anything that would leave ``root`` (``..`` in any encoding,
    back slashes, NUL, a link pointing outside), ``(NOT_FOUND, None)`` otherwise.
    """
    path = urlsplit(target).path
    if not path.startswith("/"):
        return HTTPStatus.BAD_REQUEST, None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST, None
    if "\x00" in decoded or "\\" in decoded:
        return HTTPStatus.FORBIDDEN, None
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return HTTPStatus.FORBIDDEN, None
    if any(part.startswith(".") for part in parts):
        return HTTPStatus.NOT_FOUND, None  # temporary files of atomic writes, and other hidden files
    base = root.resolve()
    candidate = base.joinpath(*parts)
    try:
        found = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        return HTTPStatus.NOT_FOUND, None
    if not found.is_relative_to(base):
        return HTTPStatus.FORBIDDEN, None
    if found.is_dir():
        if not decoded.endswith("/"):
            return HTTPStatus.MOVED_PERMANENTLY, None
        found = found / "index.html"
        if not found.is_file():
            return HTTPStatus.NOT_FOUND, None
    if not found.is_file():
        return HTTPStatus.NOT_FOUND, None
    return HTTPStatus.OK, found


class ViewServer(ThreadingHTTPServer):
    """Serves the files under ``root`` read-only, plus the live-reload script and event stream."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], root: Path, live: LiveReload) -> None:
        self.root = root
        self.live = live
        self.loopback_only = is_loopback(address[0])
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def server_close(self) -> None:
        """Stop the event streams, then the socket."""
        self.live.close()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    server: ViewServer

    def version_string(self) -> str:
        """The Server header: the program's name, no Python version."""
        return "fact-archive"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a reader's page loads are not news."""

    def _host_allowed(self) -> bool:
        """On loopback, only requests addressed to loopback (a page elsewhere cannot rebind a name to us)."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip()
        if host.startswith("["):
            name = host[1 : host.find("]")] if "]" in host else host
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return not host or is_loopback(name)

    def _security_headers(self, policy: str = _POLICY) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", policy)
        self.send_header("Cache-Control", "no-cache")

    def _plain(self, status: HTTPStatus, text: str, *, body: bool = True, extra: dict[str, str] | None = None) -> None:
        data = f"{status.value} {status.phrase}: {text}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self._security_headers()
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        """Serve a file of the views, the reload script, or the event stream."""
        self._serve(body=True)

    def do_HEAD(self) -> None:
        """Like GET, headers only."""
        self._serve(body=False)

    def _refuse_method(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "the views are read-only", extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _serve(self, *, body: bool) -> None:
        if not self._host_allowed():
            self._plain(HTTPStatus.MISDIRECTED_REQUEST, "this server answers to localhost only", body=body)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_PATH and body:
            self._stream()
            return
        if path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, _SCRIPT, "text/javascript; charset=utf-8", body=body)
            return
        status, found = resolve_request(self.server.root, self.path)
        if status is HTTPStatus.MOVED_PERMANENTLY:
            self._plain(status, "see the folder with a final /", body=body, extra={"Location": path + "/"})
            return
        if found is None:
            reason = "that path is outside the views" if status is HTTPStatus.FORBIDDEN else "no such view"
            self._plain(status, reason, body=body)
            return
        try:
            data = found.read_bytes()
        except OSError:
            self._plain(HTTPStatus.NOT_FOUND, "no such view", body=body)
            return
        kind = _TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        if path.startswith("/_captures/"):
            if found.suffix != ".txt":
                kind = "application/octet-stream"
            self._send(HTTPStatus.OK, data, kind, body=body, policy=_COPY_POLICY)
            return
        if found.suffix == ".html":
            data = self._with_script(data)
        self._send(HTTPStatus.OK, data, kind, body=body)

    def _with_script(self, page: bytes) -> bytes:
        """The page with the live-reload script, which knows the rebuild the page shows."""
        tag = f'<script src="{SCRIPT_PATH}" defer data-generation="{self.server.live.generation}"></script>\n'.encode()
        at = page.rfind(b"</body>")
        return page + tag if at < 0 else page[:at] + tag + page[at:]

    def _send(self, status: HTTPStatus, data: bytes, kind: str, *, body: bool, policy: str = _POLICY) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if kind == "application/octet-stream":
            self.send_header("Content-Disposition", "attachment")
        self._security_headers(policy)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _stream(self) -> None:
        """Server-sent events: the current generation at once, then each new one; a comment now and then."""
        live = self.server.live
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        seen: int | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not live.closed:
                generation = live.wait(seen, _KEEPALIVE_SECONDS)
                if live.closed:
                    break
                if generation != seen:
                    self.wfile.write(f"event: rebuild\ndata: {generation}\n\n".encode())
                    seen = generation
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return
