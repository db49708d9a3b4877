"""Remediation actions: THE state machine, and every change to an action.

The moves and who may make them are one pure table, `TRANSITIONS`, in
rules.py, which server/permissions.py also reads. Every change is an
ActionEvent (who, when, from, to, note, evidence) — the action's timeline —
and an audit entry.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ...extensions import db
from ...permissions import action_scope
from ...models import ActionEvent, ExtensionRequest, RemediationAction, Role, User
from ...models.types import utcnow
from ..foundation import audit, notifications
from .rules import ACTIVE, TRANSITIONS, UNIT, S, sides

class RemediationError(Exception):
    """A refused change: `status` is the HTTP status, `message` the user's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# ── changes ──────────────────────────────────────────────────────────────────

def _event(action: RemediationAction, actor, kind: str, *, note: str | None = None, to: str | None = None,
           data: dict | None = None) -> ActionEvent:
    event = ActionEvent(action=action, kind=kind, from_status=action.status if to else None, to_status=to,
                        note=note, data=data, actor_id=getattr(actor, "id", None))
    db.session.add(event)
    db.session.flush()
    return event


def _attach(event: ActionEvent, files, attach) -> int:
    if not files:
        return 0
    if attach is None:
        raise RemediationError(422, _("Files cannot be attached here."))
    return len(attach(event, files))


def move(action: RemediationAction, actor, to: str, *, note: str | None = None, files=(),
         attach=None) -> ActionEvent:
    """Move `action` to status `to`, as `actor`, with an optional note and files.

    `attach(event, files)` stores the uploaded files as evidence of the event
    (the caller binds storage; see services/evidence/files.py). Raises
    RemediationError: 409 for a move the state machine does not have, 403 when
    the actor may not make it, 422 when a required note or file is missing.
    """
    from ...permissions import can

    note = (note or "").strip() or None
    rule = TRANSITIONS.get((action.status, to))
    if rule is None:
        raise RemediationError(409, _("This action cannot go from “%(from)s” to “%(to)s”.",
                                      **{"from": status_label(action.status), "to": status_label(to)}))
    if not can(actor, f"action.move.{to}", action):
        raise RemediationError(403, _("You may not make this change to the action."))
    if rule.needs_note and note is None:
        raise RemediationError(422, _("Write a note: this change needs a reason or a description."))
    if rule.needs_evidence and not files:
        raise RemediationError(422, _("Attach at least one photo or document as evidence."))
    before = action.status
    event = _event(action, actor, "transition", note=note, to=to)
    _attach(event, files, attach)
    action.status = to
    if to == S.CLOSED:
        action.closed_at = event.created_at or utcnow()
    elif before == S.CLOSED:
        action.closed_at = None
    db.session.flush()
    audit.record(actor, f"action.{to}", action, **{"from": before, "to": to, "event": event.id})
    _notify_move(action, actor, before, to, note)
    return event


def add_note(action: RemediationAction, actor, note: str, *, files=(), attach=None) -> ActionEvent:
    """A progress note (with photos or documents) that does not change the state."""
    from ...permissions import can

    note = (note or "").strip()
    if not note and not files:
        raise RemediationError(422, _("Write a note or attach a file."))
    if not can(actor, "action.note", action):
        raise RemediationError(403, _("You may not add notes to this action now."))
    event = _event(action, actor, "note", note=note or None)
    _attach(event, files, attach)
    audit.record(actor, "action.note", action, event=event.id)
    return event


def request_extension(action: RemediationAction, actor, *, reason: str, new_deadline: date | None,
                      today: date) -> ExtensionRequest:
    """The unit asks for a later deadline, with a reason."""
    from ...permissions import can

    reason = (reason or "").strip()
    if not can(actor, "action.request_extension", action):
        raise RemediationError(403, _("You may not ask for an extension of this action now."))
    if not reason:
        raise RemediationError(422, _("Give the reason for the extension."))
    if new_deadline is None:
        raise RemediationError(422, _("Give the new deadline you ask for."))
    if new_deadline <= action.deadline or new_deadline <= today:
        raise RemediationError(422, _("The new deadline must be later than the current one (%(date)s) and than today.",
                                      date=format_date(action.deadline, "short")))
    if pending_extension(action) is not None:
        raise RemediationError(409, _("An extension request is already waiting for a decision."))
    request = ExtensionRequest(action_id=action.id, requested_by_id=actor.id, reason=reason,
                               new_deadline=new_deadline)
    db.session.add(request)
    db.session.flush()
    _event(action, actor, "extension_requested", note=reason,
           data={"request_id": request.id, "new_deadline": new_deadline.isoformat(),
                 "old_deadline": action.deadline.isoformat()})
    audit.record(actor, "action.extension_request", action, request=request.id, new_deadline=new_deadline.isoformat())
    lead = action.inspection.team.lead if action.inspection.team else None
    notifications.notify(
        [lead] if lead else [], "extension_requested", _l("Extension requested: %(title)s"),
        params={"title": title_texts(action)}, link=f"/actions/{action.id}", actor=actor,
    )
    return request


def decide_extension(request: ExtensionRequest, actor, *, approve: bool, note: str | None = None) -> ExtensionRequest:
    """The lead approves (the deadline moves) or refuses an extension request."""
    from ...permissions import can

    action = db.session.get(RemediationAction, request.action_id)
    note = (note or "").strip() or None
    if not can(actor, "action.decide_extension", action):
        raise RemediationError(403, _("Only a lead decides on extensions."))
    if request.status != "pending":
        raise RemediationError(409, _("This extension request was already decided."))
    if not approve and note is None:
        raise RemediationError(422, _("Give the reason for refusing the extension."))
    request.status = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note
    data = {"request_id": request.id, "old_deadline": action.deadline.isoformat(),
            "new_deadline": request.new_deadline.isoformat()}
    if approve:
        action.deadline = request.new_deadline
    _event(action, actor, "extension_approved" if approve else "extension_refused", note=note, data=data)
    audit.record(actor, f"action.extension_{request.status}", action, request=request.id, **data)
    requester = db.session.get(User, request.requested_by_id)
    notifications.notify(
        [requester] if requester else [],
        "extension_decided",
        _l("Extension approved: %(title)s") if approve else _l("Extension refused: %(title)s"),
        params={"title": title_texts(action)}, link=f"/actions/{action.id}", actor=actor,
    )
    return request


def pending_extension(action: RemediationAction) -> ExtensionRequest | None:
    return db.session.scalar(sa.select(ExtensionRequest).where(
        ExtensionRequest.action_id == action.id, ExtensionRequest.status == "pending"))


def _notify_move(action: RemediationAction, actor, before: str, to: str, note: str | None) -> None:
    if to == S.AWAITING_VERIFICATION:
        team = action.inspection.team
        recipients = [team.lead] if team and team.lead else []
        title = _l("To verify: %(title)s")
    elif to in (S.CLOSED, S.IN_PROGRESS, S.CANCELLED, S.CANNOT_DO, S.REOPENED) and UNIT not in sides(actor, action):
        recipients = unit_officers(action.unit_id)
        title = _l("Action %(status)s: %(title)s")
    else:
        return
    notifications.notify(recipients, f"action_{to}", title,
                         params={"title": title_texts(action), "status": STATUS_LABELS[to]}, link=f"/actions/{action.id}",
                         actor=actor)


def visible_actions(user, *, status: str | None = None, only_overdue: bool = False, today: date,
                    unit_id: int | None = None) -> list[RemediationAction]:
    """Actions `user` may see, overdue first, then by deadline."""
    from .deadlines import overdue

    is_overdue = overdue(today)
    stmt = (sa.select(RemediationAction).where(action_scope(user))
            .options(selectinload(RemediationAction.unit), selectinload(RemediationAction.inspection))
            .order_by(sa.case((is_overdue, 0), else_=1),
                      sa.case((RemediationAction.status.in_(ACTIVE), 0), else_=1),
                      RemediationAction.deadline, RemediationAction.id))
    if status:
        stmt = stmt.where(RemediationAction.status == status)
    if only_overdue:
        stmt = stmt.where(is_overdue)
    if unit_id is not None:
        stmt = stmt.where(RemediationAction.unit_id == unit_id)
    return list(db.session.scalars(stmt.limit(500)))


def unit_officers(unit_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(
        User.role == Role.UNIT_OFFICER, User.unit_id == unit_id, User.active.is_(True)).order_by(User.id)))


def title_in(action: RemediationAction, locale: str | None = None) -> str:
    """The action's title in `locale` (default: the reader's language).

    An action made from failed checklist items is titled by the items' texts,
    which the checklist has in several languages: the title is rebuilt from the
    finding snapshot, as the conclusion built it (item text, then the first
    finding's description; grouped sources joined by "; "). A title the
    snapshot does not rebuild in any language (what an inspector wrote alone,
    or a title set otherwise) is shown as stored."""
    from flask import current_app
    from flask_babel import get_locale

    snapshot = action.finding_snapshot or []
    if not any(isinstance(e, dict) and e.get("item_text") for e in snapshot):
        return action.title
    if all(_rebuilt_title(snapshot, lang) != action.title for lang in current_app.config["LANGUAGES"]):
        return action.title
    return _rebuilt_title(snapshot, locale or str(get_locale() or "vi")) or action.title


def _rebuilt_title(snapshot: list, locale: str) -> str:
    from ..checklists.definition import localize

    failed_items = {e.get("item_key") for e in snapshot if isinstance(e, dict) and e.get("item_text")}
    parts: list[str] = []
    current: str | None = None
    described = False
    for entry in snapshot:
        if not isinstance(entry, dict):
            continue
        if entry.get("item_text"):
            if current is not None:
                parts.append(current[:500])
            current, described = localize(entry["item_text"], locale), False
        elif entry.get("item_key") in failed_items and current is not None:
            if not described and entry.get("description"):
                current, described = f"{current}: {entry['description']}", True
        else:
            if current is not None:
                parts.append(current[:500])
                current = None
            parts.append(str(entry.get("description") or "")[:500])
    if current is not None:
        parts.append(current[:500])
    return "; ".join(p for p in parts if p)[:2000]


def title_texts(action: RemediationAction) -> dict[str, str]:
    """The action's title in every language of the interface, for a message rendered later."""
    from flask import current_app

    return {lang: title_in(action, lang) for lang in current_app.config["LANGUAGES"]}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


STATUS_LABELS = {
    S.OPEN: lazy_pgettext("action status", "Open"),
    S.IN_PROGRESS: _l("In progress"),
    S.AWAITING_VERIFICATION: _l("Awaiting verification"),
    S.CLOSED: _l("Closed"),
    S.CANNOT_DO: _l("Cannot be done"),
    S.CANCELLED: _l("Cancelled"),
    S.REOPENED: _l("Reopened"),
}
