"""``archive build`` a second time: render only the records whose views are not current, as the folder's
manifest (``archive.web.view_manifest``, the one ``archive watch`` keeps) tells.

A record is rendered again when the manifest cannot vouch for its views at the revision being built: it has
events past the revision its views show, one of its files was changed or removed in place, the code that
renders views changed (the manifest's fingerprint), or the log no longer holds the manifest's position (it
was replaced). A diff page is written when its file is missing, or when it cannot be known to come from
this log (a revision past the manifest's position, a folder whose manifest was not believed). ``unchanged``
answers the commonest case, nothing new at all, without reading the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.store.folder import Archive, open_log
from archive.store.tail import Tail
from archive.web.view_manifest import MANIFEST, Entries, Manifest, file_digest, load_manifest, view_entry, write_manifest

if TYPE_CHECKING:
    from projections.state import ArchiveState

__all__ = ["Built", "build_again", "unchanged"]


@dataclass(frozen=True, slots=True)
class Built:
    """What one ``archive build`` did."""

    revision: int
    """The revision the views show."""
    records: int
    """How many records the archive has at that revision."""
    rendered: int
    """How many of them had their views rendered (the others were current)."""
    diff_pages: int
    """How many diff pages were rendered."""

    @property
    def unchanged(self) -> int:
        """How many records' views were left as they were."""
        return self.records - self.rendered


def unchanged(archive: Archive, out: Path, until: int | None = None) -> Built | None:
    """A build with nothing to do, if ``out`` is a whole build at revision ``until`` (HEAD when None) whose
    files are all as written (the list of records and every record's views); None when it must be looked into.

    Reads the manifest, the end of the log and the view files, never the log itself."""
    manifest = load_manifest(out, archive)
    if manifest is None or manifest.index is None:
        return None
    tail = manifest.tail
    if until is None:
        log = open_log(archive)
        witness = log.witness()
        if log.last_revision() != tail.rev or (witness is not None and (witness.rev, witness.hash) != (tail.rev, tail.hash)):
            return None
    elif until != tail.rev:
        return None
    if file_digest(out / "index.html") != manifest.index:
        return None
    for slug, entry in manifest.entries.items():
        if view_entry(out / slug, entry[0]) != entry:
            return None
    return Built(tail.rev, len(manifest.entries), 0, 0)


def build_again(
    archive: Archive, state: ArchiveState, tail: Tail | None, out: Path, on_record: Callable[[str], None] | None = None
) -> Built:
    """Write into ``out`` what is not current of ``state``'s views, pages and diff pages, then the manifest.

    ``tail``: where the log read for ``state`` ended; None when ``state`` stops before the log's end
    (``build --at``), when the manifest keeps its own position if the log still holds it."""
    from archive.web.build_views import build_views  # noqa: PLC0415 - the renderers: not needed when nothing is new
    from archive.web.diff_pages import diff_page_name, wanted_pages  # noqa: PLC0415

    manifest = load_manifest(out, archive)
    render: list[str] = []
    entries: Entries = {}
    for slug, record in state.records.items():
        entry = manifest.vouches(slug, record.rev, out / slug) if manifest is not None else None
        if entry is not None:
            entries[slug] = entry
            if on_record is not None:
                on_record(slug)
        else:
            render.append(slug)
    kept = manifest.tail.rev if manifest is not None and manifest.pages else 0  # diff pages there up to it are current
    wanted: dict[int, list[str]] = {}
    for rev, slugs in wanted_pages(state).items():
        for slug in slugs:
            if rev > kept or not (out / slug / diff_page_name(rev)).is_file():
                wanted.setdefault(rev, []).append(slug)
    build_views(archive, state, out, on_record, records=render, wanted=wanted)
    for slug in {*render, *(slug for slugs in wanted.values() for slug in slugs)}:
        entries[slug] = view_entry(out / slug, state.records[slug].rev)
    _save(archive, out, manifest, state, tail, entries)
    return Built(state.head, len(state.records), len(render), sum(len(slugs) for slugs in wanted.values()))


def _save(
    archive: Archive, out: Path, manifest: Manifest | None, state: ArchiveState, tail: Tail | None, entries: Entries
) -> None:
    """Write the manifest of a build of ``state``: at ``tail``, or (``build --at``) at the old manifest's position,
    keeping its entries of the records ``state`` does not have yet. With no position to name, remove it."""
    if tail is None and manifest is not None and manifest.tail.rev == state.head:
        tail = manifest.tail  # the state at the manifest's position: a whole build there
    if tail is not None and tail.rev == state.head:
        write_manifest(out, tail, entries, index=file_digest(out / "index.html"), pages=True)
    elif manifest is not None and open_log(archive).holds(manifest.tail):
        write_manifest(out, manifest.tail, {**manifest.entries, **entries}, pages=manifest.pages)
    else:
        (out / MANIFEST).unlink(missing_ok=True)
