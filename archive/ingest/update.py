"""Plans ``archive import --update``: the fact-level changes that turn a record into an edited article text.

Facts are matched to the edited text so that an unchanged fact keeps its id and history:

1. Paragraphs are cut into sentences preferring the record's own sentences (so an untouched paragraph is
   cut exactly as before); pysbd cuts the rest.
2. Body facts are aligned with ``difflib.SequenceMatcher`` on (kind, words). In a stretch that differs,
   facts of one kind pair up in order when their words are similar (ratio >= 0.6), or when one fact
   stands in the place of one other (a 1-for-1 replacement): a revision of the same fact.
3. What is still unpaired pairs across the article when the words are the same or similar: a move.
4. The infobox pairs by key; the title is the title.

``placement`` then plans the events with the fewest moves, and the plan is checked by folding it into a
copy of the record and rendering it: the result must be the edited text, byte for byte.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from itertools import pairwise

from archive.ingest.article_text import ParsedArticle
from archive.ingest.dates import Story
from archive.ingest.placement import BodyTarget, FieldTarget, NewIds, plan_body, plan_infobox
from archive.ingest.provenance import with_kept_sources
from archive.ingest.sentences import split_sentences
from events.errors import ArchiveError, Conflict, InvalidInput
from events.model import Change, RecordRevised, TitleRevised, stamp
from events.source import Source
from projections.diff import diff_records
from projections.fold import apply_event
from projections.render_text import render_text
from projections.state import ArchiveState, Fact, RecordState

__all__ = ["SIMILAR", "UpdatePlan", "plan_update", "segment"]

SIMILAR = 0.6
"""How alike (``difflib`` ratio) two texts must be for the new one to be a revision of the old fact."""

_ZEROS = "0" * 64
_MAX_PAIRS = 10_000
"""Beyond this many candidate pairs a differing stretch is not searched for similar sentences (they count as
removed and added): it keeps a wholesale rewrite of a long article fast."""


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """The changes of one update, and what they amount to."""

    changes: list[Change]
    added: int
    revised: int
    removed: int
    moved: int
    """Facts placed elsewhere (order or paragraph), not counting spacing-only adjustments."""

    def summary(self) -> str:
        """``2 added, 1 revised, 0 removed, 1 moved``."""
        return f"{self.added} added, {self.revised} revised, {self.removed} removed, {self.moved} moved"


# ------------------------------------------------------------------ sentences


def segment(paragraph: str, known: Sequence[str], follows: set[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """``(lead, sentence)`` pairs that add up to ``paragraph``, cut where the record's ``known`` sentences are.

    Among the cuts at pysbd's boundaries and around known sentences, it takes the one that covers the most
    characters with known sentences (the white space between two known ones counting too), then the one
    with the most neighbours that were neighbours before (``follows``), then the fewest pieces.
    """
    pairs = split_sentences(paragraph)
    ends: list[int] = []  # where each pysbd sentence's words end
    position = 0
    for lead, text in pairs:
        position += len(lead)
        body = text.rstrip() if position + len(text) < len(paragraph) else text
        ends.append(position + len(body))
        position += len(text)
    by_prefix: dict[str, list[str]] = {}
    for sentence in set(known):
        if sentence and not sentence[0].isspace():
            by_prefix.setdefault(sentence[:8], []).append(sentence)
    size = len(paragraph)

    def skip(at: int) -> int:
        while at < size and paragraph[at].isspace():
            at += 1
        return at

    def known_at(at: int) -> list[tuple[int, int, bool]]:
        out: list[tuple[int, int, bool]] = []
        for candidate in by_prefix.get(paragraph[at : at + 8], []):
            end = at + len(candidate)
            if not paragraph.startswith(candidate, at):
                continue
            after = skip(end)
            if end == size or (after < size and not candidate[-1].isspace()):
                out.append((end, after, True))
        return out

    # where a known sentence could begin: a new sentence before it ends there, whatever pysbd says
    starts = [at for at in range(1, size) if paragraph[at - 1].isspace() and not paragraph[at].isspace() and known_at(at)]

    def options(at: int) -> list[tuple[int, int, bool]]:
        """``(end of words, next start, known)`` of each piece that may start at ``at``."""
        out = known_at(at)
        k = bisect_right(ends, at)
        pysbd_end = ends[k] if k < len(ends) else size
        after = skip(pysbd_end)
        if after == size:
            pysbd_end = size
        out.append((pysbd_end, after, False))
        k = bisect_right(starts, at)
        if k < len(starts) and starts[k] < pysbd_end:
            cut = starts[k]
            end = len(paragraph[:cut].rstrip())
            if end > at:
                out.append((end, cut, False))
        return out

    start = skip(0)
    if start == size:
        return pairs
    # best[at] = (score, pieces) for the rest of the paragraph from a sentence starting at `at`
    best: dict[int, tuple[tuple[int, int, int], list[tuple[int, int, bool]]]] = {}
    order: list[int] = []
    seen = {start}
    stack = [start]
    while stack:
        at = stack.pop()
        order.append(at)
        for _, after, _known in options(at):
            if after < size and after not in seen:
                seen.add(after)
                stack.append(after)
    pieces_text = follows or set()
    for at in sorted(order, reverse=True):
        choice: tuple[tuple[int, int, int], list[tuple[int, int, bool]]] | None = None
        for end, after, is_known in options(at):
            covered = end - at if is_known else 0
            links = 0
            rest: list[tuple[int, int, bool]] = []
            rest_score = (0, 0, 0)
            if after < size:
                rest_score, rest = best[after]
                nxt_end, _, nxt_known = rest[0]
                if is_known and nxt_known:
                    covered += after - end
                    if (paragraph[at:end], paragraph[after:nxt_end]) in pieces_text:
                        links = 1
            score = (covered + rest_score[0], links + rest_score[1], rest_score[2] - 1)
            if choice is None or score > choice[0]:
                choice = (score, [(end, after, is_known), *rest])
        assert choice is not None
        best[at] = choice
    out: list[tuple[str, str]] = []
    lead_start = 0
    at = start
    for end, after, _ in best[start][1]:
        out.append((paragraph[lead_start:at], paragraph[at:end]))
        lead_start, at = end, after
    return out


# ------------------------------------------------------------------ matching


def _similar(a: str, b: str) -> float:
    """difflib's ratio of two texts, 0 when its cheap upper bounds already fall short of ``SIMILAR``."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()


def _pair_in_order(
    old: list[int], new: list[int], old_keys: list[tuple[str, str]], new_keys: list[tuple[str, str]]
) -> list[tuple[int, int]]:
    """Order-keeping pairs of one kind with similar words, the most similar in total (a small alignment)."""
    if len(old) * len(new) > _MAX_PAIRS:
        return []
    ratios = [[_similar(old_keys[o][1], new_keys[n][1]) if old_keys[o][0] == new_keys[n][0] else 0.0 for n in new] for o in old]
    score = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i in range(len(old) - 1, -1, -1):
        for j in range(len(new) - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if ratios[i][j] >= SIMILAR:
                best = max(best, ratios[i][j] + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(old) and j < len(new):
        ratio = ratios[i][j]
        if ratio >= SIMILAR and abs(score[i][j] - (ratio + score[i + 1][j + 1])) < 1e-9:
            pairs.append((old[i], new[j]))
            i += 1
            j += 1
            continue
        if abs(score[i][j] - score[i + 1][j]) < 1e-9:
            i += 1
        else:
            j += 1
    return pairs


def _match(
    old_keys: list[tuple[str, str]], new_keys: list[tuple[str, str]], same_place: Callable[[dict[int, int], int, int], bool]
) -> dict[int, int]:
    """Which old fact (by index) each new one keeps: the same words in order; the same words elsewhere (a move);
    similar words in a stretch that differs, in order; similar words elsewhere (moved and reworded); last,
    one fact in the place of one other.

    ``same_place(matched, i, j)`` says whether new fact ``j`` stands where old fact ``i`` stood (the same
    paragraph or list), given the pairs so far: one fact standing in the place of another elsewhere is a
    removal and an addition, not a revision."""
    matched: dict[int, int] = {}
    stretches: list[tuple[int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            matched.update({j1 + k: i1 + k for k in range(i2 - i1)})
        else:
            stretches.append((i1, i2, j1, j2))
    used = set(matched.values())
    by_key: dict[tuple[str, str], list[int]] = {}
    for i in range(len(old_keys)):
        if i not in used:
            by_key.setdefault(old_keys[i], []).append(i)
    for j in range(len(new_keys)):  # moved, same words
        if j not in matched and (same := by_key.get(new_keys[j])):
            matched[j] = same.pop(0)
            used.add(matched[j])
    single: list[tuple[int, int]] = []
    for i1, i2, j1, j2 in stretches:
        old = [i for i in range(i1, i2) if i not in used]
        new = [j for j in range(j1, j2) if j not in matched]
        pairs = _pair_in_order(old, new, old_keys, new_keys)
        for i, j in pairs:
            matched[j] = i
            used.add(i)
        old = [i for i in old if i not in used]
        new = [j for j in new if j not in matched]
        if len(old) == 1 and len(new) == 1 and old_keys[old[0]][0] == new_keys[new[0]][0]:
            ahead = sum(i < old[0] for i, _ in pairs), sum(j < new[0] for _, j in pairs)
            if ahead[0] == ahead[1]:  # in order with the pairs around it
                single.append((old[0], new[0]))
    old_left = [i for i in range(len(old_keys)) if i not in used]
    new_left = [j for j in range(len(new_keys)) if j not in matched]
    if old_left and new_left and len(old_left) * len(new_left) <= _MAX_PAIRS:  # moved and reworded
        scored = sorted(
            (-_similar(old_keys[i][1], new_keys[j][1]), j, i)
            for j in new_left
            for i in old_left
            if old_keys[i][0] == new_keys[j][0]
        )
        for negative, j, i in scored:
            if -negative < SIMILAR:
                break
            if j in matched or i in used:
                continue
            matched[j] = i
            used.add(i)
    for i, j in single:  # one fact in the place of one other: a revision
        if i not in used and j not in matched and same_place(matched, i, j):
            matched[j] = i
            used.add(i)
    return matched


def _same_place(shown: list[Fact], targets: list[BodyTarget], matched: dict[int, int], i: int, j: int) -> bool:
    """Whether target ``j`` stands in the paragraph or list fact ``i`` stood in: it shares one with a kept fact
    that shared one with ``i`` before (or neither has such company). A heading always does."""
    old = shown[i]
    if old.kind == "heading":
        return True
    kept = {shown[k].id for k in matched.values()}
    before = {f.id for f in shown if f.kind == old.kind and f.group == old.group and f.id != old.id and f.id in kept}
    now = {
        shown[matched[k]].id
        for k, t in enumerate(targets)
        if k != j and k in matched and t.kind == old.kind and t.block == targets[j].block
    }
    return bool(before & now) or not (before or now)


# ------------------------------------------------------------------ targets


def _body_targets(record: RecordState, article: ParsedArticle) -> list[BodyTarget]:
    """The body the edited text holds, before matching: headings, sentences (cut as above) and items."""
    shown = record.visible_body()
    known = [f.text for f in shown if f.kind == "sentence"]
    follows = {(a.text, b.text) for a, b in pairwise(shown) if a.kind == b.kind == "sentence" and a.group == b.group}
    targets: list[BodyTarget] = []
    for number, block in enumerate(article.blocks):
        if block.kind == "heading":
            targets.append(BodyTarget("heading", block.text, gap=block.gap, level=block.level))
        elif block.kind == "paragraph":
            for index, (lead, text) in enumerate(segment(block.text, known, follows)):
                targets.append(BodyTarget("sentence", text, block=number, lead=lead, gap=block.gap if index == 0 else 0))
        elif block.kind == "list":
            for index, (bullet, text, _line) in enumerate(block.items):
                targets.append(BodyTarget("item", text, block=number, bullet=bullet, gap=block.gap if index == 0 else 0))
    return targets


def _date(record: RecordState, targets: list[BodyTarget], article: ParsedArticle, name: str, warn: Callable[[str], None] | None) -> None:
    """Dates for new and reworded sentences and items, read as import reads them (a date without its year takes
    the story's year: the infobox Date, a heading's year, the main line of the dated facts before it)."""
    story = Story()
    for block in article.blocks:
        if block.kind == "infobox":
            for key, value, _line in block.fields:
                story.field(key, value)
    for target in targets:
        if target.kind == "heading":
            story.heading(target.text)
            continue
        fact = record.facts.get(target.fact) if target.fact is not None else None
        if fact is not None and fact.text == target.text:
            story.follow_fact(fact.text, fact.when)
            continue
        reading = story.read(target.text)
        target.when = reading.when
        if reading.problem is not None and warn is not None:
            warn(f"{name}: {reading.problem} (in '{target.text[:60]}'); the sentence is left undated.")


def _fields(record: RecordState, article: ParsedArticle, name: str) -> tuple[list[FieldTarget], int]:
    shown = {f.key: f.id for f in record.visible_infobox()}
    fields: list[FieldTarget] = []
    gap = 1
    seen: dict[str, int] = {}
    for block in article.blocks:
        if block.kind != "infobox":
            continue
        gap = block.gap
        for key, value, line in block.fields:
            if key in seen:
                raise InvalidInput(
                    f"{name}:{line}: the infobox has '{key}' twice (also line {seen[key]}).",
                    hint="Keep one line per field; an alternative value goes in with 'archive append --infobox KEY=VALUE --alternative'.",
                )
            seen[key] = line
            fields.append(FieldTarget(key, value, shown.get(key)))
    return fields, gap


# ------------------------------------------------------------------ plan


def plan_update(
    record: RecordState,
    article: ParsedArticle,
    text: str,
    *,
    sources: tuple[Source, ...],
    name: str,
    warn: Callable[[str], None] | None = None,
    replace_sources: bool = False,
) -> UpdatePlan:
    """The changes that make ``record`` render as ``text`` (parsed as ``article``), as few as can be.

    A revised fact keeps the sources it cited and gains ``sources`` (``archive.ingest.provenance``); with
    ``replace_sources`` it cites only ``sources``.

    Refuses (InvalidInput) a text the format cannot give facts for, and raises Conflict if the plan would
    not render as ``text`` (a bug: the log is left as it was).
    """
    slug = record.slug
    reason = f"Removed in {name}"
    changes: list[Change] = []
    if record.title is None or record.title_text() != article.title:
        if record.title is not None and record.title_text() is not None:
            changes.append(TitleRevised(record=slug, fact=record.title, text=article.title, sources=sources))
        else:
            raise InvalidInput(
                f"{name}: record '{slug}' has no title to revise.", hint="Import the article as a new record instead."
            )
    if article.ending != record.ending:
        changes.append(RecordRevised(record=slug, ending=article.ending))
    ids = NewIds(record)
    fields, gap = _fields(record, article, name)
    changes += plan_infobox(record, fields, gap, sources=sources, reason=reason, ids=ids)
    targets = _body_targets(record, article)
    shown = record.visible_body()
    matched = _match(
        [(f.kind, f.text) for f in shown],
        [(t.kind, t.text) for t in targets],
        lambda pairs, i, j: _same_place(shown, targets, pairs, i, j),
    )
    for j, i in matched.items():
        targets[j].fact = shown[i].id
    _date(record, targets, article, name, warn)
    changes += plan_body(record, targets, sources=sources, reason=reason, new_ids=ids)
    changes = with_kept_sources(record, changes, replace=replace_sources)
    after = _check(record, changes, text, name)
    return _counted(record, after, changes)


def _check(record: RecordState, changes: list[Change], text: str, name: str) -> RecordState:
    """Fold the plan into a copy of the record; it must render as ``text``."""
    state = ArchiveState(records={record.slug: record.copy()})
    at = datetime.now(UTC)
    try:
        for seq, change in enumerate(changes, start=1):
            apply_event(state, stamp(change, seq=seq, rev=record.rev + 1, at=at, by="update", prev=_ZEROS))
    except ArchiveError as exc:
        raise Conflict(f"{name}: the update cannot be recorded as changes of facts: {exc}", hint=_REPORT) from exc
    result = state.records[record.slug]
    if render_text(result) != text:
        raise Conflict(f"{name}: the planned changes would not give back the file's exact text.", hint=_REPORT)
    return result


_REPORT = "This is a bug in fact-archive; please report it with the file. The log was left as it was."


def _counted(before: RecordState, after: RecordState, changes: list[Change]) -> UpdatePlan:
    diff = diff_records(before, after)
    return UpdatePlan(changes, len(diff.added), len(diff.changed), len(diff.removed), len(diff.moved))
