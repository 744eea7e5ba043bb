"""Which records' views a folder holds, and at which revision, so that a restarted watcher, or the next
``archive build``, renders only what changed since.

The manifest is ``<views>/.watch.json``, written (atomically) by ``archive watch`` and ``archive build``: the
fingerprint of the code that renders views, the tail of the log the views were made from, and for each record
the revision its views show, its folder's time of change (every atomic write of a file in it changes that
time, so views another program wrote since do not pass for current) and a digest of the contents of its view
files (so a file changed in place, which leaves the folder's time as it was, does not pass either). A build
also notes the digest of ``index.html`` when the folder is a whole build at that tail (every record's views,
their diff pages and the list of records), which lets the next build with nothing new stop there, and that
the diff pages there come from this log (a watcher, which writes none, keeps that note while the log holds). The
manifest is believed only when the fingerprint is this program's and the log still holds that tail
(``open_log(archive).holds``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

from archive.store.folder import Archive, open_log
from archive.store.tail import Tail

__all__ = [
    "MANIFEST",
    "Entry",
    "Manifest",
    "file_digest",
    "folder_digest",
    "folder_stamp",
    "load_manifest",
    "read_manifest",
    "view_entry",
    "write_manifest",
]

MANIFEST = ".watch.json"
_FORMAT = 3
"""3: SHA-256 digests (2: BLAKE2), the list's digest and the diff pages' origin (``Manifest``)."""

Entry = tuple[int, int, str]
"""(revision its views show, its folder's ``st_mtime_ns``, ``folder_digest`` of its view files)."""
Entries = dict[str, Entry]
"""Record → its entry."""


_CODE = ("events", "projections", "archive.web.views_out", "archive.web.diff_pages", "archive.web.capture_copies")
"""The code and templates that decide the bytes of a view: packages (every file in them) and modules."""


@cache
def _fingerprint() -> str:
    """A digest of the files of ``_CODE``, found without importing them (a build with nothing to do stays quick)."""
    paths: list[Path] = []
    for name in _CODE:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:  # pragma: no cover - they are all part of this program
            raise RuntimeError(f"the module {name} is missing")
        origin = Path(spec.origin)
        if spec.submodule_search_locations is None:
            paths.append(origin)
        else:
            paths += [p for p in origin.parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    digest = hashlib.sha256()
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
    """A digest (SHA-256, the quickest of the standard library's on most processors, cut to 128 bits) of the names
    and bytes of a record's view files (not the diff pages, written apart, nor hidden files); empty if the folder
    is not there."""
    digest = hashlib.sha256()
    try:
        with os.scandir(folder) as found:
            names = sorted(e.name for e in found if not e.name.startswith((".", "diff-")) and e.is_file())
    except OSError:
        return ""
    for name in names:
        try:
            with open(os.path.join(folder, name), "rb") as file:
                data = file.read()
        except OSError:
            return ""
        digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def view_entry(folder: Path, rev: int) -> Entry:
    """The manifest entry of a record whose views in ``folder`` show revision ``rev``, as they are now."""
    return rev, folder_stamp(folder) or 0, folder_digest(folder)


def file_digest(path: Path) -> str:
    """A digest of one file's bytes, as ``folder_digest``; empty if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    except OSError:
        return ""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What ``<views>/.watch.json`` says, once believed."""

    tail: Tail
    """Where the log read for these views ended."""
    entries: Entries
    """Each record whose views the folder holds: ``Entry``."""
    index: str | None = None
    """``file_digest`` of ``index.html`` when the folder is a whole build at ``tail`` (every record's views and
    diff pages, and the list of records); None when it is not known to be (a watcher's folder, ``build --at``)."""
    pages: bool = False
    """Whether every diff page the folder holds was written from this log (by a build), so that one there is
    current; False when some may come from a log since replaced."""

    def vouches(self, slug: str, rev: int, folder: Path) -> Entry | None:
        """The entry of ``slug`` if its views in ``folder`` are those of revision ``rev`` (its last revision in
        the state being written), untouched since: None when they must be rendered again. An entry newer than
        the tail is not believed (the log past the tail may have been replaced)."""
        entry = self.entries.get(slug)
        if entry is None or entry[0] != rev or rev > self.tail.rev:
            return None
        return entry if entry[1] == folder_stamp(folder) and entry[2] == folder_digest(folder) else None


def load_manifest(out: Path, archive: Archive) -> Manifest | None:
    """The manifest of ``out`` if there is one to believe: this program's code, and a tail the log still holds."""
    try:
        data = orjson.loads((out / MANIFEST).read_bytes())
        if data["format"] != _FORMAT or data["code"] != _fingerprint():
            return None
        tail = Tail(**{key: data["tail"][key] for key in ("offset", "seq", "rev", "hash")})
        entries = {slug: (int(rev), int(stamp), str(digest)) for slug, (rev, stamp, digest) in data["records"].items()}
        index = data.get("index")
        if not open_log(archive).holds(tail):
            return None
        return Manifest(tail, entries, str(index) if index else None, data.get("pages") is True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_manifest(out: Path, archive: Archive) -> Entries:
    """The records whose views in ``out`` the manifest vouches for; empty when there is none to believe."""
    manifest = load_manifest(out, archive)
    return {} if manifest is None else manifest.entries


def write_manifest(out: Path, tail: Tail, entries: Entries, *, index: str | None = None, pages: bool = False) -> None:
    """Record that ``out`` holds these records' views, made from the log up to ``tail``; ``index`` and ``pages``:
    see ``Manifest``."""
    from archive.web.views_out import write_atomic  # noqa: PLC0415 - it loads the renderers, which reading does not need

    data = {
        "format": _FORMAT,
        "code": _fingerprint(),
        "tail": {"offset": tail.offset, "seq": tail.seq, "rev": tail.rev, "hash": tail.hash},
        "records": {slug: list(entry) for slug, entry in entries.items()},
        "index": index,
        "pages": pages,
    }
    write_atomic(out / MANIFEST, orjson.dumps(data).decode())
