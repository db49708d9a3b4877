"""Signed-in browsers, kept on the server so that they can be listed and ended.

The session cookie (and the "keep me signed in" cookie) holds
"<user id>:<token>"; a request is signed in only while the token's row is
open, its user active, and it was used within its lifetime. Ending the row
(sign-out, "sign out my other sessions", a password change or reset, a
deactivation) signs that browser out at its next request.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models.users import User, UserSession

# last_seen_at is written at most this often: a write per request would cost more than it tells.
TOUCH_EVERY = timedelta(minutes=5)


def start(user: User, *, address: str, user_agent: str, remember: bool, now: datetime) -> UserSession:
    """Open a session for `user`; its token is set on the user for Flask-Login's cookie."""
    row = UserSession(token=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                      address=(address or "")[:64], user_agent=(user_agent or "")[:255], remember=remember)
    db.session.add(row)
    db.session.flush()
    user.session_token = row.token
    return row


def _open(now: datetime, lifetime: timedelta, remember_lifetime: timedelta):
    return sa.and_(
        UserSession.ended_at.is_(None),
        sa.or_(
            UserSession.last_seen_at > now - lifetime,
            sa.and_(UserSession.remember.is_(True), UserSession.last_seen_at > now - remember_lifetime),
        ),
    )


def load(cookie_id: str, now: datetime, *, lifetime: timedelta, remember_lifetime: timedelta,
         options=()) -> tuple[User, UserSession] | None:
    """The active user and open session that a cookie's id names, or None (signed out)."""
    user_id, _, token = (cookie_id or "").partition(":")
    if not token or not user_id.isdigit() or len(token) > 64:
        return None
    found = db.session.execute(
        sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token == token, User.id == int(user_id), User.active.is_(True),
               _open(now, lifetime, remember_lifetime))
        .options(*options)
    ).unique().first()
    if found is None:
        return None
    user, row = found
    user.session_token = token
    return user, row


def touch(engine, row: UserSession, now: datetime) -> None:
    """Note that the session is in use, on a connection of its own (the request may never commit)."""
    if row.last_seen_at > now - TOUCH_EVERY:
        return
    with engine.begin() as conn:
        conn.execute(sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))


def end(token: str | None, reason: str, now: datetime | None = None) -> None:
    if not token:
        return
    db.session.execute(sa.update(UserSession).where(UserSession.token == token, UserSession.ended_at.is_(None))
                       .values(ended_at=now or sa.func.now(), end_reason=reason))


def end_all(user: User, *, reason: str, keep_token: str | None = None) -> int:
    """End every open session of `user` but the one whose token is `keep_token`; returns how many."""
    from ...models.types import utcnow

    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        stmt = stmt.where(UserSession.token != keep_token)
    return db.session.execute(stmt.values(ended_at=utcnow(), end_reason=reason)).rowcount


def end_one(user: User, session_id: int, *, reason: str, keep_token: str | None) -> bool:
    """End another session of `user`'s own (by its row id); False if it is not theirs, is the
    one in use (`keep_token`: signing out is for that) or is already ended."""
    from ...models.types import utcnow

    return db.session.execute(
        sa.update(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id,
                                     UserSession.token != (keep_token or ""), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    ).rowcount == 1


def open_sessions(user: User, now: datetime, *, lifetime: timedelta, remember_lifetime: timedelta) -> list[UserSession]:
    return list(db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, _open(now, lifetime, remember_lifetime))
        .order_by(UserSession.last_seen_at.desc())
    ))


def user_options():
    return [joinedload(User.teams)]
