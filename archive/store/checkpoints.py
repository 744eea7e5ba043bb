"""Signed checkpoints kept in the archive folder (``checkpoints/<size>.note``): not derived state, so not in ``.archive/``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archive.store.folder import Archive
from archive.store.notes import Checkpoint, NoteError, Verifier, open_checkpoint

__all__ = ["CHECKPOINTS_DIR", "Kept", "kept_checkpoints", "latest_checkpoint", "store_checkpoint"]

CHECKPOINTS_DIR = "checkpoints"


@dataclass(frozen=True, slots=True)
class Kept:
    """A checkpoint kept in the archive: its file, its signed note and what it says."""

    path: Path
    note: str
    checkpoint: Checkpoint

    @property
    def rev(self) -> int | None:
        """The last revision it covers (its ``revision`` extension line)."""
        value = self.checkpoint.extension("revision")
        return int(value) if value is not None and value.isdigit() else None


def kept_checkpoints(archive: Archive, verifier: Verifier | None = None) -> list[Kept]:
    """The kept checkpoints, smallest first; with ``verifier``, each signature is checked (a bad one is refused)."""
    folder = archive.root / CHECKPOINTS_DIR
    if not folder.is_dir():
        return []
    out: list[Kept] = []
    for path in folder.glob("*.note"):
        note = path.read_text(encoding="utf-8")
        try:
            checkpoint = open_checkpoint(note, verifier) if verifier is not None else Checkpoint.parse(note.rpartition("\n\n")[0] + "\n")
        except NoteError as exc:
            raise NoteError(f"{path}: {exc}") from exc
        out.append(Kept(path, note, checkpoint))
    return sorted(out, key=lambda kept: kept.checkpoint.size)


def latest_checkpoint(archive: Archive, verifier: Verifier | None = None) -> Kept | None:
    """The kept checkpoint of the largest tree, if any."""
    kept = kept_checkpoints(archive, verifier)
    return kept[-1] if kept else None


def store_checkpoint(archive: Archive, note: str, checkpoint: Checkpoint) -> Path:
    """Keep a signed checkpoint (one per tree size: an existing one of the same size is kept as it is)."""
    folder = archive.root / CHECKPOINTS_DIR
    folder.mkdir(exist_ok=True)
    path = folder / f"{checkpoint.size:012d}.note"
    if not path.exists():
        temporary = folder / f".{path.name}.{os.getpid()}"
        temporary.write_text(note, encoding="utf-8")
        os.replace(temporary, path)
    return path
