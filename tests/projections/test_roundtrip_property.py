# ruff: noqa: RUF001 - the vocabulary holds en dashes on purpose
"""Property tests: generated articles survive import, fold and render byte for byte; events survive their log line.

The strategies live here, in one place: ``articles()`` draws well-formed files of the article text format
(title, an optional infobox, headings of every level, hard-wrapped paragraphs of sentences, bullet lists,
any gaps, any ending) and ``events()`` draws stamped events of every type.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from archive.ingest import editing
from archive.ingest.article_text import parse_article
from archive.ingest.importer import article_changes
from events.codec import GENESIS, encode_line, line_hash
from events.errors import ArchiveError
from events.model import (
    CHANGE_TYPES,
    Change,
    FactMoved,
    FactRetracted,
    HeadingRevised,
    InfoboxRevised,
    ItemRevised,
    SentenceRevised,
    TitleRevised,
    event_adapter,
    stamp,
)
from events.source import Source
from events.when import INFERRED, QUALIFIERS, When
from projections.fold import apply_revision
from projections.render_text import render_text
from projections.state import ArchiveState, RecordState

# ------------------------------------------------------------------ characters and words

_TEXT_CHARS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
"""Any character a fact may hold: no control characters, surrogates or Unicode line/paragraph separators."""
_SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \u2009"])
_WORDS = st.sampled_from(
    [
        "The",
        "siege",
        "of",
        "Derna",
        "began",
        "in",
        "August 2016",
        "on 7 May 2018",
        "c. 1200",
        "by September 2017",
        "1,000–1,500 soldiers",
        "for 21 months",
        "Dr.",
        "U.S.",
        "e.g.",
        "St.",
        '"quoted. words"',
        "(2014–16)",
        "—",
        "حصار",
        "德尔纳之战",
        "🏰",
        "e\u0301",
        "naïve",
        "mid-1990s",
        "late 2019",
        "30–31 October 2020",
        "1618–1648",
        "22 September",
        "10:30",
        "=",
        "- ",
        "* ",
        "Infobox",
        ":",
    ]
)
_ENDS = st.sampled_from([".", "!", "?", "...", '."', ".)", "。", "", ";"])


@st.composite
def _free_text(draw: st.DrawFn, max_size: int = 30) -> str:
    return draw(st.text(_TEXT_CHARS, min_size=1, max_size=max_size))


@st.composite
def _sentence(draw: st.DrawFn) -> str:
    """A sentence of words from the vocabulary (dates, abbreviations, scripts) or of any characters."""
    words = [draw(_free_text())] if draw(st.integers(0, 4)) == 0 else draw(st.lists(_WORDS, min_size=1, max_size=8))
    return " ".join(words) + draw(_ENDS)


def _is_special(line: str) -> bool:
    """Whether a line would be read as something other than paragraph text."""
    return (
        not line.strip()
        or line == "Infobox"
        or re.fullmatch(r"(={2,6}) (\S(?:.*\S)?) \1", line) is not None
        or re.match(r"[ \t]*[-*] ", line) is not None
    )


@st.composite
def _line(draw: st.DrawFn) -> str:
    """One line of text: no leading or trailing white space, not blank."""
    text = draw(st.one_of(_sentence(), _free_text()))
    stripped = text.strip()
    return stripped if stripped else "x"


# ------------------------------------------------------------------ blocks


@st.composite
def _paragraph(draw: st.DrawFn) -> list[str]:
    """A paragraph: sentences separated by white space, hard-wrapped onto one or more lines."""
    indent = draw(st.sampled_from(["", "", "", " ", "  "]))
    sentences = draw(st.lists(_sentence(), min_size=1, max_size=6))
    text = indent
    for index, sentence in enumerate(sentences):
        if index:
            text += draw(st.one_of(_SPACES, st.just("\n"), st.just(" \n")))
        text += sentence
    text += draw(st.sampled_from(["", "", " ", "  "]))
    lines = text.split("\n")
    if any(_is_special(line) for line in lines):
        lines = ["P" + line if _is_special(line) else line for line in lines]
        lines = [line if line.strip() else "P" for line in lines]
    return lines


@st.composite
def _list(draw: st.DrawFn) -> list[str]:
    bullet = draw(st.sampled_from(["- ", "* ", "  - ", "\t* "]))
    return [bullet + draw(_line()) for _ in range(draw(st.integers(1, 5)))]


@st.composite
def _heading(draw: st.DrawFn) -> list[str]:
    level = draw(st.integers(2, 6))
    marks = "=" * level
    return [f"{marks} {draw(_line())} {marks}"]


@st.composite
def _infobox(draw: st.DrawFn) -> list[str]:
    keys = draw(
        st.lists(
            _line().map(lambda s: s.replace(":", "").strip() or "Key"),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    lines = ["Infobox"]
    for key in keys:
        value = draw(st.one_of(st.just(""), _line(), _line().map(lambda s: s + ": with a colon")))
        lines.append(f"- {key}: {value}" if value else f"- {key}:")
    return lines


@st.composite
def articles(draw: st.DrawFn) -> str:
    """A well-formed article of the text format."""
    lines = [f"= {draw(_line())} ="]
    kinds: list[str] = []
    if draw(st.booleans()):
        lines += [""] * draw(st.integers(0, 2))
        lines += draw(_infobox())
        kinds.append("infobox")
    for block in draw(st.lists(st.sampled_from(["heading", "paragraph", "list"]), max_size=10)):
        previous = kinds[-1] if kinds else "title"
        # after an infobox a blank line is needed; so between two paragraphs (else they are one)
        least = 1 if previous == "infobox" or (previous == block == "paragraph") else 0
        lines += [""] * draw(st.integers(least, 3))
        lines += draw({"heading": _heading, "paragraph": _paragraph, "list": _list}[block]())
        kinds.append(block)
    return "\n".join(lines) + "\n" * draw(st.integers(0, 4))


# ------------------------------------------------------------------ sources, dates and events

_EDTF = st.one_of(
    st.integers(1000, 2100).map(str),
    st.tuples(st.integers(1000, 2100), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 28)).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
    st.tuples(st.integers(1000, 2000), st.integers(1, 99)).map(lambda t: f"{t[0]}-08/{t[0] + t[1]}-02-12"),
    st.integers(1000, 2100).map(lambda y: f"{y}~"),
    st.integers(100, 209).map(lambda d: f"{d}X"),
)
whens = st.builds(
    When,
    edtf=_EDTF,
    qualifier=st.one_of(st.none(), st.sampled_from(QUALIFIERS)),
    inferred=st.one_of(st.none(), st.sampled_from(INFERRED)),
)
_URLS = st.from_regex(r"https://example\.org/[a-z0-9/_-]{0,20}", fullmatch=True)
_TITLE_URL = st.one_of(
    st.tuples(_line(), st.none()),
    st.tuples(st.none(), _URLS),
    st.tuples(_line(), _URLS),
)
sources = _TITLE_URL.flatmap(
    lambda title_url: st.builds(
        Source,
        title=st.just(title_url[0]),
        url=st.just(title_url[1]),
        publisher=st.one_of(st.none(), _line()),
        author=st.one_of(st.none(), _line()),
        published=st.one_of(st.none(), _EDTF),
        accessed=st.one_of(st.none(), _EDTF),
        quote=st.one_of(st.none(), _line()),
    )
)
_SLUG = "generated"
_FACT = st.from_regex(r"[a-z][a-z0-9-]{0,39}", fullmatch=True)
_SOURCES = st.lists(sources, min_size=1, max_size=3).map(tuple)

_LATER: dict[type[Change], dict[str, st.SearchStrategy[object]]] = {
    TitleRevised: {"text": _line(), "sources": _SOURCES},
    InfoboxRevised: {"value": st.one_of(st.just(""), _line()), "sources": _SOURCES},
    HeadingRevised: {"text": _line(), "level": st.integers(2, 6), "sources": _SOURCES},
    SentenceRevised: {"text": _sentence(), "when": st.none() | whens, "sources": _SOURCES},
    ItemRevised: {"text": _line(), "when": st.none() | whens, "sources": _SOURCES},
    FactMoved: {
        "after": st.none() | _FACT,
        "paragraph": st.none() | _FACT,
        "lead": st.none() | _SPACES,
        "gap": st.none() | st.integers(0, 20),
    },
    FactRetracted: {"reason": st.none() | _line(), "sources": st.just(()) | _SOURCES},
}
"""The change types an import does not make, and how to draw each one's payload."""
_LATER_CHANGES = st.one_of([st.builds(cls, record=st.just(_SLUG), fact=_FACT, **payload) for cls, payload in _LATER.items()])
_STAMP = st.fixed_dictionaries(
    {
        "seq": st.integers(1, 10**9),
        "rev": st.integers(1, 10**6),
        "at": st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)),
        "by": _line(),
        "prev": st.sampled_from([GENESIS, "a" * 64]) | st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
        "end": st.sampled_from([None, True]),
        "summary": st.none() | _line(),
    }
)
events = st.tuples(_LATER_CHANGES, _STAMP).map(lambda pair: stamp(pair[0], **pair[1]))

# ------------------------------------------------------------------ the pipeline


_AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _import_and_render(text: str) -> tuple[str, list[Change]]:
    """parse → changes → stamped events (one revision) → fold → render, as ``archive import`` then ``show`` do."""
    article = parse_article(text, "generated.txt")
    changes = article_changes(article, _SLUG, (Source(title="generated.txt"),), "generated.txt")
    stamped: list[Change] = []
    prev = GENESIS
    for seq, change in enumerate(changes, start=1):
        last = seq == len(changes)
        event = stamp(change, seq=seq, rev=1, at=_AT, by="hypothesis", prev=prev, end=True if last else None)
        prev = line_hash(encode_line(event))
        stamped.append(event)
    state = ArchiveState()
    apply_revision(state, stamped)
    return render_text(state.records[_SLUG]), stamped


_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(articles())
def test_generated_article_round_trips_byte_for_byte(text: str) -> None:
    """import → fold → render gives the same bytes; and every event it made survives its log line."""
    rendered, stamped = _import_and_render(text)
    assert rendered == text
    adapter = event_adapter()
    for event in stamped:
        line = encode_line(event)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        back = adapter.validate_json(line)
        assert back == event
        assert type(back) is type(event)
        assert encode_line(back) == line


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(
            ["section", "new-section", "lead", "paragraph", "item", "set-field", "new-field", "remove-field", "revise", "retract"]
        ),
        st.integers(0, 1000),
        st.sampled_from(["A new sentence.", "On 3 May 2001 it rained.", "x", "Dr. Who arrived c. 1200. He left."]),
    ),
    min_size=1,
    max_size=6,
)
"""Appends as ``archive append`` makes them: (what, which, words)."""
_SOURCE = (Source(title="an edit"),)


def _edit(record: RecordState, what: str, which: int, words: str) -> list[Change] | None:
    """The changes of one append to ``record``, or None when it has nothing to apply to."""
    body = record.visible_body()
    headings = [f for f in body if f.kind == "heading"]
    sentences = [f for f in body if f.kind == "sentence"]
    fields = record.visible_infobox()
    new_sentence = {"text": words, "when": editing.AUTO, "paragraph": None, "sources": _SOURCE}
    match what:
        case "section" if headings:
            return editing.add_sentence(record, section=headings[which % len(headings)].text, **new_sentence)
        case "new-section":
            return editing.add_sentence(record, section=f"Section {which}", **new_sentence)
        case "lead":
            return editing.add_sentence(record, section=None, **new_sentence)
        case "paragraph" if sentences:
            new_sentence["paragraph"] = sentences[which % len(sentences)].id
            return editing.add_sentence(record, section=None, **new_sentence)
        case "item":
            section = headings[which % len(headings)].text if headings and which % 3 else None
            return editing.add_item(record, section=section, text=words, sources=_SOURCE)
        case "set-field" if fields:
            return editing.set_infobox(record, assignment=f"{fields[which % len(fields)].key}={words}", sources=_SOURCE)
        case "new-field":
            return editing.set_infobox(record, assignment=f"Key{which}={words}", sources=_SOURCE)
        case "remove-field" if fields:
            return editing.remove_infobox(record, key=fields[which % len(fields)].key, reason=None, sources=_SOURCE)
        case "revise" | "retract":
            facts = [record.facts[record.title]] if record.title_text() is not None else []
            facts += fields + body
            fact = facts[which % len(facts)].id
            if what == "revise":
                return editing.revise(record, fact_id=fact, text=words, when=editing.AUTO, sources=_SOURCE)
            return editing.retract(record, fact_id=fact, reason=None, sources=_SOURCE)
    return None


@_SETTINGS
@given(articles(), _EDITS)
def test_appended_articles_stay_well_formed(text: str, edits: list[tuple[str, int, str]]) -> None:
    """After any appends, the article shown is still a file of the format: it imports again, to the same bytes."""
    _, stamped = _import_and_render(text)
    state = ArchiveState()
    apply_revision(state, stamped)
    record = state.records[_SLUG]
    for what, which, words in edits:
        try:
            changes = _edit(record, what, which, words)
        except ArchiveError as exc:  # refused, as the command line would refuse it
            note(f"{what} {which}: refused: {exc}")
            continue
        if not changes:
            continue
        rev = state.head + 1
        apply_revision(
            state,
            [
                stamp(
                    change,
                    seq=state.seq + 1 + i,
                    rev=rev,
                    at=_AT,
                    by="hypothesis",
                    prev=GENESIS,
                    end=True if i == len(changes) - 1 else None,
                )
                for i, change in enumerate(changes)
            ],
        )
        note(f"{what} {which} {words!r}")
    shown = render_text(record)
    note(repr(shown))
    again, _ = _import_and_render(shown)
    assert again == shown


@settings(max_examples=100, deadline=None)
@given(events)
def test_any_event_round_trips_through_its_log_line(event: Change) -> None:
    line = encode_line(event)
    back = event_adapter().validate_json(line)
    assert back == event
    assert encode_line(back) == line
    assert line.startswith(b'{"seq":') and line.endswith(b"\n")


_FOUNDATION_TYPES = (
    "record.created",
    "title.added",
    "infobox.added",
    "heading.added",
    "sentence.added",
    "item.added",
    "title.revised",
    "infobox.revised",
    "heading.revised",
    "sentence.revised",
    "item.revised",
    "fact.moved",
    "fact.retracted",
)
"""The change types of docs/DECISIONS.md; types added later bring their own round-trip tests."""


def test_the_event_strategies_cover_every_foundation_type() -> None:
    """Imports make the ``*.added`` types and ``record.created``; ``events`` draws every other one."""
    later = {cls.model_fields["type"].default for cls in _LATER}
    made = {"record.created", "title.added", "infobox.added", "heading.added", "sentence.added", "item.added"}
    assert set(_FOUNDATION_TYPES) <= set(CHANGE_TYPES)
    assert later | made == set(_FOUNDATION_TYPES)
