"""The unit officer's portal: notices, concluded inspections, and the unit's actions.

Everything here is narrowed to the officer's own unit, and through
inspection_scope() an unannounced inspection stays invisible until check-in.
Only concluded inspections show their results; drafts, reviews and comments
never do.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Inspection, InspectionKind, InspectionStatus, Plan
from ..permissions import authorize, authorized_inspection, inspection_scope
from ..services.review import conclusions
from ..services.remediation import rules as remediation_rules
from ..services.reporting import report_text
from ..services.foundation.settings import local_today
from .actions import visible_actions

bp = Blueprint("portal", __name__, url_prefix="/portal")


def notices(user) -> list[Inspection]:
    """Published notices of the unit's announced inspections still to come or under way."""
    stmt = (sa.select(Inspection).join(Plan, Plan.id == Inspection.plan_id)
            .where(inspection_scope(user), Inspection.unit_id == user.unit_id,
                   Inspection.kind == InspectionKind.ANNOUNCED, Plan.notice_published_at.is_not(None),
                   Inspection.status.in_([InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]))
            .options(selectinload(Inspection.plan))
            .order_by(Inspection.window_start, Inspection.id))
    return list(db.session.scalars(stmt))


def concluded(user) -> list[Inspection]:
    stmt = (sa.select(Inspection)
            .where(inspection_scope(user), Inspection.unit_id == user.unit_id,
                   Inspection.status == InspectionStatus.CONCLUDED)
            .options(selectinload(Inspection.checklist_version))
            .order_by(Inspection.concluded_at.desc(), Inspection.id.desc()))
    return list(db.session.scalars(stmt))


@bp.get("/")
@login_required
def home():
    authorize("portal.view")
    today = local_today()
    actions = visible_actions(current_user, today=today)
    return render_template("portal/home.html", notices=notices(current_user), inspections=concluded(current_user),
                           actions=actions, today=today,
                           open_count=sum(a.status in remediation_rules.ACTIVE for a in actions),
                           overdue_count=sum(a.is_overdue(today) for a in actions))


@bp.get("/actions")
@login_required
def actions():
    authorize("portal.view")
    today = local_today()
    return render_template("portal/actions.html", actions=visible_actions(current_user, today=today), today=today)


def _get(uuid: str, action: str) -> Inspection:
    authorize("portal.view")
    return authorized_inspection(action, uuid=uuid)


@bp.get("/inspections/<uuid>")
@login_required
def inspection(uuid: str):
    insp = _get(uuid, "inspection.view")
    found = report_text.found_texts(insp.definition, insp.answers, {f.item_key for f in insp.findings if f.item_key})
    return render_template("portal/inspection.html", inspection=insp, conclusion=conclusions.get_conclusion(insp),
                           actions=conclusions.actions_of(insp), today=local_today(), found=found)


@bp.get("/notices/<uuid>")
@login_required
def notice(uuid: str):
    insp = _get(uuid, "inspection.view_notice")
    return render_template("portal/notice.html", inspection=insp, plan=insp.plan)
