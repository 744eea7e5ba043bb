"""The validation in Rust (``events.native``) accepts exactly the lines the models accept, gives the same
events, runs no Python on a plain line, and leaves the message of a refused line as it was."""

from __future__ import annotations

import copy
import re
import sys
from datetime import UTC
from functools import partial
from types import FrameType
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from pydantic_core import SchemaValidator, core_schema

from events.codec import encode_line
from events.model import EVENTS, ChangeUnion, EventUnion, change_adapter, event_adapter
from events.native import fast_validator
from events.source import first_problem
from events.text import SPACES, check_line, line_schema, visible_class

PRECISE = TypeAdapter(EventUnion)
"""The models' own validator: every check in Python."""
FAST = fast_validator(PRECISE.core_schema)
"""The same schema with every check in Rust first."""

_STAMP: dict[str, Any] = {"seq": 7, "rev": 3, "at": "2024-01-01T00:00:00Z", "by": "Amira Saleh", "prev": "0" * 64}
_SOURCE: dict[str, Any] = {
    "title": "Le Monde, dispatch 21",
    "url": "https://news.example.org/le-monde/2015/21",
    "publisher": "Le Monde",
    "author": "Jean Dupont",
    "published": "2015-03-28",
    "accessed": "2026-11-25",
    "quote": "the port was closed",
}
_FACT: dict[str, Any] = {"record": "siege-of-derna", "fact": "s3", "sources": [_SOURCE, {"title": "A second source"}]}
_WHEN = {"edtf": "2017-09", "qualifier": "by"}
BASES: list[dict[str, Any]] = [
    {"type": "record.created", "record": "siege-of-derna", "ending": "\n", **_STAMP},
    {"type": "record.revised", "record": "siege-of-derna", "ending": "\n\n", **_STAMP, "end": True, "summary": "Tidy"},
    {"type": "title.added", **_FACT, "text": "Siege of Derna", **_STAMP},
    {"type": "title.revised", **_FACT, "text": "Siege of Derna (2016\u20132019)", **_STAMP},
    {
        "type": "infobox.added",
        **_FACT,
        "key": "Date",
        "value": "2016 \u2013 2019",
        "after": "i1",
        "gap": 0,
        "rank": "normal",
        **_STAMP,
    },
    {"type": "infobox.revised", **_FACT, "value": "", **_STAMP},
    {"type": "heading.added", **_FACT, "text": "Aftermath", "level": 3, "after": "s2", "gap": 2, **_STAMP},
    {"type": "heading.revised", **_FACT, "text": "Background", "level": 2, **_STAMP},
    {
        "type": "sentence.added",
        **_FACT,
        "text": "The siege began\nin August 2016.",
        "when": _WHEN,
        "after": "s2",
        "paragraph": "s1",
        "lead": " ",
        "gap": 1,
        **_STAMP,
    },
    {"type": "sentence.revised", **_FACT, "text": "The siege ended in 2019.", "when": {"edtf": "2019"}, **_STAMP},
    {"type": "item.added", **_FACT, "text": "Al-Fatayeh", "when": _WHEN, "after": "li1", "list": "li1", "bullet": "* ", **_STAMP},
    {"type": "item.revised", **_FACT, "text": "Al-Fatayeh district", **_STAMP},
    {
        "type": "fact.moved",
        **_FACT,
        "after": "s1",
        "paragraph": "s1",
        "list": "li1",
        "lead": "\n",
        "gap": 0,
        "bullet": " - ",
        **_STAMP,
    },
    {"type": "fact.retracted", **_FACT, "reason": "Not in the source.", **_STAMP, "end": True, "summary": "Corrections"},
    {"type": "infobox.preferred", **_FACT, "reason": "A newer count.", **_STAMP},
]
"""One event of each type, every optional field set."""

_TEXT_FIELDS = ("text", "key", "value", "lead", "bullet", "by", "summary", "reason", "ending", "at")
_SOURCE_FIELDS = ("title", "url", "publisher", "author", "published", "accessed", "quote")


def _paths(base: dict[str, Any]) -> list[tuple[Any, ...]]:
    paths: list[tuple[Any, ...]] = [(name,) for name in _TEXT_FIELDS if name in base]
    if "when" in base:
        paths.append(("when", "edtf"))
    if "sources" in base:
        paths += [("sources", 0, name) for name in _SOURCE_FIELDS] + [("sources", 1, name) for name in _SOURCE_FIELDS]
    return paths


PATHS = [(index, path) for index, base in enumerate(BASES) for path in _paths(base)]

_ODD = "\n\t\r\x0b\x0c\x1c\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\x00\x07\x7f\x9f:-*/$.?#0129TZ+h"
"""Characters at the edges of the checks: white space, controls, and what the patterns name."""
_SAMPLES = [
    "",
    " ",
    "\n",
    "\n\n",
    "a\n",
    "\na",
    "a\nb",
    "a\n\nb",
    "- ",
    "-",
    "* ",
    "  - ",
    "-\n ",
    "\t* ",
    "Key",
    "Ke:y",
    " Key",
    "2020-02-29",
    "2019-02-29",
    "2019-04-31",
    "2019-12-31",
    "2017-00",
    "2017-13",
    "0000",
    "2017-21",
    "2016-08/2019-02-12",
    "2019/2016",
    "199X",
    " 2017",
    "2017 ",
    "٢٠١٧",
    "2024-01-01T00:00:00Z",
    "2024-01-01T00:00:00+00:00",
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:00.1234567Z",
    "2024-01-01T01:00:00+01:00",
    "2024-13-01T00:00:00Z",
    "2024-01-01T00:00:00",
    "https://example.org/a?b#c",
    "HTTPS://EXAMPLE.ORG",
    "http://",
    "http:///x",
    "https://ex ample.org",
    "http\u017f://example.org",
    "ftp://example.org",
    "x" * 201,
    "x" * 2001,
]
_STRINGS = st.one_of(
    st.sampled_from(_SAMPLES),
    st.text(alphabet=st.sampled_from(_ODD) | st.characters(codec="utf-8"), max_size=8),
    st.from_regex(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2})?)?", fullmatch=True),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
)
_GONE = object()
"""Marks a field taken out of the line."""


def _outcome(validate: Any, data: Any) -> tuple[bool, Any]:
    try:
        return True, validate(data)
    except (ValidationError, ValueError):  # ValidationError is a ValueError; check_line raises the latter
        return False, None


def _same_event(one: Any, other: Any) -> None:
    assert type(one) is type(other)
    assert one == other
    assert one.model_fields_set == other.model_fields_set
    assert one.at.tzinfo is UTC and other.at.tzinfo is UTC
    assert encode_line(one) == encode_line(other)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), st.one_of(_STRINGS, st.just(None), st.just(_GONE)))
@example(PATHS[0], "2024-01-01T00:00:00+00:00")
@example(next(p for p in PATHS if p[1][-1] == "url"), "http\u017f://example.org")
@example(next(p for p in PATHS if p[1][-1] == "edtf"), "2016-08/2019-02-12")
def test_rust_first_accepts_what_the_models_accept_and_gives_the_same_event(
    place: tuple[int, tuple[Any, ...]], value: Any
) -> None:
    index, path = place
    data = copy.deepcopy(BASES[index])
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if value is _GONE:
        parent.pop(path[-1], None)
    else:
        parent[path[-1]] = value
    for mode in ("json", "python"):
        if mode == "json":
            line = orjson.dumps(data)
            precise, fast = _outcome(PRECISE.validate_json, line), _outcome(FAST.validate_json, line)
            through = _outcome(event_adapter().validate_json, line)
        else:
            precise, fast = _outcome(PRECISE.validate_python, data), _outcome(FAST.validate_python, data)
            through = _outcome(event_adapter().validate_python, data)
        assert fast[0] == precise[0] == through[0], (mode, path, value)
        if precise[0]:
            _same_event(fast[1], precise[1])
            _same_event(through[1], precise[1])


def test_every_base_event_is_valid_and_read_in_rust() -> None:
    for base in BASES:
        line = orjson.dumps(base)
        _same_event(FAST.validate_json(line), PRECISE.validate_json(line))


def _python_calls(work: Any) -> list[str]:
    called: list[str] = []

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            called.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(watch)
    try:
        work()
    finally:
        sys.setprofile(None)
    return called


def test_a_plain_line_runs_no_python_check() -> None:
    """Only an EDTF date that is not plain ISO (and any refused value) goes through a Python check."""
    for base in BASES:
        line = orjson.dumps(base)
        assert _python_calls(partial(FAST.validate_json, line)) == [], base["type"]
    interval = copy.deepcopy(BASES[8])
    interval["when"]["edtf"] = "2016-08/2019-02-12"
    called = _python_calls(partial(FAST.validate_json, orjson.dumps(interval)))
    assert any(name.endswith(":_edtf") for name in called), called


def test_a_fast_validator_built_after_the_classes_is_still_native() -> None:
    """pydantic-core reuses a complete class's own validator (its Python checks) unless told otherwise."""
    for cls in EVENTS.values():
        cls.model_rebuild(force=True)
    assert all(cls.__pydantic_complete__ for cls in EVENTS.values())
    late = fast_validator(TypeAdapter(EventUnion).core_schema)
    assert all(cls.__pydantic_complete__ for cls in EVENTS.values())
    for base in BASES:
        line = orjson.dumps(base)
        assert _python_calls(partial(late.validate_json, line)) == [], base["type"]
        _same_event(late.validate_json(line), PRECISE.validate_json(line))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("text",), "Begun\x07.", "sentence.added.text: text holds the character U+0007, which is not allowed; remove it"),
        (("text",), "a\n\nb", "sentence.added.text: text holds a line break; a fact is one line"),
        (("text",), " \t", "sentence.added.text: text is empty"),
        (("lead",), "x", "sentence.added.lead: lead is the white space between two sentences"),
        (("by",), "x" * 201, "sentence.added.by: text is 201 characters long, more than the 200 allowed"),
        (("at",), "2024-01-01T01:00:00+01:00", "sentence.added.at: at must be a UTC time ending in Z"),
        (("when", "edtf"), "2019-02-29", "sentence.added.when.edtf: '2019-02-29' is not a day of the calendar"),
        (
            ("sources", 0, "url"),
            "ftp://example.org",
            "sentence.added.sources.0.url: a source url must start with http:// or https:// and hold no spaces",
        ),
        (("sources", 1, "title"), None, "sentence.added.sources.1: a source needs a title or a url"),
    ],
)
def test_a_refused_line_keeps_its_message(path: tuple[Any, ...], value: Any, message: str) -> None:
    data = copy.deepcopy(BASES[8])
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(ValidationError) as caught:
        event_adapter().validate_json(orjson.dumps(data))
    assert first_problem(caught.value) == message


def test_a_change_of_a_batch_reads_the_same_in_rust() -> None:
    stamp_keys = set(_STAMP) | {"end", "summary"}
    precise = TypeAdapter(ChangeUnion)
    for base in BASES:
        change = {key: value for key, value in base.items() if key not in stamp_keys}
        assert change_adapter().validate_python(change) == precise.validate_python(change)
        broken = {**change, "record": "Not A Slug"}
        with pytest.raises(ValidationError) as caught:
            change_adapter().validate_python(broken)
        with pytest.raises(ValidationError) as expected:
            precise.validate_python(broken)
        assert first_problem(caught.value) == first_problem(expected.value)
        assert first_problem(caught.value).endswith("record: String should match pattern '^[a-z0-9][a-z0-9-]{0,99}$'")


_BELOW = 0x3100
"""Every character the checks name is below U+3100 (U+3000 is the last white space)."""


def test_the_space_class_is_what_str_strip_strips() -> None:
    spaces_re = re.compile(f"[{SPACES}]")
    spaces_rust = SchemaValidator(core_schema.str_schema(pattern=f"^[{SPACES}]$"))
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bool(spaces_re.match(char)) == char.isspace(), hex(code)
        if code < _BELOW or char.isspace():
            assert _outcome(spaces_rust.validate_python, char)[0] == char.isspace(), hex(code)


@pytest.mark.parametrize("multiline", [False, True])
def test_one_character_passes_in_rust_when_it_passes_check_line(multiline: bool) -> None:
    rust = SchemaValidator(line_schema(multiline=multiline))
    for code in [*range(_BELOW), 0xFEFF, 0xFFFD, 0x10FFFF]:
        for text in (chr(code), f"a{chr(code)}b"):
            assert _outcome(rust.validate_python, text)[0] == _outcome(lambda t: check_line(t, multiline=multiline), text)[0], (
                hex(code),
                text,
            )


def test_a_visible_character_is_neither_space_nor_control() -> None:
    rust = SchemaValidator(core_schema.str_schema(pattern=f"^{visible_class()}$"))
    for code in range(_BELOW):
        char = chr(code)
        expected = not char.isspace() and _outcome(check_line, f"a{char}")[0] and char != "\n"
        assert _outcome(rust.validate_python, char)[0] == expected, hex(code)
