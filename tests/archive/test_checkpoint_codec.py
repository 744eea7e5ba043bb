"""The checkpoint's codec walks dataclass fields generically: any tree of the supported types round-trips
through orjson, a new field needs no change, unsupported types are refused when the codec is built; and a
checkpoint at any revision plus the rest of the log equals a full replay."""

from __future__ import annotations

import dataclasses
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.cli.main import main
from archive.saved.checkpoint import load, save_checkpoint
from archive.saved.columns import Blob, pack, unpack
from archive.saved.state_codec import Codec, Unsupported
from archive.store.folder import Archive
from archive.store.log import replay
from events.source import Source
from events.when import When
from projections.state import ArchiveState, Fact, RecordState, Revision


@dataclass(slots=True)
class Leaf:
    name: str
    weight: float
    flag: bool
    kind: Literal["a", "b"]
    note: str | None
    when: When | None
    sources: tuple[Source, ...]
    tags: list[str]
    seen: set[str]
    stamp: datetime


@dataclass(slots=True)
class Branch:
    leaves: dict[str, Leaf]
    order: list[Leaf]
    best: Leaf | None = None
    names: tuple[str, ...] = ()
    extra: int = field(default=0)


@dataclass(slots=True)
class Tree:
    branches: list[Branch]
    count: int = 0


SOURCES = (Source(title="A book"), Source(url="https://example.org/b", publisher="Press"), Source(title="Ünïcode ✓"))
WHENS = (None, When(edtf="2018-05-07", qualifier="on"), When(edtf="1200~"))


def _round_trip(codec: Codec, value: object) -> Any:
    data, blob = codec.encode(value)
    return codec.decode(orjson.loads(orjson.dumps(data)), blob)


def test_a_tree_of_every_supported_type_round_trips_and_keeps_shared_leaves_shared() -> None:
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    a = Leaf("a", 1.5, True, "a", None, WHENS[1], SOURCES[:2], ["x", "y"], {"p"}, stamp)
    b = Leaf("b", -2.0, False, "b", "note", None, (), [], set(), stamp)
    tree = Tree([Branch({"a": a, "b": b}, [b, a], best=a, names=("n",), extra=3), Branch({}, [])], count=2)
    codec = Codec(Tree)
    back = _round_trip(codec, tree)
    assert back == tree
    first = back.branches[0]
    assert first.best is first.leaves["a"] and first.order[1] is first.leaves["a"]
    assert isinstance(first.names, tuple) and isinstance(first.leaves["a"].seen, set)
    assert back.branches[1].best is None


def test_a_field_added_to_a_dataclass_is_stored_without_a_change_and_changes_the_schema() -> None:
    @dataclass(slots=True)
    class Before:
        a: int

    @dataclass(slots=True)
    class After:
        a: int
        b: tuple[Source, ...] = ()

    Before.__qualname__ = After.__qualname__ = "Thing"
    after = Codec(After)
    assert _round_trip(after, After(1, SOURCES)) == After(1, SOURCES)
    assert Codec(Before).schema() != after.schema()


@dataclass(slots=True)
class _Loop:
    next: _Loop | None


@dataclass(slots=True)
class _KwOnly:
    a: int = field(kw_only=True)


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        (dict[int, str], "dict keys must be text"),
        (tuple[int, str], "only tuple[X, ...]"),
        (int | Source, "a union other than X | None"),
        (Any, "not supported"),
    ],
)
def test_types_it_cannot_store_faithfully_are_refused_up_front(annotation: object, reason: str) -> None:
    holder = dataclasses.make_dataclass("Holder", [("value", annotation)], slots=True)
    with pytest.raises(Unsupported, match=re.escape(reason)):
        Codec(holder)


def test_loops_and_keyword_only_fields_are_refused() -> None:
    with pytest.raises(Unsupported, match="refers to itself"):
        Codec(_Loop)
    with pytest.raises(Unsupported, match="positional"):
        Codec(_KwOnly)


def test_data_that_does_not_fit_is_refused_on_decoding() -> None:
    codec = Codec(ArchiveState)
    data, blob = codec.encode(ArchiveState())
    data["tables"]["projections.state.ArchiveState"]["columns"].pop()
    with pytest.raises(ValueError, match="does not fit"):
        codec.decode(data, blob)
    data, blob = codec.encode(ArchiveState())
    data["models"]["events.source.Source"] = [{"title": "x", "evil": 1}]
    with pytest.raises(ValueError, match="unknown fields"):
        codec.decode(data, blob)


_text = st.text(min_size=1, max_size=20)


@st.composite
def _facts(draw: st.DrawFn, number: int) -> Fact:
    kind = draw(st.sampled_from(["title", "infobox", "heading", "sentence", "item"]))
    return Fact(
        id=f"f{number}",
        kind=kind,
        text=draw(_text),
        sources=tuple(draw(st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3))),
        added=draw(st.integers(1, 9)),
        rev=draw(st.integers(1, 9)),
        when=draw(st.sampled_from(WHENS)),
        retracted=draw(st.booleans()),
        reason=draw(st.none() | _text),
    )


@st.composite
def _states(draw: st.DrawFn) -> ArchiveState:
    state = ArchiveState()
    for index in range(draw(st.integers(0, 3))):
        facts = [draw(_facts(n)) for n in range(draw(st.integers(0, 6)))]
        slug = f"r{index}"
        state.records[slug] = RecordState(
            slug=slug, created=1, rev=draw(st.integers(1, 9)), body=[f.id for f in facts], facts={f.id: f for f in facts}
        )
    for rev in range(1, draw(st.integers(0, 4)) + 1):
        at = datetime(2026, 1, rev, tzinfo=UTC)
        state.revisions.append(Revision(rev, at, draw(_text), draw(st.none() | _text), 1, tuple(state.records), rev))
    state.seq = len(state.revisions)
    return state


@given(_states())
@settings(max_examples=60, deadline=None)
def test_any_archive_state_round_trips(state: ArchiveState) -> None:
    assert _round_trip(Codec(ArchiveState), state) == state


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example plus four revisions: additions, a revision, a retraction, an infobox change."""
    root = tmp_path_factory.mktemp("grown") / "archive"
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "examples" / "siege-of-derna",
        root,
        ignore=shutil.ignore_patterns("views", ".archive"),
    )
    for args in (
        ["--section", "Aftermath", "--text", "In March 2020 a museum opened."],
        ["--infobox", "Museum=opened 2020"],
        ["--revise", "s1", "--text", "The siege was long."],
        ["--retract", "s2", "--reason", "duplicate"],
    ):
        assert main(["-C", str(root), "append", "siege-of-derna", *args, "--source", "https://example.org/x", "--by", "t"]) == 0
    return root


@given(st.integers(1, 6))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_checkpoint_at_any_revision_plus_the_rest_equals_a_full_replay(grown: Path, tmp_path: Path, split: int) -> None:
    lines = (grown / "events.jsonl").read_bytes().splitlines(keepends=True)
    ends = [i for i, raw in enumerate(lines) if b'"end":true' in raw]
    root = tmp_path / f"split-{split}"
    shutil.rmtree(root, ignore_errors=True)
    (root / ".archive").mkdir(parents=True)
    (root / "events.jsonl").write_bytes(b"".join(lines[: ends[split - 1] + 1]))
    prefix = load(Archive(root), save=False)
    assert prefix.tail is not None and prefix.state.head == split
    assert save_checkpoint(Archive(root), prefix.state, prefix.tail, prefix.lines)
    (root / "events.jsonl").write_bytes(b"".join(lines))
    resumed = load(Archive(root), save=False)
    assert resumed.start is not None and resumed.start.rev == split
    whole, tail = replay(Archive(grown))
    assert resumed.state == whole and resumed.tail == tail
    assert resumed.lines == load(Archive(grown), save=False).lines


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(["", "a", "\0"]),
)
_columns = st.one_of(
    st.lists(_scalars, max_size=40),
    st.lists(st.sampled_from([0, 1, 2, True, False, None, "x", 1.0]), max_size=40),
    st.lists(st.lists(_scalars, max_size=4), max_size=12),
    st.lists(st.lists(st.lists(st.text(max_size=3), max_size=3), min_size=2, max_size=2), max_size=8),
)


@given(_columns)
@settings(max_examples=300, deadline=None)
def test_any_column_packs_and_unpacks_to_the_same_values_and_types(values: list[Any]) -> None:
    blob = Blob()
    descriptor = orjson.loads(orjson.dumps(pack(values, blob)))
    back = unpack(descriptor, memoryview(bytes(blob.data)))
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]


def test_columns_of_a_million_facts_pack_to_numbers_and_text_not_json() -> None:
    blob = Blob()
    assert "text" in pack([f"s{i}" for i in range(1000)], blob)
    assert "int" in pack(list(range(1000)), blob)
    assert "codes" in pack(["sentence", "heading", "item"] * 300, blob)
    assert "const" in pack([False] * 1000, blob)
    assert "zip" in pack([[["a", "b"], [1, 2]], [["c"], [3]]], blob)
