"""The server's JSON API, accounts and editing forms: in this process (Starlette's test client) and against a real
`archive serve`."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed (pip install -e '.[server]')")

from fastapi.testclient import TestClient

from archive.store.folder import find_archive
from archive.web.accounts import Accounts
from archive.web.app import ServerOptions, make_app

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "siege-of-derna"
WRITE = "/api/records/siege-of-derna/revisions"
SENTENCE = {"section": "Timeline", "text": "On 1 May 2019, the court met.", "sources": ["https://example.org/court"]}


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR", "ARCHIVE_USER")}, "ARCHIVE_USER": "tester"}


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The bundled archive with three accounts (the slow hashes made once for the module)."""
    root = Path(shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("api") / "derna", ignore=shutil.ignore_patterns("views", ".archive")))
    accounts = Accounts(root)
    tokens = {
        "alice": accounts.add("alice", "editor", "alice-password"),
        "rita": accounts.add("rita", "reader", "rita-password"),
        "adam": accounts.add("adam", "admin"),
    }
    return root, tokens


@pytest.fixture
def derna(tmp_path: Path, _template: tuple[Path, dict[str, str]]) -> Path:
    return Path(shutil.copytree(_template[0], tmp_path / "derna"))


@pytest.fixture
def tokens(_template: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return _template[1]


def _client(root: Path, **options: Any) -> TestClient:
    return TestClient(make_app(find_archive(root), ServerOptions(**options)), base_url="http://127.0.0.1")


@pytest.fixture
def client(derna: Path) -> Iterator[TestClient]:
    with _client(derna) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _log(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "events.jsonl").read_bytes().splitlines()]


# ------------------------------------------------------------------ reading


def test_reads_answer_in_the_command_lines_json(client: TestClient, derna: Path, ok: Callable[..., Any]) -> None:
    assert client.get("/api/records").text == ok("-C", derna, "records", "--format", "json").text
    assert client.get("/api/log").text == ok("-C", derna, "log", "--format", "json").text
    for view in ("article", "infobox", "timeline", "sources"):
        shown = ok("-C", derna, "show", "siege-of-derna", "--view", view, "--format", "json", "--at", "1").text
        assert client.get(f"/api/records/siege-of-derna?view={view}&at=1").text == shown
    assert client.get("/api/records/siege-of-derna/diff?from=1&to=2").text == ok("-C", derna, "diff", "siege-of-derna", "1", "2", "--format", "json").text
    assert client.get("/api/records/siege-of-derna/blame").text == ok("-C", derna, "blame", "siege-of-derna", "--format", "json").text
    assert client.get("/api/records/siege-of-derna/facts/i10/history").text == ok("-C", derna, "history", "siege-of-derna", "i10", "--format", "json").text
    answer = client.get("/api/records/siege-of-derna?view=timeline")
    again = client.get("/api/records/siege-of-derna?view=timeline", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/api/records/nowhere").status_code == 404
    assert client.get("/api/records/siege-of-derna?at=99").json()["error"].startswith("Revision 99 does not exist yet")
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/records", "/api/records/{record}", "/api/log", "/api/records/{record}/revisions"} <= set(paths)


def test_a_private_server_asks_readers_to_sign_in(derna: Path, tokens: dict[str, str]) -> None:
    with _client(derna, private=True) as client:
        assert client.get("/api/records").status_code == 401
        assert client.get("/siege-of-derna/", follow_redirects=False).headers["location"] == "/login?next=/siege-of-derna/"
        assert client.get("/api/records", headers=_bearer(tokens["rita"])).status_code == 200


# ------------------------------------------------------------------ writing


def test_a_write_needs_an_editors_token(client: TestClient, derna: Path, tokens: dict[str, str]) -> None:
    before = (derna / "events.jsonl").read_bytes()
    assert client.post(WRITE, json=SENTENCE).status_code == 401
    assert client.post(WRITE, json=SENTENCE, headers=_bearer("fa_0000_nope")).status_code == 401
    refused = client.post(WRITE, json=SENTENCE, headers=_bearer(tokens["rita"]))
    assert refused.status_code == 403
    assert refused.json()["error"] == "The account 'rita' is a reader: it may read, not write."
    assert (derna / "events.jsonl").read_bytes() == before
    audit = (derna / "private" / "audit.jsonl").read_text("utf-8")
    assert '"what":"token refused"' in audit


def test_a_write_is_signed_by_its_account_whatever_by_says(client: TestClient, derna: Path, tokens: dict[str, str]) -> None:
    answer = client.post(WRITE, json={**SENTENCE, "by": "mallory", "summary": "The court"}, headers=_bearer(tokens["alice"]))
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert (made["rev"], made["by"], made["facts"], made["summary"]) == (3, "alice", ["s12"], "The court")
    assert answer.headers["location"] == "/api/records/siege-of-derna?at=3"
    last = _log(derna)[-1]
    assert (last["by"], last["rev"], last["fact"], last["when"]) == ("alice", 3, "s12", {"edtf": "2019-05-01", "qualifier": "on"})
    assert "the court met" in client.get("/siege-of-derna/").text
    admin = client.post(WRITE, json={"infobox": "Result=Held", "sources": [{"title": "A report", "url": "https://example.org/r"}]}, headers=_bearer(tokens["adam"]))
    assert admin.status_code == 201, admin.text
    assert _log(derna)[-1]["by"] == "adam"


def test_a_stale_expected_revision_is_409_with_the_head(client: TestClient, derna: Path, tokens: dict[str, str]) -> None:
    before = (derna / "events.jsonl").read_bytes()
    answer = client.post(WRITE, json={**SENTENCE, "expect_rev": 1}, headers=_bearer(tokens["alice"]))
    assert answer.status_code == 409
    assert answer.json()["head"] == 2
    assert "--expect-rev 1 no longer holds: the archive is at revision 2." in answer.json()["error"]
    assert (derna / "events.jsonl").read_bytes() == before
    assert client.post(WRITE, json={**SENTENCE, "expect_rev": 2}, headers=_bearer(tokens["alice"])).status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"section": "Timeline", "text": "A sentence."}, "sources", "No source given"),
        ({**SENTENCE, "when": "soonish"}, "when", "is not a date"),
        ({**SENTENCE, "retract": "s1"}, "retract", "Give one change per call (got text, retract)"),
        ({"revise": "s1", "sources": ["x"]}, "text", "revise FACT needs text"),
        ({"retract": "s999", "sources": ["x"]}, "retract", "s999"),
        ({**SENTENCE, "colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"events": [{"type": "sentence.added", "text": 5}], "sources": ["x"]}, "events", "events:1"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, derna: Path, tokens: dict[str, str], body: dict[str, Any], field: str, words: str) -> None:
    before = (derna / "events.jsonl").read_bytes()
    answer = client.post(WRITE, json=body, headers=_bearer(tokens["alice"]))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert words in answer.json()["error"]
    assert (derna / "events.jsonl").read_bytes() == before


def test_a_batch_is_one_revision(client: TestClient, derna: Path, tokens: dict[str, str]) -> None:
    events = [
        {"type": "sentence.added", "text": "One.", "after": "s11"},
        {"type": "infobox.revised", "fact": "i5", "value": "Held"},
    ]
    answer = client.post(WRITE, json={"events": events, "sources": ["https://example.org/b"]}, headers=_bearer(tokens["alice"]))
    assert answer.status_code == 201, answer.text
    assert answer.json()["events"] == 2
    assert {e["rev"] for e in _log(derna)[-2:]} == {3}


# ------------------------------------------------------------------ the browser's session and forms


def _sign_in(client: TestClient, name: str, password: str) -> Any:
    form = client.get("/login?next=/siege-of-derna/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    return client.post("/login", data={"csrf": csrf.group(1), "name": name, "password": password, "next": "/siege-of-derna/"}, follow_redirects=False)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no form on the page"
    return found.group(1)


def test_an_editor_edits_through_the_forms(client: TestClient, derna: Path) -> None:
    signed = _sign_in(client, "alice", "alice-password")
    assert (signed.status_code, signed.headers["location"]) == (303, "/siege-of-derna/")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/siege-of-derna/").text
    assert 'id="form-sentence"' in page and "form-action 'self'" in page
    csrf = _csrf(page)
    before = (derna / "events.jsonl").read_bytes()
    forged = client.post("/siege-of-derna/edit", data={"action": "sentence", "section": "Timeline", "text": "Forged.", "sources": "x"})
    assert forged.status_code == 403
    assert (derna / "events.jsonl").read_bytes() == before
    wrong = client.post("/siege-of-derna/edit", data={"csrf": csrf, "action": "sentence", "section": "Timeline", "text": "Dated.", "when": "soonish", "sources": "x"})
    assert wrong.status_code == 422
    assert re.search(r'<p class="error" role="alert" id="error-sentence">--when &#39;soonish&#39; is not a date', wrong.text)
    assert (derna / "events.jsonl").read_bytes() == before
    done = client.post(
        "/siege-of-derna/edit",
        data={"csrf": csrf, "action": "sentence", "section": "Timeline", "text": "On 2 May 2019, a form was sent.", "sources": "https://example.org/f\nA second source"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/siege-of-derna/#f-s12")
    last = _log(derna)[-1]
    assert (last["by"], last["text"], len(last["sources"])) == ("alice", "On 2 May 2019, a form was sent.", 2)
    for data in (
        {"action": "revise", "fact": "s12", "text": "On 2 May 2019, a form was sent twice."},
        {"action": "retract", "fact": "s12", "reason": "Duplicate"},
        {"action": "infobox", "key": "Result", "value": "Another value", "alternative": "1"},
    ):
        answer = client.post("/siege-of-derna/edit", data={"csrf": csrf, "sources": "https://example.org/g", **data}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
    assert [e["type"] for e in _log(derna)[-3:]] == ["sentence.revised", "fact.retracted", "infobox.added"]
    assert {e["by"] for e in _log(derna)[-4:]} == {"alice"}


def test_a_reader_sees_no_edit_forms(client: TestClient, derna: Path) -> None:
    assert _sign_in(client, "rita", "wrong-password").status_code == 401
    assert _sign_in(client, "rita", "rita-password").status_code == 303
    page = client.get("/siege-of-derna/").text
    assert "<form" not in page
    assert "Signed in as rita (reader)" in page
    assert client.post("/siege-of-derna/edit", data={"csrf": "x", "action": "sentence"}).status_code == 403
    audit = [json.loads(line) for line in (derna / "private" / "audit.jsonl").read_text("utf-8").splitlines()]
    assert [(a["what"], a["name"]) for a in audit] == [("sign-in failed", "rita"), ("sign-in", "rita")]
    assert stat.S_IMODE((derna / "private" / "audit.jsonl").stat().st_mode) == 0o600
    assert stat.S_IMODE((derna / "private" / "users.json").stat().st_mode) == 0o600
    assert "hash" not in json.dumps([a for a in audit])


def test_repeated_failures_are_slowed() -> None:
    from archive.web.accounts import Throttle  # noqa: PLC0415

    now = [0.0]
    throttle = Throttle(free=3, clock=lambda: now[0])
    delays = []
    for _ in range(6):
        delays.append(throttle.delay("name:rita", "127.0.0.1"))
        throttle.failed("name:rita", "127.0.0.1")
    assert delays == [0.0, 0.0, 0.0, 0.5, 1.0, 2.0]
    now[0] = 1000.0
    assert throttle.delay("name:rita") == 0.0  # the window has passed


# ------------------------------------------------------------------ the users command


def test_users_add_list_remove(empty: Path, ok: Callable[..., Any], archive: Callable[..., Any]) -> None:
    made = ok("-C", empty, "users", "add", "carol", "--role", "editor", "--password-stdin", stdin=b"a long password\n")
    token = made.text.splitlines()[-1]
    assert re.fullmatch(r"fa_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    stored = (empty / "private" / "users.json").read_text("utf-8")
    assert token.split("_", 2)[2] not in stored and "a long password" not in stored and "$argon2id$" in stored
    listed = json.loads(ok("-C", empty, "users", "list", "--format", "json").text)
    assert [(u["name"], u["role"], u["password"]) for u in listed] == [("carol", "editor", True)]
    again = archive("-C", empty, "users", "add", "carol", "--role", "reader")
    assert again.code == 1 and "There is already an account called 'carol'" in again.err
    ok("-C", empty, "users", "remove", "carol")
    assert json.loads(ok("-C", empty, "users", "list", "--format", "json").text) == []


def test_serve_without_the_server_extra_says_what_to_install(empty: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "uvicorn.py").write_text("raise ImportError('No module named uvicorn', name='uvicorn')\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "archive", "-C", empty, "serve", "--port", "0"],
        env={**_env(), "PYTHONPATH": str(blocker)}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "pip install 'fact-archive[server]'" in done.stderr


# ------------------------------------------------------------------ a real server


def _post(url: str, path: str, body: dict[str, Any], token: str | None, conn: http.client.HTTPConnection | None = None) -> tuple[int, dict[str, Any]]:
    parts = urlsplit(url)
    own = conn is None
    conn = conn or http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        headers = {"Content-Type": "application/json", **(_bearer(token) if token else {})}
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        if own:
            conn.close()


def test_a_real_server_refuses_and_signs_writes(derna: Path, tokens: dict[str, str], serving: Callable[..., Any]) -> None:
    with serving(derna) as url:
        assert _post(url, WRITE, SENTENCE, None)[0] == 401
        assert _post(url, WRITE, SENTENCE, tokens["rita"])[0] == 403
        status, body = _post(url, WRITE, {**SENTENCE, "expect_rev": 0}, tokens["alice"])
        assert (status, body["head"]) == (409, 2)
        status, body = _post(url, WRITE, {**SENTENCE, "by": "mallory"}, tokens["alice"])
        assert (status, body["by"]) == (201, "alice")
    assert _log(derna)[-1]["by"] == "alice"


def test_eight_clients_fifty_appends_each(derna: Path, serving: Callable[..., Any], ok: Callable[..., Any]) -> None:
    accounts = Accounts(derna)
    writers = {f"writer{i}": accounts.add(f"writer{i}", "editor") for i in range(8)}
    failures: list[str] = []
    with serving(derna) as url:
        parts = urlsplit(url)

        def write(name: str, token: str) -> None:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
            try:
                for n in range(50):
                    body = {"section": "Timeline", "text": f"{name} wrote sentence {n}.", "sources": [f"https://example.org/{name}/{n}"]}
                    status, made = _post(url, WRITE, body, token, conn)
                    if status != 201 or made["by"] != name:
                        failures.append(f"{name} {n}: {status} {made}")
            finally:
                conn.close()

        threads = [threading.Thread(target=write, args=item) for item in writers.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    assert failures == []
    lines = _log(derna)
    added = [e for e in lines if e["rev"] > 2]
    assert sorted({e["rev"] for e in added}) == list(range(3, 403))  # 400 revisions, no gap
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    for e in added:
        assert e["text"].startswith(e["by"] + " wrote")
    assert {e["by"] for e in added} == set(writers)
    assert len({e["fact"] for e in added}) == 400
    ok("-C", derna, "verify")
