"""Group commit: the server's writes wait in a queue, and one thread commits all that are waiting in one append
(one write, one fsync), each still its own revision with its own author.

A request that names ``expect_rev`` is committed alone (its revision must follow exactly that one). In a
group, each request's changes are built on the state the requests before it leave (folded into copies of
the records), so two writes to one record in one group get distinct fact ids, as two appends one after the
other would. A request that is refused does not hold up the others: it gets its own error; if the group's
append itself fails, each request is tried again alone, so every error is the one the command line gives.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archive.ingest.append_options import AppendOptions, build_changes
from archive.ingest.summaries import automatic_summary
from archive.saved.appending import PendingRevision, append_revisions
from archive.store.folder import Archive
from events.codec import GENESIS
from events.errors import ArchiveError, DamagedLog, UnknownName
from events.model import Change, stamp
from events.source import Source
from events.when import When
from projections.fold import apply_event
from projections.state import ArchiveState, RecordState, Revision

__all__ = ["MAX_GROUP", "Committed", "Committer", "WriteRequest", "fact_ids"]

MAX_GROUP = 128
"""The most revisions one append commits."""

_TRIAL: dict[str, Any] = {"seq": 1, "rev": 1, "at": datetime(1970, 1, 1, tzinfo=UTC), "by": "group check", "prev": GENESIS}


@dataclass(frozen=True, slots=True)
class Committed:
    """What a write became: its revision, and the facts it added or changed."""

    revision: Revision
    facts: tuple[str, ...]


@dataclass(slots=True)
class WriteRequest:
    """One revision a client asks for: checked options, cited sources, the signed-in author."""

    record: str
    options: AppendOptions
    sources: tuple[Source, ...]
    when: When | str | None
    summary: str | None
    by: str
    expect_rev: int | None = None
    done: Future[Committed] = field(default_factory=Future)


def fact_ids(changes: list[Change]) -> tuple[str, ...]:
    """The ids of the facts ``changes`` touch, in order, once each."""
    return tuple(dict.fromkeys(f for c in changes if isinstance(f := getattr(c, "fact", None), str)))


def _record(state: ArchiveState, slug: str) -> RecordState:
    record = state.records.get(slug)
    if record is None:
        known = ", ".join(sorted(state.records)) or "none yet"
        raise UnknownName(f"Record '{slug}' does not exist.", hint=f"Records: {known}.")
    return record


class _Retry(Exception):
    """Every request of the group was refused or must be tried alone: nothing to append together."""


class Committer:
    """Commits the write requests of one archive in groups, on a thread of its own; ``on_commit`` runs after each
    append that wrote something (the server tells open pages)."""

    def __init__(self, archive: Archive, *, on_commit: Callable[[], None] = lambda: None, warn: Callable[[str], None] | None = None) -> None:
        self.archive = archive
        self.on_commit = on_commit
        self.warn = warn
        self._queue: queue.Queue[WriteRequest | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="archive-committer", daemon=True)
        self._thread.start()
        self.groups = 0
        """How many appends have been made (a benchmark's view of the grouping)."""

    def submit(self, request: WriteRequest) -> Future[Committed]:
        """Queue a request; its future holds the Committed, or the ArchiveError that refused it."""
        self._queue.put(request)
        return request.done

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            alone = [r for r in group if r.expect_rev is not None]
            together = [r for r in group if r.expect_rev is None]
            if len(together) == 1:
                alone.insert(0, together.pop())
            if together:
                alone += self._commit_group(together)
            for request in alone:
                self._commit_alone(request)
            if stop:
                return

    def _commit_alone(self, request: WriteRequest) -> None:
        facts: list[tuple[str, ...]] = [()]

        def build(state: ArchiveState) -> list[PendingRevision]:
            record = _record(state, request.record)
            changes = build_changes(record, request.options, request.sources, request.when)
            facts[0] = fact_ids(changes)
            return [PendingRevision(changes, request.summary or automatic_summary(record, changes), by=request.by)]

        try:
            [revision] = append_revisions(
                self.archive, build, by=request.by, expect_rev=request.expect_rev, warn=self.warn, records=[request.record]
            )
        except ArchiveError as exc:
            request.done.set_exception(exc)
            return
        except Exception as exc:  # a bug must not stop the thread: the client gets a 500
            request.done.set_exception(exc)
            return
        self.groups += 1
        self.on_commit()
        request.done.set_result(Committed(revision, facts[0]))

    def _commit_group(self, group: list[WriteRequest]) -> list[WriteRequest]:
        """Commit ``group`` in one append; return the requests to try again alone."""
        included: list[WriteRequest] = []
        facts: list[tuple[str, ...]] = []
        retry: list[WriteRequest] = []

        def build(state: ArchiveState) -> list[PendingRevision]:
            included.clear()
            facts.clear()
            retry.clear()
            scratch = ArchiveState(records={}, seq=state.seq)
            pending: list[PendingRevision] = []
            for request in group:
                try:
                    if request.record not in scratch.records:
                        scratch.records[request.record] = _record(state, request.record).copy()
                    record = scratch.records[request.record]
                    changes = build_changes(record, request.options, request.sources, request.when)
                    for change in changes:
                        apply_event(scratch, stamp(change, **_TRIAL))
                except UnknownName:
                    retry.append(request)  # alone, its message lists every record
                    continue
                except ArchiveError as exc:
                    if not request.done.done():
                        request.done.set_exception(exc)
                    continue
                included.append(request)
                facts.append(fact_ids(changes))
                pending.append(PendingRevision(changes, request.summary or automatic_summary(record, changes), by=request.by))
            if not pending:
                raise _Retry
            return pending

        try:
            written = append_revisions(
                self.archive, build, by=group[0].by, warn=self.warn, records=list(dict.fromkeys(r.record for r in group))
            )
        except _Retry:
            return retry
        except DamagedLog as exc:
            for request in group:
                if not request.done.done():
                    request.done.set_exception(exc)
            return []
        except Exception:  # refused as a whole: each alone gets its own answer
            return [r for r in group if not r.done.done()]
        self.groups += 1
        self.on_commit()
        for request, revision, ids in zip(included, written, facts, strict=True):
            request.done.set_result(Committed(revision, ids))
        return retry
