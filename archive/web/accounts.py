"""The server's accounts: names, roles, slow hashes of tokens and passwords in ``private/users.json``, and an
audit file of sign-ins in ``private/audit.jsonl``.

Accounts are not derived from the log, so they do not live in ``.archive/`` (which may be deleted at any
time): ``private/`` in the archive folder, made ``0700``, its files ``0600``. Only argon2 hashes are kept;
a token is shown once, when its account is made. A token is ``fa_<key>_<secret>``: the key finds the
account without trying every hash, the secret is checked against the hash (once per process: a token
that passed is remembered by its SHA-256 until the account changes).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

import orjson
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from events.errors import Conflict, InvalidInput, UnknownName

__all__ = ["ROLES", "Account", "Accounts", "Role", "Throttle", "can_write"]

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = ("reader", "editor", "admin")
"""reader: reads (also a ``--private`` server); editor: also writes revisions; admin: also all an editor does
(the accounts themselves are kept with ``archive users`` on the server's machine)."""

_NAME = re.compile(r"^[\w][\w .@-]{0,63}$")
_FOLDER = "private"
_USERS = "users.json"
_AUDIT = "audit.jsonl"
_FORMAT = 1


def can_write(role: str) -> bool:
    """Whether an account of ``role`` may append revisions."""
    return role in ("editor", "admin")


@dataclass(frozen=True, slots=True)
class Account:
    """One account of the server."""

    name: str
    """The name revisions written through the server are signed with (their ``by``)."""
    role: Role
    key: str
    """The public part of the account's token: finds the account without trying every hash."""
    token_hash: str
    """The argon2 hash of the token's secret."""
    password_hash: str | None
    """The argon2 hash of the browser password; None: this account signs in with its token only."""
    created: str
    """When the account was made, UTC, ISO 8601."""


class Accounts:
    """The accounts of one archive folder, read again whenever the file changes (``archive users`` while a
    server runs takes effect at once)."""

    def __init__(self, root: Path, *, hasher: PasswordHasher | None = None) -> None:
        self.folder = root / _FOLDER
        self.path = self.folder / _USERS
        self.audit_path = self.folder / _AUDIT
        self._hasher = hasher or PasswordHasher()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._accounts: dict[str, Account] = {}
        self._passed: dict[bytes, tuple[str, str]] = {}
        """SHA-256 of a token that passed its argon2 check → (account name, token hash it passed)."""

    # ------------------------------------------------------------------ the file

    def _read(self) -> dict[str, Account]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._stamp, self._accounts = None, {}
            return self._accounts
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            data = orjson.loads(self.path.read_bytes())
            self._accounts = {a["name"]: Account(**a) for a in data.get("accounts", [])}
            self._stamp = stamp
        return self._accounts

    def _write(self, accounts: dict[str, Account]) -> None:
        self.folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)
        data = orjson.dumps({"format": _FORMAT, "accounts": [asdict(a) for a in accounts.values()]}, option=orjson.OPT_INDENT_2)
        tmp = self.folder / f".{_USERS}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._stamp = None

    # ------------------------------------------------------------------ keeping accounts

    def list(self) -> list[Account]:
        """Every account, in the order they were made."""
        with self._lock:
            return list(self._read().values())

    def get(self, name: str) -> Account | None:
        """The account called ``name``, if any."""
        with self._lock:
            return self._read().get(name)

    def add(self, name: str, role: str, password: str | None = None, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> str:
        """Make an account; return its token (shown once: only its hash is kept)."""
        if not _NAME.match(name):
            raise InvalidInput(
                f"The name {name[:70]!r} cannot name an account.",
                hint="Use letters, digits, spaces, '.', '@', '-' or '_', at most 64, starting with a letter or digit.",
            )
        if role not in ROLES:
            raise InvalidInput(f"The role {role!r} is not one of {', '.join(ROLES)}.")
        if password is not None and len(password) < 8:
            raise InvalidInput("The password is shorter than 8 characters.", hint="Choose a longer one.")
        key, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        account = Account(
            name=name,
            role=role,  # type: ignore[arg-type]
            key=key,
            token_hash=self._hasher.hash(secret),
            password_hash=self._hasher.hash(password) if password is not None else None,
            created=clock().isoformat().replace("+00:00", "Z"),
        )
        with self._lock:
            accounts = dict(self._read())
            if name in accounts:
                raise Conflict(f"There is already an account called '{name}'.", hint=f"Remove it first: archive users remove {name}.")
            accounts[name] = account
            self._write(accounts)
        return f"fa_{key}_{secret}"

    def remove(self, name: str) -> None:
        """Remove an account: its token and sessions stop working at once."""
        with self._lock:
            accounts = dict(self._read())
            if name not in accounts:
                raise UnknownName(f"There is no account called '{name}'.", hint="'archive users list' lists them.")
            del accounts[name]
            self._write(accounts)

    # ------------------------------------------------------------------ checking

    def by_token(self, token: str) -> Account | None:
        """The account a bearer token belongs to, or None."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "fa":
            return None
        digest = hashlib.sha256(token.encode("utf-8", "replace")).digest()
        with self._lock:
            accounts = self._read()
            passed = self._passed.get(digest)
            if passed is not None:
                account = accounts.get(passed[0])
                if account is not None and account.token_hash == passed[1]:
                    return account
            found = next((a for a in accounts.values() if secrets.compare_digest(a.key, parts[1])), None)
        if found is None or not self._verify(found.token_hash, parts[2]):
            return None
        with self._lock:
            self._passed[digest] = (found.name, found.token_hash)
        return found

    def by_password(self, name: str, password: str) -> Account | None:
        """The account if ``password`` is its password, else None (same slow check when there is no such account)."""
        account = self.get(name)
        if account is None or account.password_hash is None:
            self._verify(_dummy_hash(), password)  # take as long as a real check: the answer tells no names
            return None
        return account if self._verify(account.password_hash, password) else None

    def _verify(self, hashed: str, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed, secret)
        except (VerificationError, InvalidHashError):
            return False

    # ------------------------------------------------------------------ the audit file

    def audit(self, what: str, name: str | None, client: str | None, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """Add a line to ``private/audit.jsonl``: a sign-in, a refused one, a refused token."""
        line = orjson.dumps({"at": clock().isoformat().replace("+00:00", "Z"), "what": what, "name": name, "client": client})
        self.folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(self.audit_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line + b"\n")
        finally:
            os.close(fd)


@cache
def _dummy_hash() -> str:
    return PasswordHasher().hash("not a password of anyone")


class Throttle:
    """Slows repeated failures: after ``free`` failures of one name or one client within ``window`` seconds,
    each further attempt waits twice as long as the last (from half a second, at most ``most``)."""

    def __init__(self, *, free: int = 3, window: float = 900.0, most: float = 8.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.window, self.most, self.clock = free, window, most, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def delay(self, *keys: str) -> float:
        """Seconds to wait before answering an attempt by these keys (a name, a client address)."""
        now = self.clock()
        with self._lock:
            worst = 0
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = recent
                worst = max(worst, len(recent))
        if worst < self.free:
            return 0.0
        return min(self.most, 0.5 * 2 ** (worst - self.free))

    def failed(self, *keys: str) -> None:
        """Count a failure against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(now)
                if len(self._failures) > 100_000:  # bounded: forget the oldest keys
                    del self._failures[next(iter(self._failures))]

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
