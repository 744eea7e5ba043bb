"""The PostgreSQL tables of a log: made once by ``archive init --database``, checked (by version) on every connection."""

from __future__ import annotations

from typing import Any

from events.codec import GENESIS
from events.errors import ArchiveError, Unavailable

__all__ = ["SCHEMA_VERSION", "STALE", "TABLES", "check_schema", "create_schema"]

SCHEMA_VERSION = 1
"""The layout of the tables this program reads and writes; another number is refused with what to do."""

TABLES = ("schema_version", "head", "events", "revisions")

STALE = "FA001"
"""The SQLSTATE ``append_lines`` raises when the head row no longer names the line an append was stamped to follow."""

_DDL = f"""
CREATE TABLE schema_version (
    version integer NOT NULL,
    made timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE head (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq bigint NOT NULL,
    rev bigint NOT NULL,
    end_offset bigint NOT NULL,
    hash text NOT NULL
);
CREATE TABLE events (
    seq bigint PRIMARY KEY,
    rev bigint NOT NULL,
    line bytea NOT NULL,
    end_offset bigint NOT NULL,
    hash text NOT NULL
);
CREATE TABLE revisions (
    rev bigint PRIMARY KEY,
    first_seq bigint NOT NULL,
    last_seq bigint NOT NULL,
    at timestamptz NOT NULL,
    by text NOT NULL,
    summary text
);
CREATE INDEX revisions_at ON revisions (at, rev);
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the change log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER head_kept BEFORE DELETE OR TRUNCATE ON head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE FUNCTION append_lines(
    expect_seq bigint, expect_rev bigint, expect_offset bigint, expect_hash text,
    seqs bigint[], revs bigint[], lines bytea[], offsets bigint[], hashes text[],
    r_revs bigint[], r_first bigint[], r_last bigint[], r_at timestamptz[], r_by text[], r_summary text[],
    channel text
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h head%ROWTYPE;
    n integer := array_length(seqs, 1);
BEGIN
    SELECT * INTO h FROM head FOR UPDATE;
    IF (h.seq, h.rev, h.end_offset, h.hash) IS DISTINCT FROM (expect_seq, expect_rev, expect_offset, expect_hash) THEN
        RAISE EXCEPTION 'the head moved' USING ERRCODE = '{STALE}', DETAIL = h.seq || ' ' || h.rev;
    END IF;
    INSERT INTO events (seq, rev, line, end_offset, hash) SELECT * FROM unnest(seqs, revs, lines, offsets, hashes);
    INSERT INTO revisions (rev, first_seq, last_seq, at, by, summary)
        SELECT * FROM unnest(r_revs, r_first, r_last, r_at, r_by, r_summary);
    UPDATE head SET seq = seqs[n], rev = revs[n], end_offset = offsets[n], hash = hashes[n];
    PERFORM pg_notify(channel, seqs[n]::text);
END $$;
INSERT INTO head (seq, rev, end_offset, hash) VALUES (0, 0, 0, '{GENESIS}');
INSERT INTO schema_version (version) VALUES ({SCHEMA_VERSION});
"""


def create_schema(conn: Any, server: str) -> bool:
    """Make the tables in the connection's current schema unless they are there; whether they were made.

    Refuses a schema of another version, and one that holds some of the tables but not all.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('fact-archive init ' || current_schema(), 0))")
        found = [name for name in TABLES if conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None]
        if len(found) == len(TABLES):
            check_schema(conn, server)
            return False
        if found:
            raise ArchiveError(
                f"The database {server} holds tables named {', '.join(found)} that are not a fact-archive log.",
                hint="Give the archive a database (or a schema, with ?options=-csearch_path%3DNAME) of its own.",
            )
        conn.execute(_DDL)
    return True


def check_schema(conn: Any, server: str) -> None:
    """Refuse a database without our tables, or with tables of another version."""
    import psycopg  # noqa: PLC0415

    try:
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise Unavailable(
            f"The database {server} holds no archive (no table schema_version in schema "
            f"{_schema(conn)}).",
            hint="Make one there with 'archive init DIR --database URL', or fix the URL.",
        ) from exc
    version = row[0] if row is not None else None
    if version != SCHEMA_VERSION:
        raise Unavailable(
            f"The database {server} holds an archive of schema version {version}; this program reads version {SCHEMA_VERSION}.",
            hint="Use the version of fact-archive that made it (its 'archive copy' writes a folder any version reads).",
        )


def _schema(conn: Any) -> str:
    import psycopg  # noqa: PLC0415

    try:
        return str(conn.execute("SELECT current_schema()").fetchone()[0])
    except psycopg.Error:
        return "?"
