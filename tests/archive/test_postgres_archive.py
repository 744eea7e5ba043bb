"""An archive whose log lives in PostgreSQL, through the real command line: the same answers as the folder,
``archive copy`` both ways byte for byte, clear refusals, and the log's rows kept append-only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, run_archive
from tests.pg import pg_env, pg_url, with_schema  # noqa: F401 - pg_url is a fixture

DERNA = "siege-of-derna"


def _db_archive(root: Path, url: str) -> Path:
    made = run_archive("init", root, "--database", url, env=pg_env(url))
    assert made.code == 0, made.err
    return root


def _ok(*args: str | Path, url: str) -> bytes:
    result = run_archive(*args, env=pg_env(url))
    assert result.code == 0, f"archive {' '.join(map(str, args))} exited {result.code}: {result.err}"
    assert "Traceback" not in result.err
    return result.out


def test_init_names_the_database_without_its_password(tmp_path: Path, pg_url: str) -> None:
    root = _db_archive(tmp_path / "db", pg_url)
    settings = json.loads((root / "archive.json").read_text())
    assert settings["database"].startswith("postgresql://")
    password = pg_url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    if password:
        assert f":{password}@" not in (root / "archive.json").read_text()
    assert not (root / "events.jsonl").exists()
    assert (root / ".archive").is_dir()


def test_the_bundled_archive_reads_the_same_from_the_database(tmp_path: Path, pg_url: str) -> None:
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "folder", ignore=shutil.ignore_patterns("views", ".archive")))
    root = _db_archive(tmp_path / "db", pg_url)
    copied = run_archive("copy", folder, root, env=pg_env(pg_url))
    assert copied.code == 0, copied.err
    for command in (
        ("show", DERNA),
        ("show", DERNA, "--view", "timeline", "--format", "json"),
        ("show", DERNA, "--view", "infobox", "--format", "json", "--at", "1"),
        ("diff", DERNA, "1", "2"),
        ("diff", DERNA, "1", "2", "--format", "json"),
        ("blame", DERNA),
        ("blame", DERNA, "--format", "json"),
        ("log", "--format", "json"),
        ("records",),
        ("history", DERNA, "t1"),
        ("show", DERNA, "--at", "HEAD~1"),
    ):
        on_file = _ok("-C", folder, *command, url=pg_url)
        on_database = _ok("-C", root, *command, url=pg_url)
        assert on_database == on_file, command
    report = json.loads(_ok("-C", root, "verify", "--format", "json", url=pg_url))
    assert report["ok"] and report["lines"] == 30 and report["revisions"] == 2


def test_copy_round_trip_is_byte_for_byte(tmp_path: Path, pg_url: str) -> None:
    original = (EXAMPLE / "events.jsonl").read_bytes()
    _ok("copy", EXAMPLE, pg_url, url=pg_url)
    _ok("copy", pg_url, tmp_path / "back", url=pg_url)
    assert (tmp_path / "back" / "events.jsonl").read_bytes() == original
    report = json.loads(run_archive("-C", tmp_path / "back", "verify", "--format", "json").out)
    assert report["ok"] and report["witness"]


def test_copy_refuses_a_database_that_holds_a_log_and_writes_nothing(tmp_path: Path, pg_url: str, refused) -> None:
    _ok("copy", EXAMPLE, pg_url, url=pg_url)
    again = run_archive("copy", EXAMPLE, pg_url, env=pg_env(pg_url))
    refused(again, 1, "already holds a log (30 lines)", "never merges")
    _ok("copy", pg_url, tmp_path / "back", url=pg_url)
    assert (tmp_path / "back" / "events.jsonl").read_bytes() == (EXAMPLE / "events.jsonl").read_bytes()


def test_copy_refuses_a_broken_chain_and_commits_nothing(tmp_path: Path, pg_url: str, refused) -> None:
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "folder"))
    lines = (folder / "events.jsonl").read_bytes().splitlines(keepends=True)
    lines[10] = lines[10].replace(b'"by":"', b'"by":"x', 1)  # changed: line 12's prev no longer matches
    (folder / "events.jsonl").write_bytes(b"".join(lines))
    result = run_archive("copy", folder, pg_url, env=pg_env(pg_url))
    refused(result, 4, ":12: prev does not follow line 11")
    root = _db_archive(tmp_path / "db", pg_url)
    assert json.loads(_ok("-C", root, "log", "--format", "json", url=pg_url)) == []


def test_append_import_and_the_witness_on_a_database(tmp_path: Path, pg_url: str, seed_text: bytes) -> None:
    root = _db_archive(tmp_path / "db", pg_url)
    seed = tmp_path / "siege-of-derna.txt"
    seed.write_bytes(seed_text)
    _ok("-C", root, "import", seed, url=pg_url)
    _ok("-C", root, "append", DERNA, "--infobox", "Result=LNA victory", "--source", "https://example.org", url=pg_url)
    stale = run_archive(
        "-C", root, "append", DERNA, "--infobox", "Result=x", "--source", "s", "--expect-rev", "1", env=pg_env(pg_url)
    )
    assert stale.code == 3, stale.err
    infobox = json.loads(_ok("-C", root, "show", DERNA, "--view", "infobox", "--format", "json", url=pg_url))
    assert {"key": "Result", "value": "LNA victory"}.items() <= next(r for r in infobox if r["key"] == "Result").items()
    # a second folder on the same database (another machine) sees the same archive, with no saved state of its own
    other = tmp_path / "other"
    other.mkdir()
    (other / "archive.json").write_bytes((root / "archive.json").read_bytes())
    assert _ok("-C", other, "show", DERNA, url=pg_url) == _ok("-C", root, "show", DERNA, url=pg_url)
    _ok("-C", other, "build", url=pg_url)
    assert (other / "views" / DERNA / "article.txt").is_file()
    assert json.loads(_ok("-C", root, "verify", "--format", "json", url=pg_url))["revisions"] == 2


def test_the_application_cannot_rewrite_the_log(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    _ok("copy", EXAMPLE, pg_url, url=pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in (
            "UPDATE events SET line = 'x' WHERE seq = 1",
            "DELETE FROM events WHERE seq = 30",
            "TRUNCATE events",
            "UPDATE revisions SET by = 'x'",
            "DELETE FROM revisions",
            "DELETE FROM head",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
    _ok("copy", pg_url, tmp_path / "back", url=pg_url)
    assert (tmp_path / "back" / "events.jsonl").read_bytes() == (EXAMPLE / "events.jsonl").read_bytes()


def test_a_schema_of_another_version_is_refused_clearly(tmp_path: Path, pg_url: str, refused) -> None:
    import psycopg

    root = _db_archive(tmp_path / "db", pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    result = run_archive("-C", root, "log", env=pg_env(pg_url))
    refused(result, 1, "schema version 99; this program reads version 1", "Use the version of fact-archive that made it")


def test_a_database_without_an_archive_is_named(tmp_path: Path, pg_url: str, refused) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "archive.json").write_text(json.dumps({"database": pg_url}))
    result = run_archive("-C", folder, "log", env=pg_env(pg_url))
    refused(result, 1, "holds no archive", "archive init DIR --database URL")


def test_a_server_that_is_down_is_named_and_nothing_is_made(tmp_path: Path, refused) -> None:
    url = "postgresql://someone:s3cret-word@127.0.0.1:1/nothing"
    result = run_archive("init", tmp_path / "db", "--database", url, env={"ARCHIVE_DATABASE_URL": ""})
    refused(result, 1, "Cannot connect to the database postgresql://someone@127.0.0.1:1/nothing", "Is the server running?")
    assert "s3cret-word" not in result.err
    assert not (tmp_path / "db").exists()


def test_a_wrong_password_is_named_without_the_password(tmp_path: Path, pg_url: str, refused) -> None:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(pg_url)
    wrong = urlunsplit(parts._replace(netloc=f"{parts.username}:not-the-password-42@{parts.hostname}:{parts.port or 5432}"))
    result = run_archive("init", tmp_path / "db", "--database", wrong, env={"ARCHIVE_DATABASE_URL": ""})
    refused(result, 1, "Cannot connect to the database", "password")
    assert "not-the-password-42" not in result.err
    assert not (tmp_path / "db").exists()


def test_a_url_that_is_not_postgresql_is_refused(tmp_path: Path, refused) -> None:
    result = run_archive("init", tmp_path / "db", "--database", "mysql://x@127.0.0.1/db", env={"ARCHIVE_DATABASE_URL": ""})
    refused(result, 1, "is not a PostgreSQL URL")
    assert not (tmp_path / "db").exists()


def test_the_environment_alone_names_the_database(tmp_path: Path, pg_url: str) -> None:
    root = tmp_path / "env"
    made = run_archive("init", root, env={"ARCHIVE_DATABASE_URL": pg_url})
    assert made.code == 0, made.err
    assert not (root / "archive.json").exists() and not (root / "events.jsonl").exists()
    _ok("copy", EXAMPLE, root, url=pg_url)  # the folder's log is the database: the copy goes there
    assert not (root / "events.jsonl").exists()
    assert json.loads(_ok("-C", root, "log", "--format", "json", url=pg_url))[0]["rev"] == 2


def test_each_test_schema_is_its_own(pg_url: str) -> None:
    assert "search_path" in pg_url
    assert with_schema("postgresql://a@127.0.0.1/d", "s") == "postgresql://a@127.0.0.1/d?options=-csearch_path%3Ds"
