"""Fuzz the importer and the ``--events`` reader through the command line's ``main(argv)``: never a traceback;
a refusal exits 1 with an ``Error:`` message and leaves the log byte-identical; an acceptance leaves a log that
verifies."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archive.cli.main import main
from archive.store.folder import Archive
from archive.store.verify import verify_log
from events.model import CHANGE_TYPES

ARTICLE = "= Fuzzed =\n\nInfobox\n- Date: 1990\n\nThe first sentence. The second one.\n\n== Notes ==\n- An item.\n"
_COUNTER = itertools.count()

# pieces of text that probe the edges: control characters, line breaks of every kind, a BOM, odd spaces
_EDGES = st.sampled_from(
    ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\t", "\r", "\r\n", "\n", "\n\n", " ", "é", "—", "日本", "="]
)
_WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_TEXT = st.lists(st.one_of(_WORDS, _EDGES), max_size=8).map("".join)
_PLAIN = st.from_regex(r"[A-Z][a-zé ,]{0,30}[a-z](\. [A-Z][a-z ]{0,20}[a-z])?\.", fullmatch=True)


@st.composite
def _article(draw: st.DrawFn) -> bytes:
    """Bytes that are mostly the article format, bent at random places."""
    lines = [draw(st.sampled_from(["= Title =", "= Title =", "= T =", "=Title=", "= =", ""])) or "= " + draw(_TEXT) + " ="]
    for _ in range(draw(st.integers(0, 12))):
        lines.append(
            draw(
                st.one_of(
                    st.just(""),
                    st.just("Infobox"),
                    _TEXT.map(lambda t: "- Key: " + t),
                    _TEXT.map(lambda t: "- " + t),
                    _TEXT.map(lambda t: "== " + t + " =="),
                    _TEXT.map(lambda t: "=== " + t + " ==="),
                    _TEXT,
                    _WORDS.filter(str.strip),
                    st.just("In 2018 the city fell. It was rebuilt by 2020."),
                )
            )
        )
    data = "\n".join(lines).encode("utf-8") + draw(st.sampled_from([b"", b"\n", b"\n\n"]))
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    return data


_JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    _TEXT,
    st.sampled_from(["s1", "s2", "h1", "li1", "i1", "t1", "nope", "Date", "2018-05", "by 2017-09", "https://e.org/"]),
)
_JSON = st.recursive(
    _JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_WORDS, inner, max_size=3), max_leaves=8
)
_KEYS = st.sampled_from(
    ["type", "fact", "text", "key", "value", "after", "paragraph", "list", "level", "gap", "lead", "bullet", "when",
     "sources", "reason", "record", "seq", "rev", "prev", "end", "summary", "title", "url"]
)  # fmt: skip


@st.composite
def _batch_line(draw: st.DrawFn) -> bytes:
    """One line of a batch: mostly change-shaped JSON objects, sometimes anything at all."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=40))
    if kind in (2, 3, 4, 5, 6):  # a change that may well apply
        fields = {"type": draw(st.sampled_from(["sentence.added", "item.added", "fact.retracted", "sentence.revised"]))}
        fields |= (
            {"text": draw(_PLAIN | _TEXT)}
            if fields["type"] != "fact.retracted"
            else {"fact": draw(st.sampled_from(["s1", "s2", "li1", "x"]))}
        )
        if fields["type"] == "sentence.revised":
            fields["fact"] = draw(st.sampled_from(["s1", "s2", "h1"]))
        return json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if kind == 1:
        return json.dumps(draw(_JSON), ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = draw(st.dictionaries(_KEYS, _JSON, max_size=6))
    data["type"] = draw(st.one_of(st.sampled_from(CHANGE_TYPES), _WORDS))
    if draw(st.booleans()):
        data["text"] = draw(_TEXT)
    if draw(st.booleans()):
        data["sources"] = [draw(st.dictionaries(st.sampled_from(["title", "url", "quote", "published"]), _JSON_LEAF, max_size=3))]
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")


_BATCH = st.lists(_batch_line(), min_size=1, max_size=4).map(lambda lines: b"\n".join(lines) + b"\n")


@contextlib.contextmanager
def _captured() -> Iterator[io.BytesIO]:
    """Standard output and error of an in-process run, as bytes, as a terminal-less process would have them."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", errors="backslashreplace", write_through=True)
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        yield buffer


def _run(root: Path, *args: str) -> None:
    """Run the command line; it must exit 0 (and the log verify) or 1 (with a message, the log unchanged)."""
    before = (root / "events.jsonl").read_bytes()
    with _captured() as output:
        code = main(["-C", str(root), *args])
    text = output.getvalue().decode("utf-8")
    assert "Traceback" not in text
    event("accepted" if code == 0 else "refused")
    if code == 0:
        assert (root / "events.jsonl").read_bytes() != before
        report = verify_log(Archive(root))
        assert report.ok, report.finding
        return
    assert code == 1, text
    assert "Error: " in text, text
    assert (root / "events.jsonl").read_bytes() == before


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive holding record ``fuzzed``."""
    base = tmp_path_factory.mktemp("fuzz")
    article = base / "fuzzed.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    with _captured():
        assert main(["init", str(base / "a")]) == 0
        assert main(["-C", str(base / "a"), "import", str(article)]) == 0
    return base / "a"


_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@_SETTINGS
@given(data=st.one_of(_article(), st.binary(max_size=200)))
def test_import_never_crashes(root: Path, data: bytes) -> None:
    path = root.parent / f"article-{next(_COUNTER)}.txt"
    path.write_bytes(data)
    _run(root, "import", str(path))


@_SETTINGS
@given(batch=_BATCH, with_source=st.booleans())
def test_events_reader_never_crashes(root: Path, batch: bytes, with_source: bool) -> None:
    path = root.parent / f"batch-{next(_COUNTER)}.jsonl"
    path.write_bytes(batch)
    _run(root, "append", "fuzzed", "--events", str(path), *(["--source", "https://example.org/f"] if with_source else []))
