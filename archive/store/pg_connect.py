"""Connecting to PostgreSQL: URLs shown and stored without their password, the session's timeouts, and libpq's
errors turned into ours (naming the server, never the password, and saying what to do)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from events.errors import InvalidInput, Unavailable

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "LOCK_TIMEOUT",
    "connect",
    "is_database_url",
    "operation_error",
    "same_database",
    "shown_url",
]

LOCK_TIMEOUT = os.environ.get("ARCHIVE_LOCK_TIMEOUT", "10s")
"""How long a statement waits for the head row (or the append lock) before giving up: a hung writer cannot hold
the log forever (``lock_timeout``)."""
IDLE_TIMEOUT = os.environ.get("ARCHIVE_IDLE_TIMEOUT", "60s")
"""How long a transaction may sit idle before the server ends it, releasing its locks
(``idle_in_transaction_session_timeout``)."""

_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a folder."""
    return text.startswith(_SCHEMES)


def shown_url(url: str) -> str:
    """``url`` without its password (in the address or as ``password=``): for messages and for ``archive.json``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            netloc = f"{userinfo.partition(':')[0]}@{hostport}"
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return re.sub(r":[^:@/]*@", "@", url.split("?", maxsplit=1)[0])


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.password:
        return parts.password
    return dict(parse_qsl(parts.query)).get("password")


def same_database(a: str, b: str) -> bool:
    """Whether two URLs name the same server, database and user (passwords aside)."""
    return shown_url(a) == shown_url(b)


def _driver() -> Any:
    try:
        import psycopg  # noqa: PLC0415 - the default install does without it
    except ImportError as exc:
        raise Unavailable(
            "This archive's log is kept in PostgreSQL, and the PostgreSQL driver is not installed.",
            hint="Install it: pip install 'fact-archive[postgres]'.",
        ) from exc
    return psycopg


def connect(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection to ``url`` with the session's timeouts set; ArchiveError (exit 1) with what to do
    when it cannot be made."""
    psycopg = _driver()
    if not is_database_url(url):
        raise InvalidInput(f"{shown_url(url)!r} is not a PostgreSQL URL.", hint="Write it as postgresql://USER@HOST:PORT/DATABASE.")
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="fact-archive")
    except psycopg.ProgrammingError as exc:
        raise InvalidInput(
            f"{shown_url(url)} is not a valid PostgreSQL URL ({_scrub(str(exc), url)}).",
            hint="Write it as postgresql://USER@HOST:PORT/DATABASE.",
        ) from exc
    except psycopg.OperationalError as exc:
        raise _connect_error(url, exc) from exc
    try:
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'; SET idle_in_transaction_session_timeout = '{IDLE_TIMEOUT}'")
    except psycopg.Error as exc:
        conn.close()
        raise operation_error(url, exc, "set up the session") from exc
    return conn  # type: ignore[no-any-return]


def _scrub(text: str, url: str) -> str:
    """``text`` with the password of ``url`` removed, should libpq ever echo it; on one line."""
    secret = _password(url)
    if secret:
        text = text.replace(secret, "***")
    return " ".join(text.split())


def _ended(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _connect_error(url: str, exc: Exception) -> Unavailable:
    server = shown_url(url)
    reason = _scrub(str(exc), url)
    low = reason.lower()
    if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
        hint = "Check the user and its password: give it in ARCHIVE_DATABASE_URL, PGPASSWORD or ~/.pgpass (archive.json never holds it)."
    elif "does not exist" in low and "database" in low:
        hint = "Create the database (createdb -O USER NAME), or fix its name in the URL."
    elif "role" in low and "does not exist" in low:
        hint = "Create the role (createuser --pwprompt NAME), or fix the user in the URL."
    elif "translate host name" in low or "name or service not known" in low:
        hint = "Check the host name in the URL."
    elif "refused" in low or "no such file" in low or "timeout" in low or "could not connect" in low:
        hint = "Is the server running? Start it (on Debian: pg_ctlcluster VERSION main start), or check the host and port in the URL."
    else:
        hint = "Check the URL and that the server accepts this user (pg_hba.conf)."
    return Unavailable(f"Cannot connect to the database {server}: {_ended(reason)}", hint=hint)


def operation_error(url: str, exc: Exception, doing: str) -> Unavailable:
    """Our error for a failure of the database while ``doing`` something (a lost server, missing rights, a lock
    held too long): exit 1, naming the server."""
    import psycopg  # noqa: PLC0415 - only reached once the driver is there

    server = shown_url(url)
    reason = _scrub(str(exc), url)
    errors = psycopg.errors
    if isinstance(exc, errors.InsufficientPrivilege):
        return Unavailable(
            f"The database {server} refused to {doing}: {reason}.",
            hint="The archive's role needs SELECT and INSERT on events and revisions, SELECT and UPDATE on head, "
            "SELECT on schema_version (see the README, 'The log in PostgreSQL').",
        )
    if isinstance(exc, errors.LockNotAvailable):
        return Unavailable(
            f"Waited {LOCK_TIMEOUT} for the append lock of {server} to {doing}: another writer holds it.",
            hint="Retry; if it persists, find the session holding it (pg_stat_activity) and end it (pg_terminate_backend).",
        )
    if isinstance(exc, errors.IdleInTransactionSessionTimeout):
        return Unavailable(
            f"The database {server} ended this session: it sat idle in a transaction longer than {IDLE_TIMEOUT}.",
            hint="Nothing was recorded; retry.",
        )
    if isinstance(exc, psycopg.OperationalError | errors.AdminShutdown):
        return Unavailable(
            f"Lost the connection to the database {server} while trying to {doing}: {reason}.",
            hint="Is the server running? Start it (on Debian: pg_ctlcluster VERSION main start), then retry; "
            "a revision is written whole or not at all.",
        )
    return Unavailable(f"The database {server} failed to {doing}: {reason}.", hint="Retry; if it persists, run 'archive verify'.")
