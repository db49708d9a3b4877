"""Remediation action pages, shared by leads, inspectors and unit officers.

One page per action: its finding snapshot, deadline, the timeline of every
event, and the forms for the moves the signed-in user may make (decided by
services/remediation/actions.py through permissions.can).
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import upload_forms
from ..extensions import db
from ..forms.actions import ExtensionDecisionForm, ExtensionRequestForm
from ..models import ActionStatus, ExtensionRequest, RemediationAction, Role
from ..permissions import authorize, can
from ..services.foundation.settings import local_today
from ..services.evidence import files as evidence_service
from ..services.remediation import actions as remediation, rules as remediation_rules
from ..services.remediation.actions import visible_actions
from ..services.reporting import report_text

bp = Blueprint("actions", __name__, url_prefix="/actions")



def get_action(action_id: int) -> RemediationAction:
    # Locked for a change: two people moving one action at once, the second
    # waits and is then judged on the first one's outcome.
    action = db.session.get(RemediationAction, action_id, with_for_update=request.method == "POST")
    if action is None:
        abort(404)
    authorize("action.view", action)
    return action


def uploaded_files() -> list[tuple[str, bytes]]:
    """The files of a multipart form's `files` field, skipping empty inputs."""
    return [(f.filename or "", f.read()) for f in request.files.getlist("files") if f and f.filename]


def attacher():
    """A function storing uploaded files as evidence of an action event (the one Storage)."""
    config = current_app.config
    storage = current_app.extensions["kiemtra.storage"]
    settings = evidence_service.settings_from_config(config)

    def attach(event, files):
        return [evidence_service.store_action_evidence(
            storage, settings, uuid=str(uuidlib.uuid4()), data=data, event=event, original_name=name,
            uploader=current_user, max_bytes=config["MAX_CONTENT_LENGTH"]) for name, data in files]

    return attach


@bp.get("/")
@login_required
def index():
    if current_user.role == Role.UNIT_OFFICER:
        return redirect(url_for("portal.actions"))
    authorize("action.list")
    status = request.args.get("status") or None
    if status not in (None, *ActionStatus):
        status = None
    today = local_today()
    items = visible_actions(current_user, status=status, only_overdue=request.args.get("overdue") == "1",
                            today=today)
    return render_template("review/actions.html", actions=items, today=today, status=status,
                           statuses=list(ActionStatus), labels_action=remediation.STATUS_LABELS)


def render_action(action: RemediationAction, *, error: str | None = None, code: int = 200, typed: dict | None = None,
                  extension_form: ExtensionRequestForm | None = None,
                  decision_form: ExtensionDecisionForm | None = None):
    """The action's page; `typed` ({"form": "move" or "note", "to", "note"}) is what a
    refused form had in it, shown again in that form; `extension_form`, a refused
    extension request or decision with its messages."""
    today = local_today()
    extension_form = extension_form or ExtensionRequestForm(formdata=None)
    return render_template(
        "review/action.html", action=action, today=today, error=error, typed=typed or {},
        extension_form=extension_form, decision_form=decision_form or ExtensionDecisionForm(formdata=None),
        upload_limit={"bytes": upload_forms.limit_bytes(), "megabytes": upload_forms.limit_megabytes()},
        moves=remediation_rules.allowed_moves(current_user, action),
        pending=remediation.pending_extension(action),
        requests=list(db.session.scalars(sa.select(ExtensionRequest).where(
            ExtensionRequest.action_id == action.id).order_by(ExtensionRequest.id.desc()))),
        labels_action=remediation.STATUS_LABELS,
        can_note=can(current_user, "action.note", action),
        can_extend=can(current_user, "action.request_extension", action)
        and remediation.pending_extension(action) is None,
        can_decide=can(current_user, "action.decide_extension", action),
        measured=report_text.measured_texts(action.inspection.checklist_version.definition, action.finding_snapshot),
    ), code


@bp.get("/<int:action_id>")
@login_required
def show(action_id: int):
    return render_action(get_action(action_id))


def _refused(action_id: int, exc, typed: dict | None = None) -> tuple:
    db.session.rollback()
    action = get_action(action_id)
    return render_action(action, error=exc.message, code=exc.status, typed=typed)


def _too_large(action: RemediationAction, typed: dict) -> tuple:
    return render_action(action, error=upload_forms.too_large_message(), code=413, typed=typed)


@bp.post("/<int:action_id>/move")
@login_required
def move(action_id: int):
    action = get_action(action_id)
    form, too_large = upload_forms.read_form()
    to = form.get("to", "")
    typed = {"form": "move", "to": to, "note": form.get("note", "")}
    if too_large:
        return _too_large(action, typed)
    if to not in set(ActionStatus):
        abort(400)
    try:
        remediation.move(action, current_user, to, note=form.get("note"), files=uploaded_files(),
                         attach=attacher())
    except (remediation.RemediationError, evidence_service.EvidenceError) as exc:
        return _refused(action_id, exc, typed)
    db.session.commit()
    flash(_("Saved: the action is now “%(status)s”.", status=remediation.status_label(to)), "info")
    return redirect(url_for("actions.show", action_id=action_id))


@bp.post("/<int:action_id>/note")
@login_required
def note(action_id: int):
    action = get_action(action_id)
    form, too_large = upload_forms.read_form()
    typed = {"form": "note", "note": form.get("note", "")}
    if too_large:
        return _too_large(action, typed)
    try:
        remediation.add_note(action, current_user, form.get("note", ""), files=uploaded_files(),
                             attach=attacher())
    except (remediation.RemediationError, evidence_service.EvidenceError) as exc:
        return _refused(action_id, exc, typed)
    db.session.commit()
    flash(_("Your update was added."), "info")
    return redirect(url_for("actions.show", action_id=action_id))


@bp.post("/<int:action_id>/extension")
@login_required
def request_extension(action_id: int):
    action = get_action(action_id)
    form = ExtensionRequestForm()
    # Whoever may not ask is told so by the service, whatever they typed.
    if not form.validate() and can(current_user, "action.request_extension", action):
        return render_action(action, code=422, extension_form=form)
    try:
        remediation.request_extension(action, current_user, reason=form.reason.data or "",
                                      new_deadline=form.new_deadline.data, today=local_today())
    except remediation.RemediationError as exc:
        db.session.rollback()
        return render_action(get_action(action_id), error=exc.message, code=exc.status, extension_form=form)
    db.session.commit()
    flash(_("Your extension request was sent."), "info")
    return redirect(url_for("actions.show", action_id=action_id))


@bp.post("/<int:action_id>/extensions/<int:request_id>")
@login_required
def decide_extension(action_id: int, request_id: int):
    action = get_action(action_id)
    ext = db.session.get(ExtensionRequest, request_id)
    if ext is None or ext.action_id != action.id:
        abort(404)
    form = ExtensionDecisionForm()
    if not form.validate():
        if form.decision.errors:
            abort(400)  # only the page's two buttons send a decision
        return render_action(action, code=422, decision_form=form)
    decision = form.decision.data
    try:
        remediation.decide_extension(ext, current_user, approve=decision == "approve", note=form.note.data)
    except remediation.RemediationError as exc:
        db.session.rollback()
        return render_action(get_action(action_id), error=exc.message, code=exc.status, decision_form=form)
    db.session.commit()
    flash(_("The extension was approved.") if decision == "approve" else _("The extension was refused."), "info")
    return redirect(url_for("actions.show", action_id=action_id))


@bp.app_context_processor
def _action_labels():
    from flask_babel import lazy_gettext as _l

    return {"action_labels": {
        "status": remediation.STATUS_LABELS,
        "priority": {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High")},
        "severity": {"minor": _l("Minor"), "major": _l("Major"), "critical": _l("Critical")},
        "event": {"created": _l("Created"), "transition": _l("Status changed"), "note": _l("Update"),
                  "extension_requested": _l("Extension requested"), "extension_approved": _l("Extension approved"),
                  "extension_refused": _l("Extension refused"), "moved_to_successor": _l("Moved to the successor unit")},
        "outcome": {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("Not applicable"),
                    "unanswered": _l("Not answered"), "unscored": _l("Not scored"), "hidden": _l("Hidden")},
    }}


@bp.app_template_filter("isodate")
def _isodate(text: str | None, style: str = "short") -> str:
    """A stored ISO date string (e.g. in an event's data) formatted for the reader."""
    from flask_babel import format_date

    try:
        return format_date(date.fromisoformat(text), style) if text else ""
    except (TypeError, ValueError):
        return text or ""


@bp.app_template_global("action_title")
def _action_title(action) -> str:
    """An action's title in the reader's language (its items' texts from the checklist)."""
    return remediation.title_in(action)
