"""The head witness: the number and hash of the last line an append wrote, kept in ``.archive/head.json``.

The hash chain proves every line but the last (each line's ``prev`` is the
hash of the one before). The witness closes the chain at the end: it lets a
reader notice a change to the last line, or whole revisions cut off the end.
It is written after the log is fsynced, so it never names a line that is not
durably in the log; a crash in between leaves it one append behind, which is
still a true statement about a prefix of the log. It is not fsynced itself: a
crash may also leave the previous witness or an empty file (read as none).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from events.errors import DamagedLog

__all__ = ["HEAD_NAME", "Head", "read_head", "write_head"]

HEAD_NAME = "head.json"
"""The witness file's name inside ``.archive/``."""


@dataclass(frozen=True, slots=True)
class Head:
    """What the last append wrote: its last line's number, revision, end offset and hash."""

    seq: int
    """The line number (== ``seq``) of the last line written."""
    rev: int
    """The revision that line ended."""
    offset: int
    """The log's size in bytes after that line."""
    hash: str
    """SHA-256 of that line's bytes: the ``prev`` the next line carries."""


def read_head(state_dir: Path) -> Head | None:
    """The witness in ``state_dir``, or None if there is none (a new archive, or a log copied on its own)."""
    path = state_dir / HEAD_NAME
    try:
        raw = path.read_bytes()
        if not raw:
            return None  # what a crash right after the rename can leave: no witness, as for a copied log
        data = orjson.loads(raw)
        head = Head(seq=data["seq"], rev=data["rev"], offset=data["offset"], hash=data["hash"])
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise DamagedLog(
            f"{path} is unreadable ({exc}).",
            hint="It is written by every append; if you edited it, delete it and run 'archive verify'.",
        ) from exc
    if not (
        isinstance(head.seq, int) and isinstance(head.rev, int) and isinstance(head.offset, int) and isinstance(head.hash, str)
    ):
        raise DamagedLog(f"{path} does not hold a head record.", hint="Delete it and run 'archive verify'.")
    return head


def write_head(state_dir: Path, head: Head) -> None:
    """Replace the witness atomically: write a temporary file and rename it over the old one.

    Not fsynced (an append costs one fsync, the log's): the line it names is already durable, and what a
    crash can leave instead (the previous witness, or an empty file) is still true of the log, or read as
    no witness.
    """
    path = state_dir / HEAD_NAME
    temporary = state_dir / f".{HEAD_NAME}.{os.getpid()}"
    data = orjson.dumps({"seq": head.seq, "rev": head.rev, "offset": head.offset, "hash": head.hash}) + b"\n"
    with open(temporary, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
