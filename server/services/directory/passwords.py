"""Passwords: what a new password must be, temporary passwords and one-time reset links.

A new password is refused when it is too short, one of the most common
passwords (server/common_passwords.txt), or made of the user's own name.
A reset link's token is shown once; only its hash is kept, so a copy of the
database cannot be used to take over accounts.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models.users import PasswordReset, User
from ..foundation import audit
from . import sessions

MIN_LENGTH = 10
MAX_LENGTH = 1024
RESET_LINK_HOURS = 4
_COMMON = Path(__file__).resolve().parents[2] / "common_passwords.txt"
# Unambiguous letters and digits: a temporary password is read out or copied by hand.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class PasswordError(ValueError):
    pass


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def problems(password: str, user: User | None = None) -> list[str]:
    """Why `password` may not be a new password (empty when it may)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(_("The password must have at least %(num)d characters.", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        found.append(_("The password is too long."))
    lowered = password.lower()
    if _guessable(lowered):
        found.append(_("This password is one of the most common ones; choose another."))
    elif user is not None and _is_own_name(lowered, user):
        found.append(_("The password must not be your username or name."))
    return found


def _guessable(lowered: str) -> bool:
    # "password123", "qwerty!!": a common password with digits or marks added
    # is tried by every guesser; so is one character repeated or a short cycle.
    stem = lowered.rstrip("0123456789!@#$%^&*.?-_ ")
    return (lowered in common_passwords() or (len(stem) >= 4 and stem in common_passwords())
            or stem == "" or len(set(lowered)) < 4)


def _is_own_name(lowered: str, user: User) -> bool:
    names = {user.username.lower(), (user.full_name or "").lower().replace(" ", "")} - {""}
    for name in names:
        if len(name) >= 3 and name in lowered:
            rest = lowered.replace(name, "")
            if len(rest) < 4 or _guessable(rest) or rest.isdigit():
                return True
    return False


def check(password: str, user: User | None = None) -> None:
    found = problems(password, user)
    if found:
        raise PasswordError(" ".join(found))


def change_own(user: User, current: str, new: str, *, keep_token: str | None) -> int:
    """The user changes their own password; their other sessions end. Returns how many ended."""
    if not user.check_password(current):
        raise PasswordError(_("The current password is wrong."))
    if new == current:
        raise PasswordError(_("The new password must differ from the current one."))
    check(new, user)
    user.set_password(new)
    user.must_change_password = False
    ended = sessions.end_all(user, reason="password_changed", keep_token=keep_token)
    audit.record(user, "user.password_change", user, sessions_ended=ended)
    return ended


def temporary_password() -> str:
    """A random password to hand over, in groups of four: about 60 bits."""
    raw = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def set_temporary(user: User, actor) -> str:
    """Give `user` a temporary password to change at their next sign-in; every session of theirs ends."""
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    ended = sessions.end_all(user, reason="password_reset")
    audit.record(actor, "user.password_reset", user, kind="temporary", sessions_ended=ended)
    return password


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_link(user: User, actor, now: datetime) -> str:
    """A one-time token for `user` to choose a new password, valid RESET_LINK_HOURS.

    Earlier unused links of the user stop working; so do the user's sessions
    (whoever asked for a reset does not trust them any more)."""
    db.session.execute(
        sa.update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(token_hash=_hash(token), user_id=user.id, created_by_id=getattr(actor, "id", None),
                                 created_at=now, expires_at=now + timedelta(hours=RESET_LINK_HOURS)))
    ended = sessions.end_all(user, reason="password_reset")
    audit.record(actor, "user.password_reset", user, kind="link", sessions_ended=ended)
    return token


def find_reset(token: str, now: datetime) -> PasswordReset | None:
    """The unused, unexpired reset of an active user that `token` names."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= now or not reset.user.active:
        return None
    return reset


def use_reset(reset: PasswordReset, new: str, now: datetime) -> User:
    """Set the new password through a reset link; the link is then spent."""
    user = reset.user
    check(new, user)
    user.set_password(new)
    user.must_change_password = False
    reset.used_at = now
    sessions.end_all(user, reason="password_reset")
    audit.record(user, "user.password_reset_used", user)
    return user
