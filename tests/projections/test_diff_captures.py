"""Tests of projections.diff captures: a run of states captured once each diffs as diff_records does."""

from __future__ import annotations

from datetime import UTC, datetime

from archive.ingest.article_text import parse_article
from archive.ingest.importer import article_changes
from events.model import (
    FactMoved,
    FactRetracted,
    InfoboxRevised,
    SentenceAdded,
    SentenceRevised,
    stamp,
)
from events.source import Source
from events.when import When
from projections.diff import capture_record, diff_captures, diff_records
from projections.fold import apply_revision
from projections.state import ArchiveState
from projections.timeline import timeline_rows

ARTICLE = """= Small =

Infobox
- Date: May 2018
- Place: Derna

First sentence here. In May 2018 the second one.

== Events ==
In June 2018 a thing happened. Then another. In 2019 a third.

== See also ==
- Other
"""
SRC = (Source(title="a"),)
NEW = (Source(url="https://example.org/b"),)

EDITS = [
    [
        SentenceRevised(
            record="rec", fact="s3", text="In June 2018 a thing occurred.", when=When(edtf="2018-06", qualifier="in"), sources=SRC
        )
    ],
    [SentenceRevised(record="rec", fact="s1", text="First sentence there.", sources=NEW)],
    [
        SentenceRevised(
            record="rec", fact="s3", text="In July 2018 a thing occurred.", when=When(edtf="2018-07", qualifier="in"), sources=SRC
        )
    ],
    [InfoboxRevised(record="rec", fact="i2", value="Derna, Libya", sources=NEW)],
    [
        SentenceAdded(
            record="rec",
            fact="s9",
            text="In 2017 it began.",
            when=When(edtf="2017", qualifier="in"),
            after="h1",
            paragraph="s9",
            lead="",
            gap=0,
            sources=NEW,
        )
    ],
    [FactMoved(record="rec", fact="s4", after="li1", paragraph="s4", lead="", gap=1)],
    [FactRetracted(record="rec", fact="s2", reason="Not in the source")],
    [SentenceRevised(record="rec", fact="s5", text="In 2019 a third one.", when=When(edtf="2019", qualifier="in"), sources=NEW)],
]


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


def test_a_chain_of_captures_diffs_and_sorts_the_timeline_as_from_scratch() -> None:
    state = ArchiveState()
    _fold(state, article_changes(parse_article(ARTICLE), "rec", SRC, "a.txt"))
    record = state.records["rec"]
    assert [r.fact for r in timeline_rows(record)], "the article has dated facts"
    previous = capture_record(record)
    assert previous.timeline == tuple(timeline_rows(record))
    for changes in EDITS:
        before = record.copy()
        _fold(state, changes)
        current = capture_record(record, previous)
        assert current.timeline == tuple(timeline_rows(record)), changes
        assert diff_captures(previous, current, record, to_rev=state.head) == diff_records(before, record, to_rev=state.head)
        assert previous.text == diff_records(before, before).text_after  # a capture does not follow later folds
        previous = current
