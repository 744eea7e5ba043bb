"""Commands that check and repair the log: verify, recover."""

from __future__ import annotations

from archive.cli import cli  # noqa: F401 - commands here register on this group
