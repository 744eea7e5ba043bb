"""Where an archive's files live, and how one is made or found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.store.settings import database_url
from events.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from archive.store.port import LogPort

__all__ = ["Archive", "find_archive", "fsync_dir", "init_archive", "open_log"]

LOG_NAME = "events.jsonl"
STATE_DIR = ".archive"
VIEWS_DIR = "views"


@dataclass(frozen=True, slots=True)
class Archive:
    """An archive folder: ``events.jsonl``, ``views/``, and private state in ``.archive/``."""

    root: Path

    @property
    def log(self) -> Path:
        """The change log, the one source of truth."""
        return self.root / LOG_NAME

    @property
    def state_dir(self) -> Path:
        """Private state: the lock, checkpoints, quarantine."""
        return self.root / STATE_DIR

    @property
    def views(self) -> Path:
        """Where ``build`` writes the views by default."""
        return self.root / VIEWS_DIR

    @property
    def lock_file(self) -> Path:
        """The file appenders lock, one at a time."""
        return self.state_dir / "lock"


def init_archive(root: Path, database: str | None = None) -> Archive:
    """Make an empty archive in ``root`` (created if missing); refuse if one is there. With ``database`` (a
    PostgreSQL URL), its log lives there (``archive.store.pg_init``)."""
    if database is not None:
        from archive.store.pg_init import init_database_archive  # noqa: PLC0415 - only for a database

        return init_database_archive(root, database)
    archive = Archive(root)
    if archive.log.exists():
        raise Conflict(
            f"{archive.log} already exists: {root} is an archive already.", hint="Use it as it is, or choose another folder."
        )
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} is a file, not a folder.", hint="Choose a folder for the archive.")
    root.mkdir(parents=True, exist_ok=True)
    archive.state_dir.mkdir(exist_ok=True)
    with open(archive.log, "xb") as log:
        os.fsync(log.fileno())
    fsync_dir(root)
    return archive


def find_archive(root: Path) -> Archive:
    """The archive in ``root``; refuse with what to do if there is none."""
    archive = Archive(root)
    if not archive.log.is_file() and database_url(root) is None:
        raise InvalidInput(
            f"{root} is not an archive: it has no {LOG_NAME}.",
            hint=f"Make one with 'archive init {root}', or name another with -C DIR.",
        )
    return archive


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a new or renamed file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_log(archive: Archive, *, warn: Callable[[str], None] | None = None) -> LogPort:
    """The log port of ``archive``: the backend its folder names (the JSONL file by default; PostgreSQL when
    ``archive.json`` or ``ARCHIVE_DATABASE_URL`` names a database)."""
    url = database_url(archive.root)
    if url is not None:
        from archive.store.postgres import PostgresLog  # noqa: PLC0415 - only for a database archive

        return PostgresLog(url, archive.state_dir, warn=warn)
    from archive.store.jsonl import JsonlLog  # noqa: PLC0415 - folder paths alone do not need the adapter

    return JsonlLog(archive.log, archive.state_dir, warn=warn)
