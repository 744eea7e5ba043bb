"""Tests of projections.lines and projections.blame: every line of the article, and what stands behind it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.ingest.article_text import parse_article
from archive.ingest.importer import article_changes
from events.model import FactRetracted, RecordRevised, SentenceAdded, SentenceRevised, stamp
from events.source import Source
from projections.blame import blame_json, blame_lines
from projections.fold import apply_revision
from projections.lines import article_lines
from projections.render_text import render_text
from projections.state import ArchiveState, RecordState

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "siege-of-derna.txt"
ARTICLES = [p for p in [SEED, *sorted((REPO / "tests" / "data" / "articles").glob("*.txt"))] if p.is_file()]
SRC = (Source(title="a"),)


def _fold(state: ArchiveState, changes: list, by: str = "ann") -> None:
    rev = state.head + 1
    at = datetime(2026, 1, rev, tzinfo=UTC)
    last = len(changes) - 1
    apply_revision(
        state,
        [
            stamp(c, seq=state.seq + i + 1, rev=rev, at=at, by=by, prev="0" * 64, end=True if i == last else None)
            for i, c in enumerate(changes)
        ],
    )


def _imported(path: Path) -> ArchiveState:
    state = ArchiveState()
    _fold(state, article_changes(parse_article(path.read_text(encoding="utf-8")), "rec", SRC, path.name))
    return state


def _joined(record: RecordState) -> str:
    text = "".join(line.text + "\n" for line in article_lines(record))
    return text if record.ending else text.removesuffix("\n")


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_lines_give_the_rendered_article_and_blame_attributes_every_one(path: Path) -> None:
    state = _imported(path)
    record = state.records["rec"]
    if not article_lines(record):
        assert render_text(record) == ""
        return
    assert _joined(record) == render_text(record) == path.read_text(encoding="utf-8")
    blamed = blame_lines(record, state.revisions)
    assert [b.line for b in blamed] == list(range(1, len(blamed) + 1))
    for b in blamed:
        assert b.rev == 1 and b.by == "ann" and b.at is not None
        if b.text.strip() and b.text != "Infobox":
            assert b.facts and b.sources == SRC and b.pieces
            for piece in b.pieces:
                assert b.text[piece.start : piece.start + len(piece.text)] == piece.text


def test_each_sentence_of_a_line_is_resolved_on_its_own() -> None:
    state = _imported(REPO / "tests" / "data" / "articles" / "structure.txt")
    record = state.records["rec"]
    newer = (Source(url="https://example.org/newer"),)
    _fold(state, [SentenceRevised(record="rec", fact="s2", text="It lasted four days.", sources=newer)], by="bob")
    line = next(b for b in blame_lines(record, state.revisions) if "four days" in b.text)
    assert line.facts == ("s1", "s2") and line.rev == 2 and line.by == "bob"
    assert [(p.fact, p.rev, p.by) for p in line.pieces] == [("s1", 1, "ann"), ("s2", 2, "bob")]
    assert line.sources == (*SRC, *newer)
    data = blame_json([line])[0]
    assert list(data)[:7] == ["line", "text", "facts", "rev", "by", "at", "sources"]
    assert [s["fact"] for s in data["sentences"]] == ["s1", "s2"] and data["at"].endswith("Z")


def test_a_wrapped_sentence_is_blamed_on_each_of_its_lines() -> None:
    state = _imported(REPO / "tests" / "data" / "articles" / "title-only.txt")
    record = state.records["rec"]
    _fold(
        state,
        [
            SentenceAdded(record="rec", fact="s1", text="Short one.", paragraph="s1", gap=1, sources=SRC),
            SentenceAdded(
                record="rec", fact="s2", text="A long one\nwrapped.", after="s1", paragraph="s1", lead=" ", sources=SRC
            ),
            SentenceAdded(record="rec", fact="s3", text="Last.", after="s2", paragraph="s1", lead=" ", sources=SRC),
        ],
    )
    assert _joined(record) == render_text(record) == "= Just A Title =\n\nShort one. A long one\nwrapped. Last.\n"
    blamed = blame_lines(record, state.revisions)
    assert [(b.text, b.facts) for b in blamed[2:]] == [("Short one. A long one", ("s1", "s2")), ("wrapped. Last.", ("s2", "s3"))]
    assert [(p.fact, p.text, p.start) for p in blamed[3].pieces] == [("s2", "wrapped.", 0), ("s3", "Last.", 9)]
    assert blamed[1].facts == ("s1",) and blamed[1].text == ""


def test_blame_follows_retractions_moves_and_the_ending() -> None:
    state = _imported(REPO / "tests" / "data" / "articles" / "structure.txt")
    record = state.records["rec"]
    _fold(
        state,
        [
            FactRetracted(record="rec", fact="s1"),
            SentenceAdded(record="rec", fact="s99", text="Added later.", after="s2", paragraph="s1", lead=" ", sources=SRC),
            RecordRevised(record="rec", ending="\n\n"),
        ],
        by="cy",
    )
    assert _joined(record) == render_text(record)
    blamed = blame_lines(record, state.revisions)
    line = next(b for b in blamed if "Added later." in b.text)
    assert line.facts == ("s2", "s99") and line.rev == 2 and line.by == "cy"
    assert blamed[-1].text == "" and blamed[-1].facts == () and blamed[-1].rev == 2
