"""Tamper: 1,000 random single-byte changes, line deletions, line swaps and line duplications in copies of a log;
``verify`` catches every one and names the right line.

The right line, for each kind of change (docs/RELIABILITY.md says the same):

- a byte changed in line k: line k. When line k still parses and fits the schema, the hash chain shows it:
  line k+1's ``prev`` (or, for the last line, ``.archive/head.json``) no longer matches line k;
- line k deleted: line k, the place where it is missing (the line now there carries ``seq`` k+1);
- lines i < j swapped: line i, the first place that holds the wrong line;
- line k duplicated: line k+1, the copy.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.verify import verify_log

MUTATIONS = 1000
SMALL = "= Small Harbour =\n\nThe harbour opened in 1901. It closed in 1914.\n\n== Notes ==\n- A note.\n"
BATCH = (
    b'{"type": "heading.added", "fact": "h50", "text": "Aftermath"}\n'
    b'{"type": "sentence.added", "fact": "s50", "text": "In 2020 the city was rebuilt.", "paragraph": "s50"}\n'
    b'{"type": "item.added", "fact": "li50", "text": "Reconstruction, 2021.", "list": "li50"}\n'
)


def _call(*args: str | Path) -> None:
    assert main([str(a) for a in args]) == 0


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory, seed_text: bytes) -> Path:
    """An archive of several revisions of every common kind, two records, a multi-line batch at the end."""
    base = tmp_path_factory.mktemp("tamper")
    root = base / "a"
    seed = base / "siege-of-derna.txt"
    seed.write_bytes(seed_text)
    small = base / "small-harbour.txt"
    small.write_text(SMALL, encoding="utf-8")
    batch = base / "batch.jsonl"
    batch.write_bytes(BATCH)
    _call("init", root)
    rec = ("-C", root, "append", "siege-of-derna")
    _call("-C", root, "import", seed, "--by", "importer")
    _call(*rec, "--revise", "s1", "--text", "The siege of Derna was a military campaign.", "--source", "https://e.org/1")
    _call(*rec, "--infobox", "Result=LNA victory", "--source", "Reuters", "--summary", "Result")
    _call("-C", root, "import", small, "--by", "other")
    _call(*rec, "--retract", "s2", "--reason", "Unsourced.", "--source", "https://e.org/2")
    _call(*rec, "--section", "Timeline", "--item", "12 February 2019: the city falls.", "--source", "https://e.org/3")
    _call(*rec, "--events", batch, "--source", "https://e.org/4", "--summary", "Aftermath")
    assert verify_log(Archive(root)).ok
    return root


def _mutate(lines: list[bytes], rng: random.Random, kind: str) -> tuple[list[bytes], int]:
    """A changed copy of ``lines`` and the line verify must name."""
    out = list(lines)
    count = len(lines)
    if kind == "byte":
        k = rng.randrange(count)
        line = bytearray(out[k])
        at = rng.randrange(len(line))
        line[at] = rng.choice([b for b in range(256) if b != line[at]])
        out[k] = bytes(line)
        return out, k + 1
    if kind == "delete":
        k = rng.randrange(count)
        del out[k]
        return out, k + 1
    if kind == "swap":
        i, j = sorted(rng.sample(range(count), 2))
        out[i], out[j] = out[j], out[i]
        return out, i + 1
    k = rng.randrange(count)
    out.insert(k + 1, out[k])
    return out, k + 2


def test_verify_catches_every_mutation_and_names_the_line(sound: Path, tmp_path: Path) -> None:
    lines = (sound / "events.jsonl").read_bytes().splitlines(keepends=True)
    work = Path(shutil.copytree(sound, tmp_path / "work"))
    archive = Archive(work)
    rng = random.Random(20261125)
    kinds = ["byte", "delete", "swap", "duplicate"]
    caught = dict.fromkeys(kinds, 0)
    for number in range(MUTATIONS):
        kind = kinds[number % len(kinds)]
        mutated, expected = _mutate(lines, rng, kind)
        archive.log.write_bytes(b"".join(mutated))
        report = verify_log(archive)
        assert report.finding is not None, f"mutation {number} ({kind}) went unnoticed"
        assert report.finding.line == expected, (number, kind, expected, report.finding)
        caught[kind] += 1
    assert caught == {"byte": 250, "delete": 250, "swap": 250, "duplicate": 250}
    archive.log.write_bytes(b"".join(lines))
    assert verify_log(archive).ok


def test_a_changed_last_line_is_caught_by_the_head_witness(sound: Path, tmp_path: Path) -> None:
    work = Path(shutil.copytree(sound, tmp_path / "work"))
    data = (work / "events.jsonl").read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    count = data.count(b"\n")
    changed = data[:last] + data[last:].replace(b"Reconstruction", b"Deconstruction")
    (work / "events.jsonl").write_bytes(changed)
    report = verify_log(Archive(work))
    assert report.finding is not None
    assert report.finding.line == count
    assert "its hash is not the one in .archive/head.json" in report.finding.problem
    # without the witness (a log copied on its own) the change to the last line alone cannot be seen
    (work / ".archive" / "head.json").unlink()
    assert verify_log(Archive(work)).ok


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("byte", "the line was changed after it was written: its hash no longer matches the prev of line"),
        ("delete", "is missing, or lines are out of order"),
        ("swap", "seq is"),
        ("duplicate", "this line repeats or moves line"),
    ],
)
def test_tamper_through_the_command_line(
    sound: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, fragment: str
) -> None:
    work = Path(shutil.copytree(sound, tmp_path / "work"))
    lines = (work / "events.jsonl").read_bytes().splitlines(keepends=True)
    mutated = list(lines)
    expected = {"byte": 5, "delete": 12, "swap": 3, "duplicate": 21}[kind]
    if kind == "byte":
        mutated[4] = mutated[4].replace(b'"Date"', b'"Dote"')
    elif kind == "delete":
        del mutated[11]
    elif kind == "swap":
        mutated[2], mutated[30] = mutated[30], mutated[2]
    else:
        mutated.insert(20, mutated[19])
    (work / "events.jsonl").write_bytes(b"".join(mutated))
    assert main(["-C", str(work), "verify"]) == 4
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"Error: events.jsonl:{expected}: ")
    assert fragment in err
    assert main(["-C", str(work), "verify", "--format", "json"]) == 4
    report = orjson.loads(capsys.readouterr().out)
    assert (report["ok"], report["line"], report["file"]) == (False, expected, "events.jsonl")
    assert fragment in report["problem"]


def test_tamper_in_a_real_process(sound: Path, tmp_path: Path, archive: Callable[..., Any], refused: Callable[..., Any]) -> None:
    work = Path(shutil.copytree(sound, tmp_path / "work"))
    data = (work / "events.jsonl").read_bytes()
    (work / "events.jsonl").write_bytes(data.replace(b"Siege of Derna", b"Siege of Derma", 1))
    refused(archive("-C", work, "verify"), 4, "Error: events.jsonl:2: the line was changed after it was written")
    assert (work / "events.jsonl").read_bytes() == data.replace(b"Siege of Derna", b"Siege of Derma", 1)
