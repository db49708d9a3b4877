"""Plans (kế hoạch kiểm tra) and notices: list, create (with a random draw), change, publish, print."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..errors import user_error
from ..extensions import db
from ..forms.plans import (LEGAL_BASIS, CancelInspectionForm, DeletePlanForm, EditPlanForm, NewPlanForm, NoticeForm,
                           ScheduleForm, legal_basis, typed)
from ..models import Checklist, ChecklistStatus, Inspection, InspectionKind, Team, Unit
from ..permissions import authorize, authorized_inspection, can
from ..services.checklists.unit_kinds import kind_label, kind_labels
from ..services.directory import search
from ..services.fieldwork import draws
from ..services.fieldwork import plans as plan_service
from ..models.types import utcnow
from ..services.reporting import minutes, numbers
from ..services.foundation.settings import local_today

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
        # A retired checklist is kept for its inspections, not offered for new plans.
        "checklists": list(db.session.scalars(sa.select(Checklist).where(Checklist.status != ChecklistStatus.RETIRED)
                                              .order_by(Checklist.key))),
        "teams": list(db.session.scalars(sa.select(Team).order_by(Team.name))),
        "unit_kinds": list(db.session.scalars(sa.select(Unit.kind).distinct().order_by(Unit.kind))),
        "provinces": search.provinces(local_today()),
        "methods": DRAW_METHODS,
    }


def _chosen_units(raw_ids: list[str]) -> list[Unit]:
    """The units picked with the search box (form field `unit_ids`), in the order picked;
    an id that names no unit is left out here and refused by _picked_units."""
    ids = [int(v) for v in raw_ids if v.strip().isdigit()]
    found = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _picked_units(form) -> list[Unit]:
    """The units picked with the search box, each one that can be planned today."""
    raw = [v.strip() for v in form.unit_ids.data or [] if v.strip()]
    units = _chosen_units(raw)
    today = local_today()
    if len(units) != len(dict.fromkeys(raw)) or any(not u.is_valid_on(today) for u in units):
        raise plan_service.PlanError(_("A chosen unit no longer exists; search for it again."))
    return units


@bp.get("/plans/units.json")
@login_required
def unit_search():
    """The units matching a search box: name (accents and case ignored) or code, by province and kind."""
    authorize("plan.manage")
    province = request.args.get("province_id", "").strip()
    if province and not province.isdigit():
        raise user_error(400, _("Enter a whole number for %(field)s.", field=_("Province")))
    labels = kind_labels()
    units = search.search_units(request.args.get("q", ""), valid_on=local_today(), limit=20,
                                kinds=[k for k in request.args.getlist("kind") if k] or None,
                                province_id=int(province) if province else None)
    rows = []
    for unit in units:
        province_unit = search.province_of(unit)
        rows.append({"id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
                     "kind_label": kind_label(unit.kind, labels),
                     "province": province_unit.name if province_unit is not None and province_unit is not unit else None})
    return jsonify(rows)


# The fields each page marks with its message (the rest are said above the form).
_MARKED_NEW = {"title", "kind", "period_start", "period_end", "window_start", "window_end", "checklist_id", "team_id",
               "purpose", "method", "n", "seed", *LEGAL_BASIS}
_MARKED_EDIT = {"title", "purpose", "period_start", "period_end", "team_id", *LEGAL_BASIS}
_MARKED_NOTICE = {"notice_date", "notice_time", "notice_place", "requested_documents", "self_report"}
_MARKED_SCHEDULE = {"window_start", "window_end", "team_id"}


def _refused(form, marked: set[str]) -> plan_service.PlanError:
    """A form's refusal: a line above it, each message beside its field, and above it those without one."""
    said = [_("Please correct the fields marked below.")] if marked & set(form.errors) else []
    said += [m for name, errors in form.errors.items() if name not in marked for m in errors]
    return plan_service.PlanError(" ".join(said))


def _team(form) -> Team | None:
    team_id = form.team_id.data
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and team is None:
        raise plan_service.PlanError(_("Choose a team."))
    return team


def _create_from_form(f: NewPlanForm):
    checklist = db.session.get(Checklist, f.checklist_id.data or 0)
    if checklist is None:
        raise plan_service.PlanError(_("Choose a checklist."))
    team = _team(f)
    period_start, period_end = f.period_start.data, f.period_end.data
    schedule = plan_service.Schedule(f.window_start.data or period_start, f.window_end.data or period_end)
    kinds = f.unit_kinds.data
    method = f.method.data or "none"
    selection = None
    if method == "none":
        candidates = plan_service.candidate_units(kinds or None)
        # Typed codes: the form without its script, and scripts that post plans.
        codes = [c for c in re.split(r"[\s,;]+", f.unit_codes.data or "") if c]
        by_code = {u.code: u for u in candidates}
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise plan_service.PlanError(_("Unknown unit codes: %(codes)s", codes=", ".join(unknown[:10])))
        units = list(dict.fromkeys(_picked_units(f) + [by_code[c] for c in codes]))
    else:
        candidates = plan_service.draw_candidates(checklist, kinds or None)
        selection, units = plan_service.draw_units(method, candidates, f.n.data or 0, f.seed.data)
    plan = plan_service.create_plan(
        current_user, title=f.title.data or "", kind=f.kind.data or "", period_start=period_start,
        period_end=period_end, checklist=checklist, team=team, units=units, schedule=schedule,
        purpose=f.purpose.data, selection=selection)
    plan_service.set_legal_basis(current_user, plan, **legal_basis(f))
    return plan


@bp.route("/plans/new", methods=["GET", "POST"])
@login_required
def new():
    authorize("plan.manage")
    error, status = None, 200
    form = NewPlanForm()
    if request.method == "POST":
        try:
            if not form.validate():
                raise _refused(form, _MARKED_NEW)
            plan = _create_from_form(form)
        except plan_service.PlanError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            flash(_("Plan created with %(n)d inspections.", n=len(plan.inspections)), "ok")
            return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template("plans/new.html", error=error, form=typed(form), errors=form.errors,
                           chosen_units=_chosen_units(form.unit_ids.data or []), **_form_choices()), status


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int):
    authorize("plan.view")
    plan = plan_service.get_plan(plan_id) or abort(404)
    return _render_show(plan)


def _notice_form(plan) -> dict:
    return {"notice_date": (plan.notice_date or plan.period_start).isoformat(),
            "notice_time": plan.notice_time.strftime("%H:%M") if plan.notice_time else "",
            "notice_place": plan.notice_place or "", "requested_documents": plan.requested_documents or "",
            "self_report": plan.self_report or ""}


def _render_show(plan, notice=None, notice_error=None, notice_errors=None, status=200):
    plan_service.log_embargoed_views(current_user, [plan], where="plans.show")
    db.session.commit()
    replays = draws.verify(plan.selection) if plan.selection else None
    inspections = plan_service.plan_inspections(plan)
    return render_template("plans/show.html", plan=plan, inspections=inspections, replays=replays,
                           embargoed=bool(plan_service.embargoed_plan_ids([plan.id])),
                           may_edit=can(current_user, "plan.edit", plan), started=plan_service.has_started,
                           history=plan_service.plan_history(plan, [i.id for i in inspections]),
                           units_by_id={str(i.id): i.unit_name_snapshot for i in inspections},
                           field_labels={"title": _("title"), "purpose": _("purpose"), "period_start": _("start of the period"),
                                         "period_end": _("end of the period"), "team": _("team"),
                                         "units_added": _("units added")},
                           teams_by_id={t.id: t.name for t in db.session.scalars(sa.select(Team))},
                           notice=notice or _notice_form(plan), notice_error=notice_error,
                           errors=notice_errors or {}), status


def _editable_plan(plan_id: int):
    """The plan, if the current user may change it: 403 for those who may not manage plans
    (before looking, so an existing and a missing plan answer alike), 404, then 403."""
    authorize("plan.manage")
    plan = plan_service.get_plan(plan_id) or abort(404)
    authorize("plan.edit", plan)
    return plan


def _plan_form(plan) -> dict:
    return {"title": plan.title, "purpose": plan.purpose or "", "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(), "team_id": str(plan.team_id or ""),
            **{name: (getattr(plan, name).isoformat() if hasattr(getattr(plan, name), "isoformat")
                      else getattr(plan, name) or "") for name in LEGAL_BASIS}}


def _render_edit(plan, form, error=None, status=200, delete_error=None, errors=None):
    plan_service.log_embargoed_views(current_user, [plan], where="plans.edit")
    choices = _form_choices()
    return render_template("plans/edit.html", plan=plan, form=form, error=error, delete_error=delete_error,
                           errors=errors or {},
                           chosen_units=_chosen_units(form.getlist("unit_ids")) if hasattr(form, "getlist") else [],
                           teams=choices["teams"], unit_kinds=choices["unit_kinds"],
                           provinces=choices["provinces"], may_add=plan.selection is None), status


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int):
    plan = _editable_plan(plan_id)
    if request.method == "GET":
        response = _render_edit(plan, _plan_form(plan))
        db.session.commit()  # the embargo log
        return response
    f = EditPlanForm()
    try:
        if not f.validate():
            raise _refused(f, _MARKED_EDIT)
        result = plan_service.update_plan(
            current_user, plan, title=f.title.data or "", purpose=f.purpose.data,
            period_start=f.period_start.data, period_end=f.period_end.data, team=_team(f),
            add_units=_picked_units(f))
        plan_service.set_legal_basis(current_user, plan, **legal_basis(f))
    except plan_service.PlanError as exc:
        db.session.rollback()
        plan = plan_service.get_plan(plan_id) or abort(404)
        response = _render_edit(plan, typed(f), error=exc.message, status=exc.status, errors=f.errors)
        db.session.commit()
        return response
    db.session.commit()
    flash(_("The plan is saved."), "ok")
    if result["added"]:
        flash(ngettext("%(num)d unit added.", "%(num)d units added.", len(result["added"])), "ok")
    if result["kept"]:
        flash(_("Already started, so they stay with their team: %(units)s",
                units=", ".join(i.unit_name_snapshot for i in result["kept"])), "ok")
    return redirect(url_for("plans.show", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/delete")
@login_required
def delete(plan_id: int):
    plan = _editable_plan(plan_id)
    try:
        form = DeletePlanForm()
        if not form.validate():
            raise _refused(form, set())
        title = plan.title
        plan_service.delete_plan(current_user, plan)
    except plan_service.PlanError as exc:
        db.session.rollback()
        plan = plan_service.get_plan(plan_id) or abort(404)
        response = _render_edit(plan, _plan_form(plan), delete_error=exc.message, status=exc.status)
        db.session.commit()
        return response
    db.session.commit()
    flash(_("The plan %(title)s is deleted.", title=title), "ok")
    return redirect(url_for("plans.index"))


def _plan_inspection(inspection_id: int) -> Inspection:
    """An inspection of a plan the current user may change (answers as _editable_plan does)."""
    authorize("plan.manage")
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.plan is None:
        abort(404)
    authorize("plan.edit", inspection.plan)
    return inspection


def _render_inspection(inspection, form, *, error=None, cancel_error=None, status=200, errors=None):
    plan_service.log_embargoed_views(current_user, [inspection.plan], where="plans.inspection")
    response = render_template(
        "plans/inspection.html", inspection=inspection, plan=inspection.plan, form=form, error=error,
        errors=errors or {},
        cancel_error=cancel_error, started=plan_service.has_started(inspection),
        teams=list(db.session.scalars(sa.select(Team).order_by(Team.name)))), status
    db.session.commit()
    return response


def _inspection_form(inspection) -> dict:
    return {"window_start": inspection.window_start.isoformat() if inspection.window_start else "",
            "window_end": inspection.window_end.isoformat() if inspection.window_end else "",
            "team_id": str(inspection.team_id or ""), "reason": ""}


@bp.route("/inspections/<int:inspection_id>/schedule", methods=["GET", "POST"])
@login_required
def schedule(inspection_id: int):
    """Change an inspection's dates or team (or cancel it, below on the same page)."""
    inspection = _plan_inspection(inspection_id)
    if request.method == "GET":
        return _render_inspection(inspection, _inspection_form(inspection))
    form = ScheduleForm()
    try:
        if not form.validate():
            raise _refused(form, _MARKED_SCHEDULE)
        plan_service.reschedule_inspection(current_user, inspection, window_start=form.window_start.data,
                                           window_end=form.window_end.data, team=_team(form))
    except plan_service.PlanError as exc:
        db.session.rollback()
        return _render_inspection(db.session.get(Inspection, inspection_id), typed(form), error=exc.message,
                                  status=exc.status, errors=form.errors)
    db.session.commit()
    flash(_("The inspection of %(unit)s is rescheduled.", unit=inspection.unit_name_snapshot), "ok")
    return redirect(url_for("plans.show", plan_id=inspection.plan_id))


@bp.post("/inspections/<int:inspection_id>/cancel")
@login_required
def cancel(inspection_id: int):
    inspection = _plan_inspection(inspection_id)
    form = CancelInspectionForm()
    try:
        if not form.validate():
            raise _refused(form, set())
        plan_service.cancel_inspection(current_user, inspection, reason=form.reason.data or "")
    except plan_service.PlanError as exc:
        db.session.rollback()
        inspection = db.session.get(Inspection, inspection_id)
        return _render_inspection(inspection, {**_inspection_form(inspection), "reason": form.reason.data or ""},
                                  cancel_error=exc.message, status=exc.status, errors=form.errors)
    db.session.commit()
    flash(_("The inspection of %(unit)s is cancelled.", unit=inspection.unit_name_snapshot), "ok")
    return redirect(url_for("plans.show", plan_id=inspection.plan_id))


@bp.post("/plans/<int:plan_id>/notice")
@login_required
def publish_notice(plan_id: int):
    authorize("plan.manage")
    plan = plan_service.get_plan(plan_id) or abort(404)
    form = NoticeForm()
    try:
        if not form.validate():
            raise _refused(form, _MARKED_NOTICE)
        plan_service.publish_notice(current_user, plan, notice_date=form.notice_date.data,
                                    place=form.notice_place.data or "",
                                    requested_documents=form.requested_documents.data or "",
                                    notice_time=form.notice_time.data, self_report=form.self_report.data or "",
                                    today=minutes.local_date(utcnow()))
    except plan_service.PlanError as exc:
        db.session.rollback()
        plan = plan_service.get_plan(plan_id) or abort(404)
        return _render_show(plan, notice=typed(form), notice_error=exc.message, notice_errors=form.errors,
                            status=exc.status)
    db.session.commit()
    flash(_("The notice is published."), "ok")
    return redirect(url_for("plans.show", plan_id=plan.id))


def _notice_inspection(inspection_id: int) -> Inspection:
    inspection = authorized_inspection("inspection.view_notice", id=inspection_id)
    if inspection.kind != InspectionKind.ANNOUNCED or inspection.plan is None:
        abort(404)
    if inspection.plan.notice_published_at is None and not can(current_user, "plan.manage"):
        abort(404)
    if inspection.plan.notice_published_at is not None and numbers.find("notice", inspection) is None:
        # A unit added to the plan after the notice went out: its notice is issued now.
        numbers.assign("notice", inspection, minutes.notice_issue_day(inspection))
        db.session.commit()
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
