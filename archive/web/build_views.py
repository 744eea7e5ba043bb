"""Builds every view and web page of an archive (``archive build``), the diff pages partly on a second core."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Collection
from multiprocessing.connection import Connection
from pathlib import Path

from archive.saved.signed_revisions import signatures_of
from archive.store.folder import Archive
from archive.web.capture_copies import write_capture_copies
from archive.web.diff_pages import DiffPages, wanted_pages
from archive.web.views_out import write_views
from projections.state import ArchiveState

__all__ = ["build_views"]

_VIEW_COST = 15
"""About how many diff pages cost as much to write as the views and pages of one record (measured at 10,000
events: 35 ms against 2 to 3 ms)."""

_SPLIT_FROM = 300
"""Fewer diff pages than this are written in one process: starting a second one would not pay."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def _split(
    state: ArchiveState, wanted: dict[int, list[str]], views: int | None = None
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """The diff pages in two shares, by record, so that this process's share plus the views of ``views`` records
    (default: every record) costs about what the other share does."""
    pages: dict[str, int] = {}
    for slugs in wanted.values():
        for slug in slugs:
            pages[slug] = pages.get(slug, 0) + 1
    total = sum(pages.values())
    other_share = (total + _VIEW_COST * (len(state.records) if views is None else views)) / 2
    theirs: set[str] = set()
    given = 0
    for slug, count in sorted(pages.items(), key=lambda item: -item[1]):
        if given + count <= other_share:
            theirs.add(slug)
            given += count
    mine: dict[int, list[str]] = {}
    other: dict[int, list[str]] = {}
    for rev, slugs in wanted.items():
        for slug in slugs:
            (other if slug in theirs else mine).setdefault(rev, []).append(slug)
    return mine, other


def _write_share(archive: Archive, out: Path, wanted: dict[int, list[str]], head: int, conn: Connection) -> None:
    """In the second process: write a share of the diff pages, then send back how many changed, or the error."""
    try:
        conn.send(("done", DiffPages(archive, out).write_pages(wanted, head, follow=False)))
    except BaseException as exc:  # every failure goes back to the parent, which reports it
        try:
            conn.send(("error", exc))
        except Exception:  # an error that cannot be pickled: its words
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def build_views(
    archive: Archive,
    state: ArchiveState,
    out: Path,
    on_record: Callable[[str], None] | None = None,
    *,
    records: Collection[str] | None = None,
    wanted: dict[int, list[str]] | None = None,
) -> int:
    """Write every record's views and pages (or only those of ``records``), ``out/index.html`` and the diff pages
    of each record's latest revisions (or only ``wanted``: revision → its records); return how many records.

    The diff pages come from a second reading of the log (``archive.web.diff_pages``), up to the last revision
    wanted. With two cores or more and enough pages, a second process writes a share of them meanwhile; the
    files are the same either way.
    """
    chosen = list(state.records) if records is None else list(records)
    write_capture_copies(archive.root, (state.records[slug] for slug in chosen), out)
    signatures = signatures_of(archive, (r.rev for r in state.revisions))
    wanted = wanted_pages(state) if wanted is None else wanted
    head = max(wanted, default=0)
    count = sum(len(slugs) for slugs in wanted.values())
    if _cores() < 2 or count < _SPLIT_FROM:
        done = write_views(state, out, on_record=on_record, records=chosen, signatures=signatures)
        if wanted:
            DiffPages(archive, out).write_pages(wanted, head, follow=False)
        return done
    mine, other = _split(state, wanted, len(chosen))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receive, send = context.Pipe(duplex=False)
    helper = context.Process(target=_write_share, args=(archive, out, other, head, send), daemon=True)
    helper.start()
    send.close()
    try:
        done = write_views(state, out, on_record=on_record, records=chosen, signatures=signatures)
        DiffPages(archive, out).write_pages(mine, head, follow=False)
        try:
            outcome, value = receive.recv()
        except EOFError:
            outcome, value = "lost", None
        helper.join()
    finally:
        if helper.is_alive():
            helper.terminate()
            helper.join()
        receive.close()
    if outcome == "error":
        raise value
    if outcome != "done":
        raise RuntimeError(f"The process writing diff pages stopped (exit status {helper.exitcode}).")
    return done
