"""Tests of projections.diff, projections.words and projections.order: comparing two states of a record."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.article_text import parse_article
from archive.ingest.importer import article_changes
from events.model import (
    FactMoved,
    FactRetracted,
    InfoboxAdded,
    InfoboxPreferred,
    SentenceAdded,
    SentenceRevised,
    stamp,
)
from events.source import Source
from events.when import When
from projections.diff import diff_json, diff_records
from projections.fold import apply_revision
from projections.order import kept_in_order
from projections.state import ArchiveState
from projections.views import to_json
from projections.words import word_diff

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "siege-of-derna.txt"
ARTICLE = """= Small =

Infobox
- Date: May 2018
- Place: Derna

First sentence here. Second sentence here.

== Events ==
In June 2018 a thing happened. Then another.

== See also ==
- Other
"""
SRC = (Source(title="a"),)
NEW = (Source(url="https://example.org/b"),)


def _state(text: str = ARTICLE) -> ArchiveState:
    state = ArchiveState()
    _fold(state, article_changes(parse_article(text), "rec", SRC, "a.txt"))
    return state


def _fold(state: ArchiveState, changes: list) -> None:
    rev = state.head + 1
    at = datetime(2026, 1, rev, tzinfo=UTC)
    last = len(changes) - 1
    apply_revision(
        state,
        [
            stamp(c, seq=state.seq + i + 1, rev=rev, at=at, by="ann", prev="0" * 64, end=True if i == last else None)
            for i, c in enumerate(changes)
        ],
    )


# ------------------------------------------------------------------ words and order


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_gives_back_both_texts(before: str, after: str) -> None:
    ops = word_diff(before, after)
    assert "".join(o.text for o in ops if o.op != "insert") == before
    assert "".join(o.text for o in ops if o.op != "delete") == after
    assert all(o.text for o in ops)


def test_word_diff_shows_the_cleanup_as_a_wiki_does() -> None:
    ops = word_diff("Ahmed Al-HabibKIA, Moaz Tashani", "Ahmed Al-Habib (KIA), Moaz Tashani")
    assert [(o.op, o.text) for o in ops] == [
        ("equal", "Ahmed Al-"),
        ("delete", "HabibKIA"),
        ("insert", "Habib (KIA)"),
        ("equal", ", Moaz Tashani"),
    ]


def _longest_common(before: list[int], after: list[int]) -> int:
    best = 0
    for size in range(len(after), 0, -1):
        for subset in combinations(after, size):
            if all(x in before for x in subset) and sorted(subset, key=before.index) == list(subset):
                return size
    return best


@given(st.permutations(list(range(7))), st.sets(st.integers(0, 6)))
def test_kept_in_order_is_a_longest_common_order(order: list[int], dropped: set[int]) -> None:
    before = list(range(7))
    after = [x for x in order if x not in dropped]
    kept = kept_in_order(before, after)
    ordered = [x for x in after if x in kept]
    assert ordered == sorted(ordered)
    assert len(kept) == _longest_common(before, after)


# ------------------------------------------------------------------ diff_records


def test_same_state_has_no_difference() -> None:
    state = _state()
    record = state.records["rec"]
    diff = diff_records(record.copy(), record)
    assert not diff.facts_changed and diff.unified() == []
    assert diff_json(diff)["changed"] == []


def test_from_nothing_every_fact_is_added() -> None:
    record = _state().records["rec"]
    diff = diff_records(None, record, to_rev=1)
    assert [s.fact for s in diff.added] == list(record.facts)
    assert diff.from_rev == 0 and not diff.removed and not diff.moved
    assert diff.text_before == "" and diff.unified()[0].startswith("--- rec r0")


def test_revise_retract_move_and_add_are_each_reported_once() -> None:
    state = _state()
    before = state.records["rec"].copy()
    _fold(
        state,
        [
            SentenceRevised(record="rec", fact="s1", text="First sentence there.", sources=NEW),
            FactRetracted(record="rec", fact="s2", reason="Not in the source"),
            FactMoved(record="rec", fact="s4", after="li1", paragraph="s4", lead="", gap=1),
            SentenceAdded(record="rec", fact="s5", text="A new one.", after="s3", paragraph="s3", lead=" ", sources=NEW),
            SentenceRevised(
                record="rec",
                fact="s3",
                text="In July 2018 a thing happened.",
                when=When(edtf="2018-07", qualifier="in"),
                sources=SRC,
            ),
        ],
    )
    diff = diff_records(before, state.records["rec"], from_rev=1, to_rev=2)
    assert [s.fact for s in diff.added] == ["s5"] and diff.added[0].section == "Events"
    assert [(s.fact, s.reason, s.text) for s in diff.removed] == [("s2", "Not in the source", "Second sentence here.")]
    changed = {c.fact: c for c in diff.changed}
    assert set(changed) == {"s1", "s3"}
    assert changed["s1"].fields == ("text", "sources")
    assert [(w.op, w.text) for w in changed["s1"].words] == [
        ("equal", "First sentence "),
        ("delete", "here"),
        ("insert", "there"),
        ("equal", "."),
    ]
    assert changed["s3"].fields == ("text", "when")
    assert changed["s3"].before.when == When(edtf="2018-06", qualifier="in")
    assert [(m.fact, m.from_section, m.to_section, m.to_after) for m in diff.moved] == [("s4", "Events", "See also", "li1")]
    assert [r.fact for r in diff.timeline.added] == [] and [c.fact for c in diff.timeline.changed] == ["s3"]
    assert "-In June 2018 a thing happened. Then another.\n" in diff.unified()


def test_an_insert_does_not_move_its_neighbours() -> None:
    state = _state()
    before = state.records["rec"].copy()
    _fold(
        state, [SentenceAdded(record="rec", fact="s9", text="Zeroth.", after="h1", paragraph="s9", lead="", gap=0, sources=NEW)]
    )
    diff = diff_records(before, state.records["rec"])
    assert [s.fact for s in diff.added] == ["s9"] and not diff.moved and not diff.changed


def test_preferring_an_alternative_claim_changes_ranks_and_the_shown_value() -> None:
    state = _state()
    _fold(state, [InfoboxAdded(record="rec", fact="i9", key="Place", value="Derna, Libya", rank="normal", sources=NEW)])
    before = state.records["rec"].copy()
    assert diff_records(before, before).infobox.changed == ()
    _fold(state, [InfoboxPreferred(record="rec", fact="i9", reason="more precise")])
    diff = diff_records(before, state.records["rec"])
    assert {(c.fact, c.before.rank, c.after.rank) for c in diff.changed} == {
        ("i9", "normal", "preferred"),
        ("i2", "preferred", "normal"),
    }
    assert [(f.key, f.before, f.after) for f in diff.infobox.changed] == [("Place", "Derna", "Derna, Libya")]
    assert not diff.moved


@pytest.mark.skipif(not SEED.is_file(), reason="the seed lives beside the repository")
def test_diff_json_keeps_the_design_shape() -> None:
    state = _state(SEED.read_text(encoding="utf-8"))
    before = state.records["rec"].copy()
    _fold(state, [FactRetracted(record="rec", fact="s6", reason="duplicate")])
    data = orjson.loads(to_json(diff_json(diff_records(before, state.records["rec"], from_rev=1, to_rev=2))))
    assert list(data)[:6] == ["record", "from", "to", "added", "removed", "changed"]
    assert {"moved", "infobox", "timeline", "text"} <= set(data)
    assert data["removed"][0]["fact"] == "s6" and data["removed"][0]["reason"] == "duplicate"
    assert data["removed"][0]["sources"][0] == {
        "title": "a",
        "url": None,
        "publisher": None,
        "author": None,
        "published": None,
        "accessed": None,
        "quote": None,
    }
