"""A word-level diff of two texts, as a wiki's diff page shows a changed sentence: kept, deleted and inserted runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = ["WordOp", "tokens", "word_diff"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class WordOp:
    """One run of a word diff."""

    op: Literal["equal", "delete", "insert"]
    """``equal``: in both texts; ``delete``: only in the old one; ``insert``: only in the new one."""
    text: str


def tokens(text: str) -> list[str]:
    """Words, runs of white space and single punctuation marks; joined they give ``text`` back."""
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> list[WordOp]:
    """The runs that turn ``before`` into ``after``.

    Joining the ``equal`` and ``delete`` runs gives ``before``; the ``equal`` and ``insert`` runs give
    ``after``. A replaced stretch is a deletion followed by an insertion; a lone space kept between two
    changes is folded into them, so the view reads as whole phrases.
    """
    old, new = tokens(before), tokens(after)
    ops: list[WordOp] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(WordOp("equal", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            ops.append(WordOp("delete", "".join(old[i1:i2])))
        if j2 > j1:
            ops.append(WordOp("insert", "".join(new[j1:j2])))
    return _merge(_fold_spaces(ops))


def _fold_spaces(ops: list[WordOp]) -> list[WordOp]:
    """Fold a white-space-only ``equal`` run that stands between two changes into both sides."""
    out: list[WordOp] = []
    for index, op in enumerate(ops):
        between = 0 < index < len(ops) - 1 and ops[index - 1].op != "equal" and ops[index + 1].op != "equal"
        if op.op == "equal" and between and not op.text.strip():
            out.append(WordOp("delete", op.text))
            out.append(WordOp("insert", op.text))
        else:
            out.append(op)
    return out


def _merge(ops: list[WordOp]) -> list[WordOp]:
    """Join neighbouring runs of one kind; put each stretch's deletions before its insertions."""
    out: list[WordOp] = []
    index = 0
    while index < len(ops):
        if ops[index].op == "equal":
            out.append(ops[index])
            index += 1
            continue
        deleted: list[str] = []
        inserted: list[str] = []
        while index < len(ops) and ops[index].op != "equal":
            (deleted if ops[index].op == "delete" else inserted).append(ops[index].text)
            index += 1
        if deleted:
            out.append(WordOp("delete", "".join(deleted)))
        if inserted:
            out.append(WordOp("insert", "".join(inserted)))
    merged: list[WordOp] = []
    for op in out:
        if merged and merged[-1].op == op.op == "equal":
            merged[-1] = WordOp("equal", merged[-1].text + op.text)
        else:
            merged.append(op)
    return merged
