"""`archive serve`: read-only, loopback by default, nothing outside the views, and a live-reload event stream."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.web.serve import EVENTS_PATH, SCRIPT_PATH, LiveReload, ViewServer, is_loopback, resolve_request

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "siege-of-derna"
TRAVERSALS = (
    "/../events.jsonl",
    "/siege-of-derna/../../events.jsonl",
    "/%2e%2e/events.jsonl",
    "/%2E%2E/events.jsonl",
    "/..%2fevents.jsonl",
    "/%2e%2e%2fevents.jsonl",
    "/siege-of-derna/%2e%2e%2f%2e%2e%2fevents.jsonl",
    "/..%5cevents.jsonl",
    "/siege-of-derna/..\\..\\events.jsonl",
    "/.%2e/events.jsonl",
    "/%2e./events.jsonl",
    "/index.html%00.txt",
    "/./index.html",
)


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "ARCHIVE_DIR"}, "ARCHIVE_USER": "tester"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled archive with its views built, once for the module."""
    root = tmp_path_factory.mktemp("built") / "derna"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("views", ".archive"))
    done = subprocess.run([sys.executable, "-m", "archive", "-C", root, "build"], env=_env(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def derna(tmp_path: Path, built: Path) -> Path:
    """A fresh copy of the built archive, safe to change."""
    return Path(shutil.copytree(built, tmp_path / "derna", symlinks=True))


def _get(url: str, target: str, *, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` exactly as written (no normalisation) and return status, headers and body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_outside_the_views_are_refused(built: Path, target: str) -> None:
    status, found = resolve_request(built / "views", target)
    assert found is None
    assert status in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST)


def test_a_link_out_of_the_views_is_refused(derna: Path) -> None:
    (derna / "views" / "log.txt").symlink_to(derna / "events.jsonl")
    assert resolve_request(derna / "views", "/log.txt") == (HTTPStatus.FORBIDDEN, None)


def test_what_the_views_hold_is_found(derna: Path) -> None:
    views = derna / "views"
    assert resolve_request(views, "/") == (HTTPStatus.OK, (views / "index.html").resolve())
    assert (
        resolve_request(views, "/siege-of-derna/timeline.html?x=1#y")[1] == (views / "siege-of-derna" / "timeline.html").resolve()
    )
    assert resolve_request(views, "/siege-of-derna") == (HTTPStatus.MOVED_PERMANENTLY, None)
    assert resolve_request(views, "/siege%2Dof-derna/") == (HTTPStatus.OK, (views / "siege-of-derna" / "index.html").resolve())
    (views / ".index.html.123.tmp").write_text("half", "utf-8")
    assert resolve_request(views, "/.index.html.123.tmp") == (HTTPStatus.NOT_FOUND, None)


def test_loopback_names() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org", "::"))


def test_the_server_serves_views_read_only_on_loopback(derna: Path, serving: Callable[..., Any]) -> None:
    log = (derna / "events.jsonl").read_bytes()
    with serving(derna) as url:
        assert urlsplit(url).hostname == "127.0.0.1"
        status, headers, body = _get(url, "/siege-of-derna/")
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert f'<script src="{SCRIPT_PATH}" defer data-generation="0"></script>'.encode() in body
        assert b"<script" not in (derna / "views" / "siege-of-derna" / "index.html").read_bytes()
        assert _get(url, "/siege-of-derna")[0] == 301
        assert _get(url, "/siege-of-derna/infobox.json")[0] == 200
        for target in (*TRAVERSALS, "http://127.0.0.1/../events.jsonl", "//events.jsonl"):
            status, _, body = _get(url, target)
            assert status in (400, 403, 404), target
            assert b'"seq":' not in body, target
        assert _get(url, "/", method="POST")[0] == 405
        assert _get(url, "/", method="DELETE")[0] == 405
        assert _get(url, "/", host="attacker.example:80")[0] == 421
        assert _get(url, "/", host="localhost:1")[0] == 200
    assert (derna / "events.jsonl").read_bytes() == log


def test_a_busy_port_is_refused_with_a_hint(derna: Path) -> None:
    live = LiveReload()
    server = ViewServer(("127.0.0.1", 0), derna / "views", live)
    try:
        port = str(server.server_address[1])
        done = subprocess.run(
            [sys.executable, "-m", "archive", "-C", derna, "serve", "--port", port],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.server_close()
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: Cannot listen on 127.0.0.1:{port}")
    assert "--port 0" in done.stderr


def _events(conn: http.client.HTTPConnection) -> Iterator[str]:
    """The ``data:`` of each event on an open event stream."""
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    kind = None
    while True:
        line = response.fp.readline().decode()
        if not line:
            return
        if line.startswith("event: "):
            kind = line.removeprefix("event: ").strip()
        elif line.startswith("data: ") and kind == "rebuild":
            yield line.removeprefix("data: ").strip()


def test_the_event_stream_reports_each_rebuild(derna: Path) -> None:
    live = LiveReload()
    server = ViewServer(("127.0.0.1", 0), derna / "views", live)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.request("GET", EVENTS_PATH)
        stream = _events(conn)
        assert next(stream) == "0"  # the current generation, at once
        live.bump()  # what the watch loop's on_rebuild does
        assert next(stream) == "1"
        live.bump()
        assert next(stream) == "2"
    finally:
        conn.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
