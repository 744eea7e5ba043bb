"""The archive's signing keys: its public key and its authors' in the archive folder (``keys/``), private keys
outside it (``$XDG_CONFIG_HOME/fact-archive/``, or a path given with ``--key``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archive.store.folder import Archive
from archive.store.notes import NoteError, Verifier, check_key_name, public_bytes
from events.errors import Conflict, InvalidInput

__all__ = [
    "AuthorKey",
    "add_author",
    "archive_key_path",
    "author_key_path",
    "config_dir",
    "init_archive_key",
    "load_archive_signer",
    "load_archive_verifier",
    "load_authors",
    "read_private_key",
]

KEYS_DIR = "keys"
ARCHIVE_PUB = "archive.pub"
AUTHORS = "authors.json"


def config_dir() -> Path:
    """Where private keys live: ``$XDG_CONFIG_HOME/fact-archive`` (``~/.config/fact-archive``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fact-archive"


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:60] + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def archive_key_path(verifier: Verifier) -> Path:
    """Where ``keys init`` put the private key of the archive whose public key is ``verifier``."""
    return config_dir() / "keys" / f"{_file_name(verifier.name)}-{verifier.key_id.hex()}.pem"


def author_key_path(name: str) -> Path:
    """Where ``keys add-author`` puts an author's private key."""
    return config_dir() / "authors" / f"{_file_name(name)}.pem"


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    if path.exists():
        raise Conflict(f"{path} exists already: a private key is never overwritten.", hint="Move it away first, or give another --key PATH.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM (PKCS #8) file."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such private key file.", hint="Give the right --key PATH, or make one with 'archive keys init'.") from None
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidInput(f"{path}: not an unencrypted PEM private key ({exc}).") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path}: not an Ed25519 key.")
    return key


def init_archive_key(archive: Archive, origin: str, key_path: Path | None = None) -> Verifier:
    """Make the archive's key: the private half in ``key_path`` (else the config folder), the public in ``keys/archive.pub``."""
    public_path = archive.root / KEYS_DIR / ARCHIVE_PUB
    if public_path.exists():
        raise Conflict(f"{public_path} exists: this archive has a key already.", hint="Its public key: cat keys/archive.pub.")
    check_key_name(origin)
    key = Ed25519PrivateKey.generate()
    verifier = Verifier(origin, public_bytes(key))
    _write_private(key_path or archive_key_path(verifier), key)
    public_path.parent.mkdir(exist_ok=True)
    public_path.write_text(f"{verifier}\n", encoding="utf-8")
    return verifier


def load_archive_verifier(archive: Archive) -> Verifier:
    """The archive's public key, from ``keys/archive.pub``."""
    path = archive.root / KEYS_DIR / ARCHIVE_PUB
    try:
        return Verifier.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{archive.root} has no key ({KEYS_DIR}/{ARCHIVE_PUB}).", hint="Make one with 'archive keys init'.") from None


def load_archive_signer(archive: Archive, key_path: Path | None = None) -> tuple[Verifier, Ed25519PrivateKey]:
    """The archive's public key and the private key that matches it."""
    verifier = load_archive_verifier(archive)
    path = key_path or archive_key_path(verifier)
    if not path.exists() and key_path is None:
        raise InvalidInput(
            f"The private key of {verifier.name} is not at {path}.",
            hint="Give it with --key PATH (it is kept outside the archive, by whoever ran 'archive keys init').",
        )
    key = read_private_key(path)
    if public_bytes(key) != verifier.raw:
        raise InvalidInput(f"{path} is not the private key of {verifier.name} (keys/archive.pub).")
    return verifier, key


@dataclass(frozen=True, slots=True)
class AuthorKey:
    """An author's registered public key."""

    name: str
    """The author, as revisions name them in ``by``."""
    raw: bytes
    """The 32 bytes of the Ed25519 public key."""
    since: int
    """The first revision that must be signed: the next one when the key was registered."""

    @property
    def key_id(self) -> str:
        """Sixteen hex digits that name the key in a revision's ``sig``: the start of SHA-256 of the public key."""
        return hashlib.sha256(self.raw).hexdigest()[:16]


def load_authors(archive: Archive) -> dict[str, AuthorKey]:
    """The registered authors by name (none when ``keys/authors.json`` is missing)."""
    path = archive.root / KEYS_DIR / AUTHORS
    try:
        data = orjson.loads(path.read_bytes())
        return {
            entry["name"]: AuthorKey(entry["name"], base64.b64decode(entry["key"], validate=True), int(entry["since"]))
            for entry in data["authors"]
        }
    except FileNotFoundError:
        return {}
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise InvalidInput(f"{path} does not read ({exc}).", hint="It lists {\"authors\": [{\"name\", \"key\", \"since\"}]}.") from exc


def add_author(archive: Archive, name: str, *, since: int, public: str | None = None, key_path: Path | None = None) -> AuthorKey:
    """Register ``name``'s public key (``public``: base64 of the 32 bytes, or a NAME+ID+KEY verifier line); with
    none, make a key pair and keep the private half in ``key_path`` (else the config folder)."""
    authors = load_authors(archive)
    if name in authors:
        raise Conflict(f"{name} has a registered key already (keys/{AUTHORS}).")
    if public is None:
        key = Ed25519PrivateKey.generate()
        raw = public_bytes(key)
        _write_private(key_path or author_key_path(name), key)
    else:
        try:
            raw = Verifier.parse(public).raw if "+" in public else base64.b64decode(public.strip(), validate=True)
        except (binascii.Error, NoteError) as exc:
            raise InvalidInput(f"--public {public[:60]!r} is not a public key ({exc}).") from exc
        if len(raw) != 32:
            raise InvalidInput("--public is not an Ed25519 public key (32 bytes, base64).")
    author = AuthorKey(name, raw, since)
    authors[name] = author
    path = archive.root / KEYS_DIR / AUTHORS
    path.parent.mkdir(exist_ok=True)
    entries = [{"name": a.name, "key": base64.b64encode(a.raw).decode(), "id": a.key_id, "since": a.since} for a in authors.values()]
    temporary = path.with_name(f".{AUTHORS}.{os.getpid()}")
    temporary.write_bytes(orjson.dumps({"authors": entries}, option=orjson.OPT_INDENT_2) + b"\n")
    os.replace(temporary, path)
    return author
