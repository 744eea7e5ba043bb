"""Signed checkpoints, proof bundles, verify --against and signed revisions, through the real command line."""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archive.store.notes import Verifier, open_checkpoint
from archive.store.signatures import signer, unsigned_line

Run = Callable[..., object]
LOG = "events.jsonl"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Private keys go to a config folder of the test's own."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config")}


def _rechain(root: Path, edit: Callable[[list[bytes]], list[bytes]]) -> None:
    """Rewrite the log as an adversary would: edit its lines, then recompute every prev and the head witness."""
    lines = edit((root / LOG).read_bytes().splitlines(keepends=True))
    prev = "0" * 64
    out: list[bytes] = []
    for line in lines:
        data = orjson.loads(line)
        data["prev"] = prev
        raw = orjson.dumps(data) + b"\n"
        prev = hashlib.sha256(raw).hexdigest()
        out.append(raw)
    (root / LOG).write_bytes(b"".join(out))
    last = orjson.loads(out[-1])
    head = {"seq": last["seq"], "rev": last["rev"], "offset": sum(map(len, out)), "hash": prev}
    for saved in (root / ".archive").iterdir():  # the saved states no longer match: the adversary removes them too
        if saved.name not in ("head.json", "lock"):
            shutil.rmtree(saved) if saved.is_dir() else saved.unlink()
    (root / ".archive" / "head.json").write_bytes(orjson.dumps(head) + b"\n")


def _cut_to_three(lines: list[bytes]) -> list[bytes]:
    """The first three lines, the third made the end of revision 1: a whole, shorter log."""
    data = orjson.loads(lines[2])
    prev = data.pop("prev")
    return [*lines[:2], orjson.dumps({**data, "end": True, "prev": prev}) + b"\n"]


def _replace_text(lines: list[bytes], seq: int, old: bytes, new: bytes) -> list[bytes]:
    assert old in lines[seq - 1]
    lines[seq - 1] = lines[seq - 1].replace(old, new)
    return lines


def test_keys_init_prints_one_line_and_checkpoint_is_a_signed_note(seeded: Path, ok: Run, env: dict[str, str], tmp_path: Path) -> None:
    public = ok("-C", seeded, "keys", "init", "--origin", "example.org/derna", env=env).text  # type: ignore[attr-defined]
    assert public.count("\n") == 1 and public.startswith("example.org/derna+")
    assert (seeded / "keys" / "archive.pub").read_text() == public
    assert list((tmp_path / "config" / "fact-archive" / "keys").glob("*.pem")), "the private key lives outside the archive"
    assert not [p for p in seeded.rglob("*.pem")]
    note = ok("-C", seeded, "checkpoint", env=env).text  # type: ignore[attr-defined]
    checkpoint = open_checkpoint(note, Verifier.parse(public))
    assert checkpoint.origin == "example.org/derna"
    assert checkpoint.size == len((seeded / LOG).read_bytes().splitlines())
    assert checkpoint.extension("revision") == "1"
    assert (seeded / "checkpoints" / f"{checkpoint.size:012d}.note").read_text() == note
    log = ok("-C", seeded, "log", env=env).text  # type: ignore[attr-defined]
    assert f"checkpoint of {checkpoint.size} lines: covers revisions 1-1" in log


def test_a_bundle_is_checked_in_a_fresh_process_with_no_archive(
    seeded: Path, ok: Run, archive: Run, refused: Run, env: dict[str, str], tmp_path: Path
) -> None:
    public = ok("-C", seeded, "keys", "init", env=env).text.strip()  # type: ignore[attr-defined]
    ok("-C", seeded, "checkpoint", env=env)
    ok("-C", seeded, "append", "siege-of-derna", "--revise", "s9", "--text", "A reworded sentence.", "--source", "x", env=env)
    ok("-C", seeded, "checkpoint", env=env)
    bundle = tmp_path / "bundle.json"
    ok("-C", seeded, "prove", "siege-of-derna", "--fact", "s9", "--out", bundle, env=env)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    said = ok("check-proof", bundle, "--key", public, cwd=elsewhere, env={"XDG_CONFIG_HOME": str(elsewhere)}).text  # type: ignore[attr-defined]
    assert said.startswith("s9 of siege-of-derna read 'A reworded sentence.' at revision 2")
    assert "in the log of" in said and said.count("\n") == 1
    old = tmp_path / "old.json"
    ok("-C", seeded, "prove", "siege-of-derna", "--at", "1", "--out", old, env=env)
    said = ok("check-proof", old, "--key", public, cwd=elsewhere).text  # type: ignore[attr-defined]
    assert "lines of record siege-of-derna up to revision 1" in said

    data = orjson.loads(bundle.read_bytes())
    other_key = Verifier(data["checkpoint"].split("\n")[0], Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    tampered = {
        "text": bundle.read_bytes().replace(b"A reworded sentence.", b"A forged sentence."),
        "proof": orjson.dumps({**data, "lines": [{**data["lines"][0], "proof": [base64.b64encode(b"\0" * 32).decode(), *data["lines"][0]["proof"][1:]]}]}),
        "seq": orjson.dumps({**data, "lines": [{**data["lines"][0], "seq": data["lines"][0]["seq"] + 1}]}),
        "checkpoint": orjson.dumps({**data, "checkpoint": data["checkpoint"].replace("\n" + data["checkpoint"].split("\n")[1] + "\n", "\n999\n", 1)}),
        "rev": orjson.dumps({**data, "rev": 0}),
    }
    for name, raw in tampered.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(raw)
        refused(archive("check-proof", path, "--key", public, cwd=elsewhere), 1, "it proves nothing")
    refused(archive("check-proof", bundle, "--key", str(other_key), cwd=elsewhere), 1, "bears no signature")


def test_prove_needs_a_checkpoint_that_covers_the_revision(seeded: Path, ok: Run, archive: Run, refused: Run, env: dict[str, str]) -> None:
    ok("-C", seeded, "keys", "init", env=env)
    refused(archive("-C", seeded, "prove", "siege-of-derna", env=env), 1, "No checkpoint covers", "archive checkpoint")
    ok("-C", seeded, "checkpoint", env=env)
    refused(archive("-C", seeded, "prove", "siege-of-derna", "--fact", "nope", env=env), 1, "No line of fact nope")


def test_a_rewritten_history_passes_verify_but_not_verify_against(
    seeded: Path, ok: Run, archive: Run, refused: Run, env: dict[str, str], tmp_path: Path
) -> None:
    ok("-C", seeded, "keys", "init", env=env)
    note = tmp_path / "kept.note"
    ok("-C", seeded, "checkpoint", "--export", note, env=env)
    ok("-C", seeded, "append", "siege-of-derna", "--infobox", "Result=Taken", "--source", "x", env=env)
    said = ok("-C", seeded, "verify", "--against", note, env=env).text  # type: ignore[attr-defined]
    assert "It extends the checkpoint" in said and "consistency proof of" in said

    _rechain(seeded, lambda lines: _replace_text(lines, 5, b"August 2016", b"August 2015"))
    ok("-C", seeded, "verify", env=env)  # the chain and the witness were recomputed: the chain alone cannot tell
    before = (seeded / LOG).read_bytes()
    refused(archive("-C", seeded, "verify", "--against", note, env=env), 4, "history was rewritten")
    assert (seeded / LOG).read_bytes() == before

    _rechain(seeded, _cut_to_three)
    refused(archive("-C", seeded, "verify", "--against", note, env=env), 4, "fewer than the")


def test_checkpoint_import_keeps_a_witness_copy_only_when_the_log_extends_it(
    seeded: Path, ok: Run, archive: Run, refused: Run, env: dict[str, str], tmp_path: Path
) -> None:
    ok("-C", seeded, "keys", "init", env=env)
    note = tmp_path / "witness.note"
    ok("-C", seeded, "checkpoint", "--export", note, env=env)
    for kept in (seeded / "checkpoints").glob("*.note"):
        kept.unlink()
    ok("-C", seeded, "append", "siege-of-derna", "--infobox", "Result=Taken", "--source", "x", env=env)
    said = ok("-C", seeded, "checkpoint", "--import", note, env=env).text  # type: ignore[attr-defined]
    assert "extends it" in said and len(list((seeded / "checkpoints").glob("*.note"))) == 1
    _rechain(seeded, lambda lines: _replace_text(lines, 2, b'"rev":1', b'"rev":1'))  # unchanged
    _rechain(seeded, lambda lines: _replace_text(lines, 5, b"August 2016", b"August 2015"))
    refused(archive("-C", seeded, "checkpoint", "--import", note, env=env), 4, "history was rewritten")


def test_the_saved_tree_is_kept_by_appends_and_rebuilt_when_it_cannot_be_proven(seeded: Path, ok: Run, env: dict[str, str]) -> None:
    ok("-C", seeded, "keys", "init", env=env)
    ok("-C", seeded, "checkpoint", env=env)
    for n in range(3):
        ok("-C", seeded, "append", "siege-of-derna", "--infobox", f"K{n}=v", "--source", "x", env=env)
    state = orjson.loads((seeded / ".archive" / "tree" / "state.json").read_bytes())
    assert state["size"] == len((seeded / LOG).read_bytes().splitlines()), "each append extended the tree"
    kept = ok("-C", seeded, "checkpoint", env=env).text  # type: ignore[attr-defined]
    (seeded / ".archive" / "tree" / "nodes").write_bytes(b"")  # cannot be proven: rebuilt
    result = ok("-C", seeded, "prove", "siege-of-derna", "--fact", "i1", env=env)
    assert "rebuilt from line 1" in result.err  # type: ignore[attr-defined]
    shutil.rmtree(seeded / ".archive")
    assert ok("-C", seeded, "checkpoint", env=env).text == kept  # type: ignore[attr-defined]


# ---------------------------------------------------------------- signed revisions


@pytest.fixture
def signed(seeded: Path, ok: Run, env: dict[str, str]) -> Path:
    """The seed, then revisions 2 and 3 by the keyed author Ann, and 4 by Bob (unkeyed)."""
    said = ok("-C", seeded, "keys", "add-author", "Ann", env=env).text  # type: ignore[attr-defined]
    assert "signs revisions from 2 on" in said
    ok("-C", seeded, "append", "siege-of-derna", "--infobox", "A=1", "--source", "x", "--by", "Ann", env=env)
    ok("-C", seeded, "append", "siege-of-derna", "--infobox", "B=2", "--source", "x", "--by", "Ann", env=env)
    ok("-C", seeded, "append", "siege-of-derna", "--infobox", "C=3", "--source", "x", "--by", "Bob", env=env)
    return seeded


def _lines(root: Path) -> list[bytes]:
    return (root / LOG).read_bytes().splitlines(keepends=True)


def test_keyed_authors_sign_and_verify_checks_every_signature(signed: Path, ok: Run, env: dict[str, str]) -> None:
    lines = _lines(signed)
    assert b'"sig":"' in lines[-2] and b'"sig":"' in lines[-3] and b'"sig":"' not in lines[-1]
    said = ok("-C", signed, "verify", env=env).text  # type: ignore[attr-defined]
    assert "2 revisions signed by their authors, all holding; 2 unsigned" in said


def test_an_altered_signed_revision_is_named(signed: Path, archive: Run, refused: Run, env: dict[str, str]) -> None:
    n = len(_lines(signed))
    _rechain(signed, lambda lines: _replace_text(lines, n - 1, b'"value":"2"', b'"value":"20"'))
    refused(archive("-C", signed, "verify", env=env), 4, "revision 3 (by Ann)", "does not hold")


def test_a_forged_signature_is_named(signed: Path, archive: Run, refused: Run, env: dict[str, str]) -> None:
    n = len(_lines(signed))

    def forge(lines: list[bytes]) -> list[bytes]:
        _, found = unsigned_line(lines[n - 2])
        assert found is not None
        _key_id, value = found
        forged = base64.b64encode(bytes([value[0] ^ 1]) + value[1:])
        lines[n - 2] = lines[n - 2].replace(base64.b64encode(value), forged)
        return lines

    _rechain(signed, forge)
    refused(archive("-C", signed, "verify", env=env), 4, "revision 3 (by Ann)", "does not hold")


def test_a_signature_by_an_unknown_key_is_named(signed: Path, archive: Run, refused: Run, env: dict[str, str]) -> None:
    n = len(_lines(signed))

    def resign(lines: list[bytes]) -> list[bytes]:
        unsigned, found = unsigned_line(lines[n - 2])
        assert found is not None
        other = signer(Ed25519PrivateKey.generate())([unsigned])
        lines[n - 2] = lines[n - 2].replace(f"{found[0]}:{base64.b64encode(found[1]).decode()}".encode(), other.encode())
        return lines

    _rechain(signed, resign)
    refused(archive("-C", signed, "verify", env=env), 4, "revision 3 (by Ann)", "unknown key")


def test_a_signature_moved_to_another_revision_is_named(signed: Path, archive: Run, refused: Run, env: dict[str, str]) -> None:
    n = len(_lines(signed))

    def move(lines: list[bytes]) -> list[bytes]:
        _, found = unsigned_line(lines[n - 2])
        assert found is not None
        sig = f"{found[0]}:{base64.b64encode(found[1]).decode()}"
        data = orjson.loads(lines[n - 1])
        data = {k: v for k, v in data.items() if k != "prev"} | {"by": "Ann", "sig": sig, "prev": data["prev"]}
        lines[n - 1] = orjson.dumps(data) + b"\n"
        return lines

    _rechain(signed, move)
    refused(archive("-C", signed, "verify", env=env), 4, "revision 4 (by Ann)", "does not hold")


def test_a_stripped_signature_of_a_keyed_author_is_named(signed: Path, archive: Run, refused: Run, env: dict[str, str]) -> None:
    n = len(_lines(signed))
    _rechain(signed, lambda lines: [*lines[: n - 2], unsigned_line(lines[n - 2])[0], lines[n - 1]])
    refused(archive("-C", signed, "verify", env=env), 4, "revision 3 (by Ann)", "unsigned")


def test_a_keyed_author_without_their_private_key_cannot_append(signed: Path, archive: Run, refused: Run, tmp_path: Path) -> None:
    before = (signed / LOG).read_bytes()
    result = archive("-C", signed, "append", "siege-of-derna", "--infobox", "D=4", "--source", "x", "--by", "Ann",
                     env={"XDG_CONFIG_HOME": str(tmp_path / "elsewhere")})
    refused(result, 1, "Ann has a registered key", "ARCHIVE_AUTHOR_KEY")
    assert (signed / LOG).read_bytes() == before
