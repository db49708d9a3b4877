"""Inspection plans (kế hoạch kiểm tra): create with their inspections, publish the notice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Checklist, Inspection, InspectionKind, Plan, Team, Unit
from ...models.types import utcnow
from ..foundation import audit
from . import draws
from ..checklists import unit_kinds
from .inspections import create_planned_inspection


class PlanError(Exception):
    """A plan that cannot be made as asked; `message` is for the user."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Schedule:
    """The window in which the team visits each unit."""

    window_start: date
    window_end: date


def create_plan(
    actor, *, title: str, kind: str, period_start: date, period_end: date, checklist: Checklist,
    team: Team | None, units: list[Unit], schedule: Schedule | dict[int, Schedule] | None = None,
    purpose: str | None = None, selection: dict | None = None,
) -> Plan:
    """Create a plan and one planned inspection per unit (flushed, not committed).

    `schedule` is one window for every unit, or a window per unit id; by
    default the whole period. A `selection` (a draw) must have drawn exactly
    these units.
    """
    title = (title or "").strip()
    if not title:
        raise PlanError(_("The plan needs a title."))
    if kind not in (InspectionKind.ANNOUNCED, InspectionKind.UNANNOUNCED):
        raise PlanError(_("Unknown kind of inspection."))
    if period_end < period_start:
        raise PlanError(_("The period ends before it starts."))
    version = checklist.current if checklist is not None else None
    if version is None:
        raise PlanError(_("The checklist has no published version."))
    if not units:
        raise PlanError(_("Choose at least one unit."))
    if len({u.id for u in units}) != len(units):
        raise PlanError(_("A unit is listed twice."))
    unfit = unit_kinds.unfit_units(version.definition, units)
    if unfit:
        raise PlanError(unit_kinds.unfit_units_message(version.definition, unfit))
    if selection is not None and sorted(selection["drawn"]) != sorted(u.code for u in units):
        raise PlanError(_("The units do not match the draw."))
    windows = _windows(units, schedule, period_start, period_end)

    plan = Plan(title=title, kind=str(kind), period_start=period_start, period_end=period_end,
                checklist_id=checklist.id, team=team, purpose=(purpose or None), selection=selection,
                created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    for unit in units:
        w = windows[unit.id]
        create_planned_inspection(plan, unit, version, window_start=w.window_start,
                                  window_end=w.window_end, actor=actor)
    audit.record(actor, "plan.create", plan, kind=plan.kind, units=[u.code for u in units],
                 selection={k: v for k, v in (selection or {}).items() if k != "inputs"} or None)
    return plan


def _windows(units, schedule, period_start, period_end) -> dict[int, Schedule]:
    if schedule is None:
        schedule = Schedule(period_start, period_end)
    windows = schedule if isinstance(schedule, dict) else {u.id: schedule for u in units}
    for unit in units:
        w = windows.get(unit.id)
        if w is None:
            raise PlanError(_("No window is scheduled for %(unit)s.", unit=unit.name))
        if w.window_end < w.window_start:
            raise PlanError(_("The window ends before it starts."))
        if w.window_start < period_start or w.window_end > period_end:
            raise PlanError(_("The window for %(unit)s is outside the plan's period.", unit=unit.name))
    return windows


def draw_units(method: str, candidates: list[Unit], n: int, seed: int | None = None) -> tuple[dict, list[Unit]]:
    """Draw units at random out of `candidates`: (selection to store, drawn units)."""
    by_code = {u.code: u for u in candidates}
    if len(by_code) != len(candidates):
        raise PlanError(_("Two candidate units share a code; a draw needs unique codes."))
    inputs: dict = {"units": list(by_code), "n": n}
    if method == "stratified":
        inputs["strata"] = draws.stratum_by_kind(candidates)
    elif method == "weighted":
        inputs["weights"] = draws.past_result_weights(candidates)
    try:
        selection = draws.draw(method, inputs, seed)
    except draws.DrawError as exc:
        raise PlanError(_("The draw cannot be made: %(reason)s", reason=str(exc))) from exc
    return selection, [by_code[c] for c in selection["drawn"]]


def publish_notice(actor, plan: Plan, *, notice_date: date, place: str, requested_documents: str) -> Plan:
    """Publish the notice of an announced plan: from now on its units see it."""
    if plan.is_unannounced:
        raise PlanError(_("A surprise inspection has no notice."), 409)
    if not (place or "").strip():
        raise PlanError(_("The notice needs a place."))
    plan.notice_date = notice_date
    plan.notice_place = place.strip()
    plan.requested_documents = (requested_documents or "").strip() or None
    first = plan.notice_published_at is None
    plan.notice_published_at = plan.notice_published_at or utcnow()
    audit.record(actor, "plan.publish_notice" if first else "plan.update_notice", plan,
                 notice_date=notice_date.isoformat(), place=plan.notice_place)
    return plan


def list_plans(limit: int = 200) -> list[Plan]:
    return list(db.session.scalars(
        sa.select(Plan).options(selectinload(Plan.team), selectinload(Plan.checklist))
        .order_by(Plan.period_start.desc(), Plan.id.desc()).limit(limit)))


def get_plan(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


def plan_inspections(plan: Plan) -> list[Inspection]:
    return list(db.session.scalars(
        sa.select(Inspection).where(Inspection.plan_id == plan.id)
        .order_by(Inspection.window_start, Inspection.unit_name_snapshot)))


def embargoed_plan_ids(plan_ids: list[int]) -> set[int]:
    """The plans (of these) that have an unannounced inspection still embargoed."""
    if not plan_ids:
        return set()
    return set(db.session.scalars(
        sa.select(Inspection.plan_id).distinct().where(
            Inspection.plan_id.in_(plan_ids), Inspection.kind == InspectionKind.UNANNOUNCED,
            Inspection.checked_in_at.is_(None))))


def log_embargoed_views(actor, plans: list[Plan], where: str) -> None:
    """Every view of an embargoed plan is logged (BRIEF: unannounced inspections)."""
    for plan_id in sorted(embargoed_plan_ids([p.id for p in plans])):
        plan = next(p for p in plans if p.id == plan_id)
        audit.record(actor, "plan.view_embargoed", plan, where=where)


def candidate_units(kinds: list[str] | None = None, today: date | None = None) -> list[Unit]:
    """Units that can be planned: valid today, optionally of some kinds, by code."""
    today = today or date.today()
    stmt = sa.select(Unit).where(
        sa.or_(Unit.valid_from.is_(None), Unit.valid_from <= today),
        sa.or_(Unit.valid_to.is_(None), Unit.valid_to > today),
    ).order_by(Unit.code)
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    return list(db.session.scalars(stmt))


def draw_candidates(checklist: Checklist, kinds: list[str] | None = None, today: date | None = None) -> list[Unit]:
    """Units a draw for `checklist` picks from: valid today, of the chosen kinds,
    and only of the kinds the checklist applies to (choosing another kind is refused)."""
    version = checklist.current
    applicable = unit_kinds.applicable_kinds(version.definition) if version is not None else []
    unfit = [k for k in kinds or () if applicable and k not in applicable]
    if unfit:
        raise PlanError(unit_kinds.unfit_kinds_message(version.definition, unfit))
    return candidate_units(kinds or applicable or None, today)
