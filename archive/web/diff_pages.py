"""Writes the diff page of each revision of every record (its latest ones), replaying the log once, then only new tails."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from archive.store.folder import Archive, open_log
from archive.store.log import LogReader, Tail
from archive.web.views_out import write_atomic
from events.errors import ArchiveError, DamagedLog
from projections.corrections import corrections
from projections.diff import RecordCapture, capture_record, diff_captures
from projections.fold import apply_revision
from projections.record_revisions import revisions_by_record
from projections.render_html import diff_page, diff_revisions
from projections.state import ArchiveState

__all__ = ["DiffPages", "diff_page_name", "wanted_pages", "write_diff_pages"]


def diff_page_name(rev: int) -> str:
    """The file name of a revision's diff page inside its record's folder."""
    return f"diff-{rev}.html"


class DiffPages:
    """Keeps ``out/<record>/diff-<rev>.html`` written: all at once, then for each new revision as the log grows.

    It holds the state folded so far and where its reading of the log ended, so an update reads only
    the revisions appended since (a revision's diff never changes once written). A record's state is
    captured once per page: the capture after one revision is the one before its next.
    """

    _KEEP = 64
    """How many records' latest captures an update keeps for their next revision."""

    def __init__(self, archive: Archive, out: Path) -> None:
        self.archive = archive
        self.out = out
        self._folded = ArchiveState()
        self._tail: Tail | None = None
        self._captures: dict[str, RecordCapture] = {}

    def build(self, state: ArchiveState, *, follow: bool = True) -> int:
        """Write the pages ``diff_revisions`` picks for ``state`` (the archive as the views show it); with
        ``follow``, also those of revisions appended since, ready for ``update``. Return how many files changed."""
        return self.write_pages(wanted_pages(state), state.head, follow=follow)

    def write_pages(self, wanted: dict[int, list[str]], head: int, *, follow: bool = True) -> int:
        """Write the pages of ``wanted`` (revision: its records that get a page), reading the log up to ``head``
        (with ``follow``, on to its end, writing the pages of every revision after ``head``); return how many
        files changed."""
        self._folded, self._tail = ArchiveState(), None
        self._captures = {}
        last = {slug: rev for rev, slugs in sorted(wanted.items()) for slug in slugs}
        written = self._read(None, wanted, newer_than=head, until=None if follow else head, last=last)
        self._captures = {}
        return written

    def update(self) -> int:
        """Write the pages of the revisions appended since the last read; return how many files changed.

        If the log no longer continues where it was read to (recovered, replaced), start again from line 1.
        """
        if self._tail is None:
            self._folded, self._captures = ArchiveState(), {}
            return self._read(None, {}, newer_than=0)
        try:
            return self._read(self._tail, {}, newer_than=self._folded.head)
        except DamagedLog:
            self._folded, self._tail, self._captures = ArchiveState(), None, {}
            return self._read(None, {}, newer_than=0)

    def _capture(self, slug: str) -> RecordCapture | None:
        """Record ``slug`` as it stands in the folded state (None: not created yet), from the last capture
        when the record has not changed since."""
        record = self._folded.records.get(slug)
        if record is None:
            return None
        kept = self._captures.get(slug)
        return kept if kept is not None and kept.rev == record.rev else capture_record(record)

    def _read(
        self,
        start: Tail | None,
        wanted: dict[int, list[str]],
        *,
        newer_than: int,
        until: int | None = None,
        last: dict[str, int] | None = None,
    ) -> int:
        """Fold the log from ``start``, writing the pages of ``wanted`` revisions up to ``newer_than`` and of
        every revision after it. ``last``: each record's last wanted revision (its capture is dropped then)."""
        written = 0
        captures = self._captures
        reader = LogReader(open_log(self.archive), start=start)
        for events in reader.revisions():
            rev: int = events[0].rev  # type: ignore[attr-defined]
            if until is not None and rev > until:
                break
            slugs = wanted.get(rev, []) if rev <= newer_than else list(dict.fromkeys(e.record for e in events))
            before = {slug: self._capture(slug) for slug in slugs}
            try:
                revision = apply_revision(self._folded, events)
            except ArchiveError as exc:
                raise DamagedLog(f"{reader.name}: revision {rev} cannot apply: {exc}") from exc
            for slug, old in before.items():
                record = self._folded.records[slug]
                new = capture_record(record, old)
                compared = replace(diff_captures(old, new, record, to_rev=rev), corrections=tuple(corrections(events, slug)))
                page = diff_page(record, compared, revision)
                written += write_atomic(self.out / slug / diff_page_name(rev), page)
                captures.pop(slug, None)
                if rev > newer_than or last is None or last.get(slug, 0) > rev:
                    captures[slug] = new  # the state before the record's next page
                while len(captures) > max(self._KEEP, len(last or ())):
                    del captures[next(iter(captures))]
        self._tail = reader.tail
        return written


def wanted_pages(state: ArchiveState) -> dict[int, list[str]]:
    """The diff pages ``diff_revisions`` picks for ``state``: each revision with the records it gets a page of."""
    wanted: dict[int, list[str]] = {}
    by_record = revisions_by_record(state.revisions)
    for slug in state.records:
        for rev in diff_revisions(slug, by_record.get(slug, [])):
            wanted.setdefault(rev, []).append(slug)
    return wanted


def write_diff_pages(archive: Archive, state: ArchiveState, out: Path) -> int:
    """Write the diff pages of the latest revisions of every record in ``state`` (up to its head); return how many
    files changed."""
    return DiffPages(archive, out).build(state, follow=False)
