"""A differential fault suite: seeded random walks of imports, appends, updates and batches over several
records, interleaved with faults (an appender killed at each step of an append, a full disk at each write,
``.archive/`` put back from an older copy, the log replaced by a longer or shorter valid copy, a saved
state edited). After every step, every record's views equal the same views replayed from the log with no
saved state, and the log passes ``verify``: the program never writes a line ``verify`` refuses.

``FAULT_WALKS`` and ``FAULT_STEPS`` make a longer run by hand (defaults: 3 walks of 10 steps, under a minute on an idle machine).
"""

from __future__ import annotations

import io
import os
import random
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from tests.conftest import Result, run_archive

WALKS = int(os.environ.get("FAULT_WALKS", "3"))
STEPS = int(os.environ.get("FAULT_STEPS", "10"))
SRC = "https://e.org/report"
OFF = {"ARCHIVE_NO_CHECKPOINT": "1"}
VIEWS = (("article", "text"), ("infobox", "json"), ("timeline", "json"))
KILL_POINTS = ("log-write", "log-fsync", "after-log-fsync", "witness-write", "saved-write", "after-saved-write")
DISK_POINTS = ("log-write", "log-write-partial", "log-fsync", "witness-write", "saved-write", "after-saved-write")
WORDS = ["siege", "city", "forces", "council", "fighters", "district", "port", "shelling", "corridor", "talks"]


@dataclass
class Walk:
    """One walk's archive, its random source, what it has done, and copies kept for later faults."""

    root: Path
    rng: random.Random
    scratch: Path
    records: list[str] = field(default_factory=list)
    logs: list[tuple[bytes, bytes | None]] = field(default_factory=list)
    """Earlier (log, witness) pairs, to put back as 'a copy from elsewhere'."""
    states: list[Path] = field(default_factory=list)
    """Earlier copies of .archive/."""
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def cli(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        """A real process: what may be killed or given a full disk."""
        return run_archive("-C", self.root, *args, env=env)

    def look(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        """A read in this process (the same code, faster): the checks after every step."""
        return in_process("-C", self.root, *args, env=env)

    def sentence(self) -> str:
        words = self.rng.sample(WORDS, 4)
        day = self.rng.randint(1, 28)
        month = self.rng.choice(["March", "June", "October"])
        return f"On {day} {month} 2017, the {words[0]} and the {words[1]} met the {words[2]} near the {words[3]}."

    def facts(self, slug: str) -> list[dict[str, object]]:
        result = self.look("show", slug, "--view", "facts", "--format", "json", env=OFF)
        return orjson.loads(result.out) if result.code == 0 else []


def in_process(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """``archive ARGS`` through ``main`` in this process, its output captured, with ``env`` set meanwhile."""
    from archive.cli.main import main  # noqa: PLC0415

    saved = {key: os.environ.get(key) for key in (env or {})}
    os.environ.update(env or {})
    out, err = io.BytesIO(), io.StringIO()
    stdout, stderr = sys.stdout, sys.stderr
    wrapper = io.TextIOWrapper(out, encoding="utf-8")
    sys.stdout, sys.stderr = wrapper, err
    try:
        code = main([str(a) for a in args])
    finally:
        wrapper.flush()
        wrapper.detach()
        sys.stdout, sys.stderr = stdout, stderr
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Result(code, out.getvalue(), err.getvalue())


def _article(slug: str, rng: random.Random) -> str:
    title = slug.replace("-", " ").title()
    return (
        f"= {title} =\n\nInfobox\n- Date: 2017\n- Place: Derna\n\n"
        f"The {title} began in 2016. It lasted {rng.randint(2, 9)} months.\n\n"
        f"== Timeline ==\nIn August 2016, fighting began. By September 2017, talks had failed.\n\n== See also ==\n- Derna\n"
    )


# --------------------------------------------------------------------- operations


def op_import(walk: Walk) -> list[str]:
    slug = f"r{len(walk.records) + 1}"
    path = walk.scratch / f"{slug}.txt"
    path.write_text(_article(slug, walk.rng), encoding="utf-8")
    return ["import", str(path), "--record", slug, "--source", SRC]


def op_sentence(walk: Walk) -> list[str]:
    slug = walk.rng.choice(walk.records)
    where = ["--lead"] if walk.rng.random() < 0.3 else ["--section", walk.rng.choice(["Timeline", "Aftermath"])]
    return ["append", slug, *where, "--text", walk.sentence(), "--source", SRC]


def op_revise(walk: Walk) -> list[str] | None:
    slug = walk.rng.choice(walk.records)
    live = [f for f in walk.facts(slug) if f["kind"] == "sentence"]
    if not live:
        return None
    fact = walk.rng.choice(live)["fact"]
    return ["append", slug, "--revise", str(fact), "--text", walk.sentence(), "--source", SRC]


def op_retract(walk: Walk) -> list[str] | None:
    slug = walk.rng.choice(walk.records)
    live = [f for f in walk.facts(slug) if f["kind"] in ("sentence", "item")]
    if len(live) < 2:
        return None
    return ["append", slug, "--retract", str(walk.rng.choice(live)["fact"]), "--reason", "test", "--source", SRC]


def op_infobox(walk: Walk) -> list[str]:
    slug = walk.rng.choice(walk.records)
    return ["append", slug, "--infobox", f"Result={walk.rng.choice(WORDS)}", "--source", SRC]


def op_update(walk: Walk) -> list[str] | None:
    slug = walk.rng.choice(walk.records)
    shown = walk.look("show", slug, env=OFF)
    if shown.code != 0:
        return None
    text = shown.text.replace("fighting began", walk.rng.choice(["fighting started", "the fighting began"]), 1)
    text = text.rstrip("\n") + f"\n- {walk.rng.choice(WORDS).title()} campaign\n"
    path = walk.scratch / f"{slug}-edit.txt"
    path.write_text(text, encoding="utf-8")
    return ["import", "--update", str(path), "--record", slug, "--source", SRC]


def op_batch(walk: Walk) -> list[str]:
    slug = walk.rng.choice(walk.records)
    path = walk.scratch / "batch.jsonl"
    lines = [
        {"type": "sentence.added", "text": walk.sentence()},
        {"type": "infobox.added", "key": f"Status{walk.rng.randint(1, 999)}", "value": walk.rng.choice(WORDS)},
    ]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return ["append", slug, "--events", str(path), "--source", SRC]


OPERATIONS: list[Callable[[Walk], list[str] | None]] = [op_sentence, op_revise, op_retract, op_infobox, op_update, op_batch]


# --------------------------------------------------------------------- faults


def fault_env(walk: Walk) -> tuple[str, dict[str, str]] | None:
    """A fault for the next mutation, or None (about half the steps run clean)."""
    roll = walk.rng.random()
    if roll < 0.25:
        point = walk.rng.choice(KILL_POINTS)
        return f"kill at {point}", {"ARCHIVE_FAULTS": f"{point}=kill"}
    if roll < 0.45:
        point = walk.rng.choice(DISK_POINTS)
        return f"full disk at {point}", {"ARCHIVE_FAULTS": f"{point}=enospc"}
    return None


def fault_between(walk: Walk) -> str | None:
    """A fault to the files between two commands, or None."""
    roll = walk.rng.random()
    state = walk.root / ".archive"
    if roll < 0.12 and walk.states:
        old = walk.rng.choice(walk.states)
        head = (state / "head.json").read_bytes() if (state / "head.json").exists() else None
        shutil.rmtree(state)
        shutil.copytree(old, state)
        if head is not None:
            (state / "head.json").write_bytes(head)  # the witness is integrity, kept; the rest is derived
        return ".archive/ put back from an older copy"
    if roll < 0.22 and walk.logs:
        log, head = walk.rng.choice(walk.logs)
        (walk.root / "events.jsonl").write_bytes(log)
        if head is None:
            (state / "head.json").unlink(missing_ok=True)
        else:
            (state / "head.json").write_bytes(head)
        return "the log replaced by another valid copy"
    if roll < 0.30:
        files = sorted((state / "records").glob("*.state")) + [p for p in [state / "checkpoint", state / "records.json"] if p.exists()]
        if files:
            target = walk.rng.choice(files)
            data = bytearray(target.read_bytes())
            if data:
                spot = walk.rng.randrange(len(data))
                data[spot] ^= 0x20
                target.write_bytes(bytes(data))
                return "a saved state edited"
    return None


def keep_copies(walk: Walk) -> None:
    state = walk.root / ".archive"
    head = state / "head.json"
    if walk.rng.random() < 0.5:
        walk.logs.append(((walk.root / "events.jsonl").read_bytes(), head.read_bytes() if head.exists() else None))
    if walk.rng.random() < 0.4 and state.is_dir():
        copy = walk.scratch / f"state-{len(walk.states)}"
        shutil.copytree(state, copy)
        walk.states.append(copy)


# --------------------------------------------------------------------- the checks


def check_views(walk: Walk, what: str) -> None:
    """Every record's views from saved states equal a replay from the log alone; verify passes."""
    verified = walk.look("verify")
    assert verified.code == 0, f"after {what}: verify refused the log:\n{verified.err}"
    for slug in walk.records:
        for view, fmt in VIEWS:
            fast = walk.look("show", slug, "--view", view, "--format", fmt)
            slow = walk.look("show", slug, "--view", view, "--format", fmt, env=OFF)
            assert (fast.code, fast.out) == (slow.code, slow.out), f"after {what}: {slug} {view} differs from a replay\n{fast.err}"


def settle(walk: Walk) -> None:
    """After a fault, bring the archive back to a state a user would: recover a torn tail."""
    result = walk.look("recover")
    assert result.code in (0, 4), result.err


@pytest.mark.parametrize("seed", range(WALKS))
def test_random_walk_with_faults(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "archive"
    assert run_archive("init", root).code == 0
    walk = Walk(root, random.Random(seed), tmp_path)
    for _ in range(2):
        slug = f"r{len(walk.records) + 1}"
        assert walk.cli(*op_import(walk)).code == 0
        walk.records.append(slug)
    for step in range(STEPS):
        keep_copies(walk)
        between = fault_between(walk)
        if between is not None:
            walk.count(between)
            shown = walk.look("show", walk.records[0])
            replay = walk.look("show", walk.records[0], env=OFF)
            assert (shown.code, shown.out) == (replay.code, replay.out), f"step {step}, after {between}:\n{shown.err}"
        before = (root / "events.jsonl").read_bytes()
        if walk.rng.random() < 0.15 and len(walk.records) < 4:
            args: list[str] | None = op_import(walk)
        else:
            args = walk.rng.choice(OPERATIONS)(walk)
        if args is None:
            continue
        fault = fault_env(walk)
        env = fault[1] if fault is not None else None
        result = walk.cli(*args, env=env)
        label = f"step {step}: {' '.join(args[:3])}" + (f" with {fault[0]}" if fault else "")
        assert "Traceback" not in result.err, f"{label}:\n{result.err}"
        if fault is not None:
            walk.count(fault[0].split(" at ")[0])
        if result.code == 0 and args[0] == "import" and "--update" not in args:
            walk.records.append(args[args.index("--record") + 1])
        elif result.code != 0:
            assert result.code in (-9, 1, 3, 4), f"{label}: exit {result.code}\n{result.err}"
            if result.code == 1 and fault is not None and fault[0].startswith("full disk at log"):
                assert (root / "events.jsonl").read_bytes() == before, f"{label}: a refused write changed the log"
            if result.code in (1, 3, 4):
                assert result.err.startswith(("Error:", "Warning:")), f"{label}: {result.err}"
            if result.code == -9 and args[0] == "import" and "--update" not in args:
                # killed after the fsync: the record may exist
                facts = walk.look("records", env=OFF)
                name = args[args.index("--record") + 1]
                if name in facts.text.split():
                    walk.records.append(name)
        if result.code == 4:
            # a log put back with a newer witness: the user restores on purpose, as the message says
            (root / ".archive" / "head.json").unlink(missing_ok=True)
        settle(walk)
        check_views(walk, label)
    # the walk ends with an append that succeeds
    final = walk.cli(*op_sentence(walk))
    assert final.code == 0, final.err
    check_views(walk, "the last append")
    print(f"seed {seed}: {STEPS} steps, faults {walk.counts}")
