"""Every bad input is refused through the real CLI: exit 1 (2 for usage), a message naming what is wrong and
what to do, no traceback, and the log byte for byte as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

DERNA = "siege-of-derna"
SEED_NAME = "siege-of-derna.txt"


@dataclass(frozen=True)
class Case:
    """One bad input: the files to write first, the arguments (``@name`` is the path of file ``name``; ``@seed`` the
    seed), the exit status and the fragments the message must hold."""

    id: str
    args: list[str]
    says: list[str]
    code: int = 1
    files: dict[str, bytes] = field(default_factory=dict)
    stdin: bytes | None = None
    root: str = "seeded"
    """Which folder -C names: the seeded archive, or ``plain`` (a folder that is no archive)."""


def _line(text: str) -> bytes:
    return text.encode() + b"\n"


APPEND = ["append", DERNA]
SENTENCE = [*APPEND, "--section", "Timeline", "--text", "On 1 March 2019, it rained."]

CASES = [
    # --- --events batches
    Case(
        "events-truncated",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:2: not valid JSON", "Each line must be one complete JSON object."],
        files={"changes.jsonl": b'{"type": "sentence.added", "text": "A."}\n{"type": "sentence.ad'},
    ),
    Case(
        "events-malformed-json",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: not valid JSON", "one complete JSON object"],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A.",}')},
    ),
    Case(
        "events-not-an-object",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: a line must be a JSON object, not list"],
        files={"changes.jsonl": _line("[1, 2]")},
    ),
    Case(
        "events-unknown-type",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:2: unknown event type 'sentence.exploded'", "Known types: record.created, title.added"],
        files={
            "changes.jsonl": _line('{"type": "sentence.added", "text": "A."}')
            + _line('{"type": "sentence.exploded", "text": "A."}')
        },
    ),
    Case(
        "events-unknown-type-stdin",
        [*APPEND, "--events", "-", "--source", "x"],
        ["<stdin>:1: unknown event type 'nonsense'"],
        stdin=_line('{"type": "nonsense"}'),
    ),
    Case(
        "events-stamped-by-hand",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: prev, seq are set by the log, not by a batch; remove them."],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A.", "seq": 3, "prev": "0"}')},
    ),
    Case(
        "events-missing-field",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: sentence.added.text: Field required"],
        files={"changes.jsonl": _line('{"type": "sentence.added"}')},
    ),
    Case(
        "events-no-source",
        [*APPEND, "--events", "@changes.jsonl"],
        ["changes.jsonl:1: sentence.added.sources: Field required"],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A."}')},
    ),
    Case(
        "events-nul-in-text",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: sentence.added.text: text holds the character U+0000", "remove it"],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A\\u0000B."}')},
    ),
    Case(
        "events-empty",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl: the batch holds no events"],
        files={"changes.jsonl": b"\n\n"},
    ),
    Case(
        "events-other-record",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: the line is for record 'other', but the batch is for 'siege-of-derna'"],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A.", "record": "other"}')},
    ),
    Case(
        "events-unknown-fact",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:2: Fact 's999' does not exist in record 'siege-of-derna'", "--view facts"],
        files={
            "changes.jsonl": _line('{"type": "sentence.added", "text": "A."}')
            + _line('{"type": "sentence.revised", "fact": "s999", "text": "B."}')
        },
    ),
    Case(
        "events-unknown-anchor",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: 'after': fact 'nowhere' is not in the body"],
        files={"changes.jsonl": _line('{"type": "sentence.added", "text": "A.", "after": "nowhere"}')},
    ),
    Case(
        "events-record-created",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl:1: Record 'siege-of-derna' already exists"],
        files={"changes.jsonl": _line('{"type": "record.created"}')},
    ),
    Case(
        "events-missing-file",
        [*APPEND, "--events", "@nowhere.jsonl", "--source", "x"],
        ["Invalid value for '--events'", "nowhere.jsonl", "No such file or directory"],
        code=2,
    ),
    # --- unknown names
    Case(
        "unknown-record-append",
        ["append", "nope", "--lead", "--text", "A.", "--source", "x"],
        ["Record 'nope' does not exist", "Records: siege-of-derna"],
    ),
    Case(
        "unknown-fact-revise",
        [*APPEND, "--revise", "s999", "--text", "A.", "--source", "x"],
        [
            "Fact 's999' does not exist in record 'siege-of-derna'",
            "'archive show siege-of-derna --view facts' lists the fact ids",
        ],
    ),
    Case(
        "unknown-fact-retract",
        [*APPEND, "--retract", "s999", "--reason", "r", "--source", "x"],
        ["Fact 's999' does not exist", "--view facts"],
    ),
    Case(
        "unknown-fact-paragraph",
        [*APPEND, "--paragraph", "s999", "--text", "A.", "--source", "x"],
        ["Fact 's999' does not exist", "--view facts"],
    ),
    Case(
        "paragraph-names-a-heading",
        [*APPEND, "--paragraph", "h1", "--text", "A.", "--source", "x"],
        ["--paragraph h1: that fact is a heading, not a sentence of a paragraph"],
    ),
    Case(
        "paragraph-in-another-section",
        [*APPEND, "--section", "See also", "--paragraph", "s4", "--text", "A.", "--source", "x"],
        ["--paragraph s4 is not in the section 'See also'", "Drop --section"],
    ),
    Case(
        "unknown-infobox-key",
        [*APPEND, "--remove-infobox", "Nope", "--source", "x"],
        ["The infobox of 'siege-of-derna' has no field 'Nope'", "Its fields: Conflict, Partof"],
    ),
    # --- sources
    Case("no-source", SENTENCE, ["No --source given: every fact must cite one", "Add --source URL"]),
    Case("empty-source", [*SENTENCE, "--source", " "], ["--source is empty", "Give a URL, a citation, or a JSON Source object"]),
    Case(
        "source-bad-json",
        [*SENTENCE, "--source", '{"title": '],
        ["--source '{\"title\":' starts like JSON but is not", 'Write it as {"title": "...", "url": "https://..."}'],
    ),
    Case(
        "source-json-unknown-field",
        [*SENTENCE, "--source", '{"title": "T", "pages": 3}'],
        ["is not a valid source: pages: Extra inputs are not permitted"],
    ),
    Case(
        "source-json-no-title-or-url",
        [*SENTENCE, "--source", '{"publisher": "P"}'],
        ["is not a valid source", "a source needs a title or a url"],
    ),
    Case(
        "source-not-http",
        [*SENTENCE, "--source", "ftp://example.org/file"],
        ["--source 'ftp://example.org/file' is not a valid source: url: a source url must start with http:// or https://"],
    ),
    Case(
        "source-url-with-space-in-json",
        [*SENTENCE, "--source", '{"url": "https://example.org/a b"}'],
        ["url: a source url must start with http:// or https:// and hold no spaces"],
    ),
    # --- text and dates
    Case("empty-text", [*APPEND, "--lead", "--text", "", "--source", "x"], ["--text: text is empty"]),
    Case("blank-text", [*APPEND, "--lead", "--text", "   ", "--source", "x"], ["--text: text is empty"]),
    Case(
        "control-character",
        [*APPEND, "--lead", "--text", "A\x01B.", "--source", "x"],
        ["--text: text holds the character U+0001, which is not allowed; remove it"],
    ),
    Case("blank-line-in-text", [*APPEND, "--lead", "--text", "A.\n\nB.", "--source", "x"], ["--text: text holds a line break"]),
    Case(
        "line-break-in-item",
        [*APPEND, "--section", "See also", "--item", "A\nB", "--source", "x"],
        ["--item: text holds a line break"],
    ),
    Case(
        "line-break-in-section",
        [*APPEND, "--section", "X\nY", "--text", "A.", "--source", "x"],
        ["--section: text holds a line break"],
    ),
    Case(
        "date-not-a-date",
        [*SENTENCE, "--when", "2018-13-45", "--source", "x"],
        ["--when '2018-13-45' is not a date", "Give an EDTF date such as 2017-09", "'by 2017-09'"],
    ),
    Case("date-words", [*SENTENCE, "--when", "soon", "--source", "x"], ["--when 'soon' is not a date"]),
    Case(
        "date-bad-qualifier",
        [*SENTENCE, "--when", "around 2018", "--source", "x"],
        ["--when 'around 2018' is not a date", "on, in, by, after, before, circa, until"],
    ),
    Case(
        "infobox-no-equals",
        [*APPEND, "--infobox", "Result", "--source", "x"],
        ["--infobox 'Result' must read KEY=VALUE", "For example"],
    ),
    Case("infobox-colon-in-key", [*APPEND, "--infobox", "A:B=c", "--source", "x"], ["--infobox: an infobox key holds no ':'"]),
    Case(
        "retract-twice",
        [*APPEND, "--retract", "s6", "--source", "x"],
        ["Fact 's6' of record 'siege-of-derna' is retracted"],
        files={"changes.jsonl": b""},
    ),
    Case(
        "retract-the-title",
        [*APPEND, "--retract", "t1", "--source", "x"],
        ["Fact 't1' is the title of 'siege-of-derna': an article keeps its title", "--revise t1"],
    ),
    Case(
        "events-retract-the-title",
        [*APPEND, "--events", "@changes.jsonl", "--source", "x"],
        ["changes.jsonl: the batch leaves record 'siege-of-derna' without a title", "title.revised, fact t1"],
        files={"changes.jsonl": _line('{"type": "fact.retracted", "fact": "t1"}')},
    ),
    # --- slugs and imports
    Case(
        "slug-path",
        ["import", "@seed", "--record", "../../etc"],
        ["record name '../../etc'", "A record name is [a-z0-9][a-z0-9-]*"],
    ),
    Case(
        "slug-space",
        ["import", "@seed", "--record", "Bad Slug"],
        ["record name 'Bad Slug'", "A record name is [a-z0-9][a-z0-9-]*"],
    ),
    Case("slug-too-long", ["import", "@seed", "--record", "a" * 101], ["record name 'aaaa", "[a-z0-9][a-z0-9-]*"]),
    Case(
        "slug-from-file-name",
        ["import", "@!!!.txt"],
        ["!!!.txt: no record name can be made from the file name", "--record SLUG"],
        files={"!!!.txt": b"= T =\n"},
    ),
    Case("show-slug-path", ["show", "../../etc"], ["Record '../../etc' does not exist", "Records: siege-of-derna"]),
    Case("show-slug-space", ["show", "Bad Slug"], ["Record 'Bad Slug' does not exist"]),
    Case(
        "not-the-format-title",
        ["import", "@bad.txt"],
        ["bad.txt:1: the first line must be the title, '= Title =', not 'Siege of Derna'", "Begin the file with the title line"],
        files={"bad.txt": b"Siege of Derna\n\nText.\n"},
    ),
    Case(
        "not-the-format-infobox",
        ["import", "@bad.txt"],
        ["bad.txt:5: an infobox field must read '- Key: value', not 'Date 2016'", "End the infobox with an empty line"],
        files={"bad.txt": b"= T =\n\nInfobox\n- Place: Derna\nDate 2016\n"},
    ),
    Case(
        "not-the-format-white-space-line",
        ["import", "@bad.txt"],
        ["bad.txt:4: holds only white space", "Make it an empty line, or remove it"],
        files={"bad.txt": b"= T =\n\nText.\n   \nMore.\n"},
    ),
    Case(
        "not-the-format-crlf",
        ["import", "@bad.txt"],
        ["bad.txt:2: has a carriage return", "\\n line endings"],
        files={"bad.txt": b"= T =\nText.\r\n"},
    ),
    Case(
        "not-the-format-bom",
        ["import", "@bad.txt"],
        ["bad.txt:1: starts with a byte order mark", "without BOM"],
        files={"bad.txt": b"\xef\xbb\xbf= T =\n"},
    ),
    Case(
        "not-the-format-empty-infobox",
        ["import", "@bad.txt"],
        ["bad.txt:3: 'Infobox' is followed by no field", "Give '- Key: value' lines under it"],
        files={"bad.txt": b"= T =\n\nInfobox\n\nText.\n"},
    ),
    Case(
        "not-the-format-duplicate-key",
        ["import", "@bad.txt"],
        ["bad.txt:5: the infobox field 'Place' is given twice (first on line 4)", "Give each key once"],
        files={"bad.txt": b"= T =\n\nInfobox\n- Place: Derna\n- Place: Benghazi\n"},
    ),
    Case(
        "nul-in-article",
        ["import", "@bad.txt"],
        ["bad.txt:3: ", "U+0000"],
        files={"bad.txt": b"= T =\n\nA\x00B.\n"},
    ),
    Case(
        "control-in-article",
        ["import", "@bad.txt"],
        ["bad.txt:4: ", "U+001B"],
        files={"bad.txt": b"= T =\n\nFine.\nAn \x1b[31mescape.\n"},
    ),
    Case(
        "not-utf8",
        ["import", "@latin1.txt"],
        ["latin1.txt:3: not UTF-8 (byte 0xe9", "Convert the file to UTF-8"],
        files={"latin1.txt": b"= T =\n\nCaf\xe9 society.\n"},
    ),
    Case("empty-file", ["import", "@empty.txt"], ["empty.txt: the file is empty", "'= Title ='"], files={"empty.txt": b""}),
    Case(
        "only-newlines", ["import", "@blank.txt"], ["blank.txt:1: the first line must be the title"], files={"blank.txt": b"\n\n"}
    ),
    Case("missing-file", ["import", "@missing.txt"], ["missing.txt: no such file"]),
    Case("a-folder", ["import", "@folder"], ["folder is a folder, not an article file"], files={"folder/keep.txt": b"= T =\n"}),
    Case(
        "record-exists",
        ["import", "@seed"],
        [
            "siege-of-derna.txt: record 'siege-of-derna' already exists",
            "Add to it with 'archive append siege-of-derna ...'",
            "--record NEW-NAME",
        ],
    ),
    Case(
        "record-exists-among-good-files",
        ["import", "@good.txt", "@seed"],
        ["record 'siege-of-derna' already exists"],
        files={"good.txt": b"= Good =\n"},
    ),
    Case(
        "bad-file-among-good-files",
        ["import", "@good.txt", "@bad.txt"],
        ["bad.txt:1: the first line must be the title"],
        files={"good.txt": b"= Good =\n", "bad.txt": b"oops\n"},
    ),
    Case(
        "two-files-one-name",
        ["import", "@a/same.txt", "@b/same.txt"],
        ["would both become record 'same'", "--record"],
        files={"a/same.txt": b"= A =\n", "b/same.txt": b"= B =\n"},
    ),
    # --- show and revisions
    Case("show-unknown-record", ["show", "nope"], ["Record 'nope' does not exist", "Records: siege-of-derna"]),
    Case("show-future-revision", ["show", DERNA, "--at", "2"], ["Revision 2 does not exist yet: the archive is at revision 1"]),
    Case("show-revision-zero", ["show", DERNA, "--at", "0"], ["Revision 0 does not exist: revisions are numbered from 1"]),
    Case("show-head-too-far", ["show", DERNA, "--at", "HEAD~1"], ["HEAD~1 does not exist: the archive has 1 revisions"]),
    Case("show-before-anything", ["show", DERNA, "--at", "1999-01-01"], ["No revision was recorded at or before 1999-01-01"]),
    Case("show-not-a-revision", ["show", DERNA, "--at", "yesterday"], ["'yesterday' does not name a revision", "HEAD~k"]),
    Case("build-future-revision", ["build", "--at", "5"], ["Revision 5 does not exist yet"]),
    # --- the archive folder
    Case("not-an-archive", ["show", DERNA], ["plain is not an archive: it has no events.jsonl", "archive init"], root="plain"),
    Case("append-not-an-archive", [*SENTENCE, "--source", "x"], ["is not an archive", "-C DIR"], root="plain"),
    Case("init-twice", ["init"], ["is an archive already", "Use it as it is, or choose another folder"]),
    Case(
        "init-on-a-file",
        ["init", "@afile"],
        ["Invalid value for '[DIRECTORY]'", "afile' is a file"],
        code=2,
        files={"afile": b"x"},
    ),
    # --- usage (exit 2)
    Case(
        "two-changes-in-one-call",
        [*APPEND, "--lead", "--text", "A.", "--infobox", "K=V", "--source", "x"],
        ["Give one change per call (got --text, --infobox)", "--events FILE"],
        code=2,
    ),
    Case("revise-without-text", [*APPEND, "--revise", "s4", "--source", "x"], ["--revise FACT needs --text"], code=2),
    Case(
        "section-and-lead",
        [*APPEND, "--section", "X", "--lead", "--text", "A.", "--source", "x"],
        ["--section and --lead"],
        code=2,
    ),
    Case(
        "sentence-without-place",
        [*APPEND, "--text", "A.", "--source", "x"],
        ["A new sentence needs a place: --section HEADING"],
        code=2,
    ),
    Case("no-change-at-all", [*APPEND, "--source", "x"], ["Give one change per call"], code=2),
    Case(
        "record-with-two-files",
        ["import", "@seed", "@good.txt", "--record", "x"],
        ["--record names one record"],
        code=2,
        files={"good.txt": b"= G =\n"},
    ),
    Case("unknown-option", ["show", DERNA, "--bogus"], ["No such option", "--bogus"], code=2),
    Case("unknown-view", ["show", DERNA, "--view", "bogus"], ["Invalid value for '--view'"], code=2),
    Case("unknown-format", ["show", DERNA, "--format", "pdf"], ["Invalid value for '--format'"], code=2),
    Case("missing-record-argument", ["show"], ["Missing argument 'RECORD'"], code=2),
    Case(
        "expect-rev-not-a-number",
        [*SENTENCE, "--source", "x", "--expect-rev", "abc"],
        ["'--expect-rev'", "not a valid integer"],
        code=2,
    ),
    Case("unknown-command", ["frobnicate"], ["No such command 'frobnicate'"], code=2),
]


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """A folder that is not an archive."""
    folder = tmp_path / "plain"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused(case: Case, seeded: Path, plain: Path, tmp_path: Path, archive, refused, seed_text: bytes) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / SEED_NAME).write_bytes(seed_text)
    for name, data in case.files.items():
        (files / name).parent.mkdir(parents=True, exist_ok=True)
        (files / name).write_bytes(data)
    if case.id == "retract-twice":
        assert archive("-C", seeded, *APPEND, "--retract", "s6", "--source", "x").code == 0
    args = [str(files / SEED_NAME) if a == "@seed" else str(files / a[1:]) if a.startswith("@") else a for a in case.args]
    root = seeded if case.root == "seeded" else plain
    log = seeded / "events.jsonl"
    before = log.read_bytes()
    listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = archive("-C", root, *args, cwd=files, stdin=case.stdin)
    refused(result, case.code, *case.says)
    assert log.read_bytes() == before, "a refused input changed the log"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".archive" not in p.parts) == [
        p for p in listing if ".archive" not in p.parts
    ], "a refused input made or removed files"


def test_a_damaged_log_stops_reading_and_names_the_line(seeded: Path, archive, refused) -> None:
    """A line changed by hand breaks the hash chain: exit 4, naming events.jsonl:LINE; nothing is written."""
    log = seeded / "events.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    assert b"Derna, Libya" in lines[5]
    lines[5] = lines[5].replace(b"Derna, Libya", b"Tripoli, Libya")
    log.write_bytes(b"".join(lines))
    damaged = log.read_bytes()
    refused(archive("-C", seeded, "show", DERNA), 4, "events.jsonl:7: prev does not match the hash of line 6")
    refused(archive("-C", seeded, *APPEND, "--lead", "--text", "A.", "--source", "x"), 4, "events.jsonl:7")
    assert log.read_bytes() == damaged


def test_a_line_that_is_not_json_names_its_line(seeded: Path, archive, refused) -> None:
    log = seeded / "events.jsonl"
    log.write_bytes(log.read_bytes() + b"{not json}\n")
    refused(archive("-C", seeded, "show", DERNA), 4, "events.jsonl:29: not valid JSON")


def test_text_and_item_in_one_call_is_two_changes(seeded: Path, archive, refused) -> None:
    log = seeded / "events.jsonl"
    before = log.read_bytes()
    result = archive("-C", seeded, *APPEND, "--section", "See also", "--text", "A.", "--item", "B", "--source", "x")
    refused(result, 2, "Give one change per call (got --text, --item)")
    assert log.read_bytes() == before
