"""Signing in, with throttling against password guessing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import LoginAttempt, User
from . import audit


@dataclass(frozen=True)
class Throttle:
    max_per_user: int = 5
    max_per_address: int = 20
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignIn:
    user: User | None
    locked_until: datetime | None = None


def _locked_until(column, value: str, limit: int, now: datetime, lockout: timedelta) -> datetime | None:
    failures = db.session.scalars(
        sa.select(LoginAttempt.created_at)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > now - lockout)
        .order_by(LoginAttempt.created_at.desc())
        .limit(limit)
    ).all()
    if len(failures) >= limit:
        return failures[0] + lockout
    return None


def sign_in(username: str, password: str, *, address: str, now: datetime, throttle: Throttle) -> SignIn:
    """Check a username and password, unless the account or address is locked.

    A locked account is refused without checking the password, so guessing
    gains nothing while locked. Every attempt is recorded.
    """
    username = username.strip()[:64]
    address = (address or "unknown")[:64]
    locked = _locked_until(LoginAttempt.username, username.lower(), throttle.max_per_user, now, throttle.lockout) or \
        _locked_until(LoginAttempt.address, address, throttle.max_per_address, now, throttle.lockout)
    if locked is not None:
        return SignIn(None, locked)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(username=username.lower(), address=address, succeeded=ok, created_at=now))
    if ok:
        audit.record(user, "user.sign_in", user, address=address)
    return SignIn(user if ok else None)
