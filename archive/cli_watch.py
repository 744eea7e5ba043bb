"""The watch command: keeps views/ current as the log changes."""

from __future__ import annotations

from archive.cli import cli  # noqa: F401 - commands here register on this group
