"""Browser sessions of the server: a random id in an HttpOnly, SameSite cookie, and a CSRF token per session
that every form carries. Kept in memory: a restarted server asks everyone to sign in again."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["COOKIE", "PRE_COOKIE", "Session", "Sessions"]

COOKIE = "archive_session"
"""The session cookie's name."""
PRE_COOKIE = "archive_signin"
"""A cookie the sign-in form's CSRF token is bound to, before there is a session."""
LIFETIME = 12 * 3600.0
"""Seconds a session lasts without use."""


@dataclass(slots=True)
class Session:
    """One signed-in browser."""

    name: str
    """The account's name."""
    csrf: str
    """The token every form of this session carries."""
    used: float
    """When it was last used (monotonic seconds)."""


class Sessions:
    """The sessions of one server, by id."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, most: int = 10_000) -> None:
        self._clock = clock
        self._most = most
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, name: str) -> tuple[str, Session]:
        """A new session for account ``name``: its id (for the cookie) and the session."""
        sid = secrets.token_urlsafe(32)
        session = Session(name, secrets.token_urlsafe(32), self._clock())
        with self._lock:
            self._sessions[sid] = session
            while len(self._sessions) > self._most:
                del self._sessions[next(iter(self._sessions))]
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        """The live session of cookie value ``sid``, or None."""
        if not sid:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.used > LIFETIME:
                del self._sessions[sid]
                return None
            session.used = now
            return session

    def end(self, sid: str | None) -> None:
        """Sign the session out."""
        with self._lock:
            self._sessions.pop(sid or "", None)
