"""Checks every piece of text must pass before it enters the log."""

from __future__ import annotations

import re

__all__ = ["MAX_TEXT", "check_line"]

MAX_TEXT = 20_000
"""The most characters one fact's text may hold."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


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
