"""``archive copy SOURCE TARGET``: a whole log from a folder to an empty database, or back, byte for byte.

Either end is a folder (its ``events.jsonl``, or the database its ``archive.json`` names) or a PostgreSQL
URL. The lines stream through one check of their numbers and hash chain (``postgres._Chain``) and are
committed only when all of them hold, the last ends a revision, and the last agrees with the source's
witness: a database in one transaction, a file written beside ``events.jsonl`` and renamed into place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archive.store.folder import LOG_NAME, Archive, find_archive, fsync_dir, open_log
from archive.store.head import Head, write_head
from archive.store.pg_connect import connect, is_database_url, operation_error, shown_url
from archive.store.port import LogPort
from archive.store.settings import SETTINGS_NAME, database_url
from events.errors import Conflict, DamagedLog

__all__ = ["Copied", "copy_log"]


@dataclass(frozen=True, slots=True)
class Copied:
    """What a copy wrote."""

    source: str
    target: str
    head: Head | None
    """The last line copied (None: the source log is empty)."""

    def as_json(self) -> dict[str, object]:
        """The JSON shape of ``archive copy --format json``."""
        head = self.head
        return {
            "source": self.source,
            "target": self.target,
            "lines": head.seq if head else 0,
            "revisions": head.rev if head else 0,
            "bytes": head.offset if head else 0,
            "head": head.hash if head else None,
        }


def copy_log(source: str, target: str) -> Copied:
    """Copy the log at ``source`` into the empty log at ``target`` (made if missing)."""
    port = _source(source)
    witness = port.witness()
    folder = Path(target)
    # a folder target is a database when its archive.json says so, or when it is an archive without events.jsonl
    # made with $ARCHIVE_DATABASE_URL; a new folder is where the file goes
    made = (folder / SETTINGS_NAME).is_file() or (folder / ".archive").is_dir()
    url = target if is_database_url(target) else database_url(folder) if made else None
    if url is not None:
        head = _to_database(port, url, witness)
        shown = shown_url(url)
    else:
        head = _to_folder(port, Path(target), witness)
        shown = str(Path(target) / LOG_NAME)
    return Copied(port.name, shown, head)


def _source(source: str) -> LogPort:
    if is_database_url(source):
        from archive.store.postgres import PostgresLog  # noqa: PLC0415

        return PostgresLog(source)
    return open_log(find_archive(Path(source)))


def _check(head: Head | None, witness: Head | None, name: str) -> None:
    if witness is not None and head != witness:
        raise DamagedLog(
            f"{name}: its last whole line is {head.seq if head else 0}, but its witness says revision {witness.rev} "
            f"ended at line {witness.seq}: nothing was copied.",
            hint="Run 'archive verify' on the source.",
        )


def _to_database(port: LogPort, url: str, witness: Head | None) -> Head | None:
    import psycopg  # noqa: PLC0415

    from archive.store.pg_schema import create_schema  # noqa: PLC0415
    from archive.store.postgres import PostgresLog  # noqa: PLC0415

    conn = connect(url)
    try:
        create_schema(conn, shown_url(url))
    except psycopg.Error as exc:
        raise operation_error(url, exc, "make the log's tables") from exc
    finally:
        conn.close()
    target = PostgresLog(url)
    return target.load(port.lines(), check=lambda head: _check(head, witness, port.name))


def _to_folder(port: LogPort, root: Path, witness: Head | None) -> Head | None:
    from archive.store.postgres import _Chain  # noqa: PLC0415 - the same checks as into a database

    archive = Archive(root)
    if archive.log.exists() and archive.log.stat().st_size:
        raise Conflict(f"{archive.log} already holds a log.", hint="Copy into a new folder; 'archive copy' never merges logs.")
    if root.exists() and not root.is_dir():
        raise Conflict(f"{root} is a file, not a folder.", hint="Name a folder for the copy.")
    archive.state_dir.mkdir(parents=True, exist_ok=True)
    temporary = root / f".{LOG_NAME}.copy.{os.getpid()}"
    chain = _Chain(port.name)
    try:
        with open(temporary, "xb") as out:
            for line in port.lines():
                chain.take(line)
                out.write(line)
            out.flush()
            head = chain.finish()
            _check(head, witness, port.name)
            os.fsync(out.fileno())
        os.replace(temporary, archive.log)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if head is not None:
        write_head(archive.state_dir, head)
    fsync_dir(root)
    return head
