"""Checks every piece of text must pass before it enters the log, in Python and as native patterns."""

from __future__ import annotations

import re

from pydantic_core import CoreSchema, core_schema

__all__ = ["MAX_TEXT", "SPACES", "SPACES_ON_LINE", "check_line", "line_class", "line_pattern", "line_schema", "visible_class"]

MAX_TEXT = 20_000
"""The most characters one fact's text may hold."""

_CONTROL_CHARS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
"""The characters no text may hold (a regex class body; lone surrogates too, which pydantic-core refuses
itself, and which a Rust pattern cannot name)."""
_CONTROL = re.compile(rf"[{_CONTROL_CHARS}\ud800-\udfff]")

SPACES_ON_LINE = r"\t\x0b\x0c\r\x1c-\x1f\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Every character ``str.isspace()`` (so ``str.strip()``) takes for white space but the line break, as
a regex class body that Python's ``re`` and pydantic-core's Rust ``regex`` read alike."""
SPACES = r"\n" + SPACES_ON_LINE
"""Every character ``str.isspace()`` takes for white space, as a regex class body."""


def line_class(also: str = "") -> str:
    """A regex class of one character a line of text may hold (a tab, a space, anything visible) but
    any of ``also``."""
    return rf"[^\n{_CONTROL_CHARS}{also}]"


_ON_LINE = line_class()


def visible_class(also: str = "") -> str:
    """A regex class of one visible character: neither white space nor control, nor any of ``also``."""
    return rf"[^{_CONTROL_CHARS}{SPACES}{also}]"


_VISIBLE = visible_class()


def check_line(value: str, *, limit: int = MAX_TEXT, multiline: bool = False) -> str:
    """Return ``value`` if it is non-blank text without control characters, else raise ValueError.

    With ``multiline`` a single line break may stand inside the text (a sentence
    hard-wrapped in its paragraph); a blank line never may.
    """
    if not value.strip():
        raise ValueError("text is empty")
    if len(value) > limit:
        raise ValueError(f"text is {len(value)} characters long, more than the {limit} allowed")
    bad = _CONTROL.search(value)
    if bad is not None:
        if "\ud800" <= bad.group() <= "\udfff":
            raise ValueError(
                f"text holds invalid unicode (U+{ord(bad.group()):04X}: a byte that is not UTF-8, or a lone surrogate)"
            )
        raise ValueError(f"text holds the character U+{ord(bad.group()):04X}, which is not allowed; remove it")
    if "\n" in value and (not multiline or "\n\n" in value):
        raise ValueError("text holds a line break; a fact is one line")
    return value


def line_pattern(*, multiline: bool = False) -> str:
    """The regex (Python ``re`` and Rust ``regex`` alike) of exactly the text ``check_line`` accepts, but
    for its length: something visible, no control character, and with ``multiline`` single line breaks."""
    one = f"{_ON_LINE}*{_VISIBLE}{_ON_LINE}*"
    if not multiline:
        return f"^{one}$"
    # lines of at least one character, each break between two of them, maybe one at either end
    return rf"^\n?(?:{_ON_LINE}+\n)*{one}(?:\n{_ON_LINE}+)*\n?$"


def line_schema(*, limit: int = MAX_TEXT, multiline: bool = False) -> CoreSchema:
    """A pydantic-core schema that accepts what ``check_line`` accepts, checked in Rust."""
    return core_schema.str_schema(pattern=line_pattern(multiline=multiline), max_length=limit)
