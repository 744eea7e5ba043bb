"""Named fault points for fault-injection tests: ``ARCHIVE_FAULTS="after-log-fsync=kill"`` makes a real
process die, or fail with a full disk, at that step of its work. Unset (always, outside tests): no effect."""

from __future__ import annotations

import errno
import os
import signal

__all__ = ["POINTS", "active", "point"]

POINTS = (
    "log-write",
    "log-write-partial",
    "log-fsync",
    "after-log-fsync",
    "witness-write",
    "db-commit",
    "saved-write",
    "after-saved-write",
    "checkpoint-write",
    "quarantine-write",
)
"""Every step a fault can be injected at, in the order an append (or recover) reaches them."""

_ACTIONS = {"kill", "enospc", "eio", "pause"}


def _parse(text: str) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, action = item.partition("=")
        if name not in POINTS or action not in _ACTIONS:
            raise ValueError(f"ARCHIVE_FAULTS: {item!r} is not POINT=kill|enospc|eio|pause (points: {', '.join(POINTS)})")
        wanted[name] = action
    return wanted


_WANTED = _parse(os.environ.get("ARCHIVE_FAULTS", ""))


def active(name: str) -> str | None:
    """The action set for point ``name``, if any."""
    return _WANTED.get(name)


def point(name: str, **_context: object) -> None:
    """Reach step ``name``: die (SIGKILL) or raise the OSError the fault names, if one is set for it."""
    action = _WANTED.get(name)
    if action is None:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "pause":  # stopped until a SIGCONT: a test acts meanwhile (stops the server, kills us)
        os.kill(os.getpid(), signal.SIGSTOP)
        return
    code = errno.ENOSPC if action == "enospc" else errno.EIO
    raise OSError(code, os.strerror(code))
