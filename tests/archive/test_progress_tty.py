"""Long imports and builds show progress on a terminal, and nothing extra when piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[2] / "examples" / "articles" / "siege-of-derna.txt"


def _articles(folder: Path, count: int) -> list[str]:
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    paths = []
    for index in range(count):
        path = folder / f"article-{index}.txt"
        path.write_text(text.replace("= Siege of Derna =", f"= Siege of Derna {index} ="), encoding="utf-8")
        paths.append(str(path))
    return paths


def _run_with_tty_stderr(args: list[str]) -> tuple[int, str]:
    """Run the real command with stderr on a pseudo-terminal; return its exit status and what the terminal got."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the child exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(leader)


def test_import_and_build_show_progress_on_a_terminal(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    subprocess.run([sys.executable, "-m", "archive", "init", str(archive)], check=True, capture_output=True)
    files = _articles(tmp_path / "articles", 5)
    status, shown = _run_with_tty_stderr([sys.executable, "-m", "archive", "-C", str(archive), "import", *files])
    assert status == 0, shown
    assert "Reading" in shown
    assert "100%" in shown
    status, shown = _run_with_tty_stderr([sys.executable, "-m", "archive", "-C", str(archive), "build"])
    assert status == 0, shown
    assert "Building" in shown
    assert "100%" in shown


def test_no_progress_when_piped(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    subprocess.run([sys.executable, "-m", "archive", "init", str(archive)], check=True, capture_output=True)
    files = _articles(tmp_path / "articles", 3)
    result = subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(archive), "import", *files], capture_output=True, check=False
    )
    assert result.returncode == 0
    assert result.stderr == b""
    assert result.stdout.decode().count("Imported ") == 3
