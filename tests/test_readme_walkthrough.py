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
