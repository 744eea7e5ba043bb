"""``archive init DIR --database URL``: a folder for views and saved states whose log lives in PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from archive.store.folder import LOG_NAME, Archive, fsync_dir
from archive.store.pg_connect import connect, operation_error, shown_url
from archive.store.pg_schema import create_schema
from archive.store.settings import SETTINGS_NAME, write_settings
from events.errors import ArchiveError, Conflict, InvalidInput

__all__ = ["init_database_archive"]


def init_database_archive(root: Path, url: str, *, settings: bool = True) -> Archive:
    """Make the log's tables in the database at ``url`` unless they are there (several folders, on several
    machines, may share one log), then the folder, naming the database in ``archive.json`` when ``settings``.
    Nothing is written in the folder unless the database is reachable and of our version."""
    archive = Archive(root)
    for name in (LOG_NAME, SETTINGS_NAME):
        if (root / name).exists():
            raise Conflict(f"{root / name} already exists: {root} is an archive already.", hint="Use it as it is, or choose another folder.")
    if root.exists() and not root.is_dir():
        raise InvalidInput(f"{root} is a file, not a folder.", hint="Choose a folder for the archive.")
    conn = connect(url)
    try:
        import psycopg  # noqa: PLC0415

        try:
            create_schema(conn, shown_url(url))
        except psycopg.Error as exc:
            raise operation_error(url, exc, "make the log's tables") from exc
    finally:
        conn.close()
    root.mkdir(parents=True, exist_ok=True)
    archive.state_dir.mkdir(exist_ok=True)
    if settings:
        try:
            write_settings(root, url)
        except OSError as exc:
            raise ArchiveError(f"Cannot write {root / SETTINGS_NAME} ({exc.strerror or exc}).") from exc
    fsync_dir(root)
    return archive

