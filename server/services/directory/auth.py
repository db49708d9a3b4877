"""Signing in, with throttling against password guessing.

Three rules, all kept in the database so every app server applies them alike:

- an account (a username, from any address) with too many recent failures is
  locked: it is refused without checking the password until the lock ends;
- an address from which many different usernames failed recently (a spray)
  must wait, longer for each further name. While it waits, a username that
  already failed from there is refused unchecked, and any other failure is
  answered "wait" too; a right password still signs in, so one sprayer behind
  an office's shared address does not lock out the colleagues behind it;
- an unknown username costs as long as a wrong password, so timing does not
  tell which usernames exist.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ...extensions import db
from ...models import LoginAttempt, User
from ..foundation import audit


@dataclass(frozen=True)
class Throttle:
    max_per_user: int = 5  # failures on one username that lock it
    max_names_per_address: int = 20  # failed usernames from one address before it must wait
    lockout: timedelta = timedelta(minutes=15)  # the window, the lock, and the longest wait
    first_wait: timedelta = timedelta(seconds=1)  # doubled for each further failed name

    @classmethod
    def from_config(cls, config) -> Throttle:
        return cls(
            max_per_user=config["LOGIN_MAX_FAILURES_PER_USER"],
            max_names_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
            lockout=timedelta(seconds=config["LOGIN_LOCKOUT_SECONDS"]),
            first_wait=timedelta(seconds=config["LOGIN_ADDRESS_FIRST_WAIT_SECONDS"]),
        )

    def address_wait(self, failed_names: int) -> timedelta:
        """How long an address waits after its latest failure, given its failed names."""
        if failed_names < self.max_names_per_address:
            return timedelta(0)
        doublings = min(failed_names - self.max_names_per_address, 30)
        return min(self.first_wait * 2 ** doublings, self.lockout)


@dataclass(frozen=True)
class SignIn:
    user: User | None
    # Set when the attempt was throttled: the caller should answer 429 and
    # ask for a retry no earlier than this.
    retry_at: datetime | None = None


@cache
def _hash_of_nobody() -> str:
    # A hash of the same scheme and cost as real ones, checked when there is
    # no account to check against, so both take the same time.
    return generate_password_hash(secrets.token_urlsafe(16))


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        check_password_hash(_hash_of_nobody(), password)
        return False
    return user.check_password(password)


def _failures_since(since: datetime):
    return sa.select(LoginAttempt).where(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > since)


def _account_locked_until(username: str, now: datetime, throttle: Throttle) -> datetime | None:
    failures = db.session.scalars(
        _failures_since(now - throttle.lockout).where(LoginAttempt.username == username)
        .with_only_columns(LoginAttempt.created_at)
        .order_by(LoginAttempt.created_at.desc())
        .limit(throttle.max_per_user)
    ).all()
    if len(failures) >= throttle.max_per_user:
        return failures[0] + throttle.lockout
    return None


def _address_failures(address: str, now: datetime, throttle: Throttle) -> tuple[int, datetime | None]:
    """How many different usernames failed from an address in the window, and when last."""
    # Different usernames, not attempts: a colleague retyping their own
    # password counts once (the account lock is for repeated guesses).
    failed_names, latest = db.session.execute(
        _failures_since(now - throttle.lockout).where(LoginAttempt.address == address)
        .with_only_columns(sa.func.count(sa.distinct(LoginAttempt.username)), sa.func.max(LoginAttempt.created_at))
    ).one()
    return failed_names, latest


def _failed_here_recently(username: str, address: str, now: datetime, throttle: Throttle) -> bool:
    return db.session.scalar(
        sa.select(
            _failures_since(now - throttle.lockout)
            .where(LoginAttempt.username == username, LoginAttempt.address == address).exists()
        )
    )


def sign_in(username: str, password: str, *, address: str, now: datetime, throttle: Throttle) -> SignIn:
    """Check a username and password, unless the account or address is throttled.

    A locked account is refused without checking the password, so guessing
    gains nothing while locked. Every checked attempt is recorded.
    """
    username = username.strip()[:64]
    address = (address or "unknown")[:64]
    key = username.lower()
    locked = _account_locked_until(key, now, throttle)
    if locked is not None:
        return SignIn(None, locked)
    failed_names, latest = _address_failures(address, now, throttle)
    wait = throttle.address_wait(failed_names)
    waiting = bool(wait) and latest is not None and latest + wait > now
    if waiting and _failed_here_recently(key, address, now, throttle):
        return SignIn(None, latest + wait)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    # The password is checked even for an inactive account, for the same time.
    ok = _password_matches(user, password) and user is not None and user.active
    db.session.add(LoginAttempt(username=key, address=address, succeeded=ok, created_at=now))
    if ok:
        audit.record(user, "user.sign_in", user, address=address)
        return SignIn(user)
    if waiting:
        # A name not yet tried from here while the address waits: the wait grows.
        return SignIn(None, now + throttle.address_wait(failed_names + 1))
    return SignIn(None)


def locked_accounts(now: datetime, throttle: Throttle) -> list[tuple[str, datetime]]:
    """Usernames locked now by repeated failures, with when each lock ends."""
    rows = db.session.execute(
        _failures_since(now - throttle.lockout)
        .with_only_columns(LoginAttempt.username, sa.func.count(), sa.func.max(LoginAttempt.created_at))
        .group_by(LoginAttempt.username)
        .having(sa.func.count() >= throttle.max_per_user)
    ).all()
    locked = []
    for username, _count, _latest in rows:
        until = _account_locked_until(username, now, throttle)
        if until is not None and until > now:
            locked.append((username, until))
    return sorted(locked)


def unlock(username: str, actor, now: datetime, throttle: Throttle) -> bool:
    """End a sign-in lock: the account's recent failures stop counting. Returns whether it was locked."""
    key = username.strip().lower()
    was_locked = _account_locked_until(key, now, throttle) is not None
    db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.username == key, LoginAttempt.succeeded.is_(False),
                                      LoginAttempt.created_at > now - throttle.lockout)
    )
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.username) == key))
    audit.record(actor, "user.unlock", user, username=key, was_locked=was_locked)
    return was_locked
