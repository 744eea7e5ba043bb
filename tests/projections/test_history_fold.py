"""Tests of the history events in the fold (alternative claims, preference, moves of fields and bullets, the
record's ending), of one-pass capture, of fact_history, and that old log lines still read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.ingest.article_text import parse_article
from archive.ingest.importer import article_changes
from events.codec import encode_line
from events.errors import ArchiveError
from events.model import (
    FactMoved,
    FactRetracted,
    InfoboxAdded,
    InfoboxPreferred,
    InfoboxRevised,
    ItemAdded,
    RecordRevised,
    SentenceRevised,
    event_adapter,
    stamp,
)
from events.source import Source
from projections.fold import apply_revision
from projections.history import fact_history, history_json
from projections.infobox import infobox_rows
from projections.render_text import render_text
from projections.replay import capture
from projections.sources import source_rows
from projections.state import ArchiveState

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "siege-of-derna" / "events.jsonl"
ARTICLE = """= Small =

Infobox
- Date: May 2018
- Casualties: 15 killed
- Place: Derna

A sentence.

== See also ==
- Other
"""
SRC = (Source(title="a"),)
AMNESTY = (Source(title="Amnesty report"),)
HRW = (Source(title="HRW report"),)


def _revisions(*batches: list) -> list[list]:
    out, seq = [], 0
    for rev, changes in enumerate(batches, start=1):
        at = datetime(2026, 1, rev, tzinfo=UTC)
        events = []
        for i, change in enumerate(changes):
            seq += 1
            events.append(
                stamp(
                    change, seq=seq, rev=rev, at=at, by=f"user{rev}", prev="0" * 64, end=True if i == len(changes) - 1 else None
                )
            )
        out.append(events)
    return out


def _state(*batches: list) -> ArchiveState:
    state = ArchiveState()
    for events in _revisions(*batches):
        apply_revision(state, events)
    return state


def _import() -> list:
    return article_changes(parse_article(ARTICLE), "rec", SRC, "a.txt")


def test_an_alternative_claim_is_kept_listed_and_not_shown() -> None:
    state = _state(
        _import(), [InfoboxAdded(record="rec", fact="i9", key="Casualties", value="20 killed", rank="normal", sources=AMNESTY)]
    )
    record = state.records["rec"]
    assert render_text(record) == ARTICLE
    assert record.infobox == ["i1", "i2", "i9", "i3"]
    [row] = [r for r in infobox_rows(record) if r.key == "Casualties"]
    assert (row.value, row.fact) == ("15 killed", "i2") and [(a.value, a.fact) for a in row.alternatives] == [("20 killed", "i9")]
    assert [r.facts for r in source_rows(record) if r.source == AMNESTY[0]] == [("i9",)]


def test_preferring_swaps_the_shown_claim_in_place_and_retracting_it_promotes_the_next() -> None:
    state = _state(
        _import(),
        [InfoboxAdded(record="rec", fact="i9", key="Casualties", value="20 killed", rank="normal", sources=AMNESTY)],
        [InfoboxPreferred(record="rec", fact="i9", reason="newer", sources=HRW)],
    )
    record = state.records["rec"]
    assert render_text(record) == ARTICLE.replace("15 killed", "20 killed")
    assert record.infobox == ["i1", "i9", "i2", "i3"] and record.facts["i2"].rank == "normal"
    state2 = _state(
        _import(),
        [InfoboxAdded(record="rec", fact="i9", key="Casualties", value="20 killed", rank="normal", sources=AMNESTY)],
        [InfoboxPreferred(record="rec", fact="i9")],
        [FactRetracted(record="rec", fact="i9", reason="withdrawn")],
    )
    assert render_text(state2.records["rec"]) == ARTICLE
    assert state2.records["rec"].facts["i2"].rank == "preferred"


def test_the_first_field_keeps_the_infobox_gap_when_its_alternative_is_preferred() -> None:
    text = ARTICLE.replace("\n\nInfobox", "\n\n\nInfobox")
    changes = article_changes(parse_article(text), "rec", SRC, "a.txt")
    state = _state(
        changes,
        [InfoboxAdded(record="rec", fact="i9", key="Date", value="7 May 2018", rank="normal", sources=AMNESTY)],
        [InfoboxPreferred(record="rec", fact="i9")],
    )
    assert render_text(state.records["rec"]) == text.replace("May 2018\n", "7 May 2018\n")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (InfoboxAdded(record="rec", fact="i9", key="Nope", value="x", rank="normal", sources=SRC), "no field 'Nope'"),
        (InfoboxPreferred(record="rec", fact="i2"), "already the preferred claim"),
        (InfoboxPreferred(record="rec", fact="s1"), "is a sentence"),
        (FactMoved(record="rec", fact="i2", after="s1"), "not in the infobox"),
        (FactMoved(record="rec", fact="s1", bullet="* "), "Only a list item has a bullet"),
    ],
)
def test_history_events_that_cannot_apply_are_refused(change: object, message: str) -> None:
    state = _state(_import())
    with pytest.raises(ArchiveError, match=message):
        apply_revision(state, _revisions([], [change])[1])


def test_a_field_moves_with_its_alternatives_and_an_item_changes_bullet() -> None:
    state = _state(
        _import(),
        [InfoboxAdded(record="rec", fact="i9", key="Casualties", value="20 killed", rank="normal", sources=AMNESTY)],
        [
            FactMoved(record="rec", fact="i2", after="i3"),
            FactMoved(record="rec", fact="li1", after="h1", bullet="* "),
            ItemAdded(record="rec", fact="li2", text="More", after="li1", list="li1", bullet="* ", gap=0, sources=SRC),
            RecordRevised(record="rec", ending="\n\n"),
        ],
    )
    record = state.records["rec"]
    assert record.infobox == ["i1", "i3", "i2", "i9"]
    expected = ARTICLE.replace("- Casualties: 15 killed\n- Place: Derna", "- Place: Derna\n- Casualties: 15 killed")
    expected = expected.replace("- Other\n", "* Other\n* More\n\n")
    assert render_text(record) == expected and record.ending_rev == 3


def test_capture_copies_the_record_at_each_revision_in_one_pass() -> None:
    revisions = _revisions(
        _import(),
        [SentenceRevised(record="rec", fact="s1", text="A new sentence.", sources=SRC)],
        [FactRetracted(record="rec", fact="s1")],
    )
    seen: list[int] = []

    def reading():
        for events in revisions:
            seen.append(events[0].rev)
            yield events

    captured = capture(reading(), "rec", [2, 1, 0])
    assert seen == [1, 2], "stops after the last revision asked for"
    assert captured.states[0] is None
    assert captured.states[1].facts["s1"].text == "A sentence."  # type: ignore[union-attr]
    assert captured.states[2].facts["s1"].text == "A new sentence."  # type: ignore[union-attr]
    assert capture(iter(revisions), "other", [3]).states[3] is None
    assert 9 not in capture(iter(revisions), "rec", [9]).states


def test_fact_history_has_a_version_per_revision_that_touched_it() -> None:
    revisions = _revisions(
        _import(),
        [InfoboxRevised(record="rec", fact="i2", value="16 killed", sources=HRW)],
        [InfoboxAdded(record="rec", fact="i9", key="Casualties", value="20 killed", rank="normal", sources=AMNESTY)],
        [SentenceRevised(record="rec", fact="s1", text="Another.", sources=SRC)],
        [InfoboxPreferred(record="rec", fact="i9")],
        [FactRetracted(record="rec", fact="i2", reason="outdated")],
    )
    versions, state = fact_history(iter(revisions), "rec", "i2")
    assert [v.rev for v in versions] == [1, 2, 5, 6]
    assert [v.fact.text for v in versions] == ["15 killed", "16 killed", "16 killed", "16 killed"]
    assert versions[1].fact.sources == HRW and versions[1].by == "user2"
    assert versions[2].changes == (("infobox.preferred", "i9"),) and versions[2].fact.rank == "normal"
    assert versions[3].retracted and versions[3].reason == "outdated"
    data = history_json("rec", "i2", versions)
    assert data["kind"] == "infobox" and [v["rev"] for v in data["versions"]] == [1, 2, 5, 6]
    assert fact_history(iter(revisions), "rec", "zz")[0] == [] and "rec" in state.records


def test_the_bundled_log_still_reads_and_writes_back_the_same_bytes() -> None:
    """The new optional fields (rank, bullet) default to nothing and are left out of a line."""
    adapter = event_adapter()
    for raw in EXAMPLE.read_bytes().splitlines(keepends=True):
        event = adapter.validate_json(raw)
        assert encode_line(event) == raw
        if event.type == "infobox.added":
            assert event.rank is None
