"""Limits on input, through the command line: each refusal exits 1 with a message naming the place and the limit,
and leaves ``events.jsonl`` byte-for-byte as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from archive.cli.main import main
from archive.saved import appending as log_module
from archive.saved.appending import PendingRevision, append_revisions
from archive.store.folder import Archive
from events.errors import InvalidInput
from events.model import SentenceAdded
from events.source import Source
from events.text import MAX_TEXT

ARTICLE = "= Limits =\n\nInfobox\n- Date: 1990\n\nThe first sentence is here. A second follows.\n\n== Events ==\n- One item.\n"
APPEND = ("append", "limits")
LEAD = (*APPEND, "--lead", "--source", "https://example.org/")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive with record ``limits`` (revision 1), made in-process."""
    base = tmp_path_factory.mktemp("limits")
    article = base / "limits.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["init", str(base / "a")]) == 0
    assert main(["-C", str(base / "a"), "import", str(article)]) == 0
    return base / "a"


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# (name, arguments after "-C ROOT", files to write first {name: bytes}, fragments of the message)
CASES: list[tuple[str, tuple[str, ...], dict[str, bytes], tuple[str, ...]]] = [
    (
        "text too long",
        (*LEAD, "--text", "a" * (MAX_TEXT + 1)),
        {},
        ("--text: text is 20001 characters long, more than the 20000 allowed",),
    ),
    ("control character", (*LEAD, "--text", "bell\x07"), {}, ("--text: text holds the character U+0007",)),
    ("C1 control character", (*LEAD, "--text", "next\x85line"), {}, ("U+0085",)),
    ("line separator", (*LEAD, "--text", "a\u2028b"), {}, ("U+2028",)),
    ("not UTF-8 (surrogate escape)", (*LEAD, "--text", "caf\udce9"), {}, ("--text: text holds invalid unicode (U+DCE9",)),
    ("NUL in --infobox", (*APPEND, "--infobox", "Date=19\x0090", "--source", "s"), {}, ("--infobox:", "U+0000")),
    ("control in --reason", (*APPEND, "--retract", "s2", "--reason", "why\x1b", "--source", "s"), {}, ("--reason:", "U+001B")),
    (
        "control in --summary",
        (*LEAD, "--text", "Fine.", "--summary", "a\x1bb"),
        {},
        ("--summary: text holds the character U+001B",),
    ),
    ("summary too long", (*LEAD, "--text", "Fine.", "--summary", "s" * 2001), {}, ("--summary: text is 2001 characters long",)),
    ("control in --by", (*LEAD, "--text", "Fine.", "--by", "me\x00"), {}, ("The author", "--by", "U+0000")),
    (
        "ftp source",
        (*APPEND, "--lead", "--text", "Fine.", "--source", "ftp://example.org/f"),
        {},
        ("must start with http:// or https://",),
    ),
    (
        "javascript source",
        (*APPEND, "--lead", "--text", "Fine.", "--source", "javascript:alert(1)"),
        {},
        ("must start with http://",),
    ),
    (
        "file url in JSON",
        (*APPEND, "--lead", "--text", "Fine.", "--source", '{"url": "file:///etc/passwd"}'),
        {},
        ("url:", "http://"),
    ),
    (
        "NUL in a url",
        (*APPEND, "--lead", "--text", "Fine.", "--source", '{"url": "https://e.org/\\u0000"}'),
        {},
        ("url:", "U+0000"),
    ),
    (
        "deep JSON source",
        (*APPEND, "--lead", "--text", "Fine.", "--source", '{"title": ' + _deep(5000) + "}"),
        {},
        ("starts like JSON but is not",),
    ),
    (
        "nested JSON source",
        (*APPEND, "--lead", "--text", "Fine.", "--source", '{"title": ' + _deep(40) + "}"),
        {},
        ("title: Input should be a valid string",),
    ),
    (
        "too many sources",
        (*APPEND, "--lead", "--text", "Fine.", *[a for i in range(101) for a in ("--source", f"S{i}")]),
        {},
        ("sources",),
    ),
    (
        "batch line too long",
        (*APPEND, "--events", "{tmp}/long.jsonl", "--source", "s"),
        {"long.jsonl": b'{"type": "sentence.added", "text": "' + b"a" * (1024 * 1024) + b'"}\n'},
        ("long.jsonl:1: the line is more than the 1048576 bytes allowed",),
    ),
    (
        "batch not UTF-8",
        (*APPEND, "--events", "{tmp}/latin.jsonl", "--source", "s"),
        {"latin.jsonl": b'{"type": "sentence.added", "text": "caf\xe9"}\n'},
        ("latin.jsonl:1: not UTF-8 (byte 0xe9 at column 40)",),
    ),
    (
        "batch lone surrogate",
        (*APPEND, "--events", "{tmp}/surrogate.jsonl", "--source", "s"),
        {"surrogate.jsonl": b'\n{"type": "sentence.added", "text": "x\\ud800"}\n'},
        ("surrogate.jsonl:2: not valid JSON",),
    ),
    (
        "batch nested deeply",
        (*APPEND, "--events", "{tmp}/deep.jsonl", "--source", "s"),
        {"deep.jsonl": b'{"type": "sentence.added", "text": "x", "extra": ' + _deep(40).encode() + b"}\n"},
        ("deep.jsonl:1: the JSON is nested more than 32 levels deep",),
    ),
    (
        "batch nested past the parser",
        (*APPEND, "--events", "{tmp}/deeper.jsonl", "--source", "s"),
        {"deeper.jsonl": b'{"type": "sentence.added", "text": ' + _deep(100_000).encode() + b"}\n"},
        ("deeper.jsonl:1: not valid JSON",),
    ),
    (
        "batch NUL in text",
        (*APPEND, "--events", "{tmp}/nul.jsonl", "--source", "s"),
        {"nul.jsonl": b'{"type": "sentence.added", "text": "a\\u0000b"}\n'},
        ("nul.jsonl:1:", "U+0000"),
    ),
    (
        "batch file url",
        (*APPEND, "--events", "{tmp}/url.jsonl"),
        {"url.jsonl": b'{"type": "sentence.added", "text": "Fine.", "sources": [{"url": "file:///x"}]}\n'},
        ("url.jsonl:1:", "url: a source url must start with http:// or https://"),
    ),
    (
        "article with NUL",
        ("import", "{tmp}/nul.txt"),
        {"nul.txt": b"= Nul =\n\nA sentence\x00 here.\n"},
        ("nul.txt:3: text: text holds the character U+0000",),
    ),
    (
        "article not UTF-8",
        ("import", "{tmp}/latin1.txt"),
        {"latin1.txt": b"= Caf\xe9 =\n"},
        ("latin1.txt:1: not UTF-8 (byte 0xe9 at offset 5)",),
    ),
    (
        "article paragraph too long",
        ("import", "{tmp}/long.txt"),
        {"long.txt": b"= Long =\n\n" + b"Word word. " * 2000 + b"\n"},
        ("long.txt:3: the paragraph is 22000 characters long, more than the 20000 a paragraph may hold",),
    ),
    (
        "article title too long",
        ("import", "{tmp}/title.txt"),
        {"title.txt": b"= " + b"T" * 20001 + b" =\n"},
        ("title.txt:1: text: text is 20001 characters long",),
    ),
    (
        "article C1 control",
        ("import", "{tmp}/c1.txt"),
        {"c1.txt": "= C1 =\n\nA sentence\x85 here.\n".encode()},
        ("c1.txt:3:", "U+0085"),
    ),
]


@pytest.mark.parametrize(("args", "files", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_limit_refused_in_process(
    root: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    files: dict[str, bytes],
    fragments: tuple[str, ...],
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    before = (root / "events.jsonl").read_bytes()
    code = main(["-C", str(root), *(a.replace("{tmp}", str(tmp_path)) for a in args)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.startswith("Error: "), err
    for fragment in fragments:
        assert fragment in err, err
    assert (root / "events.jsonl").read_bytes() == before


def test_a_log_line_over_the_limit_is_refused(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (root / "events.jsonl").read_bytes()
    monkeypatch.setattr(log_module, "MAX_LINE", 400)
    change = SentenceAdded(record="limits", fact="s99", text="x" * 500, paragraph="s99", sources=(Source(title="t"),))
    with pytest.raises(InvalidInput, match=r"would make a log line of \d+ bytes, more than the 400 allowed"):
        append_revisions(Archive(root), lambda _s: [PendingRevision([change])], by="t")
    assert (root / "events.jsonl").read_bytes() == before


# The same refusals in real processes, where argv arrives as bytes and output is encoded on the way out.


def test_argv_that_is_not_utf8(empty: Path, archive: Callable[..., Any], refused: Callable[..., Any]) -> None:
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    assert archive("-C", empty, "import", _article(empty)).code == 0
    before = (empty / "events.jsonl").read_bytes()
    env = {**os.environ, "ARCHIVE_USER": "tester"}
    env.pop("ARCHIVE_DIR", None)
    for flag, value, fragment in (
        (b"--text", b"caf\xe9", "--text: text holds invalid unicode (U+DCE9"),
        (b"--source", b"https://example.org/caf\xe9", "url: text holds invalid unicode (U+DCE9"),
    ):
        argv = [sys.executable.encode(), b"-m", b"archive", b"-C", bytes(empty), b"append", b"limits", b"--lead"]
        argv += [b"--text", b"Fine."] if flag != b"--text" else []
        argv += [flag, value] + ([b"--source", b"s"] if flag != b"--source" else [])
        proc = subprocess.run(argv, capture_output=True, env=env, timeout=120, check=False)
        assert proc.returncode == 1, proc.stderr
        err = proc.stderr.decode("utf-8", "replace")
        assert "Traceback" not in err
        assert err.startswith("Error: ") and fragment in err, err
        assert (empty / "events.jsonl").read_bytes() == before


def test_huge_batch_on_stdin(empty: Path, archive: Callable[..., Any], refused: Callable[..., Any]) -> None:
    assert archive("-C", empty, "import", _article(empty)).code == 0
    before = (empty / "events.jsonl").read_bytes()
    huge = b'{"type": "sentence.added", "text": "' + b"a" * (8 * 1024 * 1024) + b'"}\n'
    result = archive("-C", empty, "append", "limits", "--events", "-", "--source", "s", stdin=huge)
    refused(result, 1, "<stdin>:1: the line is more than the 1048576 bytes allowed")
    assert (empty / "events.jsonl").read_bytes() == before


def _article(folder: Path) -> Path:
    path = folder.parent / "limits.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path
