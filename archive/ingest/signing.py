"""Who signs an append: the registered authors (``keys/authors.json``) whose private key is found, for
``append_revisions(sign=)``. The command line and the server's accounts look for the keys the same way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archive.store.folder import Archive
from archive.store.keys import author_key_path, load_authors, read_private_key
from archive.store.notes import public_bytes
from archive.store.signatures import signer as make_signer
from events.errors import InvalidInput

__all__ = ["KEY_ENV", "AuthorKeyError", "Sign", "author_signer"]

KEY_ENV = "ARCHIVE_AUTHOR_KEY"
"""The environment variable naming a private key file, looked at before the config folder."""

Sign = Callable[[str, list[bytes]], str | None]


class AuthorKeyError(InvalidInput):
    """A registered author must sign this revision (their key is registered since an earlier one), but their private
    key is not found, or the file found is not theirs: the append is refused and nothing is written."""


def _key_for(name: str, raw: bytes, hint: str) -> Ed25519PrivateKey | None:
    """The private key of ``name`` (public key ``raw``): $ARCHIVE_AUTHOR_KEY when set, else the file 'keys add-author'
    made; None when neither file is there. A file that is not this author's key is refused."""
    given = os.environ.get(KEY_ENV)
    path = Path(given) if given else author_key_path(name)
    if not path.exists():
        return None
    key = read_private_key(path)
    if public_bytes(key) != raw:
        raise AuthorKeyError(f"{path} is not the private key registered for {name} in keys/authors.json.", hint=hint)
    return key


def author_signer(archive: Archive, *, hint: str = f"Set ${KEY_ENV} to the file of their private key.") -> Sign | None:
    """What signs the revisions of registered authors; None when no author is registered.

    A revision by a name that is not registered is left unsigned. One by a registered author is signed with their
    private key when it is found; when it is not, it is refused (``AuthorKeyError``, with ``hint`` saying where to
    put the key) if the author's ``since`` rule requires a signature for it, else left unsigned as before."""
    authors = load_authors(archive)
    if not authors:
        return None
    made: dict[str, Callable[[list[bytes]], str] | None] = {}

    def sign(by: str, lines: list[bytes]) -> str | None:
        author = authors.get(by)
        if author is None:
            return None
        if by not in made:
            key = _key_for(by, author.raw, hint)
            made[by] = None if key is None else make_signer(key)
        signing = made[by]
        if signing is not None:
            return signing(lines)
        rev = int(orjson.loads(lines[-1])["rev"])
        if rev < author.since:
            return None
        given = os.environ.get(KEY_ENV)
        where = given if given else str(author_key_path(by))
        raise AuthorKeyError(
            f"{by} has a registered key (keys/authors.json), so their revisions are signed, but their private key is not at {where}.",
            hint=hint,
        )

    return sign
