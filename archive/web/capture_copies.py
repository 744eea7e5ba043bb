"""The readers' copies of archived sources: ``<views>/_captures/<warc sha256>.txt``, plain text, never active HTML.

A captured page is a stranger's HTML: served from the archive's origin it could run its scripts there. The
views therefore hold only its text (what quotes are checked against), under a header that says what was
captured, when, and its hashes; the server sends it as ``text/plain`` with ``nosniff`` and a sandboxing
Content-Security-Policy. The WARC file itself stays in the archive's ``captures/`` folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archive.ingest.page_text import MissingExtra
from archive.ingest.source_copies import EXTRA_HINT, capture_text
from archive.web.views_out import write_atomic
from projections.state import Capture, RecordState

__all__ = ["COPIES_DIR", "COPY_POLICY", "copy_text", "write_capture_copies"]

COPIES_DIR = "_captures"
"""The folder of the views that holds the readers' copies (no record's slug starts with ``_``)."""
COPY_POLICY = "sandbox; default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
"""The Content-Security-Policy of a reader's copy: whatever it holds, nothing in it runs."""


def copy_text(root: Path, capture: Capture) -> str:
    head = [
        f"Archived copy of {capture.url or capture.file}",
        *([f"Final address: {capture.final_url}"] if capture.final_url and capture.final_url != capture.url else []),
        f"Captured: {capture.fetched} by {capture.by} (revision {capture.rev}) with {capture.tool}",
        f"Answer: {capture.error or (f'HTTP {capture.status}' if capture.status else 'a local file')}"
        + (f", {capture.content_type}" if capture.content_type else "")
        + f", {capture.size} bytes",
        f"SHA-256 of the payload: {capture.sha256 or 'none'}",
        f"SHA-256 of the WARC file: {capture.warc} (captures/sha256/{capture.warc[:2]}/{capture.warc}.warc.gz)",
        "",
        "This is the text of the page, as quotes are checked against it; its markup and scripts are not kept here.",
        "=" * 78,
        "",
    ]
    try:
        text = capture_text(root, capture)
    except (FileNotFoundError, ValueError) as exc:
        body = f"[The archived copy cannot be read: {exc}. Run 'archive verify'.]"
    except MissingExtra:
        body = f"[The text is not shown: {EXTRA_HINT}]"
    else:
        body = text if text is not None else "[No text: the WARC file holds the original bytes.]"
    return "\n".join(head) + body + "\n"


def write_capture_copies(root: Path, records: Iterable[RecordState], out: Path) -> int:
    """Write the readers' copy of every capture of ``records`` not written yet; return how many were written."""
    written = 0
    folder = out / COPIES_DIR
    for record in records:
        for kept in record.captures.values():
            for capture in kept:
                path = folder / f"{capture.warc}.txt"
                if not path.is_file():
                    written += write_atomic(path, copy_text(root, capture))
    return written
