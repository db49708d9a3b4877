"""In-app notifications: shown in the reader's language, deduplicated by key.

A notification keeps its title and body as message keys with parameters
(`message`) and is rendered when read, in the language of whoever reads it
(`title_of`, `body_of`); the stored `title` and `body`, in the recipient's
language at the time, serve email and rows written before.

A notification with a `dedupe_key` is inserted at most once, ever: the unique
constraint decides between two runs (or two servers) that race, so a reminder
is never sent twice. Email is delivered after the row is committed
(`claim_email` / services/remediation/reminders.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString, force_locale, format_date, gettext, pgettext
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Notification, User
from ...models.types import utcnow


def render(text, params: dict | None, locale: str | None) -> str:
    """A (lazy) message with its %(name)s parameters, in `locale`."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        values = {k: str(_unpack(_pack(v))) for k, v in (params or {}).items()}
        return str(text) % values if values else str(text)


# Lazy messages a notification may keep as keys, by the function they call.
_CALLS = {"gettext": gettext, "pgettext": pgettext, "format_date": format_date}


def _pack(value):
    """A title, body or parameter as JSON that renders in any language later:
    a lazy message as its key, a date as a date, a checklist text {lang: text}
    as all its languages; anything else as the text it is."""
    if isinstance(value, LazyString):
        name = getattr(value._func, "__name__", "")
        if name in _CALLS and not value._kwargs:
            return {"call": name, "args": [_pack(a) for a in value._args]}
        return {"frozen": str(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, dict):
        return {"text": {str(k): str(v) for k, v in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"frozen": str(value)}


def _unpack(value, *, argument: bool = False):
    """A packed value as text in the current language (`argument`: a date stays a date,
    for the function it is given to)."""
    from ..checklists.definition import localize

    if not isinstance(value, dict):
        return value
    if "call" in value:
        return _CALLS[value["call"]](*[_unpack(a, argument=True) for a in value["args"]])
    if argument and "date" in value:
        return date.fromisoformat(value["date"])
    if argument and "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "date" in value:
        from ...i18n import format_day

        return format_day(date.fromisoformat(value["date"]))
    if "datetime" in value:
        from ...i18n import format_day

        return format_day(datetime.fromisoformat(value["datetime"]))
    if "text" in value:
        from flask_babel import get_locale

        return localize(value["text"], str(get_locale() or "vi"))
    return value.get("frozen", "")


def _render_packed(message: dict, part: str) -> str | None:
    packed = message.get(part)
    if packed is None:
        return None
    text = str(_unpack(packed))
    values = {k: str(_unpack(v)) for k, v in (message.get("params") or {}).items()}
    return text % values if values else text


def title_of(notification: Notification) -> str:
    """The notification's title in the current (reader's) language."""
    if notification.message and notification.message.get("title") is not None:
        try:
            return _render_packed(notification.message, "title")
        except (KeyError, TypeError, ValueError):
            pass  # a message the code no longer knows: the stored text still reads
    return notification.title


def body_of(notification: Notification) -> str | None:
    if notification.message and notification.message.get("body") is not None:
        try:
            return _render_packed(notification.message, "body")
        except (KeyError, TypeError, ValueError):
            pass
    return notification.body


def notify(users: Iterable[User | None], kind: str, title, *, params: dict | None = None, body=None,
           link: str | None = None, dedupe_key=None, actor=None) -> list[Notification]:
    """Add a notification for each user; returns the rows created.

    `title` and `body` are lazy messages (lazy_gettext) rendered in each
    user's language with `params`. `dedupe_key(user) -> str` (or a str for a
    single user) makes the notification idempotent: a key already stored is
    skipped. `actor`, whoever did what the notification tells of, is not told
    of their own act; a user listed twice is told once.
    """
    message = {"title": _pack(title), "body": _pack(body) if body is not None else None,
               "params": {k: _pack(v) for k, v in (params or {}).items()}}
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
            message=message,
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
