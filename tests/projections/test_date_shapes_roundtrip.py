"""Every shape of date the reader writes survives the log line, the fold and every timeline view, inferred parts
shown as inferred."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import encode_line
from events.model import RecordCreated, SentenceAdded, TitleAdded, event_adapter
from events.source import Source
from events.when import INFERRED, QUALIFIERS, When
from events.wire import event_fields
from projections.fold import apply_event
from projections.state import ArchiveState
from projections.timeline_display import display_date
from projections.views import render_view

_SOURCE = (Source(title="test"),)
_STAMP = {"rev": 1, "at": "2024-01-01T00:00:00Z", "by": "t", "prev": "0" * 64}


def _year(low: int = 1, high: int = 2100) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@st.composite
def _shapes(draw: st.DrawFn) -> str:
    """The EDTF shapes archive.ingest.dates writes: points, intervals, seasons as months, thirds, decades, centuries,
    BC years, approximate and uncertain ends."""
    year = draw(_year(100, 2100))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    kind = draw(st.sampled_from(["y", "ym", "ymd", "range", "days", "season", "bc", "dec", "cent", "approx", "either"]))
    match kind:
        case "y":
            return f"{year:04d}"
        case "ym":
            return f"{year:04d}-{month:02d}"
        case "ymd":
            return f"{year:04d}-{month:02d}-{day:02d}"
        case "range":
            return f"{year:04d}-{month:02d}/{year + draw(st.integers(1, 9)):04d}"
        case "days":
            return f"{year:04d}-{month:02d}-{day:02d}/{year:04d}-{month:02d}-{day + draw(st.integers(1, 3)):02d}"
        case "season":
            return f"{year:04d}-12/{year + 1:04d}-02"
        case "bc":
            return f"-{year:04d}"
        case "dec":
            return f"{year // 10:03d}X"
        case "cent":
            return f"{year // 100 * 100 + 1:04d}/{year // 100 * 100 + 100:04d}"
        case "approx":
            return f"{year:04d}-{month:02d}~"
        case _:
            return f"{year:04d}-{month:02d}-{day:02d}?/{year:04d}-{month:02d}-{day + 1:02d}?"


_WHENS = st.builds(
    When,
    edtf=_shapes(),
    qualifier=st.one_of(st.none(), st.sampled_from(QUALIFIERS)),
    inferred=st.one_of(st.none(), st.sampled_from(INFERRED)),
)


@settings(max_examples=200, deadline=None)
@given(_WHENS)
def test_a_date_survives_the_log_the_fold_and_the_views(when: When) -> None:
    changes = [
        RecordCreated(record="r"),
        TitleAdded(record="r", fact="t1", text="T", sources=_SOURCE),
        SentenceAdded(record="r", fact="s1", text="It happened.", when=when, paragraph="s1", sources=_SOURCE),
    ]
    state = ArchiveState()
    for seq, change in enumerate(changes, start=1):
        line = encode_line(event_adapter().validate_python({**change.model_dump(), **_STAMP, "seq": seq}))
        validated = event_adapter().validate_json(line)
        assert getattr(validated, "when", None) == getattr(change, "when", None)
        fields = event_fields(orjson.loads(line))  # the fast reader gives the same date
        if "when" in fields:
            assert fields["when"] == when
        apply_event(state, validated)
    record = state.records["r"]
    [row] = orjson.loads(render_view(record, "timeline", "json"))
    assert (row["date"], row["qualifier"], row["inferred"]) == (when.edtf, when.qualifier, when.inferred)
    words = display_date(when.edtf, when.qualifier, when.inferred).text
    assert render_view(record, "timeline", "text").startswith(words)
    assert f"**{words}**" in render_view(record, "timeline", "markdown")
    assert ("[" in words) == (when.inferred is not None)  # an inferred year is always marked, never shown as stated


def test_a_line_written_before_the_inferred_field_reads_as_it_always_did() -> None:
    old = (
        b'{"seq":3,"rev":1,"type":"sentence.added","record":"r","fact":"s1","text":"On 4 August, it fell.",'
        b'"when":{"edtf":"2011-08-04","qualifier":"on"},"paragraph":"s1","sources":[{"title":"t"}],'
        b'"at":"2024-01-01T00:00:00Z","by":"t","prev":"' + b"0" * 64 + b'"}\n'
    )
    event = event_adapter().validate_json(old)
    assert event.when == When(edtf="2011-08-04", qualifier="on")
    assert event.when.inferred is None
    assert event_fields(orjson.loads(old))["when"] == event.when
    assert b"inferred" not in encode_line(event)  # and it writes back the same shape
