"""The one exception tree of fact-archive; each class carries its exit status.

    ArchiveError            exit 1, the input was refused
    ├── InvalidInput        a value, line or file that does not fit the format
    ├── UnknownName         a record, fact or revision that does not exist
    ├── Conflict            the change contradicts the record (already exists, ...)
    ├── Unavailable         the log's database cannot be reached, or refused (rights, a lock held too long)
    ├── UsageError          exit 2, the command was called wrongly
    ├── StaleRevision       exit 3, --expect-rev no longer holds
    └── DamagedLog          exit 4, the log fails its integrity checks

The command line catches ArchiveError once and prints ``Error: <message>``.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "Conflict",
    "DamagedLog",
    "InvalidInput",
    "StaleRevision",
    "Unavailable",
    "UnknownName",
    "UsageError",
]


class ArchiveError(Exception):
    """Root of every error this program reports to its user."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} {hint}")

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message} {self.hint}"


class InvalidInput(ArchiveError):
    """A value, a line or a file does not fit the expected format."""


class UnknownName(ArchiveError):
    """A record, fact or revision named by the user does not exist."""


class Conflict(ArchiveError):
    """The change contradicts what the record already holds."""


class Unavailable(ArchiveError):
    """The database that keeps the log cannot be reached, or refused the operation; nothing was written."""


class UsageError(ArchiveError):
    """The command was called wrongly (flags that do not go together)."""

    exit_code = 2


class StaleRevision(ArchiveError):
    """``--expect-rev N`` no longer holds: someone else appended first."""

    exit_code = 3


class DamagedLog(ArchiveError):
    """The log fails an integrity check (hash chain, sequence, end marks)."""

    exit_code = 4
