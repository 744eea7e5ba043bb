"""Commands that read the record's history: diff, blame, history."""

from __future__ import annotations

from archive.cli import cli  # noqa: F401 - commands here register on this group
