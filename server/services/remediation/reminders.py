"""Deadline reminders, for `kiemtra actions remind` run daily by cron.

Each reminder is sent once: N days before the deadline (REMINDER_DAYS_BEFORE,
the tightest threshold reached when a run was missed) and once when overdue.
The notification row is inserted first under a unique `dedupe_key` (the
database decides between concurrent or repeated runs), committed, and only
then emailed; `emailed_at` is claimed with a conditional update, so an email
is never sent twice either. The key names the deadline, so an extended
deadline gets its own reminders.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import ActionStatus, Notification, RemediationAction, User
from ..foundation import notifications
from ..foundation.mail import MailSettings, send_mail
from .actions import unit_officers

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
        params = {"title": action.title, "deadline": action.deadline.isoformat(),
                  "days": (action.deadline - today).days}
        key = f"remind:{action.id}:{action.deadline.isoformat()}:{which}"
        created = notifications.notify(recipients, f"reminder_{which.split(':')[0]}", title, params=params,
                                       link=f"/actions/{action.id}", dedupe_key=lambda u, k=key: f"{k}:{u.id}")
        db.session.commit()  # the rows are the promise that this reminder exists: keep them first
        result.notified += len(created)
    if mail.enabled:
        _email_pending(mail, base_url, result)
    return result


def _email_pending(mail: MailSettings, base_url: str, result: RemindResult) -> None:
    """Email every reminder not emailed yet (this run's, and earlier runs' failures)."""
    pending = db.session.execute(
        sa.select(Notification.id, Notification.title, Notification.link, User.email)
        .join(User, User.id == Notification.user_id)
        .where(Notification.kind.like("reminder_%"), Notification.emailed_at.is_(None),
               User.email.is_not(None), User.email != "")
        .order_by(Notification.id)
    ).all()
    for notification_id, title, link, email in pending:
        if not notifications.claim_email(notification_id):
            db.session.rollback()
            continue  # another run sends it
        db.session.commit()
        try:
            send_mail(mail, email, title, f"{title}\n\n{base_url}{link or ''}\n")
        except Exception as exc:  # noqa: BLE001 — any failure: release the claim for a later run
            log.warning("Reminder email %s to %s failed: %s", notification_id, email, exc)
            notifications.release_email(notification_id)
            db.session.commit()
            result.email_failures.append(email)
            continue
        result.emailed += 1
