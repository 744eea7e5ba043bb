"""The content-addressed store of captures: each WARC file kept once under its SHA-256, written atomically.

A capture is kept as ``captures/sha256/<first two hex digits>/<sha256>.warc.gz`` in the archive folder (not
in ``.archive/``, whose contents are derived and may be deleted). A file is written to a temporary name in
its folder, flushed and fsynced, renamed into place and its folder fsynced, so once ``put`` returns the
bytes are durable and named by their hash; the event that records the capture is appended only after.
The store knows nothing of events or WARC: it keeps bytes by their hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CAPTURES_DIR", "CaptureProblem", "capture_path", "check_capture", "check_captures", "open_capture", "put_capture"]

CAPTURES_DIR = "captures"
"""The folder, in the archive folder, that holds every stored capture."""

_HEX = re.compile(r"[0-9a-f]{64}\Z")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class CaptureProblem:
    """A stored capture that is not what its hash says: missing, or its bytes changed."""

    sha256: str
    path: Path
    problem: str
    """``missing`` or ``altered`` (its bytes hash to something else)."""
    actual: str | None = None
    """The SHA-256 of the bytes found, for an altered one."""


def capture_path(root: Path, sha256: str) -> Path:
    """Where the capture whose WARC file hashes to ``sha256`` is kept in the archive ``root``."""
    if not _HEX.match(sha256):
        raise ValueError(f"not a SHA-256 in lower-case hex: {sha256!r}")
    return root / CAPTURES_DIR / "sha256" / sha256[:2] / f"{sha256}.warc.gz"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def put_capture(root: Path, data: bytes) -> str:
    """Keep ``data`` (one WARC file) under its SHA-256 and return the hash; durable when this returns.

    Writing bytes already kept changes nothing (their hash names them): a file already in place is
    checked and rewritten only if it was damaged.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    path = capture_path(root, sha256)
    if path.is_file() and _file_hash(path) == sha256:
        return sha256
    new_dirs = [p for p in (path.parent.parent.parent, path.parent.parent, path.parent) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".warc.gz")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    for made in reversed(new_dirs):
        _fsync_dir(made.parent)
    return sha256


def open_capture(root: Path, sha256: str) -> bytes:
    """The bytes of a stored capture, checked against their hash; raises FileNotFoundError or ValueError."""
    data = capture_path(root, sha256).read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ValueError(f"the stored capture {sha256} has been altered: its bytes hash to {actual}")
    return data


def check_capture(root: Path, sha256: str) -> CaptureProblem | None:
    """None when the capture named ``sha256`` is stored unchanged; else what is wrong with it."""
    path = capture_path(root, sha256)
    try:
        actual = _file_hash(path)
    except FileNotFoundError:
        return CaptureProblem(sha256, path, "missing")
    if actual != sha256:
        return CaptureProblem(sha256, path, "altered", actual)
    return None


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_captures(root: Path, hashes: Iterable[str]) -> list[CaptureProblem]:
    """Every capture named in ``hashes`` that is missing or altered, each named once, in the order given."""
    return [problem for sha256 in dict.fromkeys(hashes) if (problem := check_capture(root, sha256)) is not None]


def copy_captures(source: Path, target: Path) -> tuple[int, list[CaptureProblem]]:
    """Copy every capture kept in archive ``source`` that ``target`` lacks, each checked against its name
    (its SHA-256) and written as ``put_capture`` writes; return how many were copied and the ones refused."""
    copied, refused = 0, []
    for path in sorted((source / CAPTURES_DIR / "sha256").glob("*/*.warc.gz")):
        sha256 = path.name.removesuffix(".warc.gz")
        if not _HEX.match(sha256) or check_capture(target, sha256) is None:
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            refused.append(CaptureProblem(sha256, path, "altered", hashlib.sha256(data).hexdigest()))
            continue
        put_capture(target, data)
        copied += 1
    return copied, refused
