"""C2SP signed notes and tree checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) with Ed25519 keys.

A checkpoint's body is three lines, the log's origin, its size in leaves and its root hash (base64),
then extension lines; this archive adds ``time <UTC>`` and ``revision <N>`` (the last revision the tree
covers), which clients that do not know them ignore. A signed note is the body, a blank line and one
signature line per signer: ``— <key name> <base64(key id || signature)>``. The key id is the first four
bytes of ``SHA-256(key name || 0x0A || 0x01 || public key)``; a verifier key is written
``<name>+<key id, 8 hex>+<base64(0x01 || public key)>``, as Go's ``golang.org/x/mod/sumdb/note`` does.
Signatures are made and checked by the ``cryptography`` library.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.errors import InvalidInput

__all__ = [
    "Checkpoint",
    "NoteError",
    "Verifier",
    "check_key_name",
    "open_checkpoint",
    "open_note",
    "public_bytes",
    "sign_checkpoint",
    "sign_note",
]

_ED25519 = b"\x01"
_DASH = "\u2014 "
_NAME = re.compile(r"^[^\s+]+$")


class NoteError(InvalidInput):
    """A note, a checkpoint or a key that does not read or whose signature does not hold."""


def check_key_name(name: str) -> str:
    """A key name (and a log's origin): one word, no ``+``; refused otherwise."""
    if not name or not _NAME.match(name) or len(name) > 200:
        raise NoteError(f"The key name {name!r} is not usable: it must be one word, without spaces or '+'.")
    return name


def public_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key (of a private key's public half)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


def _key_id(name: str, raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + raw).digest()[:4]


@dataclass(frozen=True, slots=True)
class Verifier:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    raw: bytes
    """The 32 bytes of the public key."""

    @property
    def key_id(self) -> bytes:
        """Four bytes that name the key on a signature line."""
        return _key_id(self.name, self.raw)

    def __str__(self) -> str:
        """The one-line verifier key: ``name+keyid+base64``."""
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(_ED25519 + self.raw).decode()}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read a one-line verifier key; refuse one that does not read or whose id does not match."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError(
                f"{text.strip()[:80]!r} is not a public key: one is written NAME+KEYID+BASE64, as 'archive keys init' prints it."
            )
        name, key_id, data = parts
        try:
            decoded = base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise NoteError(f"The public key of {name!r} is not base64.") from exc
        if len(decoded) != 33 or decoded[:1] != _ED25519:
            raise NoteError(f"The public key of {name!r} is not an Ed25519 key.")
        verifier = cls(check_key_name(name), decoded[1:])
        if verifier.key_id.hex() != key_id.lower():
            raise NoteError(f"The public key of {name!r} does not match its key id {key_id}.")
        return verifier

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """The signed note of ``text`` (which ends with a newline), signed by ``key`` under ``name``."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("A note's text ends with one newline and holds no blank line.")
    signature = key.sign(text.encode())
    line = base64.b64encode(_key_id(check_key_name(name), public_bytes(key)) + signature).decode()
    return f"{text}\n{_DASH}{name} {line}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of a signed note once ``verifier``'s signature on it holds; refused otherwise (unknown signers are ignored)."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("Not a signed note: no blank line before the signature lines, or no newline at the end.")
    text += "\n"
    found = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise NoteError(f"Not a signature line of a note: {line[:80]!r}.")
        name, _, data = line[len(_DASH) :].rpartition(" ")
        try:
            decoded = base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise NoteError(f"The signature of {name!r} is not base64.") from exc
        if name != verifier.name or decoded[:4] != verifier.key_id:
            continue
        if not verifier.verify(decoded[4:], text.encode()):
            raise NoteError(f"The signature of {name} on the note does not hold: the note was changed after it was signed.")
        found = True
    if not found:
        raise NoteError(f"The note bears no signature of {verifier.name} (key {verifier.key_id.hex()}).")
    return text


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What a signed checkpoint says: the log of ``size`` lines named ``origin`` has this ``root``."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())
    """Lines after the root hash; this archive writes ``time <UTC>`` and ``revision <N>``."""

    def body(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending with a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    def extension(self, key: str) -> str | None:
        """The value of the extension line ``key VALUE``, if there is one."""
        for line in self.extensions:
            name, _, value = line.partition(" ")
            if name == key:
                return value
        return None

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint's text (the note's body)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("A checkpoint has at least three lines: origin, tree size, root hash.")
        origin, size, root, *extensions = lines[:-1]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"The checkpoint's tree size {size[:40]!r} is not a number.")
        try:
            decoded = base64.b64decode(root, validate=True)
        except binascii.Error as exc:
            raise NoteError("The checkpoint's root hash is not base64.") from exc
        if len(decoded) != 32:
            raise NoteError("The checkpoint's root hash is not 32 bytes.")
        return cls(origin, int(size), decoded, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The signed note of a checkpoint, signed under its origin."""
    return sign_note(checkpoint.body(), checkpoint.origin, key)


def open_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint of a signed note once ``verifier`` signed it and it names ``verifier``'s log; refused otherwise."""
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if checkpoint.origin != verifier.name:
        raise NoteError(f"The checkpoint is of the log {checkpoint.origin!r}, not of {verifier.name!r}.")
    return checkpoint
