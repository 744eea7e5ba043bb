"""The README's walkthrough runs as written, through the real command line."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _walkthrough_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Walkthrough", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the walkthrough has a sh block"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands


def _run(words: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    assert words[0] == "archive", f"walkthrough line does not start with archive: {words}"
    args = [ROOT / w if w.startswith("examples/") else w for w in words[1:]]
    return subprocess.run([sys.executable, "-m", "archive", *map(str, args)], cwd=cwd, capture_output=True, check=False)


def test_walkthrough_runs_and_does_what_it_says(tmp_path: Path) -> None:
    commands = _walkthrough_commands()
    assert len(commands) >= 6
    outputs = []
    for words in commands:
        result = _run(words, tmp_path)
        assert result.returncode == 0, f"{shlex.join(words)} failed: {result.stderr.decode()}"
        assert b"Traceback" not in result.stderr
        outputs.append((words, result.stdout))

    timeline_json = next(out for words, out in outputs if "--view" in words and "json" in words)
    rows = orjson.loads(timeline_json)
    last = rows[-1]
    assert (last["date"], last["qualifier"]) == ("2018-06-28", "on")
    assert last["text"].startswith("On 28 June 2018, Khalifa Haftar declared")
    assert last["sources"][0]["publisher"] == "Wikipedia"

    at_one = next(out for words, out in outputs if "--at" in words)
    assert at_one == (ROOT / "examples" / "articles" / "siege-of-derna.txt").read_bytes()
    for name in ("article.txt", "article.md", "infobox.json", "timeline.json", "sources.json"):
        assert (tmp_path / "derna" / "views" / "siege-of-derna" / name).is_file()
    log = next(out for words, out in outputs if words[-1] == "log" or words[-2:] == ["derna", "log"])
    assert log.decode().splitlines()[0].startswith("r2 ")


# ------------------------------------------------------------------ every sh block of the README

_NOT_RUN = {
    "pytest": "the test suite itself (this test is part of it)",
    "benchmarks/run.py": "the benchmark takes minutes; benchmarks/ is run by hand",
    "capture --all": "it fetches the cited pages from the network; tests/archive/test_captures.py runs these commands against a server on 127.0.0.1",
    "users add alice": "it listens on every interface; tests/archive/test_web_api.py starts a real server on loopback with accounts",
    "curl -s": "it needs the server of the block before; tests/archive/test_web_api.py makes these calls against a real server",
    "fact-archive[postgres]": "needs a PostgreSQL server; tests/archive/test_postgres_archive.py runs these commands on one",
}
"""Blocks that are not run, by a word they hold, and why."""
_LONG_RUNNING = re.compile(r"^(archive [^#\n]*\b(?:serve|watch)\b[^#\n]*)(#.*)?$", re.MULTILINE)
"""Lines that run until Ctrl-C: run for two seconds, then interrupted as a user would."""


def _sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def _shims(folder: Path) -> dict[str, str]:
    """``archive``, ``.venv/bin/archive`` and ``.venv/bin/python`` run this checkout's code; ``python3 -m venv``
    and ``pip install`` of the README's first block are already done; ``$EDITOR`` rewords one sentence."""
    bin_dir = folder / ".shims"
    bin_dir.mkdir()
    archive = f'#!/bin/sh\nexec "{sys.executable}" -m archive "$@"\n'
    for path in (bin_dir / "archive", folder / ".venv" / "bin" / "archive"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(archive)
        path.chmod(0o755)
    (folder / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (folder / ".venv" / "bin" / "pip").write_text("#!/bin/sh\nexit 0\n")
    (folder / ".venv" / "bin" / "pip").chmod(0o755)
    editor = bin_dir / "editor"
    editor.write_text("#!/bin/sh\nsed -i 's/killing at least 15 civilians/killing at least fifteen civilians/' \"$1\"\n")
    editor.chmod(0o755)
    import os  # noqa: PLC0415

    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "EDITOR": str(editor),
        "ARCHIVE_USER": "tester",
        "PYTHONPATH": str(ROOT),
    }


def _git_status() -> bytes | None:
    try:
        return subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def test_every_sh_block_of_the_readme_runs_in_a_temporary_folder(tmp_path: Path) -> None:
    import shutil  # noqa: PLC0415

    before = _git_status()
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("views", ".archive"))
    env = _shims(tmp_path)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # private keys the README makes stay in the test folder
    ran = 0
    not_run = 0
    unused = set(_NOT_RUN)
    for block in _sh_blocks():
        skipped = {word for word in _NOT_RUN if word in block}
        if skipped:
            unused -= skipped
            not_run += 1
            continue
        script = block.replace("python3 -m venv .venv && ", "")
        script = _LONG_RUNNING.sub(r"timeout -s INT 2 \1 || test $? -eq 124 -o $? -eq 130  \2", script)
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, check=False, timeout=300
        )
        assert result.returncode == 0, f"README block failed:\n{block}\nstderr:\n{result.stderr.decode()}"
        assert b"Traceback" not in result.stderr, result.stderr.decode()
        ran += 1
    assert not unused, f"no README block holds {sorted(unused)}: take them out of _NOT_RUN"
    assert ran == len(_sh_blocks()) - not_run >= len(_sh_blocks()) - 2 * len(_NOT_RUN)  # a word may name two blocks
    assert (tmp_path / "derna" / "views" / "siege-of-derna" / "article.md").is_file()
    assert _git_status() == before, "running the README left files in the clone"


def test_links_of_the_readme_point_inside_the_repository() -> None:
    for target in re.findall(r"\]\(([^)]+)\)", README.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "#")):
            continue
        assert not target.startswith(".."), target
        assert (ROOT / target).exists(), target


def test_every_line_of_the_batch_examples_is_a_change() -> None:
    from events.model import change_adapter  # noqa: PLC0415

    text = (ROOT / "docs" / "BATCH.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```json\n(.*?)```", text, re.DOTALL)
    source = [{"url": "https://example.org/report"}]
    types = set()
    for line in block.splitlines():
        data = orjson.loads(line)
        data.setdefault("record", "siege-of-derna")
        bare = data["type"] in ("record.revised", "record.created", "source.captured")  # no fact, no sources
        if not bare:
            data.setdefault("sources", source)
            data.setdefault("fact", "s99")
        if data["type"] == "sentence.added":
            data.setdefault("paragraph", data["fact"])
        if data["type"] == "item.added":
            data.setdefault("list", data["fact"])
        types.add(change_adapter().validate_python(data).type)
    from events.model import CHANGE_TYPES  # noqa: PLC0415

    assert types == set(CHANGE_TYPES) - {"record.created", "title.added"}
