"""The HTML pages: every text from the log escaped, only http(s) sources linked, markers pointing at real sources."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import orjson
from hypothesis import given
from hypothesis import strategies as st

from events.source import Source
from events.when import When
from projections.render_html import article_page, history_page, index_page, sources_page, timeline_page
from projections.render_timelinejs import timelinejs
from projections.state import ArchiveState, Fact, RecordState, Revision

WIKI = Source(title="Siege of Derna", url="https://en.wikipedia.org/wiki/Siege_of_Derna", publisher="Wikipedia")
SCRIPT = "<script>alert(1)</script>"


def _record(*sentences: tuple[str, str, When | None, tuple[Source, ...]], title: str = "Siege of Derna") -> RecordState:
    """A record with a title, two infobox fields, a heading and the given sentences, one paragraph each."""
    record = RecordState(slug="siege-of-derna", created=1, rev=2, title="t1")
    record.facts["t1"] = Fact("t1", "title", title, (WIKI,), 1, 1)
    for fid, key, value in (("i1", "Conflict", "Siege of Derna"), ("i2", "Place", 'Derna, "Libya" & <sea>')):
        record.facts[fid] = Fact(fid, "infobox", value, (WIKI,), 1, 1, key=key)
        record.infobox.append(fid)
    record.facts["h1"] = Fact("h1", "heading", "Timeline", (WIKI,), 1, 1, level=2)
    record.body.append("h1")
    for fid, text, when, sources in sentences:
        record.facts[fid] = Fact(fid, "sentence", text, sources, 1, 2, when=when, group=fid)
        record.body.append(fid)
    return record


class _Texts(HTMLParser):
    """Collects the text inside each element with an id, and every href and script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.scripts = 0
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "a" and found.get("href") is not None:
            self.hrefs.append(found["href"] or "")
        if tag in ("meta", "br", "img", "link"):
            return
        self._open.append(found.get("id"))
        if found.get("id"):
            self.by_id[found["id"] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in ("meta", "br", "img", "link"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            if element:
                self.by_id[element] += data


def _parse(page: str) -> _Texts:
    parser = _Texts()
    parser.feed(page)
    return parser


def test_a_script_sentence_is_text_not_a_script() -> None:
    record = _record(("s1", SCRIPT, None, (WIKI,)), title=f"Title {SCRIPT}")
    for page in (article_page(record), sources_page(record), history_page(record, [])):
        assert SCRIPT not in page
        assert _parse(page).scripts == 0
    page = article_page(record)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert _parse(page).by_id["f-s1"] == SCRIPT
    assert _parse(page).by_id["f-i2"].startswith('PlaceDerna, "Libya" & <sea>')


def test_only_http_and_https_sources_become_links() -> None:
    evil = Source.model_construct(title="click me", url="javascript:alert(1)")  # what validation would refuse
    data = Source.model_construct(title="data", url="data:text/html,<script>alert(1)</script>")
    plain = Source(title="A book, page 12")
    record = _record(("s1", "It happened.", None, (WIKI, evil, data, plain)))
    for page in (article_page(record), sources_page(record)):
        hrefs = _parse(page).hrefs
        assert "https://en.wikipedia.org/wiki/Siege_of_Derna" in hrefs
        assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
        assert "click me" in page
        assert "A book, page 12" in page


def test_every_marker_points_at_a_source_in_the_list() -> None:
    other = Source(title="Libya Observer", url="https://www.libyaobserver.ly/")
    record = _record(("s1", "One.", None, (WIKI,)), ("s2", "Two.", None, (other, WIKI)))
    page = article_page(record)
    parsed = _parse(page)
    markers = [h for h in parsed.hrefs if h.startswith("#src-")]
    assert markers
    assert {m[1:] for m in markers} == {"src-1", "src-2"}
    assert "Libya Observer" in parsed.by_id["src-2"]
    assert re.search(r'id="f-s2">Two\.</span>&#8288;<sup class="cite"><a href="#src-2"', page)


def test_the_timeline_page_lists_dated_facts_earliest_first_in_honest_words() -> None:
    record = _record(
        ("s1", "Later.", When(edtf="2018-05-07", qualifier="on"), (WIKI,)),
        ("s2", "Earlier.", When(edtf="2017-09", qualifier="by"), (WIKI,)),
        ("s3", "Undated.", None, (WIKI,)),
    )
    page = timeline_page(record)
    assert page.index("by Sept 2017") < page.index("7 May 2018")
    assert '<time datetime="2018-05-07">7 May 2018</time>' in page
    assert "Undated." not in page


def test_history_lists_the_record_s_revisions_newest_first() -> None:
    record = _record(("s1", "One.", None, (WIKI,)))
    at = datetime(2026, 11, 25, 1, 39, 52, tzinfo=UTC)
    revisions = [
        Revision(1, at, "ann", "Import <b>it</b>", 28, ("siege-of-derna",), 1),
        Revision(2, at, "bob", "Elsewhere", 1, ("other",), 29),
        Revision(3, at, "cy", "Fix a comma", 2, ("siege-of-derna",), 30),
    ]
    page = history_page(record, revisions)
    assert page.index('id="r3"') < page.index('id="r1"')
    assert 'id="r2"' not in page
    assert "Import &lt;b&gt;it&lt;/b&gt;" in page
    assert "2026-11-25 01:39 UTC" in page


def test_the_index_lists_every_record() -> None:
    state = ArchiveState()
    state.records["siege-of-derna"] = _record(("s1", "One.", None, (WIKI,)))
    page = index_page(state)
    assert 'href="siege-of-derna/index.html"' in page
    assert "Siege of Derna" in page


@given(st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1).filter(str.strip))
def test_any_sentence_comes_back_as_the_same_text(text: str) -> None:
    page = article_page(_record(("s1", text, None, (WIKI,))))
    assert _parse(page).scripts == 0
    assert _parse(page).by_id["f-s1"] == text.strip()


def test_timelinejs_dates_are_only_as_precise_as_known_and_text_is_escaped() -> None:
    record = _record(
        ("s1", f"Month {SCRIPT}", When(edtf="2017-09", qualifier="by"), (WIKI,)),
        ("s2", "Day.", When(edtf="2018-05-07", qualifier="on"), (WIKI,)),
        ("s3", "Span.", When(edtf="2016-08/2019-02-12"), (WIKI,)),
        ("s4", "Around.", When(edtf="1200~", qualifier="circa"), (WIKI,)),
    )
    data = orjson.loads(orjson.dumps(timelinejs(record)))
    slides = {slide["unique_id"]: slide for slide in data["events"]}
    assert slides["s1"]["start_date"] == {"year": 2017, "month": 9}
    assert slides["s1"]["display_date"] == "by Sept 2017"
    assert SCRIPT not in slides["s1"]["text"]["text"]
    assert "&lt;script&gt;" in slides["s1"]["text"]["text"]
    assert slides["s2"]["start_date"] == {"year": 2018, "month": 5, "day": 7}
    assert "display_date" not in slides["s2"]
    assert slides["s3"]["start_date"] == {"year": 2016, "month": 8}
    assert slides["s3"]["end_date"] == {"year": 2019, "month": 2, "day": 12}
    assert slides["s4"]["start_date"] == {"year": 1200}
    assert slides["s4"]["display_date"] == "c. 1200"
    assert [s["unique_id"] for s in data["events"]] == ["s4", "s3", "s1", "s2"]
    assert data["title"]["text"]["headline"] == "Siege of Derna"


def test_the_diff_page_marks_words_and_escapes_them() -> None:
    from projections.diff import diff_records  # noqa: PLC0415
    from projections.render_html import diff_page  # noqa: PLC0415

    before = _record(("s1", "The siege began in August 2016.", None, (WIKI,)))
    after = before.copy()
    after.facts["s1"] = Fact("s1", "sentence", f"The siege began in July 2016 {SCRIPT}.", (WIKI,), 1, 3, group="s1")
    after.facts["s2"] = Fact("s2", "sentence", "A new <b>fact</b>.", (WIKI,), 3, 3, group="s2")
    after.body.append("s2")
    after.rev = 3
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    page = diff_page(
        after, diff_records(before, after, to_rev=3), Revision(3, at, "ann", "Fix <i>the</i> month", 2, ("siege-of-derna",), 31)
    )
    assert SCRIPT not in page
    assert _parse(page).scripts == 0
    assert "<del>August</del>" in page
    assert "<ins>July</ins>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<ins>A new &lt;b&gt;fact&lt;/b&gt;.</ins>" in page
    assert "Fix &lt;i&gt;the&lt;/i&gt; month" in page
    assert 'href="diff-2.html"' in page  # compared with the record's previous revision


def test_the_blame_page_gives_each_sentence_its_revision_author_time_and_sources() -> None:
    from projections.render_html import blame_page  # noqa: PLC0415

    record = _record(("s1", SCRIPT, None, (WIKI,)), ("s2", "Two.", None, (Source(title="Notes"),)))
    record.facts["s2"].rev = 3
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    revisions = [
        Revision(1, at, "ann", None, 9, ("siege-of-derna",), 1),
        Revision(2, at, "bob", None, 1, ("siege-of-derna",), 10),
        Revision(3, at, "<cy>", None, 1, ("siege-of-derna",), 11),
    ]
    page = blame_page(record, revisions)
    assert SCRIPT not in page
    assert _parse(page).scripts == 0
    card = page[page.index('data-fact="s2"') :]
    card = card[: card.index("</td>")]
    assert 'href="diff-3.html">3</a> by &lt;cy&gt;, <time datetime="2026-11-25T02:00:00Z">2026-11-25 02:00 UTC</time>' in card
    assert "[2] " in card
    assert "Notes" in card
