"""``archive verify``: one streaming pass over the log that checks every line and names the first bad one.

Checked, line by line: the line's length, JSON and full event schema; ``seq``
(line ``n`` holds ``seq == n``); ``rev`` (contiguous, one revision's lines
together); the hash chain (``prev``); one ``at`` and ``by`` per revision and the
summary only on its end line; references, by folding each event into the
state (no revision or retraction of an unknown fact, no event for an unknown
record); at the end, an end mark after the last line, and the head witness
``.archive/head.json`` (the last line an append wrote is there, unchanged).

Which line is named when the chain breaks at line ``j`` (``prev`` is not the
hash of line ``j-1``): one line of lookahead tells which of the two changed.
If line ``j+1`` (or, for the last line, the head witness) still matches line
``j``, line ``j`` is intact and line ``j-1`` was changed; otherwise line ``j``
itself was (its ``prev``). Memory holds the folded state (the archive's
current content), never the log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import sha256

import orjson
from pydantic import ValidationError

from archive.store.collector import paused_gc
from archive.store.folder import Archive, open_log
from archive.store.head import Head
from archive.store.port import MAX_LINE
from events.codec import GENESIS
from events.errors import ArchiveError, DamagedLog
from events.model import event_adapter
from events.source import first_problem
from projections.fold import apply_event
from projections.state import ArchiveState

__all__ = ["Finding", "VerifyReport", "verify_log"]

_RECOVER = "Run 'archive recover' to move the unfinished revision to .archive/quarantine/."
_RESTORE = "The log was changed by hand or damaged: restore events.jsonl from a backup, or repair that line."


@dataclass(frozen=True, slots=True)
class Finding:
    """The first thing wrong with the log."""

    line: int
    """The line at fault, 1-based (== the ``seq`` it should hold)."""
    problem: str
    """What is wrong with it, in one sentence."""
    hint: str
    """What to do about it."""


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What one pass of ``verify`` found."""

    file: str
    lines: int
    """Lines checked and found sound."""
    revisions: int
    """Whole revisions checked and found sound."""
    records: int
    bytes: int
    """Bytes read."""
    head: str
    """The hash of the last sound line (the ``prev`` the next append will write)."""
    witness: bool
    """Whether ``.archive/head.json`` was there to check the last line against."""
    finding: Finding | None
    """The first problem, or None when the log is sound."""
    state: ArchiveState | None = field(default=None, repr=False, compare=False)
    """The state the whole log folds into, when it is sound (to check saved states against)."""

    @property
    def ok(self) -> bool:
        """Whether the log passed every check."""
        return self.finding is None

    def as_json(self) -> dict[str, object]:
        """The stable JSON shape of ``archive verify --format json``."""
        found = self.finding
        return {
            "ok": self.ok,
            "file": self.file,
            "line": found.line if found else None,
            "problem": found.problem if found else None,
            "hint": found.hint if found else None,
            "lines": self.lines,
            "revisions": self.revisions,
            "records": self.records,
            "bytes": self.bytes,
            "head": self.head,
            "witness": self.witness,
        }

    def error(self) -> DamagedLog:
        """The error the command line exits 4 with."""
        assert self.finding is not None
        return DamagedLog(f"{self.file}:{self.finding.line}: {self.finding.problem}", hint=self.finding.hint)


@dataclass(slots=True)
class _Pass:
    name: str
    head: Head | None
    lines: int = 0
    revisions: int = 0
    read: int = 0
    whole_line: int = 0
    whole_offset: int = 0
    last_hash: str = GENESIS


def verify_log(archive: Archive, *, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Check the whole log in one streaming pass; ``progress`` gets the bytes read, a megabyte or so at a time.

    Holds the shared lock while it reads (when the archive has ``.archive/``),
    so that an append in progress is not mistaken for a torn tail.
    """
    log = open_log(archive)
    with contextlib.ExitStack() as stack:
        if archive.state_dir.is_dir():
            with contextlib.suppress(OSError):
                stack.enter_context(log.locked(shared=True))
        head = log.witness()
        state = ArchiveState()
        run = _Pass(log.name, head)
        lines = iter(log.lines())
        stack.callback(getattr(lines, "close", lambda: None))  # a finding stops the read: close the file (or pages) now
        with paused_gc():
            finding = _check(lambda _limit: next(lines, b""), run, state, progress)
    return VerifyReport(
        file=run.name,
        lines=run.lines,
        revisions=run.revisions,
        records=len(state.records),
        bytes=run.read,
        head=run.last_hash,
        witness=head is not None,
        finding=finding,
        state=state if finding is None else None,
    )


_PROGRESS_EVERY = 1 << 20
"""Bytes read between two calls of the progress callback."""


def _check(readline: Callable[[int], bytes], run: _Pass, state: ArchiveState, progress: Callable[[int], None] | None) -> Finding | None:
    adapter = event_adapter()
    validate = adapter.native_json
    limit = MAX_LINE + 1
    number = 0
    prev = GENESIS
    rev = 0
    first = None  # the first event of the revision being read
    head = run.head
    head_seq = head.seq if head is not None else 0
    partial = False
    reported = 0
    while raw := readline(limit):
        number += 1
        run.read += len(raw)
        if progress is not None and run.read - reported >= _PROGRESS_EVERY:
            progress(run.read - reported)
            reported = run.read
        if len(raw) > MAX_LINE:
            return Finding(number, f"the line is longer than the {MAX_LINE} bytes a log line may hold.", _RESTORE)
        if raw[-1] != 10:  # no newline: cut short
            partial = True
            break
        try:
            event = validate(raw)
        except ValidationError:
            try:
                event = adapter.validate_json(raw)  # refused again, by the models, for the message
            except ValidationError as exc:
                return Finding(number, _schema_problem(exc), _RESTORE)
        if event.seq != number:
            return Finding(number, _seq_problem(event.seq, number), _RESTORE)
        digest = sha256(raw).hexdigest()
        if event.prev != prev:
            return _chain_problem(readline(limit), run, number, digest)
        if first is None:
            if event.rev != rev + 1:
                return Finding(number, _rev_problem(event.rev, rev + 1, False), _RESTORE)
            first = event
        elif event.rev != rev:
            return Finding(number, _rev_problem(event.rev, rev, True), _RESTORE)
        elif event.at != first.at or event.by != first.by:
            field = "at" if event.at != first.at else "by"
            return Finding(
                number, f"{field} differs from line {first.seq}: every line of revision {event.rev} carries the same.", _RESTORE
            )
        end = event.end
        if event.summary is not None and not end:
            return Finding(number, "a summary on a line without the end mark: only a revision's last line carries it.", _RESTORE)
        try:
            apply_event(state, event)
        except ArchiveError as exc:
            return Finding(number, f"revision {event.rev} cannot apply: {exc.message}", _RESTORE)
        if number == head_seq and (digest != head.hash or not end):  # type: ignore[union-attr]
            return Finding(
                number,
                f"the line differs from the one revision {head.rev} wrote here (its hash is not the one in "  # type: ignore[union-attr]
                ".archive/head.json): it was changed after it was written.",
                _RESTORE,
            )
        prev = run.last_hash = digest
        rev = event.rev
        run.lines = number
        if end:
            run.revisions += 1
            run.whole_line, run.whole_offset = number, run.read
            first = None
    if progress is not None and run.read > reported:
        progress(run.read - reported)
    return _end_problem(run, number, partial)


def _schema_problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    if err["type"] == "json_invalid":
        return f"not valid JSON ({err['msg'].removeprefix('Invalid JSON: ')})."
    return f"does not fit the event schema: {first_problem(exc)}."


def _seq_problem(seq: int, number: int) -> str:
    if seq > number:
        missing = f"line {number} is missing" if seq == number + 1 else f"lines {number}-{seq - 1} are missing"
        return f"seq is {seq}, expected {number}: {missing}, or lines are out of order."
    return f"seq is {seq}, expected {number}: this line repeats or moves line {seq}."


def _rev_problem(got: int, expected: int, inside: bool) -> str:
    where = f"the lines of revision {expected} have no end mark before it" if inside else "revisions go up by one"
    return f"rev is {got}, expected {expected}: {where}."


def _chain_problem(following_line: bytes, run: _Pass, number: int, digest: str) -> Finding:
    """Line ``number``'s prev does not match line ``number - 1`` (``following_line`` comes after it): tell
    which of the two was changed."""
    following = _next_prev(following_line)
    head = run.head
    if following is not None:
        intact = following == digest
        witness = f"line {number + 1}"
    elif head is not None and head.seq == number:
        intact = head.hash == digest
        witness = ".archive/head.json"
    else:
        return Finding(
            number,
            f"prev does not match the hash of line {number - 1}: line {number - 1} or this line was changed after it was written.",
            _RESTORE,
        )
    if intact and number > 1:
        run.lines = number - 2
        return Finding(
            number - 1,
            f"the line was changed after it was written: its hash no longer matches the prev of line {number}.",
            _RESTORE,
        )
    return Finding(
        number,
        f"prev does not match the hash of line {number - 1}, and {witness} no longer matches this line: "
        "its prev was changed after it was written.",
        _RESTORE,
    )


def _next_prev(raw: bytes) -> str | None:
    if not raw.endswith(b"\n"):
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    value = data.get("prev") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _end_problem(run: _Pass, number: int, partial: bool) -> Finding | None:
    head = run.head
    if head is not None and head.seq > run.whole_line:
        if number >= head.seq:
            cut = "is cut short" if partial and number == head.seq else "has no end mark"
            return Finding(
                head.seq,
                f"the line ended revision {head.rev} when it was written, but now it {cut}: it was changed after it was written.",
                _RESTORE,
            )
        return Finding(
            head.seq,
            f"missing: revision {head.rev} was written up to line {head.seq}, but the log ends at line {number}: "
            "lines were removed from the end.",
            "Restore events.jsonl from a backup; if you put an older copy back on purpose, delete .archive/head.json.",
        )
    if run.read > run.whole_offset:
        first = run.whole_line + 1
        if partial:
            what = "a line cut short" if number == first else f"lines {first}-{number}, the last cut short"
        else:
            what = f"line {first} with no end mark" if number == first else f"lines {first}-{number} with no end mark"
        return Finding(
            first,
            f"an unfinished revision ends the log: bytes {run.whole_offset}-{run.read} ({what}), a write cut short by a crash.",
            _RECOVER,
        )
    return None
