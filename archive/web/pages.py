"""A record's pages and views rendered when asked for, from its saved state at HEAD or at a revision, kept in a
small cache keyed by the revision they show.

Nothing is built before the server listens: a record page at HEAD reads that record's file in
``.archive/records/`` and the log lines after it (``load_records``), so the first page costs the same on a
thousand events as on a million. The history, blame and index pages and any view at an older revision
need the whole state (``load_state``: the checkpoint and the lines after it), kept for the last revision
asked. The ETag of a page is the archive's revision and the code's fingerprint: a page never changes
while the head stays where it is.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from archive.saved.checkpoint import load_state
from archive.saved.fingerprint import code_fingerprint
from archive.saved.record_cache import load_records, rebuild_if_free
from archive.saved.signed_revisions import signatures_of
from archive.store.folder import Archive, open_log
from archive.store.head import read_head
from archive.store.jsonl import JsonlLog
from archive.store.log import MAX_LINE
from archive.store.record_log import record_revisions
from archive.store.revisions import resolve_revision
from events.errors import InvalidInput, UnknownName
from projections.diff import diff_records
from projections.render_html import article_page, diff_page, index_page, record_pages, sources_page, timeline_page
from projections.replay import capture
from projections.signed import Signature
from projections.state import ArchiveState, RecordState
from projections.views import BUILD_FILES, render_view

__all__ = ["PAGE_NAMES", "VIEW_FILES", "Pages", "Rendered"]

Warn = Callable[[str], None]

PAGE_NAMES = ("index.html", "timeline.html", "sources.html", "history.html", "blame.html")
"""The HTML pages of a record (besides ``diff-<rev>.html``)."""
VIEW_FILES: dict[str, tuple[str, str]] = {name: (view, fmt) for name, view, fmt in BUILD_FILES}
"""The view files of a record (``article.txt``, ``infobox.json`` ...): file name → (view, format)."""
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
}
_KEEP = 256
"""How many rendered pages the cache keeps."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One page or view, ready to send."""

    body: str
    media_type: str
    etag: str
    """A strong ETag: the revision shown, the page, and the code that renders it."""
    rev: int
    """The archive's revision the page shows."""


class Pages:
    """Renders the pages and views of one archive's records on request."""

    def __init__(self, archive: Archive, *, warn: Warn | None = None) -> None:
        self.archive = archive
        self.warn = warn
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str, int], Rendered] = OrderedDict()
        self._state: tuple[tuple[str, int], ArchiveState] | None = None
        self._code = code_fingerprint()[:12]
        self._unwitnessed: tuple[tuple[int, int, int], int] | None = None

    # ------------------------------------------------------------------ revisions and states

    def head(self) -> int:
        """The archive's last revision, from its head witness, else from the log's last line (0: none yet)."""
        port = open_log(self.archive)
        if not isinstance(port, JsonlLog):
            return port.last_revision()  # a database: its head row
        head = read_head(self.archive.state_dir)
        if head is not None:
            return head.rev
        try:
            st = os.stat(self.archive.log)
        except OSError:
            return 0
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if self._unwitnessed is None or self._unwitnessed[0] != stamp:
            self._unwitnessed = (stamp, _last_rev(self.archive.log, st.st_size))
        return self._unwitnessed[1]

    def resolve(self, at: str | None) -> int | None:
        """The revision ``at`` names (a number, HEAD, HEAD~k, an ISO time); None for HEAD itself."""
        if at is None or at.strip().upper() == "HEAD":
            return None
        head = self.head()
        rev = resolve_revision(at, open_log(self.archive), head)
        if rev > head:
            raise UnknownName(f"Revision {at} does not exist yet: the archive is at revision {head}.")
        return rev

    def state(self, rev: int | None = None) -> ArchiveState:
        """The whole state at ``rev`` (HEAD when None); the last one asked for is kept."""
        key = ("head", self.head()) if rev is None else ("at", rev)
        with self._lock:
            kept = self._state
        if kept is not None and kept[0] == key:
            return kept[1]
        state, _ = load_state(self.archive, until=rev, warn=self.warn)
        with self._lock:
            self._state = (key, state)
        return state

    def record(self, slug: str, rev: int | None = None) -> RecordState:
        """Record ``slug`` at ``rev`` (HEAD when None): from its saved file at HEAD when that can be used."""
        if rev is None:
            partial = load_records(self.archive, [slug], warn=self.warn)
            if partial is not None:
                found = partial.state.records.get(slug)
                if found is not None:
                    return found
            else:
                state, tail = load_state(self.archive, warn=self.warn)
                if tail is not None:
                    rebuild_if_free(self.archive, state, tail, warn=self.warn)  # the next page reads one record again
                with self._lock:
                    self._state = (("head", state.head), state)
        state = self.state(rev)
        found = state.records.get(slug)
        if found is None:
            known = ", ".join(sorted(state.records)) or "none yet"
            where = f" at revision {rev}" if rev is not None else ""
            raise UnknownName(f"Record '{slug}' does not exist{where}.", hint=f"Records: {known}.")
        return found

    def signatures(self, revs: Iterable[int]) -> dict[int, Signature]:
        """How revisions ``revs`` are signed, checked against the registered authors (a revision left out is unsigned)."""
        return signatures_of(self.archive, revs)

    # ------------------------------------------------------------------ pages

    def _cached(self, key: tuple[str, str, int], make: Callable[[], str], media_type: str, rev: int) -> Rendered:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        rendered = Rendered(make(), media_type, f'"{self._code}-r{rev}-{key[0]}-{key[1]}"', rev)
        with self._lock:
            self._cache[key] = rendered
            while len(self._cache) > _KEEP:
                self._cache.popitem(last=False)
        return rendered

    def page(self, slug: str, name: str, rev: int | None = None) -> Rendered:
        """Page or view file ``name`` of record ``slug`` at ``rev`` (HEAD when None)."""
        shown = self.head() if rev is None else rev
        suffix = name[name.rfind(".") :]
        if name in VIEW_FILES:
            view, fmt = VIEW_FILES[name]
            return self._cached((slug, name, shown), lambda: render_view(self.record(slug, rev), view, fmt), _TYPES[suffix], shown)
        if name in ("index.html", "timeline.html", "sources.html"):

            def one() -> str:
                return record_pages_of(self.record(slug, rev), name)

            return self._cached((slug, name, shown), one, _TYPES[suffix], shown)
        if name in ("history.html", "blame.html"):

            def whole() -> str:
                state = self.state(rev)
                record = self.record(slug, rev)
                mine = [r for r in state.revisions if slug in r.records]
                return record_pages(record, mine, self.signatures(r.rev for r in mine))[name]

            return self._cached((slug, name, shown), whole, _TYPES[suffix], shown)
        if name.startswith("diff-") and name.endswith(".html") and name[5:-5].isdigit():
            to = int(name[5:-5])
            return self._cached((slug, name, to), lambda: self._diff_page(slug, to), _TYPES[".html"], to)
        raise UnknownName(f"Record '{slug}' has no page {name!r}.")

    def _diff_page(self, slug: str, to: int) -> str:
        log = open_log(self.archive)
        captured = capture(record_revisions(log, slug, warn=self.warn, head=log.witness()), slug, (to - 1, to))
        after = captured.states.get(to)
        if after is None:
            raise UnknownName(f"Record '{slug}' has no revision {to}.")
        revision = next((r for r in captured.archive.revisions if r.rev == to), None)
        if revision is None or slug not in revision.records:
            raise UnknownName(f"Revision {to} does not change record '{slug}'.")
        return diff_page(after, diff_records(captured.states.get(to - 1), after, from_rev=to - 1, to_rev=to), revision)

    def index(self, rev: int | None = None) -> Rendered:
        """The list of records."""
        shown = self.head() if rev is None else rev
        return self._cached(("", "index.html", shown), lambda: index_page(self.state(rev)), _TYPES[".html"], shown)

    def view_json(self, slug: str, view: str, rev: int | None = None) -> Rendered:
        """One view of a record in the JSON of ``archive show --view VIEW --format json``."""
        if view not in ("article", "infobox", "timeline", "sources", "facts"):
            raise InvalidInput(f"view {view!r} is not one of article, infobox, timeline, sources, facts.")
        shown = self.head() if rev is None else rev
        return self._cached((slug, f"{view}.api.json", shown), lambda: render_view(self.record(slug, rev), view, "json"), _TYPES[".json"], shown)


def _last_rev(log: Path, size: int) -> int:
    """The revision of the log's last whole line (a log copied without its head witness)."""
    span = 65536
    with open(log, "rb") as file:
        while True:
            start = max(0, size - span)
            file.seek(start)
            lines = file.read(size - start).split(b"\n")
            for line in reversed(lines[1 if start else 0 : -1]):
                try:
                    return int(orjson.loads(line)["rev"])
                except (ValueError, KeyError, TypeError):
                    continue
            if start == 0 or span > 2 * MAX_LINE:
                return 0
            span *= 4


def record_pages_of(record: RecordState, name: str) -> str:
    """One of the pages that the record alone decides (article, timeline, sources)."""
    return {"index.html": article_page, "timeline.html": timeline_page, "sources.html": sources_page}[name](record)
