"""`archive serve`: loopback by default, nothing outside the pages, and a live-reload event stream."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive.web.guard import is_loopback
from archive.web.live import EVENTS_PATH, SCRIPT_PATH

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


def _get(
    url: str, target: str, *, method: str = "GET", host: str | None = None, etag: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` exactly as written (no normalisation) and return status, headers and body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        if etag is not None:
            conn.putheader("If-None-Match", etag)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def client(derna: Path) -> Iterator[Any]:
    """The server's application in this process (Starlette's test client)."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from archive.store.folder import find_archive  # noqa: PLC0415
    from archive.web.app import make_app  # noqa: PLC0415

    with TestClient(make_app(find_archive(derna)), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_outside_the_pages_are_refused(client: Any, target: str) -> None:
    answer = client.get(target)
    allowed = {HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND, HTTPStatus.BAD_REQUEST}
    if target == "/./index.html":
        allowed.add(HTTPStatus.OK)  # the test client drops the dot segment: it asks for /index.html, the list of records
    assert answer.status_code in allowed
    assert b'"seq":' not in answer.content


def test_a_link_in_the_views_folder_is_not_served(derna: Path, client: Any) -> None:
    (derna / "views" / "log.txt").symlink_to(derna / "events.jsonl")
    assert client.get("/log.txt").status_code == 404
    assert client.get("/views/log.txt").status_code == 404
    assert client.get("/private/users.json").status_code == 404


def test_what_the_archive_holds_is_found(client: Any) -> None:
    assert client.get("/").status_code == 200
    assert "Siege of Derna" in client.get("/siege-of-derna/timeline.html?x=1#y").text
    moved = client.get("/siege-of-derna", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/siege-of-derna/")
    assert client.get("/siege%2Dof-derna/").status_code == 200
    assert client.get("/.index.html.123.tmp").status_code == 404
    assert client.get("/siege-of-derna/no-such-page.html").status_code == 404
    assert client.get("/no-such-record/").status_code == 404


def test_loopback_names() -> None:
    from archive.web.guard import host_name  # noqa: PLC0415

    assert [host_name(h) for h in ("[::1]:80", "localhost:1", "127.0.0.1", "::1")] == ["::1", "localhost", "127.0.0.1", "::1"]
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org", "::"))


def test_the_server_serves_pages_on_loopback(derna: Path, serving: Callable[..., Any]) -> None:
    log = (derna / "events.jsonl").read_bytes()
    with serving(derna) as url:
        assert urlsplit(url).hostname == "127.0.0.1"
        status, headers, body = _get(url, "/siege-of-derna/")
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert f'<script src="{SCRIPT_PATH}" defer data-generation="2"></script>'.encode() in body  # the revision shown
        assert b"<script" not in (derna / "views" / "siege-of-derna" / "index.html").read_bytes()
        etag = headers["etag"]
        conn_status = _get(url, "/siege-of-derna/", etag=etag)[0]
        assert conn_status == 304
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
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = str(busy.getsockname()[1])
        done = subprocess.run(
            [sys.executable, "-m", "archive", "-C", derna, "serve", "--port", port],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        busy.close()
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: Cannot listen on 127.0.0.1:{port}")
    assert "--port 0" in done.stderr


def _events(conn: http.client.HTTPConnection) -> Iterator[str]:
    """The ``data:`` of each event on an open event stream."""
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/event-stream")
    kind = None
    while True:
        line = response.fp.readline().decode()
        if not line:
            return
        if line.startswith("event: "):
            kind = line.removeprefix("event: ").strip()
        elif line.startswith("data: ") and kind == "rebuild":
            yield line.removeprefix("data: ").strip()


def test_the_event_stream_reports_each_new_revision(derna: Path, serving: Callable[..., Any]) -> None:
    with serving(derna) as url:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            conn.request("GET", EVENTS_PATH)
            stream = _events(conn)
            assert next(stream) == "2"  # the revision the archive is at, at once
            for rev in ("3", "4"):
                done = subprocess.run(
                    [sys.executable, "-m", "archive", "-C", derna, "append", "siege-of-derna", "--section", "Timeline",
                     "--text", f"Sentence {rev} arrived.", "--source", "https://example.org/"],
                    env=_env(), capture_output=True, text=True, timeout=60, check=False,
                )  # fmt: skip
                assert done.returncode == 0, done.stderr
                assert next(stream) == rev
        finally:
            conn.close()


def test_a_client_that_goes_away_leaves_no_traceback(derna: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive", "-C", str(derna), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        parts = urlsplit(line[line.index("http://") :].split()[0])
        for target in (EVENTS_PATH, "/siege-of-derna/blame.html"):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset, not a goodbye
            sock.close()
        assert _get(f"http://{parts.hostname}:{parts.port}/", "/")[0] == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, err
