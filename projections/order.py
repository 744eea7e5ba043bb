"""Which items kept their order between two sequences: a longest increasing subsequence, so moves are few."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence

__all__ = ["kept_in_order"]


def kept_in_order(before: Sequence[Hashable], after: Sequence[Hashable]) -> set[Hashable]:
    """The largest set of items common to both sequences that stand in the same relative order in each.

    Items are distinct within each sequence. Every common item not in the set has moved: this is the
    fewest moves that turn one order into the other. Among equally long answers the choice is
    deterministic (of two neighbours that swapped places, the one later in ``before`` is the one moved).
    """
    place = {item: index for index, item in enumerate(before)}
    common = [item for item in after if item in place]
    positions = [place[item] for item in common]
    # patience sorting: tails[k] is the index (in `common`) of the smallest tail of an increasing run of length k+1
    tails: list[int] = []
    tail_values: list[int] = []
    parent: list[int] = [-1] * len(positions)
    for index, value in enumerate(positions):
        k = bisect_left(tail_values, value)
        if k:
            parent[index] = tails[k - 1]
        if k == len(tails):
            tails.append(index)
            tail_values.append(value)
        else:
            tails[k] = index
            tail_values[k] = value
    kept: set[Hashable] = set()
    index = tails[-1] if tails else -1
    while index >= 0:
        kept.add(common[index])
        index = parent[index]
    return kept
