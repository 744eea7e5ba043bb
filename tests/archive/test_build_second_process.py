"""Tests of archive.web.build_views: the diff pages written partly by a second process are the same files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import archive.web.build_views as build_views_module
from archive.saved.checkpoint import load_state
from archive.store.folder import find_archive
from archive.web.diff_pages import DiffPages, wanted_pages
from events.errors import DamagedLog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "siege-of-derna"


def _archive(tmp_path: Path) -> Path:
    root = tmp_path / "arch"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".archive", "views"))
    for n in range(3):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "archive",
                "-C",
                str(root),
                "append",
                "siege-of-derna",
                "--lead",
                "--text",
                f"Added sentence {n}.",
                "--source",
                "https://example.org/x",
            ],
            check=True,
            capture_output=True,
            env={"ARCHIVE_USER": "tester", "PATH": "/usr/bin:/bin"},
        )
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.skipif(sys.platform != "linux", reason="the second process is forked on Linux")
def test_a_second_process_writes_the_same_files_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _archive(tmp_path)
    serial = tmp_path / "serial"
    subprocess.run(
        [sys.executable, "-m", "archive", "-C", str(root), "build", "--out", str(serial)], check=True, capture_output=True
    )
    monkeypatch.setattr(build_views_module, "_SPLIT_FROM", 0)
    monkeypatch.setattr(build_views_module, "_cores", lambda: 2)
    found = find_archive(root)
    state, _ = load_state(found)
    split = tmp_path / "split"
    assert build_views_module.build_views(found, state, split) == 1
    assert any(name.startswith("siege-of-derna/diff-") for name in _files(split))
    assert _files(split) == _files(serial)


@pytest.mark.skipif(sys.platform != "linux", reason="the second process is forked on Linux")
def test_an_error_in_the_second_process_is_raised_in_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _archive(tmp_path)
    monkeypatch.setattr(build_views_module, "_SPLIT_FROM", 0)
    monkeypatch.setattr(build_views_module, "_cores", lambda: 2)

    def broken(self: DiffPages, wanted: dict, head: int, *, follow: bool = True) -> int:
        if wanted:
            raise DamagedLog("events.jsonl: line 3 is damaged.", hint="Run 'archive verify'.")
        return 0

    monkeypatch.setattr(DiffPages, "write_pages", broken)
    found = find_archive(root)
    state, _ = load_state(found)
    mine, theirs = build_views_module._split(state, wanted_pages(state))
    assert theirs and not mine  # the pages are all the second process's
    with pytest.raises(DamagedLog, match="line 3 is damaged"):
        build_views_module.build_views(found, state, tmp_path / "out")
