"""Which records' views a folder holds, and at which revision, so that a restarted watcher renders only
what changed since.

The manifest is ``<views>/.watch.json``, written (atomically) by ``archive watch``: the fingerprint of the
code that renders views, the tail of the log the views were made from, and for each record the revision
its views show, its folder's time of change (every atomic write of a file in it changes that time, so
views another command wrote since, ``build --at`` say, do not pass for current) and a digest of the
contents of its view files (so a file changed in place, which leaves the folder's time as it was, does not
pass either). The manifest is believed only when the fingerprint is this program's and the log still holds
that tail.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

import orjson

from archive.saved.checkpoint import covers
from archive.store.log import Tail
from archive.store.port import LogPort
from archive.web.views_out import write_atomic

__all__ = ["MANIFEST", "Entry", "folder_digest", "folder_stamp", "read_manifest", "view_entry", "write_manifest"]

MANIFEST = ".watch.json"
_FORMAT = 2

Entry = tuple[int, int, str]
"""(revision its views show, its folder's ``st_mtime_ns``, ``folder_digest`` of its view files)."""
Entries = dict[str, Entry]
"""Record → its entry."""


@cache
def _fingerprint() -> str:
    """The code and templates that decide the bytes of a view."""
    import events  # noqa: PLC0415
    import projections  # noqa: PLC0415
    from archive.web import views_out  # noqa: PLC0415

    digest = hashlib.sha256()
    paths = [Path(views_out.__file__)]
    for package in (events, projections):
        folder = Path(package.__file__).parent  # type: ignore[arg-type]
        paths += [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def folder_stamp(folder: Path) -> int | None:
    """The folder's time of change in nanoseconds; None if it is not there."""
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def folder_digest(folder: Path) -> str:
    """A BLAKE2 digest of the names and bytes of a record's view files (not the diff pages, written apart, nor
    hidden files); empty if the folder is not there."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith((".", "diff-")) and p.is_file())
    except OSError:
        return ""
    for name in names:
        try:
            data = (folder / name).read_bytes()
        except OSError:
            return ""
        digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def view_entry(folder: Path, rev: int) -> Entry:
    """The manifest entry of a record whose views in ``folder`` show revision ``rev``, as they are now."""
    return rev, folder_stamp(folder) or 0, folder_digest(folder)


def read_manifest(out: Path, log: Path | LogPort) -> Entries:
    """The records whose views in ``out`` the manifest vouches for; empty when there is none to believe."""
    try:
        data = orjson.loads((out / MANIFEST).read_bytes())
        if data["format"] != _FORMAT or data["code"] != _fingerprint():
            return {}
        tail = Tail(**{key: data["tail"][key] for key in ("offset", "seq", "rev", "hash")})
        if not (covers(log, tail) if isinstance(log, Path) else log.holds(tail)):
            return {}
        return {slug: (int(rev), int(stamp), str(digest)) for slug, (rev, stamp, digest) in data["records"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(out: Path, tail: Tail, entries: Entries) -> None:
    """Record that ``out`` holds these records' views, made from the log up to ``tail``."""
    data = {
        "format": _FORMAT,
        "code": _fingerprint(),
        "tail": {"offset": tail.offset, "seq": tail.seq, "rev": tail.rev, "hash": tail.hash},
        "records": {slug: list(entry) for slug, entry in entries.items()},
    }
    write_atomic(out / MANIFEST, orjson.dumps(data).decode())
