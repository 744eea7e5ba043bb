"""The latest signed checkpoint, as the server serves it at a well-known path (``/checkpoint``, as C2SP's
tlog-tiles logs do): the note ``archive checkpoint`` kept, its signature checked against ``keys/archive.pub``."""

from __future__ import annotations

from archive.store.checkpoints import latest_checkpoint
from archive.store.folder import Archive
from archive.store.keys import load_archive_verifier
from archive.store.notes import NoteError
from events.errors import DamagedLog, InvalidInput, UnknownName

__all__ = ["CHECKPOINT_EXAMPLE", "CHECKPOINT_PATH", "latest_note"]

CHECKPOINT_PATH = "/checkpoint"
"""Where the server serves the latest signed checkpoint."""
CHECKPOINT_EXAMPLE = (
    "fact-archive.local/derna\n1200\nq2mCFpn8T1gA6TphqAX3M3qS8x1qS3vYHc4O0hn5Ex4=\ntime 2026-11-25T10:00:00Z\nrevision 41\n\n"
    "\u2014 fact-archive.local/derna 3h2WkXAaZ0x1dT5Xc+8P2hUkE9k3U6VnJ1Mi0k2H1w8yWl2y8C0yq3g2u0Z7sQFfY3ZmQ6r2Vq1n8w==\n"
)


def latest_note(archive: Archive) -> str:
    """The signed note of the latest kept checkpoint. UnknownName (404) when the archive has no key or no checkpoint
    yet; DamagedLog (503) when a kept checkpoint's signature does not hold."""
    try:
        verifier = load_archive_verifier(archive)
    except NoteError as exc:
        raise DamagedLog(f"keys/archive.pub does not read: {exc.message}") from exc
    except InvalidInput:
        raise UnknownName(
            "This archive signs no checkpoints: it has no key (keys/archive.pub).",
            hint="Its keeper makes one with 'archive keys init', then signs a checkpoint with 'archive checkpoint'.",
        ) from None
    try:
        kept = latest_checkpoint(archive, verifier)
    except NoteError as exc:
        raise DamagedLog(f"A kept checkpoint does not hold: {exc.message}", hint="Run 'archive verify'.") from exc
    if kept is None:
        raise UnknownName(
            "No checkpoint has been signed yet.",
            hint="Its keeper signs one with 'archive checkpoint'; it is served here from then on.",
        )
    return kept.note
