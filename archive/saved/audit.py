"""Checks every saved state against the state replayed from the whole log, for ``archive verify``."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress

from archive.saved import checkpoint, record_cache
from archive.store.folder import Archive
from projections.state import ArchiveState, RecordState
from projections.views import render_view

__all__ = ["audit_saved_states"]

_VIEWS = (("article", "text"), ("infobox", "json"), ("timeline", "json"), ("sources", "json"), ("facts", "json"))


def _fingerprint(record: RecordState) -> tuple[str, ...]:
    """What a reader sees of a record: every view, as JSON where it has one."""
    return tuple(render_view(record, view, fmt) for view, fmt in _VIEWS)


def _first_difference(saved: ArchiveState, truth: ArchiveState, slugs: list[str]) -> str | None:
    for slug in slugs:
        mine, real = saved.records.get(slug), truth.records.get(slug)
        if (mine is None) != (real is None) or (mine is not None and real is not None and _fingerprint(mine) != _fingerprint(real)):
            return slug
    return None


def audit_saved_states(archive: Archive, truth: ArchiveState) -> list[str]:
    """Each saved state that disagrees with ``truth`` (the whole log, replayed and checked), named with what
    disagrees; such states are discarded here, so the next command rebuilds them from the log."""
    if os.environ.get("ARCHIVE_NO_CHECKPOINT"):
        return []
    problems: list[str] = []
    heard: list[str] = []
    say: Callable[[str], None] = heard.append
    shown = f"{archive.state_dir.name}/"
    if checkpoint.checkpoint_path(archive).exists():
        loaded = checkpoint.load(archive, warn=say, save=False, warn_torn=False)
        slug = _first_difference(loaded.state, truth, sorted(set(truth.records) | set(loaded.state.records)))
        if loaded.state.head != truth.head or slug is not None:
            what = f"record '{slug}'" if slug is not None else f"revision {loaded.state.head} against {truth.head}"
            problems.append(f"{shown}checkpoint disagrees with the log ({what}); discarded, it is rebuilt on next use.")
            with suppress(OSError):
                checkpoint.checkpoint_path(archive).unlink()
    listed = archive.state_dir / "records.json"
    if listed.exists():
        slugs = sorted(truth.records)
        partial = record_cache.load_records(archive, slugs, warn=say)
        if partial is None:
            problems.append(
                f"{shown}records.json and the record files cannot be proven against the log; they are rebuilt on next use."
            )
        elif (slug := _first_difference(partial.state, truth, slugs)) is not None:
            problems.append(f"{shown}records/{slug}.state disagrees with the log; the record files are rebuilt on next use.")
        if partial is None or slug is not None:
            with suppress(OSError):
                listed.unlink()
    problems.extend(f"{message}" for message in heard if "checkpoint" in message and not any(message in p for p in problems))
    return problems
