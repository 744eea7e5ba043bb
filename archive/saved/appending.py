"""Composes an append above the store: read the records it changes from saved states, build the changes,
stamp them into log lines, write them through the store, then refresh the saved states."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from archive.saved import record_cache, tree
from archive.saved.checkpoint import load_state
from archive.store.folder import Archive, open_log
from archive.store.head import Head
from archive.store.jsonl import MAX_LINE
from archive.store.tail import Tail
from events.codec import encode_line, line_hash
from events.errors import DamagedLog, InvalidInput, StaleRevision, UnknownName
from events.model import Change, stamp
from events.source import first_problem
from events.text import check_line
from projections.fold import apply_revision
from projections.state import ArchiveState, Revision

__all__ = ["PendingRevision", "append_revisions"]

Warn = Callable[[str], None]

Sign = Callable[[str, list[bytes]], str | None]
"""Signs a revision (issue 17): given its author and its lines as encoded without a signature, the ``sig`` its end
line carries (``archive.store.signatures``), or None to leave it unsigned."""


@dataclass(frozen=True, slots=True)
class PendingRevision:
    """The changes of one revision to be, and its edit summary."""

    changes: list[Change]
    summary: str | None = None
    by: str | None = None
    """Who records this revision, when it is not the ``by`` of the whole append (a group commit of several authors)."""


def _check_stamp_text(by: str, pending: list[PendingRevision]) -> None:
    for author in {by, *(p.by for p in pending if p.by is not None)}:
        try:
            check_line(author, limit=200)
        except ValueError as exc:
            raise InvalidInput(f"The author {author[:60]!r} (--by, else $ARCHIVE_USER): {exc}.") from exc
    for revision in pending:
        if revision.summary is not None:
            try:
                check_line(revision.summary, limit=2000)
            except ValueError as exc:
                raise InvalidInput(f"--summary: {exc}.") from exc


def append_revisions(
    archive: Archive,
    build: Callable[[ArchiveState], list[PendingRevision]],
    *,
    by: str,
    expect_rev: int | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    warn: Warn | None = None,
    records: Collection[str] | None = None,
    sign: Sign | None = None,
) -> list[Revision]:
    """Append the revisions ``build`` makes from the current state, all in one write, or none.

    With ``records``, the state ``build`` gets holds only those records (the ones that exist), read from
    their files in ``.archive/records/`` when these are usable, so that an append costs the same whatever
    the size of the log; ``build`` must then touch no other record. With ``sign``, each revision's end line
    carries what ``sign`` returns for it.

    Under the exclusive lock of the log port: read the state from saved states proven against the log
    (and every line after them), check ``expect_rev``, build, fold the new events into that state
    (refusing any that cannot apply: the program never writes a line ``verify`` refuses), then hand the
    lines to the port, which writes them at once, fsyncs and records its witness. Last, the saved states
    of the records touched are refreshed (a failure there costs speed only). On any error the log is
    left as it was.
    """
    log = open_log(archive, warn=warn)
    with log.locked():
        partial = None if records is None else record_cache.load_records(archive, records, warn=warn, folding_all=True)
        refolded: set[str] = set()
        if partial is not None:
            state, tail, complete, refolded = partial.state, partial.tail, True, partial.refolded
        else:
            state, loaded = load_state(archive, warn=warn)
            assert loaded is not None
            tail, complete = loaded, record_cache.complete_at(archive) == Tail(loaded.offset, loaded.seq, loaded.rev, loaded.hash)
        if tail.torn is not None:
            raise DamagedLog(
                f"{archive.log.name} ends with an unfinished revision (bytes {tail.torn[0]}-{tail.torn[1]}).",
                hint="Run 'archive recover' to move it to .archive/quarantine/, then append again.",
            )
        if expect_rev is not None and expect_rev != state.head:
            moved = "no longer holds" if expect_rev < state.head else "does not hold"
            raise StaleRevision(
                f"--expect-rev {expect_rev} {moved}: the archive is at revision {state.head}.",
                hint=f"Look at what changed ('archive log'), then retry with --expect-rev {state.head}.",
            )
        try:
            pending = [p for p in build(state) if p.changes]
        except UnknownName:
            if partial is None:
                raise
            state, loaded = load_state(archive, warn=warn)  # the whole state: its message lists every record
            assert loaded is not None
            tail, complete = loaded, False
            pending = [p for p in build(state) if p.changes]
        if not pending:
            raise InvalidInput("Nothing to record: the revision would hold no change.")
        _check_stamp_text(by, pending)
        at = clock()
        seq, prev = tail.seq, tail.hash
        lines: list[bytes] = []
        written: list[Revision] = []
        for rev, revision in enumerate(pending, start=state.head + 1):
            events: list[Change] = []
            last = len(revision.changes) - 1
            for index, change in enumerate(revision.changes):
                seq += 1
                try:
                    event = stamp(
                        change,
                        seq=seq,
                        rev=rev,
                        at=at,
                        by=revision.by or by,
                        prev=prev,
                        end=True if index == last else None,
                        summary=revision.summary if index == last else None,
                    )
                except ValidationError as exc:
                    raise InvalidInput(f"The change {index + 1} of revision {rev} is not valid: {first_problem(exc)}.") from exc
                line = encode_line(event)
                if sign is not None and index == last:
                    event, line = _signed(sign, revision.by or by, event, [*lines[len(lines) - index :], line])
                if len(line) > MAX_LINE:
                    raise InvalidInput(
                        f"The change {index + 1} of revision {rev} would make a log line of {len(line)} bytes, "
                        f"more than the {MAX_LINE} allowed.",
                        hint="Cite fewer or shorter sources, or shorten the text.",
                    )
                prev = line_hash(line)
                lines.append(line)
                events.append(event)
            written.append(apply_revision(state, events))
        end = tail.offset + sum(len(line) for line in lines)
        log.append(lines, expect=tail, head=Head(seq=seq, rev=state.head, offset=end, hash=prev))
        touched = {slug for revision in written for slug in revision.records} | refolded if complete else None
        listed = partial.files if partial is not None and complete else None
        record_cache.write_records(archive, state, Tail(end, seq, state.head, prev), touched, warn=warn, listed=listed)
        tree.extend_after_append(archive, tail, lines, state.head, warn=warn)  # the Merkle tree (issue 17)
        return written


def _signed(sign: Sign, author: str, event: Change, lines: list[bytes]) -> tuple[Change, bytes]:
    """The end event and line with the signature ``sign`` gives the revision's unsigned ``lines`` (issue 17)."""
    sig = sign(author, lines)
    if sig is None:
        return event, lines[-1]
    signed = type(event).model_validate({**event.__dict__, "sig": sig})
    return signed, encode_line(signed)
