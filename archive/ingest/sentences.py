"""Splits a paragraph into sentences with pysbd, keeping every byte between them."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd

__all__ = ["split_sentences"]

_CIRCA_END = re.compile(r"(?:\bc|\bca|\bcirca|\bapprox)\.\s*\Z", re.IGNORECASE)
_NUMBERED_END = re.compile(r"\b(?:vols?|ch|chap|pp?|nos?|arts?|secs?|figs?|paras?|ed|eds|ser|pt|pts)\.\s*\Z", re.IGNORECASE)
"""Abbreviations that stand before a number ("vol. 2", "pp. 10-12"): no sentence ends there."""
_STARTS_LOWER = re.compile(r"\s*[\"'\u201c\u2018(]?[^\W\d_]")


def _continues(previous: str, span: str) -> bool:
    """Whether ``span`` goes on the sentence ``previous`` began, so the splitter's cut between them is wrong."""
    if not previous.strip() or _CIRCA_END.search(previous):
        return True
    if _NUMBERED_END.search(previous) and span.lstrip()[:1].isdigit():
        return True
    # a sentence does not begin with a small letter: "on Tue. the 4th", "Yes... it did."
    opener = _STARTS_LOWER.match(span)
    return previous.rstrip().endswith(".") and opener is not None and opener.group()[-1].islower()


@cache
def _segmenter() -> pysbd.Segmenter:
    import pysbd  # noqa: PLC0415 - only imports and appends of text need it

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(paragraph: str) -> list[tuple[str, str]]:
    """``(lead, sentence)`` pairs whose concatenation is exactly ``paragraph``.

    ``lead`` is the white space before the sentence (the paragraph's indent
    for the first). White space after the last sentence stays in its text.
    """
    spans = [span.sent for span in _segmenter().segment(paragraph)] if paragraph.strip() else []
    if "".join(spans) != paragraph or not spans:
        spans = [paragraph]  # the splitter lost or moved bytes: keep the paragraph whole
    merged: list[str] = []
    for span in spans:
        if merged and _continues(merged[-1], span):
            merged[-1] += span
        else:
            merged.append(span)
    pairs: list[tuple[str, str]] = []
    lead = ""
    for index, span in enumerate(merged):
        stripped = span.lstrip()
        lead += span[: len(span) - len(stripped)]
        body = stripped if index == len(merged) - 1 else stripped.rstrip()
        pairs.append((lead, body))
        lead = stripped[len(body) :]
    return pairs
