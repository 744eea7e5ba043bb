"""Writes the views of every record to disk, each file atomically (temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from projections.record_revisions import revisions_by_record
from projections.render_html import index_page, record_pages
from projections.signed import Signatures
from projections.state import ArchiveState, Revision
from projections.views import BUILD_FILES, render_view

__all__ = ["file_mode", "write_atomic", "write_index", "write_record", "write_views"]

_mode: int | None = None


def file_mode() -> int:
    """The mode a new file gets under the user's umask (0644 under the usual 022): views are for reading, by
    others too (a web server), unlike the 0600 of a temporary file."""
    global _mode  # noqa: PLW0603 - the umask is read once: reading it means setting it
    if _mode is None:
        mask = os.umask(0o022)
        os.umask(mask)
        _mode = 0o666 & ~mask
    return _mode


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` so a reader sees the old file or the new, never half; skip if unchanged.

    The file gets the mode any new file of the user gets (``file_mode``)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), file_mode())
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_record(
    state: ArchiveState, slug: str, out: Path, revisions: Sequence[Revision] | None = None, signatures: Signatures | None = None
) -> int:
    """Write ``out/<slug>/``: the record's views (text, JSON), then its HTML pages; return how many files changed.

    ``revisions``: the record's own revisions (``revisions_by_record``), when the caller has them at hand; the
    pages read only those, so a build need not scan every revision of the archive for each record.
    ``signatures``: who signed each revision, for the history and blame pages (None: no column).
    """
    record = state.records[slug]
    mine = revisions if revisions is not None else [r for r in state.revisions if slug in r.records]
    changed = 0
    for name, view, fmt in BUILD_FILES:
        changed += write_atomic(out / slug / name, render_view(record, view, fmt))
    for name, page in record_pages(record, mine, signatures).items():
        changed += write_atomic(out / slug / name, page)
    return changed


def write_index(state: ArchiveState, out: Path) -> bool:
    """Write ``out/index.html``, the list of records; whether it changed."""
    return write_atomic(out / "index.html", index_page(state))


def write_views(
    state: ArchiveState,
    out: Path,
    on_record: Callable[[str], None] | None = None,
    *,
    records: Collection[str] | None = None,
    signatures: Signatures | None = None,
) -> int:
    """Write ``out/<record>/`` for every record (text, JSON and HTML pages), or only for ``records``, and
    ``out/index.html``; return how many records. ``signatures`` as ``write_record`` takes them."""
    by_record = revisions_by_record(state.revisions)
    for slug in state.records if records is None else records:
        write_record(state, slug, out, by_record.get(slug, []), signatures)
        if on_record is not None:
            on_record(slug)
    write_index(state, out)
    return len(state.records) if records is None else len(records)
