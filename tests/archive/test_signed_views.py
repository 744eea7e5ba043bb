"""Blame, history and the served pages say of each revision "signed by NAME" or "unsigned"; the server serves the
latest signed checkpoint; the server's accounts sign with their key."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]
RECORD = "siege-of-derna"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Private keys go to a config folder of the test's own."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config")}


@pytest.fixture
def signed(seeded: Path, ok: Run, env: dict[str, str]) -> Path:
    """The seed (revision 1, unsigned), then revision 2 by the keyed author Ann, and 3 by Bob (unkeyed)."""
    ok("-C", seeded, "keys", "add-author", "Ann", env=env)
    ok("-C", seeded, "append", RECORD, "--infobox", "Ann field=1", "--source", "x", "--by", "Ann", env=env)
    ok("-C", seeded, "append", RECORD, "--infobox", "Bob field=2", "--source", "x", "--by", "Bob", env=env)
    return seeded


def _fact(root: Path, ok: Run, text: str) -> str:
    lines = json.loads(ok("-C", root, "blame", RECORD, "--format", "json").text)
    return next(line["facts"][0] for line in lines if line["text"] == text)


def test_blame_says_who_signed_each_revision(signed: Path, ok: Run) -> None:
    lines = json.loads(ok("-C", signed, "blame", RECORD, "--format", "json").text)
    by_text = {line["text"]: line for line in lines}
    ann, bob, title = by_text["- Ann field: 1"], by_text["- Bob field: 2"], lines[0]
    assert (ann["rev"], ann["signed"], ann["signature"]) == (2, "Ann", "signed")
    assert (bob["rev"], bob["signed"], bob["signature"]) == (3, None, "unsigned")
    assert (title["rev"], title["signed"], title["signature"]) == (1, None, "unsigned")
    assert ann["sentences"][0]["signed"] == "Ann"
    assert {"line", "text", "facts", "rev", "by", "at", "sources"} <= set(ann), "the documented keys stay"
    text = ok("-C", signed, "blame", RECORD).text
    said = [" ".join(row.split()) for row in text[text.index("\nRevisions:\n") :].splitlines()[2:]]
    assert said[0] == "r3 Bob unsigned"
    assert said[1] == "r2 Ann signed by Ann"
    assert said[2].startswith("r1 ") and said[2].endswith(" unsigned")


def test_history_says_signed_by_name_or_unsigned(signed: Path, ok: Run) -> None:
    ann = _fact(signed, ok, "- Ann field: 1")
    data = json.loads(ok("-C", signed, "history", RECORD, ann, "--format", "json").text)
    assert [(v["rev"], v["signed"], v["signature"]) for v in data["versions"]] == [(2, "Ann", "signed")]
    assert "    signed by Ann\n" in ok("-C", signed, "history", RECORD, ann).text
    bob = _fact(signed, ok, "- Bob field: 2")
    assert [v["signed"] for v in json.loads(ok("-C", signed, "history", RECORD, bob, "--format", "json").text)["versions"]] == [None]
    assert "    unsigned\n" in ok("-C", signed, "history", RECORD, bob).text


def test_a_failed_signature_is_not_shown_as_signed(signed: Path, ok: Run) -> None:
    authors = signed / "keys" / "authors.json"
    data = json.loads(authors.read_text())
    data["authors"][0]["name"] = "Someone else"  # Ann's revision now carries another author's key
    authors.write_text(json.dumps(data))
    lines = json.loads(ok("-C", signed, "blame", RECORD, "--format", "json").text)
    ann = next(line for line in lines if line["text"] == "- Ann field: 1")
    assert (ann["signed"], ann["signature"]) == (None, "failed")
    assert "signature fails: signed with Someone else's key" in ok("-C", signed, "blame", RECORD).text


def test_without_registered_authors_every_revision_is_unsigned(seeded: Path, ok: Run) -> None:
    lines = json.loads(ok("-C", seeded, "blame", RECORD, "--format", "json").text)
    assert {(line["signed"], line["signature"]) for line in lines} == {(None, "unsigned")}


# ---------------------------------------------------------------- the server


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Status, content type and body of a GET (to 127.0.0.1 only)."""
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    assert url.startswith("http://127.0.0.1:")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers["Content-Type"], answer.read().decode()


@pytest.fixture
def server_env(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The served process finds the private keys where the test's commands put them."""
    pytest.importorskip("fastapi", reason="the server extra is not installed (pip install -e '.[server]')")
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])
    monkeypatch.delenv("ARCHIVE_AUTHOR_KEY", raising=False)
    return env


def test_the_served_pages_say_who_signed_each_revision(signed: Path, serving: Any, server_env: dict[str, str]) -> None:
    with serving(signed) as served:
        url = served.rstrip("/")
        status, _, history = _get(f"{url}/{RECORD}/history.html")
        assert status == 200, history
        assert '<td class="sig sig-signed">signed by Ann</td>' in history
        assert history.count('<td class="sig sig-unsigned">unsigned</td>') == 2
        _, _, blame = _get(f"{url}/{RECORD}/blame.html")
        assert '<span class="sig sig-signed">signed by Ann</span>' in blame
        assert '<span class="sig sig-unsigned">unsigned</span>' in blame
        _, _, api = _get(f"{url}/api/records/{RECORD}/blame")
        assert {(line["rev"], line["signed"]) for line in json.loads(api)} == {(1, None), (2, "Ann"), (3, None)}


def test_the_server_serves_the_latest_signed_checkpoint(seeded: Path, ok: Run, serving: Any, server_env: dict[str, str]) -> None:
    from archive.store.notes import Verifier, open_checkpoint  # noqa: PLC0415

    with serving(seeded) as served:
        url = served.rstrip("/")
        status, kind, said = _get(f"{url}/checkpoint")
        assert (status, kind.split(";")[0]) == (404, "text/plain")
        assert "no key (keys/archive.pub)" in said and "archive keys init" in said
        public = ok("-C", seeded, "keys", "init", env=server_env).text.strip()
        status, _, said = _get(f"{url}/checkpoint")
        assert status == 404 and "No checkpoint has been signed yet" in said and "archive checkpoint" in said
        first = ok("-C", seeded, "checkpoint", env=server_env).text
        status, kind, note = _get(f"{url}/checkpoint")
        assert (status, kind) == (200, "text/plain; charset=utf-8")
        assert note == first
        ok("-C", seeded, "append", RECORD, "--infobox", "More=1", "--source", "x", env=server_env)
        latest = ok("-C", seeded, "checkpoint", env=server_env).text
        _, _, note = _get(f"{url}/checkpoint")
        assert note == latest != first
        assert open_checkpoint(note, Verifier.parse(public)).extension("revision") == "2"
        _, _, schema = _get(f"{url}/api/openapi.json")
        described = json.loads(schema)["paths"]["/checkpoint"]["get"]
        assert set(described["responses"]) >= {"200", "404"} and "text/plain" in described["responses"]["200"]["content"]


# ---------------------------------------------------------------- the server's accounts sign


def test_the_servers_accounts_sign_with_their_key(seeded: Path, ok: Run, server_env: dict[str, str]) -> None:
    """alice is a registered author whose key the server finds: her writes are signed. bob is no registered author:
    his are unsigned, as before. carol is registered but the server has not her private key: refused, nothing written."""
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from archive.store.folder import find_archive  # noqa: PLC0415
    from archive.web.accounts import Accounts  # noqa: PLC0415
    from archive.web.app import ServerOptions, make_app  # noqa: PLC0415

    accounts = Accounts(seeded)
    tokens = {name: accounts.add(name, "editor") for name in ("alice", "bob", "carol")}
    ok("-C", seeded, "keys", "add-author", "alice", env=server_env)
    elsewhere = base64.b64encode(b"\xfb" * 32).decode()  # a key held elsewhere; its base64 holds '+' (once taken for NAME+ID+KEY)
    assert "+" in elsewhere
    ok("-C", seeded, "keys", "add-author", "carol", "--public", elsewhere, env=server_env)
    write = f"/api/records/{RECORD}/revisions"

    def body(n: int) -> dict[str, Any]:
        return {"infobox": f"Field {n}=value {n}", "sources": ["https://example.org/signed"]}

    with TestClient(make_app(find_archive(seeded), ServerOptions()), base_url="http://127.0.0.1") as client:
        made = client.post(write, json=body(1), headers={"Authorization": f"Bearer {tokens['alice']}"})
        assert made.status_code == 201, made.text
        assert b'"sig":"' in (seeded / "events.jsonl").read_bytes().splitlines()[-1]
        made = client.post(write, json=body(2), headers={"Authorization": f"Bearer {tokens['bob']}"})
        assert made.status_code == 201, made.text
        assert b'"sig":"' not in (seeded / "events.jsonl").read_bytes().splitlines()[-1]
        before = (seeded / "events.jsonl").read_bytes()
        said = client.post(write, json=body(3), headers={"Authorization": f"Bearer {tokens['carol']}"})
        assert said.status_code == 422
        answer = said.json()
        assert "carol has a registered key" in answer["error"] and "not at" in answer["error"]
        assert "archive keys add-author" in answer["hint"] and "field" not in answer
        assert (seeded / "events.jsonl").read_bytes() == before
        blame = client.get(f"/api/records/{RECORD}/blame").json()
        signed = {line["text"]: (line["rev"], line["signed"]) for line in blame}
        assert signed["- Field 1: value 1"] == (2, "alice")
        assert signed["- Field 2: value 2"] == (3, None)
    verified = ok("-C", seeded, "verify", env=server_env).text
    assert "Signatures: 1 revisions signed by their authors, all holding; 2 unsigned." in verified, verified


def test_built_and_watched_pages_say_it_as_the_served_ones(signed: Path, ok: Run, env: dict[str, str]) -> None:
    from archive.saved.signed_revisions import KnownSignatures  # noqa: PLC0415
    from archive.store.folder import find_archive  # noqa: PLC0415

    ok("-C", signed, "build", env=env)
    history = (signed / "views" / RECORD / "history.html").read_text(encoding="utf-8")
    assert '<td class="sig sig-signed">signed by Ann</td>' in history
    assert history.count('<td class="sig sig-unsigned">unsigned</td>') == 2
    known = KnownSignatures(find_archive(signed))
    assert {rev: s.signer for rev, s in known.now().items()} == {2: "Ann"}
    ok("-C", signed, "append", RECORD, "--infobox", "Ann again=3", "--source", "x", "--by", "Ann", env=env)
    assert {rev: s.signer for rev, s in known.now().items()} == {2: "Ann", 4: "Ann"}, "the lines after the last call are read"
