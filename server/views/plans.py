"""Plans (kế hoạch kiểm tra) and notices: list, create (with a random draw), publish, print."""
from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import user_error
from ..extensions import db
from ..models import Checklist, Inspection, InspectionKind, Team, Unit
from ..permissions import authorize, authorized_inspection, can
from ..services.fieldwork import draws
from ..services.reporting import minutes
from ..services.fieldwork import plans as plan_service

bp = Blueprint("plans", __name__)

DRAW_METHODS = ("none",) + draws.METHODS


@bp.get("/plans")
@login_required
def index():
    authorize("plan.view")
    plans = plan_service.list_plans()
    embargoed = plan_service.embargoed_plan_ids([p.id for p in plans])
    plan_service.log_embargoed_views(current_user, plans, where="plans.index")
    db.session.commit()
    return render_template("plans/index.html", plans=plans, embargoed=embargoed)


def _form_choices() -> dict:
    return {
        "checklists": list(db.session.scalars(sa.select(Checklist).order_by(Checklist.key))),
        "teams": list(db.session.scalars(sa.select(Team).order_by(Team.name))),
        "unit_kinds": list(db.session.scalars(sa.select(Unit.kind).distinct().order_by(Unit.kind))),
        "methods": DRAW_METHODS,
    }


def _date(name: str, default: date | None = None) -> date:
    raw = (request.form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise plan_service.PlanError(_("Enter a valid date (YYYY-MM-DD) for %(field)s.", field=name)) from None


def _int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise plan_service.PlanError(_("Enter a whole number for %(field)s.", field=name)) from None


def _create_from_form():
    f = request.form
    checklist = db.session.get(Checklist, _int("checklist_id") or 0)
    if checklist is None:
        raise plan_service.PlanError(_("Choose a checklist."))
    team_id = _int("team_id")
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and team is None:
        raise plan_service.PlanError(_("Choose a team."))
    period_start, period_end = _date("period_start"), _date("period_end")
    schedule = plan_service.Schedule(_date("window_start", period_start), _date("window_end", period_end))
    kinds = f.getlist("unit_kinds")
    method = f.get("method", "none")
    if method not in DRAW_METHODS:
        raise plan_service.PlanError(_("Unknown draw method."))
    selection = None
    if method == "none":
        candidates = plan_service.candidate_units(kinds or None)
        codes = [c for c in re.split(r"[\s,;]+", f.get("unit_codes", "")) if c]
        by_code = {u.code: u for u in candidates}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise plan_service.PlanError(_("Unknown unit codes: %(codes)s", codes=", ".join(unknown[:10])))
        units = [by_code[c] for c in dict.fromkeys(codes)]
    else:
        candidates = plan_service.draw_candidates(checklist, kinds or None)
        selection, units = plan_service.draw_units(method, candidates, _int("n") or 0, _int("seed"))
    return plan_service.create_plan(
        current_user, title=f.get("title", ""), kind=f.get("kind", ""), period_start=period_start,
        period_end=period_end, checklist=checklist, team=team, units=units, schedule=schedule,
        purpose=f.get("purpose"), selection=selection)


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def new():
    authorize("plan.manage")
    error, status = None, 200
    if request.method == "POST":
        try:
            plan = _create_from_form()
        except plan_service.PlanError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            flash(_("Plan created with %(n)d inspections.", n=len(plan.inspections)), "ok")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/new.html", error=error, form=request.form, **_form_choices()), status


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int):
    authorize("plan.view")
    plan = plan_service.get_plan(plan_id) or abort(404)
    plan_service.log_embargoed_views(current_user, [plan], where="plans.show")
    db.session.commit()
    replays = draws.verify(plan.selection) if plan.selection else None
    return render_template("plans/show.html", plan=plan, inspections=plan_service.plan_inspections(plan),
                           replays=replays, embargoed=bool(plan_service.embargoed_plan_ids([plan.id])))


@bp.post("/plans/<int:plan_id>/notice")
@login_required
def publish_notice(plan_id: int):
    authorize("plan.manage")
    plan = plan_service.get_plan(plan_id) or abort(404)
    try:
        plan_service.publish_notice(current_user, plan, notice_date=_date("notice_date"),
                                    place=request.form.get("notice_place", ""),
                                    requested_documents=request.form.get("requested_documents", ""))
    except plan_service.PlanError as exc:
        db.session.rollback()
        raise user_error(exc.status, exc.message) from exc
    db.session.commit()
    flash(_("The notice is published."), "ok")
    return redirect(url_for("plans.show", plan_id=plan.id))


def _notice_inspection(inspection_id: int) -> Inspection:
    inspection = authorized_inspection("inspection.view_notice", id=inspection_id)
    if inspection.kind != InspectionKind.ANNOUNCED or inspection.plan is None:
        abort(404)
    if inspection.plan.notice_published_at is None and not can(current_user, "plan.manage"):
        abort(404)
    return inspection


@bp.get("/inspections/<int:inspection_id>/notice")
@login_required
def notice(inspection_id: int):
    inspection = _notice_inspection(inspection_id)
    return render_template("pdf/notice.html", **minutes.notice_context(inspection), for_pdf=False)


@bp.get("/inspections/<int:inspection_id>/notice.pdf")
@login_required
def notice_pdf(inspection_id: int):
    inspection = _notice_inspection(inspection_id)
    html = render_template("pdf/notice.html", **minutes.notice_context(inspection), for_pdf=True)
    return minutes.pdf_response(html, f"thong-bao-{inspection.id}.pdf")
