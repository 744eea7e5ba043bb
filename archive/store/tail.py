"""Where the whole revisions of a log end (``Tail``), and whether a log still holds the prefix a saved state covers."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["Tail", "covers"]


@dataclass(frozen=True, slots=True)
class Tail:
    """Where the whole revisions of the log end, and what follows them."""

    offset: int
    """Bytes of whole revisions: the next append starts here."""
    seq: int
    rev: int
    hash: str
    """The ``prev`` the next line must carry."""
    torn: tuple[int, int] | None = None
    """The byte range of an unfinished revision or partial line at the end, if any."""


def covers(log: Path, tail: Tail) -> bool:
    """Whether ``log`` still holds the prefix ``tail`` describes: long enough, and its line ending at
    ``tail.offset`` hashes to ``tail.hash``."""
    if tail.offset == 0:
        return tail.seq == 0
    try:
        with open(log, "rb") as file:
            if os.fstat(file.fileno()).st_size < tail.offset:
                return False
            line = _line_ending_at(file, tail.offset)
    except FileNotFoundError:
        return False
    return line is not None and hashlib.sha256(line).hexdigest() == tail.hash


def _line_ending_at(file: IO[bytes], end: int) -> bytes | None:
    """The line whose newline is the byte before ``end``; None if that byte is not a newline."""
    file.seek(end - 1)
    if file.read(1) != b"\n":
        return None
    start, size = end - 1, 4096
    while start > 0:
        step = min(size, start)
        file.seek(start - step)
        found = file.read(step).rfind(b"\n")
        if found >= 0:
            start = start - step + found + 1
            break
        start -= step
        size *= 2
    file.seek(start)
    return file.read(end - start)
