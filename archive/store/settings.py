"""An archive folder's settings, ``archive.json`` (beside ``.archive/``, which holds only derived state): for now,
which database keeps its log. Its URL is stored without a password."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from archive.store.pg_connect import same_database, shown_url
from events.errors import InvalidInput

__all__ = ["DATABASE_ENV", "SETTINGS_NAME", "database_url", "write_settings"]

SETTINGS_NAME = "archive.json"
DATABASE_ENV = "ARCHIVE_DATABASE_URL"
"""The database of an archive whose folder names none (and the password of one whose folder names it)."""


def database_url(root: Path) -> str | None:
    """The URL of the database that keeps the log of the archive in ``root``, or None for the file.

    ``archive.json`` decides when it names a database; ``ARCHIVE_DATABASE_URL`` then only lends its password
    when it names the same server, database and user. A folder with neither ``archive.json`` nor
    ``events.jsonl`` takes ``ARCHIVE_DATABASE_URL`` when it is set.
    """
    env = os.environ.get(DATABASE_ENV) or None
    path = root / SETTINGS_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return env if env is not None and not (root / "events.jsonl").exists() else None
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    try:
        data = orjson.loads(raw)
        url = data.get("database")
        if url is not None and not isinstance(url, str):
            raise TypeError("database is not a string")
    except (orjson.JSONDecodeError, AttributeError, TypeError) as exc:
        raise InvalidInput(
            f"{path} is not the settings file an archive writes ({exc}).",
            hint='It holds {"database": "postgresql://USER@HOST:PORT/DATABASE"}; fix it or remove it.',
        ) from exc
    if url is None:
        return None
    if env is not None and same_database(env, url):
        return env
    return url


def write_settings(root: Path, url: str) -> Path:
    """Write ``archive.json`` naming the database at ``url`` (its password left out)."""
    path = root / SETTINGS_NAME
    path.write_bytes(orjson.dumps({"database": shown_url(url)}, option=orjson.OPT_INDENT_2) + b"\n")
    return path
