"""The archived copy of a captured page in a real browser: linked from the sources page, and its script inert."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

from tests.archive.test_web_browser import _archive, _copy, browser, page  # noqa: F401 - the browser fixtures

CAPTURED = b"""<!doctype html><html><head><title>Captured</title>
<script>document.title = "pwned"; alert("the captured script ran");</script></head>
<body><p>Derna was besieged.</p><img src=x onerror="document.title='pwned'"></body></html>"""


class _Page(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(CAPTURED)))
        self.end_headers()
        self.wfile.write(CAPTURED)


def test_the_archived_copy_is_linked_and_its_script_stays_inert(page: Any, tmp_path: Path, serving: Callable[..., Any]) -> None:  # noqa: F811
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/report"
        root = _copy(tmp_path / "derna")
        _archive("-C", root, "append", "siege-of-derna", "--section", "Timeline", "--text", "Derna was besieged.", "--source", url)
        _archive("-C", root, "capture", url, "--allow-private")
    finally:
        server.shutdown()
        server.server_close()
    warc = next(line for line in (root / "events.jsonl").read_bytes().splitlines() if b"source.captured" in line)
    sha = orjson.loads(warc)["warc"]
    with serving(root) as base:
        page.goto(base + "siege-of-derna/sources.html")
        link = page.locator("a.archived")
        assert link.count() == 1
        assert link.get_attribute("href") == f"../_captures/{sha}.txt"
        response = page.request.get(base + f"_captures/{sha}.txt")
        assert response.headers["content-type"].startswith("text/plain")
        assert "sandbox" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        link.click()
        page.wait_for_url(f"**/_captures/{sha}.txt")
        page.wait_for_load_state("load")
        assert "Derna was besieged." in page.inner_text("body")
        assert page.title() != "pwned"
        assert page.evaluate("document.querySelectorAll('script, img').length") == 0
        assert page.dialogs == []
