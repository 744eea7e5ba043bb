"""Captures of cited pages, through the real command line, against a test server on 127.0.0.1 that serves
pages which change, redirect, vanish, time out, grow past the limit and answer with errors."""

from __future__ import annotations

import gzip
import hashlib
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import SEED, Result, Run

pytest.importorskip("warcio", reason="the capture extra is not installed (pip install -e '.[test]')")

PAGE = """<!doctype html><html><head><title>Derna report</title>
<script>document.title = "pwned"; alert("captured script ran");</script></head>
<body><h1>Report</h1><p>Fighting in <a href="/x">Derna</a>, on 7 May 2018, began at dawn.</p>
<p>Witnesses said \u201cthe city is surrounded\u201d.</p></body></html>"""


class _Site:
    """What the test server answers, changeable by the test."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.slow = threading.Event()
        self.stopped = threading.Event()

    def html(self, path: str, text: str, status: int = 200) -> None:
        self.pages[path] = (status, "text/html; charset=utf-8", text.encode())


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        site: _Site = self.server.site
        path = self.path
        if path == "/redirect":
            self._redirect("/home")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/slow":
            site.stopped.wait(3)  # longer than the --timeout the test gives; bounded
            self._answer(200, "text/plain", b"late")
        elif path == "/big":
            self._answer(200, "text/plain", b"x" * 300_000)
        elif path == "/big-stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"y" * 10_000)
            self.close_connection = True
        elif path in site.pages:
            self._answer(*site.pages[path])
        else:
            self._answer(404, "text/html", b"<html><body>Not found</body></html>")

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[tuple[_Site, str]]:
    """A web server on 127.0.0.1 (a free port) and its base URL."""
    state = _Site()
    state.html("/page", PAGE)
    state.html("/home", PAGE.replace("Report", "Home"))
    state.html("/error", "<p>broken</p>", status=500)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.site = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        state.stopped.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def derna(tmp_path: Path, ok: Run, site: tuple[_Site, str]) -> Path:
    """An archive whose article cites the test server's /redirect (every fact) and /page (one quoted sentence)."""
    root = tmp_path / "derna"
    ok("init", root)
    base = site[1]
    ok("-C", root, "import", SEED, "--source", f"{base}/redirect")
    source = orjson.dumps({"url": f"{base}/page", "quote": "Witnesses said \"the city is surrounded\"."}).decode()
    ok("-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", "Witnesses said the city was surrounded.", "--source", source)
    return root


def _events(root: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in (root / "events.jsonl").read_bytes().splitlines()]


def _captures(root: Path) -> list[dict[str, Any]]:
    return [e for e in _events(root) if e["type"] == "source.captured"]


def _sources(ok: Run, root: Path) -> list[dict[str, Any]]:
    return orjson.loads(ok("-C", root, "sources", "siege-of-derna", "--format", "json").out)  # type: ignore[no-any-return]


def _refused_unchanged(archive: Run, root: Path, *args: str, fragment: str) -> Result:
    before = (root / "events.jsonl").read_bytes()
    result = archive("-C", root, *args)
    assert result.code == 1, result.err
    assert fragment in result.err, result.err
    assert "Traceback" not in result.err
    assert (root / "events.jsonl").read_bytes() == before
    return result


def test_a_capture_keeps_a_warc_named_by_its_hash_and_records_an_event(derna: Path, ok: Run, site: tuple[_Site, str]) -> None:
    from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415

    base = site[1]
    out = ok("-C", derna, "capture", f"{base}/redirect", "--allow-private").text
    assert "HTTP 200" in out and "for siege-of-derna" in out
    [event] = _captures(derna)
    assert event["version"] == 1
    assert event["url"] == f"{base}/redirect"
    assert event["final_url"] == f"{base}/home"
    assert event["status"] == 200
    assert event["content_type"] == "text/html; charset=utf-8"
    home = PAGE.replace("Report", "Home").encode()
    assert event["size"] == len(home)
    assert event["sha256"] == hashlib.sha256(home).hexdigest()
    assert event["address"] == "127.0.0.1"
    assert event["tool"].startswith("fact-archive ")
    assert event["by"] == "tester"
    stored = derna / "captures" / "sha256" / event["warc"][:2] / f"{event['warc']}.warc.gz"
    data = stored.read_bytes()
    assert hashlib.sha256(data).hexdigest() == event["warc"]
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(data))]
    assert [(kind, uri) for kind, uri, _ in records] == [
        ("warcinfo", None),
        ("response", f"{base}/redirect"),
        ("request", f"{base}/redirect"),
        ("response", f"{base}/home"),
        ("request", f"{base}/home"),
    ]  # warcio writes each response before its request, as web archives do
    assert records[3][2] == home
    assert not (derna / ".archive" / "captures").exists()

    # a second capture of the same URL is kept beside the first
    ok("-C", derna, "capture", f"{base}/redirect", "--allow-private")
    [row] = [r for r in _sources(ok, derna) if r["url"] == f"{base}/redirect"]
    assert len(row["captures"]) == 2 and row["drift"] == "unchanged"
    assert "s1" in row["facts"]
    shown = ok("-C", derna, "show", "siege-of-derna", "--view", "sources").text
    assert "copies: 2, unchanged since first kept" in shown


def test_the_policy_refuses_and_records_nothing(derna: Path, archive: Run, site: tuple[_Site, str]) -> None:
    base = site[1]
    _refused_unchanged(archive, derna, "capture", f"{base}/page", fragment="private or loopback address (pass --allow-private")
    _refused_unchanged(archive, derna, "capture", "ftp://example.org/x", "--record", "siege-of-derna", fragment="only http and https")
    _refused_unchanged(archive, derna, "capture", f"{base}/loop", "--allow-private", "--record", "siege-of-derna", fragment="more than 5 redirects")
    _refused_unchanged(
        archive, derna, "capture", f"{base}/to-file", "--allow-private", "--record", "siege-of-derna", fragment="only http and https"
    )
    _refused_unchanged(
        archive, derna, "capture", f"{base}/big", "--allow-private", "--max-size", "100000", "--record", "siege-of-derna",
        fragment="more than the limit of 100000",
    )  # fmt: skip
    _refused_unchanged(
        archive, derna, "capture", f"{base}/big-stream", "--allow-private", "--max-size", "100000", "--record", "siege-of-derna",
        fragment="larger than the limit of 100000",
    )  # fmt: skip
    _refused_unchanged(archive, derna, "capture", "https://example.org/uncited", fragment="is cited by no record")
    assert not list((derna / "captures").glob("sha256/*/*")) if (derna / "captures").exists() else True


def test_an_error_or_no_answer_is_kept_as_gone(derna: Path, ok: Run, site: tuple[_Site, str]) -> None:
    base = site[1]
    out = ok(
        "-C", derna, "capture", f"{base}/error", f"{base}/slow", "--allow-private", "--timeout", "0.5", "--record", "siege-of-derna"
    ).text
    assert "HTTP 500" in out
    assert "gone (no answer from" in out and "timed out" in out
    error, slow = _captures(derna)
    assert error["status"] == 500
    assert slow["status"] is None if "status" in slow else True
    assert "timed out" in slow["error"]
    assert (derna / "captures" / "sha256" / slow["warc"][:2] / f"{slow['warc']}.warc.gz").is_file()
    ok("-C", derna, "verify")


def test_drift_is_reported_and_flagged_when_recorded(derna: Path, ok: Run, archive: Run, site: tuple[_Site, str]) -> None:
    state, base = site
    ok("-C", derna, "capture", "--all", "--allow-private")
    assert {e["url"] for e in _captures(derna)} == {f"{base}/redirect", f"{base}/page"}
    assert ok("-C", derna, "capture", "--all", "--allow-private").text.startswith("Nothing to capture")

    report = ok("-C", derna, "sources", "check", "--allow-private").text
    assert report.count("unchanged") == 2

    # markup alone changes: not a change of the text
    state.html("/page", PAGE.replace("<h1>", "<h1 class='big'>"))
    assert ok("-C", derna, "sources", "check", "--allow-private").text.count("unchanged") == 2

    state.html("/page", PAGE.replace("began at dawn", "began at noon"))
    before = (derna / "events.jsonl").read_bytes()
    report = ok("-C", derna, "sources", "check", "--allow-private").text
    assert f"changed   {base}/page" in report
    assert "rests on it: siege-of-derna s12" in report
    assert (derna / "events.jsonl").read_bytes() == before  # without --record nothing is recorded

    ok("-C", derna, "sources", "check", "--allow-private", "--record")
    [page_row] = [r for r in _sources(ok, derna) if r["url"] == f"{base}/page"]
    assert page_row["drift"] == "changed"
    assert page_row["facts"] == ["s12"]
    ok("-C", derna, "build")
    article = (derna / "views" / "siege-of-derna" / "index.html").read_text()
    assert article.count("source changed since cited") == 1
    assert 'id="f-s12"' in article.split("source changed since cited")[0].rsplit("<span class=\"fact\"", 1)[1]

    # the page vanishes
    state.pages.clear()
    checked = orjson.loads(ok("-C", derna, "sources", "check", "--allow-private", "--format", "json").out)
    by_url = {item["url"]: item for item in checked["sources"]}
    assert by_url[f"{base}/page"]["status"] == "gone"
    assert by_url[f"{base}/page"]["detail"] == "HTTP 404"
    assert by_url[f"{base}/redirect"]["status"] == "gone"
    assert "s1" in by_url[f"{base}/redirect"]["facts"]["siege-of-derna"]
    del archive


def test_quotes_are_checked_against_the_archived_copy(derna: Path, ok: Run, archive: Run, site: tuple[_Site, str]) -> None:
    base = site[1]
    missing = archive("-C", derna, "sources", "--check-quotes")
    assert missing.code == 1
    assert "no archived copy" in missing.text
    ok("-C", derna, "capture", f"{base}/page", "--allow-private")
    assert "Every quote is in the archived copy" in ok("-C", derna, "sources", "--check-quotes").text

    wrong = orjson.dumps({"url": f"{base}/page", "quote": "the city was never surrounded"}).decode()
    added = ok("-C", derna, "append", "siege-of-derna", "--section", "Timeline", "--text", "A claim.", "--source", wrong)
    assert "Warning: the quote 'the city was never surrounded'" in added.err
    assert "not found in its archived copy" in added.err
    listed = archive("-C", derna, "sources", "--check-quotes", "--format", "json")
    assert listed.code == 1
    [miss] = orjson.loads(listed.out)
    assert miss["quote"] == "the city was never surrounded" and miss["facts"] == ["s13"]

    # --capture keeps the copy in the same revision as the fact, and checks its quote
    right = orjson.dumps({"url": f"{base}/page", "quote": "Fighting in Derna, on 7 May 2018, began at dawn."}).decode()
    added = ok("-C", derna, "append", "siege-of-derna", "--section", "Timeline", "--text", "Fighting began.", "--source", right, "--capture", "--allow-private")
    assert "2 events" in added.text and "Warning" not in added.err
    last = _events(derna)[-2:]
    assert [e["type"] for e in last] == ["sentence.added", "source.captured"] and last[0]["rev"] == last[1]["rev"]


def test_verify_names_an_altered_or_missing_capture(derna: Path, ok: Run, archive: Run, site: tuple[_Site, str]) -> None:
    ok("-C", derna, "capture", f"{site[1]}/page", "--allow-private")
    assert "1 archived copy of sources checked against their hashes" in ok("-C", derna, "verify").text
    [event] = _captures(derna)
    name = f"captures/sha256/{event['warc'][:2]}/{event['warc']}.warc.gz"
    stored = derna / name
    good = stored.read_bytes()
    flipped = bytearray(good)
    flipped[len(flipped) // 2] ^= 0x01
    stored.write_bytes(bytes(flipped))
    result = archive("-C", derna, "verify")
    assert result.code == 4
    assert f"the archived copy {name} has been altered" in result.err
    assert "recorded for 'siege-of-derna' r3" in result.err
    report = orjson.loads(archive("-C", derna, "verify", "--format", "json").out)
    assert report["ok"] is False and report["captures"]["problems"][0]["file"] == name
    stored.unlink()
    result = archive("-C", derna, "verify")
    assert result.code == 4 and f"the archived copy {name} is missing" in result.err
    stored.write_bytes(good)
    ok("-C", derna, "verify")


def test_a_local_document_is_stored_with_its_custody(derna: Path, ok: Run, tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator  # noqa: PLC0415

    report = tmp_path / "report.txt"
    report.write_bytes(b"Casualty report: 20 civilians killed.\n")
    ok("-C", derna, "append", "siege-of-derna", "--section", "Timeline", "--text", "Twenty died.", "--source-file", report)
    [event] = _captures(derna)
    assert event["file"] == str(report)
    assert event["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    assert event["content_type"] == "text/plain"
    assert str(report.resolve()) in event["address"]
    [row] = [r for r in _sources(ok, derna) if r.get("sha256")]
    assert row["title"] == "report.txt" and row["sha256"] == event["sha256"] and row["facts"] == ["s13"]
    data = (derna / "captures" / "sha256" / event["warc"][:2] / f"{event['warc']}.warc.gz").read_bytes()
    [payload] = [r.content_stream().read() for r in ArchiveIterator(io.BytesIO(data)) if r.rec_type == "resource"]
    assert payload == report.read_bytes()
    assert gzip.decompress(data)  # a gzipped WARC file
    ok("-C", derna, "verify")


def test_the_readers_copy_is_text(derna: Path, ok: Run, site: tuple[_Site, str]) -> None:
    ok("-C", derna, "capture", f"{site[1]}/page", "--allow-private")
    ok("-C", derna, "build")
    [event] = _captures(derna)
    copy = (derna / "views" / "_captures" / f"{event['warc']}.txt").read_text()
    assert 'Witnesses said "the city is surrounded".' in copy
    assert "<script" not in copy and "pwned" not in copy
    sources = (derna / "views" / "siege-of-derna" / "sources.html").read_text()
    assert f'href="../_captures/{event["warc"]}.txt"' in sources
    assert "archived copy" in sources


def test_sources_check_names_no_source_when_none_is_captured(derna: Path, ok: Run) -> None:
    assert "No captured source to check" in ok("-C", derna, "sources", "check").text
