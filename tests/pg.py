"""PostgreSQL for the tests: the server named by ``ARCHIVE_TEST_DATABASE_URL``, and a fresh schema per test.

Without that variable (or with a server that does not answer) the tests that need it skip, saying how to
start one; under ``CI=true`` they fail instead, so CI never passes by skipping them. Import the fixtures
into a test module (``from tests.pg import pg_url``) to use them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

__all__ = ["ENV", "pg_env", "pg_url", "server_url", "with_schema"]

ENV = "ARCHIVE_TEST_DATABASE_URL"
_HOW = (
    f"set {ENV}=postgresql://USER:PASSWORD@127.0.0.1:5432/DATABASE to run them; to start a server on Debian: "
    "pg_ctlcluster VERSION main start (VERSION from ls /usr/lib/postgresql), then create a role and a database "
    "as .ci/run does"
)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}; {_HOW}")


def server_url() -> str:
    """The test server's URL, checked to answer and to be on this machine; skips (fails under CI) otherwise."""
    url = os.environ.get(ENV)
    if not url:
        _missing(f"{ENV} is not set")
    host = urlsplit(url).hostname or "localhost"  # type: ignore[arg-type]
    if host not in ("127.0.0.1", "localhost", "::1"):
        pytest.fail(f"{ENV} names {host}: tests never reach beyond 127.0.0.1")
    try:
        import psycopg  # noqa: PLC0415
    except ImportError:
        _missing("psycopg is not installed (pip install -e '.[test]')")
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:  # type: ignore[arg-type]
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        _missing(f"the server at {host} does not answer ({' '.join(str(exc).split())})")
    return url  # type: ignore[return-value]


def with_schema(url: str, schema: str) -> str:
    """``url`` with its tables looked up (and made) in ``schema``."""
    glue = "&" if "?" in url else "?"
    return f"{url}{glue}options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty schema of the test server (dropped after the test)."""
    import psycopg  # noqa: PLC0415

    base = server_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = with_schema(base, schema)
    try:
        yield url
    finally:
        from archive.store.postgres import PostgresLog  # noqa: PLC0415

        PostgresLog(url).close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '30s'")
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def pg_env(url: str) -> dict[str, str]:
    """The environment a command needs to reach ``url`` (its password rides on ARCHIVE_DATABASE_URL)."""
    return {"ARCHIVE_DATABASE_URL": url}
