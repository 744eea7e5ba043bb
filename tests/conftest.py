"""Shared fixtures: run the real ``archive`` command line in a subprocess, find the seed and the test articles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
"""The repository's root folder."""
SEED = REPO.parent / "shared" / "seed" / "siege-of-derna.txt"
"""The first record's article text, outside the repository (a copy is bundled in examples/articles/)."""
if not SEED.is_file():
    SEED = REPO / "examples" / "articles" / "siege-of-derna.txt"
ARTICLES = REPO / "tests" / "data" / "articles"
"""Articles written for the tests, each covering parts of the format."""
EXAMPLE = REPO / "examples" / "siege-of-derna"
"""The bundled archive (never written to: tests copy it)."""
LOG = "events.jsonl"


@pytest.fixture(autouse=True, scope="session")
def _private_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Private keys that tests make go to a folder of the test run, never the user's ~/.config (every process inherits it)."""
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    yield
    if saved is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = saved


@dataclass(frozen=True, slots=True)
class Result:
    """What one run of the command line gave back."""

    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        """Standard output as text."""
        return self.out.decode("utf-8")


Run = Callable[..., Result]


@pytest.fixture
def run(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """The command line in this process (``archive.cli.main.main.main``): the same code as the subprocess runs, faster.

    ``run(*args, code=0)`` asserts the exit status and that no traceback was printed. The subprocess
    fixtures (``ok``, ``archive``) cover the process boundary.
    """
    from archive.cli.main import main  # noqa: PLC0415

    monkeypatch.setenv("ARCHIVE_USER", "tester")
    monkeypatch.delenv("ARCHIVE_DIR", raising=False)

    def call(*args: object, code: int = 0) -> Result:
        status = main([str(a) for a in args])
        out, err = capsysbinary.readouterr()
        ran = Result(status, out, err.decode("utf-8"))
        assert status == code, f"archive {' '.join(map(str, args))} exited {status}: {ran.err}"
        assert "Traceback" not in ran.err
        return ran

    return call


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DIR", "ARCHIVE_USER")}
    env["ARCHIVE_USER"] = "tester"
    env.update(extra or {})
    return env


def run_archive(
    *args: str | Path, cwd: Path | None = None, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> Result:
    """Run ``python -m archive ARGS`` as a real process and collect its exit status and output."""
    proc = subprocess.run(
        [sys.executable, "-m", "archive", *map(str, args)],
        cwd=cwd,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=_env(env),
        timeout=120,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="session")
def archive() -> Run:
    """``archive(*args, cwd=, stdin=, env=)`` runs the command line in a subprocess and returns a Result."""
    return run_archive


@pytest.fixture
def in_process(capfdbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``in_process(*args)`` calls ``archive.cli.main.main.main(args)`` in this process (no start-up cost) and returns a Result;
    for wide matrices of read commands. Fails unless the command exits 0."""
    from archive.cli.main import main  # noqa: PLC0415 - only the tests that ask for it pay the import

    monkeypatch.delenv("ARCHIVE_DIR", raising=False)
    monkeypatch.setenv("ARCHIVE_USER", "tester")

    def run(*args: str | Path) -> Result:
        capfdbinary.readouterr()
        code = main([str(arg) for arg in args])
        out, err = capfdbinary.readouterr()
        result = Result(code, out, err.decode("utf-8", "replace"))
        assert code == 0, f"archive {' '.join(map(str, args))} exited {code}:\n{result.err}"
        return result

    return run


@pytest.fixture(scope="session")
def ok() -> Run:
    """Like ``archive``, but fails the test unless the command exits 0 with nothing alarming on stderr."""

    def run(*args: str | Path, **kwargs: object) -> Result:
        result = run_archive(*args, **kwargs)  # type: ignore[arg-type]
        assert result.code == 0, f"archive {' '.join(map(str, args))} exited {result.code}:\n{result.err}"
        assert "Traceback" not in result.err, result.err
        return result

    return run


@pytest.fixture(scope="session")
def refused() -> Callable[..., Result]:
    """``refused(result, code, *fragments)``: the command refused cleanly: exit ``code``, an ``Error:`` message
    holding every fragment (after click's usage lines for exit 2), nothing on stdout, and no traceback."""

    def check(result: Result, code: int, *fragments: str) -> Result:
        assert result.code == code, f"exit {result.code}, expected {code}:\nstdout: {result.text}\nstderr: {result.err}"
        assert "Traceback" not in result.err, result.err
        assert result.err.startswith("Error: ") or (code == 2 and "\nError: " in result.err), result.err
        assert result.out == b"", result.text
        for fragment in fragments:
            assert fragment in result.err, f"{fragment!r} not in the message: {result.err}"
        return result

    return check


@pytest.fixture(scope="session")
def seed_text() -> bytes:
    """The seed article's bytes; skips when the shared folder is not there."""
    if not SEED.is_file():
        pytest.skip(f"the seed article {SEED} is not there (it lives beside the repository, in ../shared/seed/)")
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def _seed_archive_template(tmp_path_factory: pytest.TempPathFactory, seed_text: bytes) -> Path:
    root = tmp_path_factory.mktemp("template") / "seeded"
    seed = root.parent / "siege-of-derna.txt"
    seed.write_bytes(seed_text)
    for args in (("init", root), ("-C", root, "import", seed)):
        result = run_archive(*args)
        assert result.code == 0, result.err
    return root


@pytest.fixture
def seeded(tmp_path: Path, _seed_archive_template: Path) -> Path:
    """A fresh archive holding the seed as record ``siege-of-derna`` (revision 1), in ``tmp_path/seeded``."""
    return Path(shutil.copytree(_seed_archive_template, tmp_path / "seeded"))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the bundled example archive, safe to write to."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "example", ignore=shutil.ignore_patterns("views", ".archive")))


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """A fresh, empty archive in ``tmp_path/empty``."""
    root = tmp_path / "empty"
    result = run_archive("init", root)
    assert result.code == 0, result.err
    return root


@contextmanager
def _serving(root: Path, *args: str) -> Iterator[str]:
    """Run ``archive serve --port 0`` as a real process on a free loopback port; yield its URL; stop it after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "archive", "-C", str(root), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(None),
    )
    guard = threading.Timer(60, proc.kill)  # a bounded wait for the first line
    guard.start()
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        guard.cancel()
        assert "http://" in line, f"no URL from archive serve: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield line[line.index("http://") :].split()[0]
    finally:
        guard.cancel()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


@pytest.fixture(scope="session")
def serving() -> Callable[..., Any]:
    """``with serving(root) as url:`` runs a real ``archive serve`` on the archive in ``root``."""
    return _serving
