"""Writes the diff page of each revision of every record (its latest ones), replaying the log once, then only new tails."""

from __future__ import annotations

from pathlib import Path

from archive.log import LogReader, Tail
from archive.store import Archive
from archive.views_out import write_atomic
from events.errors import ArchiveError, DamagedLog
from projections.diff import diff_records
from projections.fold import apply_revision
from projections.render_html import diff_page, diff_revisions
from projections.state import ArchiveState, RecordState

__all__ = ["DiffPages", "diff_page_name", "write_diff_pages"]


def diff_page_name(rev: int) -> str:
    """The file name of a revision's diff page inside its record's folder."""
    return f"diff-{rev}.html"


class DiffPages:
    """Keeps ``out/<record>/diff-<rev>.html`` written: all at once, then for each new revision as the log grows.

    It holds the state folded so far and where its reading of the log ended, so an update reads only
    the revisions appended since (a revision's diff never changes once written).
    """

    def __init__(self, archive: Archive, out: Path) -> None:
        self.archive = archive
        self.out = out
        self._folded = ArchiveState()
        self._tail: Tail | None = None

    def build(self, state: ArchiveState, *, follow: bool = True) -> int:
        """Write the pages ``diff_revisions`` picks for ``state`` (the archive as the views show it); with
        ``follow``, also those of revisions appended since, ready for ``update``. Return how many files changed."""
        wanted: dict[int, list[str]] = {}
        for slug in state.records:
            for rev in diff_revisions(slug, state.revisions):
                wanted.setdefault(rev, []).append(slug)
        self._folded, self._tail = ArchiveState(), None
        return self._read(None, wanted, newer_than=state.head, until=None if follow else state.head)

    def update(self) -> int:
        """Write the pages of the revisions appended since the last read; return how many files changed.

        If the log no longer continues where it was read to (recovered, replaced), start again from line 1.
        """
        if self._tail is None:
            self._folded = ArchiveState()
            return self._read(None, {}, newer_than=0)
        try:
            return self._read(self._tail, {}, newer_than=self._folded.head)
        except DamagedLog:
            self._folded, self._tail = ArchiveState(), None
            return self._read(None, {}, newer_than=0)

    def _read(self, start: Tail | None, wanted: dict[int, list[str]], *, newer_than: int, until: int | None = None) -> int:
        written = 0
        reader = LogReader(self.archive.log, start=start)
        for events in reader.revisions():
            rev: int = events[0].rev  # type: ignore[attr-defined]
            if until is not None and rev > until:
                break
            slugs = wanted.get(rev, []) if rev <= newer_than else list(dict.fromkeys(e.record for e in events))
            before: dict[str, RecordState | None] = {}
            for slug in slugs:
                record = self._folded.records.get(slug)
                before[slug] = record.copy() if record is not None else None
            try:
                revision = apply_revision(self._folded, events)
            except ArchiveError as exc:
                raise DamagedLog(f"{reader.name}: revision {rev} cannot apply: {exc}") from exc
            for slug, old in before.items():
                after = self._folded.records[slug]
                page = diff_page(after, diff_records(old, after, to_rev=rev), revision)
                written += write_atomic(self.out / slug / diff_page_name(rev), page)
        self._tail = reader.tail
        return written


def write_diff_pages(archive: Archive, state: ArchiveState, out: Path) -> int:
    """Write the diff pages of the latest revisions of every record in ``state`` (up to its head); return how many
    files changed."""
    return DiffPages(archive, out).build(state, follow=False)
