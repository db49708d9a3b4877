"""Deadline reminders, for `kiemtra actions remind` run daily by cron.

Each reminder is sent once: N days before the deadline (REMINDER_DAYS_BEFORE,
the tightest threshold reached when a run was missed) and once when overdue.
The notification row is inserted first under a unique `dedupe_key` (the
database decides between concurrent or repeated runs), committed, and only
then emailed; `emailed_at` is claimed with a conditional update, so an email
is never sent twice either. The key names the deadline, so an extended
deadline gets its own reminders.

An email is written in its recipient's language (their account's), as plain
text and HTML: which action, which unit, the deadline in their date style,
what to do, and an absolute link built from BASE_URL.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import ActionStatus, Notification, RemediationAction, User
from ..foundation import notifications
from ..foundation.mail import MailSettings, send_mail
from .actions import title_in, title_texts, unit_officers

log = logging.getLogger(__name__)

# Reminded states: the unit still has work to do.
REMINDED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.REOPENED)


@dataclass
class RemindResult:
    notified: int = 0
    emailed: int = 0
    email_failures: list[str] = field(default_factory=list)


def due_reminder(action: RemediationAction, today: date, days_before: list[int]) -> str | None:
    """Which reminder is due for the action today: "overdue", "before:N", or None."""
    left = (action.deadline - today).days
    if left < 0:
        return "overdue"
    reached = [d for d in sorted(days_before) if left <= d]
    return f"before:{reached[0]}" if reached else None


def send_reminders(*, today: date, days_before: list[int], mail: MailSettings, base_url: str = "") -> RemindResult:
    """Notify the unit's officers (and, when overdue, the team lead); email them when mail is on."""
    result = RemindResult()
    actions = db.session.scalars(sa.select(RemediationAction).where(RemediationAction.status.in_(REMINDED))
                                 .order_by(RemediationAction.id)).all()
    for action in actions:
        which = due_reminder(action, today, days_before)
        if which is None:
            continue
        recipients = unit_officers(action.unit_id)
        if which == "overdue":
            team = action.inspection.team
            if team is not None and team.lead is not None:
                recipients.append(team.lead)
            title = _l("Overdue since %(deadline)s: %(title)s")
        else:
            title = _l("Due on %(deadline)s (%(days)s days left): %(title)s")
        params = {"title": title_texts(action), "deadline": action.deadline,
                  "days": (action.deadline - today).days, "action": action.id}
        key = f"remind:{action.id}:{action.deadline.isoformat()}:{which}"
        created = notifications.notify(recipients, f"reminder_{which.split(':')[0]}", title, params=params,
                                       link=f"/actions/{action.id}", dedupe_key=lambda u, k=key: f"{k}:{u.id}")
        db.session.commit()  # the rows are the promise that this reminder exists: keep them first
        result.notified += len(created)
    if mail.enabled:
        _email_pending(mail, base_url, result, today)
    return result


def _email_pending(mail: MailSettings, base_url: str, result: RemindResult, today: date) -> None:
    """Email every reminder not emailed yet (this run's, and earlier runs' failures)."""
    pending = db.session.execute(
        sa.select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind.like("reminder_%"), Notification.emailed_at.is_(None),
               User.email.is_not(None), User.email != "")
        .order_by(Notification.id)
    ).all()
    for notification, user in pending:
        notification_id, email = notification.id, user.email
        subject, text, html = reminder_email(notification, user, base_url, today)
        if not notifications.claim_email(notification_id):
            db.session.rollback()
            continue  # another run sends it
        db.session.commit()
        try:
            send_mail(mail, email, subject, text, html)
        except Exception as exc:  # noqa: BLE001 — any failure: release the claim for a later run
            log.warning("Reminder email %s to %s failed: %s", notification_id, email, exc)
            notifications.release_email(notification_id)
            db.session.commit()
            result.email_failures.append(email)
            continue
        result.emailed += 1


def reminder_email(notification: Notification, user: User, base_url: str, today: date) -> tuple[str, str, str]:
    """A reminder's (subject, plain text, HTML) in the recipient's language."""
    from flask import current_app

    locale = user.locale if user.locale in current_app.config["LANGUAGES"] else \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    params = (notification.message or {}).get("params") or {}
    action = db.session.get(RemediationAction, params["action"]) if params.get("action") else None
    link = f"{base_url.rstrip('/')}{notification.link or ''}"
    with force_locale(locale):
        subject = notifications.title_of(notification)
        if action is None:  # a reminder written before reminders named their action
            text = f"{subject}\n\n{link}\n"
            return subject, text, render_template("email/reminder.html", subject=subject, link=link, action=None)
        days_left = (action.deadline - today).days
        context = {"subject": subject, "link": link, "action": action, "title": title_in(action, locale),
                   "unit": action.unit.name if action.unit else "", "deadline": action.deadline,
                   "days_left": days_left, "overdue": notification.kind == "reminder_overdue",
                   "for_unit": user.unit_id is not None and user.unit_id == action.unit_id, "name": user.full_name or user.username}
        return (subject, render_template("email/reminder.txt", **context),
                render_template("email/reminder.html", **context))
