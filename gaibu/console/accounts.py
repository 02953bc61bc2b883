"""Console accounts and sign-in sessions: argon2 password hashes, expiring server-side sessions.

Roles, each including the ones before it: ``viewer`` reads; ``reviewer`` decides findings and
edits service texts; ``publisher`` publishes the public pages; ``admin`` manages users.

Passwords are never stored or logged: only their argon2id hash. A session is a random token in
an HttpOnly cookie; the database keeps only the token's SHA-256, so a copy of the database cannot
be used to sign in. Sessions expire after ``SESSION_HOURS`` (and on sign-out); each carries its
own CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import UniqueConstraint
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, select

from scanner.errors import GaibuError
from scanner.store import utcnow

ROLES = ("viewer", "reviewer", "publisher", "admin")
Role = Literal["viewer", "reviewer", "publisher", "admin"]
SESSION_HOURS = 8
MIN_PASSWORD = 12
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")

_hasher = PasswordHasher()


class ConsoleUser(SQLModel, table=True):
    __tablename__ = "console_user"
    __table_args__ = (UniqueConstraint("name"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str = "viewer"
    password_hash: str
    created_at: datetime
    disabled: bool = False


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_session"
    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(index=True, unique=True)
    user_id: int = Field(foreign_key="console_user.id", index=True)
    csrf: str
    created_at: datetime
    expires_at: datetime


def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _check_name(name: str) -> str:
    n = name.strip().lower()
    if not n or len(n) > 64 or not set(n) <= NAME_CHARS:
        raise GaibuError(f"user name {name!r}: expected 1-64 characters of a-z 0-9 . _ - @")
    return n


def add_user(engine: Engine, name: str, role: str, password: str) -> ConsoleUser:
    if role not in ROLES:
        raise GaibuError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise GaibuError(f"the password must have at least {MIN_PASSWORD} characters")
    n = _check_name(name)
    with Session(engine) as s:
        if s.exec(select(ConsoleUser).where(ConsoleUser.name == n)).first():
            raise GaibuError(f"user {n!r} exists already")
        u = ConsoleUser(name=n, role=role, password_hash=_hasher.hash(password),
                        created_at=utcnow())
        s.add(u)
        s.commit()
        s.refresh(u)
        return u


def set_role(engine: Engine, name: str, role: str | None = None,
             disabled: bool | None = None) -> ConsoleUser:
    n = _check_name(name)
    if role is not None and role not in ROLES:
        raise GaibuError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    with Session(engine) as s:
        u = s.exec(select(ConsoleUser).where(ConsoleUser.name == n)).first()
        if u is None:
            raise GaibuError(f"no user {n!r}")
        if role is not None:
            u.role = role
        if disabled is not None:
            u.disabled = disabled
            if disabled:
                for sess in s.exec(select(ConsoleSession).where(ConsoleSession.user_id == u.id)):
                    s.delete(sess)
        s.add(u)
        s.commit()
        s.refresh(u)
        return u


def list_users(engine: Engine) -> list[ConsoleUser]:
    with Session(engine) as s:
        return list(s.exec(select(ConsoleUser).order_by(ConsoleUser.name)).all())


def has_users(engine: Engine) -> bool:
    with Session(engine) as s:
        return s.exec(select(ConsoleUser.id)).first() is not None


# A dummy hash so that an unknown user name takes as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def authenticate(engine: Engine, name: str, password: str) -> ConsoleUser | None:
    try:
        n = _check_name(name)
    except GaibuError:
        n = ""
    with Session(engine) as s:
        u = s.exec(select(ConsoleUser).where(ConsoleUser.name == n)).first() if n else None
        try:
            _hasher.verify(u.password_hash if u else _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        if u is None or u.disabled:
            return None
        return u


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user: ConsoleUser) -> tuple[str, ConsoleSession]:
    """A new session for ``user``: (cookie token, row). The token is not stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with Session(engine) as s:
        for old in s.exec(select(ConsoleSession).where(ConsoleSession.expires_at < now)):
            s.delete(old)
        assert user.id is not None
        row = ConsoleSession(token_sha256=_sha(token), user_id=user.id,
                             csrf=secrets.token_urlsafe(32), created_at=now,
                             expires_at=now + timedelta(hours=SESSION_HOURS))
        s.add(row)
        s.commit()
        s.refresh(row)
        return token, row


def session_user(engine: Engine, token: str | None) -> tuple[ConsoleUser, ConsoleSession] | None:
    if not token or len(token) > 200:
        return None
    with Session(engine) as s:
        row = s.exec(select(ConsoleSession).where(ConsoleSession.token_sha256 == _sha(token))).first()
        if row is None or row.expires_at < utcnow():
            return None
        u = s.get(ConsoleUser, row.user_id)
        if u is None or u.disabled:
            return None
        return u, row


def close_session(engine: Engine, token: str | None) -> None:
    if not token:
        return
    with Session(engine) as s:
        row = s.exec(select(ConsoleSession).where(ConsoleSession.token_sha256 == _sha(token))).first()
        if row is not None:
            s.delete(row)
            s.commit()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class RateLimiter:
    """At most ``limit`` failed sign-ins per key (user name, client address) in ``window`` s."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit = limit
        self.window = window
        self._fails: dict[str, deque[float]] = {}

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        for k in keys:
            q = self._fails.get(k)
            while q and now - q[0] > self.window:
                q.popleft()
            if q and len(q) >= self.limit:
                return True
        return False

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        for k in keys:
            self._fails.setdefault(k, deque()).append(now)

    def reset(self, *keys: str) -> None:
        for k in keys:
            self._fails.pop(k, None)
