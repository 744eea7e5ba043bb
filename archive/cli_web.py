"""The serve command: the views as web pages that follow the log live."""

from __future__ import annotations

from archive.cli import cli  # noqa: F401 - commands here register on this group
