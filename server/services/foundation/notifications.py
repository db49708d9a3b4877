"""In-app notifications: written in each recipient's language, deduplicated by key.

A notification with a `dedupe_key` is inserted at most once, ever: the unique
constraint decides between two runs (or two servers) that race, so a reminder
is never sent twice. Email is delivered after the row is committed
(`claim_email` / services/remediation/reminders.py).
"""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Notification, User
from ...models.types import utcnow


def render(text, params: dict | None, locale: str | None) -> str:
    """A (lazy) message with its %(name)s parameters, in `locale`."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        values = {k: str(v) for k, v in (params or {}).items()}
        return str(text) % values if values else str(text)


def notify(users: Iterable[User | None], kind: str, title, *, params: dict | None = None, body=None,
           link: str | None = None, dedupe_key=None, actor=None) -> list[Notification]:
    """Add a notification for each user; returns the rows created.

    `title` and `body` are lazy messages (lazy_gettext) rendered in each
    user's language with `params`. `dedupe_key(user) -> str` (or a str for a
    single user) makes the notification idempotent: a key already stored is
    skipped. `actor`, whoever did what the notification tells of, is not told
    of their own act; a user listed twice is told once.
    """
    created: list[Notification] = []
    seen: set[int] = {actor.id} if getattr(actor, "id", None) is not None else set()
    for user in users:
        if user is None or not user.active or user.id in seen:
            continue
        seen.add(user.id)
        key = dedupe_key(user) if callable(dedupe_key) else dedupe_key
        row = Notification(
            user_id=user.id, kind=kind, title=render(title, params, user.locale)[:500],
            body=render(body, params, user.locale) if body is not None else None, link=link, dedupe_key=key,
        )
        if key is None:
            db.session.add(row)
            db.session.flush()
        else:
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:
                continue  # already notified: the constraint decided
        created.append(row)
    return created


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def for_user(user, *, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user) -> int:
    result = db.session.execute(sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount


def claim_email(notification_id: int) -> bool:
    """Mark a notification as emailed if no one did yet; True when this caller won.

    A conditional UPDATE, so two concurrent senders never both send it. The
    caller commits, sends, and on failure calls `release_email`.
    """
    result = db.session.execute(sa.update(Notification).where(
        Notification.id == notification_id, Notification.emailed_at.is_(None)).values(emailed_at=utcnow()))
    return result.rowcount == 1


def release_email(notification_id: int) -> None:
    db.session.execute(sa.update(Notification).where(Notification.id == notification_id).values(emailed_at=None))
