"""Inspection plans (kế hoạch kiểm tra): create with their inspections, publish the notice,
change them (title, period, team, dates, added units), cancel an inspection, delete a plan."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import (AuditEvent, Checklist, ChecklistStatus, EvidenceFile, Inspection, InspectionKind,
                       InspectionStatus, Plan, Submission, Team, Unit, User)
from ...models.types import utcnow
from ..checklists import unit_kinds
from ..foundation import audit, notifications
from . import draws
from .inspections import create_planned_inspection
from ..remediation.actions import unit_officers
from ..foundation.settings import local_today


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
    if checklist.status == ChecklistStatus.RETIRED:
        raise PlanError(_("The checklist %(key)s is retired: choose another one.", key=checklist.key))
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


def publish_notice(actor, plan: Plan, *, notice_date: date, place: str, requested_documents: str,
                   notice_time=None, self_report: str = "", today: date | None = None) -> Plan:
    """Publish the notice of an announced plan: from now on its units see it,
    each inspection's notice with its number from the register.

    With `today`, a visit dated before it is refused: a notice tells of a
    coming inspection, never one already past."""
    if plan.is_unannounced:
        raise PlanError(_("A surprise inspection has no notice."), 409)
    if not (place or "").strip():
        raise PlanError(_("The notice needs a place."))
    if today is not None and notice_date < today:
        raise PlanError(_("The inspection's date (%(date)s) has passed: a notice cannot be published after it.",
                          date=format_date(notice_date)))
    plan.notice_date = notice_date
    plan.notice_time = notice_time
    plan.notice_place = place.strip()
    plan.requested_documents = (requested_documents or "").strip() or None
    plan.self_report = (self_report or "").strip() or None
    first = plan.notice_published_at is None
    plan.notice_published_at = plan.notice_published_at or utcnow()
    from ..reporting import minutes, numbers

    for inspection in plan.inspections:
        if inspection.status != InspectionStatus.CANCELLED:
            numbers.assign("notice", inspection, minutes.notice_issue_day(inspection))
    audit.record(actor, "plan.publish_notice" if first else "plan.update_notice", plan,
                 notice_date=notice_date.isoformat(), place=plan.notice_place)
    return plan


def set_legal_basis(actor, plan: Plan, *, plan_number: str | None, plan_date: date | None,
                    decision_number: str | None, decision_date: date | None, decision_signer: str | None) -> bool:
    """The plan's number and date and the decision establishing its team, as its documents cite them."""
    values = {"plan_number": (plan_number or "").strip() or None, "plan_date": plan_date,
              "decision_number": (decision_number or "").strip() or None, "decision_date": decision_date,
              "decision_signer": (decision_signer or "").strip() or None}
    changed = {k: v for k, v in values.items() if getattr(plan, k) != v}
    for key, value in changed.items():
        setattr(plan, key, value)
    if changed:
        audit.record(actor, "plan.legal_basis", plan,
                     **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in changed.items()})
    return bool(changed)


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
    today = today or local_today()
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


# --- Changing a plan -------------------------------------------------------------


def has_started(inspection: Inspection) -> bool:
    """Checked in, or past the planned state: its dates, team and existence are the record of what happened."""
    return inspection.checked_in_at is not None or inspection.status not in (
        InspectionStatus.PLANNED, InspectionStatus.CANCELLED)


def _locked_inspections(plan: Plan) -> list[Inspection]:
    """The plan's inspections, read again with their rows locked (PostgreSQL) to the end of
    the transaction: a check-in arriving meanwhile waits, and what is checked here holds."""
    return list(db.session.scalars(
        sa.select(Inspection).where(Inspection.plan_id == plan.id).order_by(Inspection.id)
        .with_for_update(of=Inspection).execution_options(populate_existing=True)))


def _lock(inspection: Inspection) -> Inspection:
    return db.session.scalars(
        sa.select(Inspection).where(Inspection.id == inspection.id)
        .with_for_update(of=Inspection).execution_options(populate_existing=True)).one()


def _day(value: date) -> LazyString:
    """A date written in each recipient's own language when the notification is rendered."""
    return LazyString(format_date, value, "short")


def _members(team: Team | None) -> list[User]:
    return list(team.members) if team is not None else []


def _unit_told(inspection: Inspection) -> bool:
    """The inspected unit knows of the inspection (an announced one whose notice is out), so it
    is told of new dates or a cancellation. An unannounced one is never mentioned to it."""
    plan = inspection.plan
    return (inspection.kind == InspectionKind.ANNOUNCED and plan is not None
            and plan.notice_published_at is not None)


def _tell_new_dates(inspection: Inspection, old_team_id: int | None, old_window: tuple, actor=None) -> None:
    params = {"unit": inspection.unit_name_snapshot, "start": _day(inspection.window_start),
              "end": _day(inspection.window_end)}
    moved_team = inspection.team_id != old_team_id
    if moved_team:
        old_team = db.session.get(Team, old_team_id) if old_team_id else None
        notifications.notify(_members(old_team), "inspection_reassigned",
                             _l("No longer your team's: %(unit)s"),
                             body=_l("The lead gave this inspection to another team."), params=params, link="/app",
                             actor=actor)
        notifications.notify(_members(inspection.team), "inspection_assigned",
                             _l("New inspection for your team: %(unit)s, %(start)s – %(end)s"),
                             params=params, link=f"/app#/i/{inspection.uuid}", actor=actor)
    elif (inspection.window_start, inspection.window_end) != old_window:
        notifications.notify(_members(inspection.team), "inspection_rescheduled",
                             _l("New dates for %(unit)s: %(start)s – %(end)s"), params=params,
                             link=f"/app#/i/{inspection.uuid}",
                             actor=actor)
    if (inspection.window_start, inspection.window_end) != old_window and _unit_told(inspection):
        notifications.notify(unit_officers(inspection.unit_id), "inspection_rescheduled",
                             _l("The inspection of %(unit)s is moved to %(start)s – %(end)s"),
                             params=params, link=f"/portal/notices/{inspection.uuid}", actor=actor)


def _tell_cancelled(inspection: Inspection, reason: str, actor=None) -> None:
    params = {"unit": inspection.unit_name_snapshot, "reason": reason,
              "start": _day(inspection.window_start), "end": _day(inspection.window_end)}
    notifications.notify(_members(inspection.team), "inspection_cancelled", _l("Cancelled: %(unit)s"),
                         body=_l("Reason: %(reason)s"), params=params, link=f"/app#/i/{inspection.uuid}",
                         actor=actor)
    if _unit_told(inspection):
        notifications.notify(unit_officers(inspection.unit_id), "inspection_cancelled",
                             _l("The inspection of %(unit)s planned for %(start)s – %(end)s is cancelled"),
                             params=params, link="/portal/", actor=actor)


def update_plan(actor, plan: Plan, *, title: str, purpose: str | None, period_start: date, period_end: date,
                team: Team | None, add_units: list[Unit] = ()) -> dict:
    """Change a plan's title, purpose, period and team, and add units to it (flushed, not committed).

    Every inspection not cancelled must stay inside the period (the refusal
    names those that do not fit). A new team takes over the inspections that
    have not started; those already started stay with the team doing them.
    Returns what changed: {"changes": {field: [old, new]}, "kept": [started
    inspections left with their team], "added": [new inspections]}.
    """
    title = (title or "").strip()
    if not title:
        raise PlanError(_("The plan needs a title."))
    if period_end < period_start:
        raise PlanError(_("The period ends before it starts."))
    inspections = _locked_inspections(plan)
    outside = [i for i in inspections if i.status != InspectionStatus.CANCELLED
               and (i.window_start < period_start or i.window_end > period_end)]
    if outside:
        raise PlanError(_("These inspections are scheduled outside the new period; move them first: %(list)s",
                          list="; ".join(f"{i.unit_name_snapshot} ({format_date(i.window_start, 'short')} – "
                                         f"{format_date(i.window_end, 'short')})" for i in outside)), 409)
    added_units = list(dict.fromkeys(add_units))
    if added_units:
        if plan.selection is not None:
            raise PlanError(_("The units of this plan were drawn at random; a unit cannot be added by hand. "
                              "Make a new plan for other units."), 409)
        planned = {i.unit_id for i in inspections if i.status != InspectionStatus.CANCELLED}
        twice = [u.name for u in added_units if u.id in planned]
        if twice:
            raise PlanError(_("Already in the plan: %(units)s", units=", ".join(twice)))
        version = plan.checklist.current
        if version is None:
            raise PlanError(_("The checklist has no published version."))
        unfit = unit_kinds.unfit_units(version.definition, added_units)
        if unfit:
            raise PlanError(unit_kinds.unfit_units_message(version.definition, unfit))

    changes: dict[str, list] = {}
    for name, new in (("title", title), ("purpose", (purpose or "").strip() or None),
                      ("period_start", period_start), ("period_end", period_end)):
        old = getattr(plan, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(plan, name, new)
    kept: list[Inspection] = []
    new_team_id = team.id if team is not None else None
    if plan.team_id != new_team_id:
        changes["team"] = [plan.team.name if plan.team else None, team.name if team else None]
        plan.team = team
        for inspection in inspections:
            if inspection.status == InspectionStatus.CANCELLED or inspection.team_id == new_team_id:
                continue
            if has_started(inspection):
                kept.append(inspection)
                continue
            old_team_id = inspection.team_id
            inspection.team_id = new_team_id
            db.session.flush()
            audit.record(actor, "inspection.reassign", inspection, plan_id=plan.id,
                         team=[old_team_id, new_team_id])
            _tell_new_dates(inspection, old_team_id, (inspection.window_start, inspection.window_end), actor)
    added = []
    if added_units:
        start = max(period_start, local_today()) if period_start <= local_today() <= period_end else period_start
        for unit in added_units:
            inspection = create_planned_inspection(plan, unit, plan.checklist.current, window_start=start,
                                                   window_end=period_end, actor=actor)
            added.append(inspection)
            notifications.notify(_members(plan.team), "inspection_assigned",
                                 _l("New inspection for your team: %(unit)s, %(start)s – %(end)s"),
                                 params={"unit": unit.name, "start": _day(start), "end": _day(period_end)},
                                 link=f"/app#/i/{inspection.uuid}", actor=actor)
        changes["units_added"] = [None, [u.code for u in added_units]]
    db.session.flush()
    if changes:
        audit.record(actor, "plan.update", plan, changes=changes,
                     kept_team=[i.id for i in kept] or None)
    return {"changes": changes, "kept": kept, "added": added}


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def reschedule_inspection(actor, inspection: Inspection, *, window_start: date, window_end: date,
                          team: Team | None) -> Inspection:
    """Move an inspection that has not started to other dates (inside its plan's period) or another team."""
    inspection = _lock(inspection)
    if inspection.status == InspectionStatus.CANCELLED:
        raise PlanError(_("This inspection is cancelled."), 409)
    if has_started(inspection):
        raise PlanError(_("This inspection has started (%(status)s): its dates and team can no longer change.",
                          status=_status_label(inspection.status)), 409)
    if window_end < window_start:
        raise PlanError(_("The window ends before it starts."))
    plan = inspection.plan
    if plan is not None and (window_start < plan.period_start or window_end > plan.period_end):
        raise PlanError(_("The dates must be inside the plan's period, %(start)s – %(end)s.",
                          start=format_date(plan.period_start, "short"), end=format_date(plan.period_end, "short")))
    new_team_id = team.id if team is not None else None
    old_window, old_team_id = (inspection.window_start, inspection.window_end), inspection.team_id
    if (window_start, window_end) == old_window and new_team_id == old_team_id:
        return inspection
    inspection.window_start, inspection.window_end, inspection.team_id = window_start, window_end, new_team_id
    db.session.flush()
    audit.record(actor, "inspection.reschedule", inspection, plan_id=inspection.plan_id,
                 window=[[_plain(d) for d in old_window], [window_start.isoformat(), window_end.isoformat()]],
                 team=[old_team_id, new_team_id])
    _tell_new_dates(inspection, old_team_id, old_window, actor)
    return inspection


def _status_label(status: str) -> str:
    from ...i18n import labels

    return labels()["status"].get(status, status)


CANCELLABLE = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


def cancel_inspection(actor, inspection: Inspection, *, reason: str) -> Inspection:
    """Cancel an inspection not yet submitted, with a reason: it leaves the team's phones
    and stays in lists, history and exports marked cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise PlanError(_("Give the reason for cancelling."))
    inspection = _lock(inspection)
    if inspection.status == InspectionStatus.CANCELLED:
        raise PlanError(_("This inspection is already cancelled."), 409)
    if inspection.status not in CANCELLABLE:
        raise PlanError(_("This inspection was submitted (%(status)s): its results stand and it cannot be "
                          "cancelled.", status=_status_label(inspection.status)), 409)
    was = inspection.status
    inspection.status = InspectionStatus.CANCELLED
    inspection.cancelled_at = utcnow()
    inspection.cancel_reason = reason
    db.session.flush()
    audit.record(actor, "inspection.cancel", inspection, plan_id=inspection.plan_id, reason=reason, was=was)
    _tell_cancelled(inspection, reason, actor)
    return inspection


def delete_plan(actor, plan: Plan) -> None:
    """Delete a plan none of whose inspections has started, with its inspections."""
    inspections = _locked_inspections(plan)
    started = [i for i in inspections if has_started(i)]
    ids = [i.id for i in inspections]
    if ids and not started:
        # A photo or a submission may reach the server before the check-in does.
        touched = set(db.session.scalars(sa.select(EvidenceFile.inspection_id).where(
            EvidenceFile.inspection_id.in_(ids))))
        touched |= set(db.session.scalars(sa.select(Submission.inspection_id).where(
            Submission.inspection_id.in_(ids))))
        started = [i for i in inspections if i.id in touched]
    if started:
        raise PlanError(_("Work has started on these inspections, so the plan cannot be deleted; cancel the "
                          "others instead: %(units)s", units=", ".join(i.unit_name_snapshot for i in started)), 409)
    for inspection in inspections:
        if inspection.status != InspectionStatus.CANCELLED:
            _tell_cancelled(inspection, _("the plan %(title)s was withdrawn", title=plan.title), actor)
        audit.record(actor, "inspection.delete", inspection, plan_id=plan.id, uuid=inspection.uuid,
                     unit_code=inspection.unit_code_snapshot)
        db.session.delete(inspection)
    audit.record(actor, "plan.delete", plan, title=plan.title, kind=plan.kind,
                 units=[i.unit_code_snapshot for i in inspections])
    db.session.delete(plan)
    db.session.flush()


HISTORY_ACTIONS = ("plan.create", "plan.update", "plan.publish_notice", "plan.update_notice",
                   "inspection.reschedule", "inspection.reassign", "inspection.cancel")


def plan_history(plan: Plan, inspection_ids: list[int]) -> list[tuple[AuditEvent, User | None]]:
    """The changes made to a plan and its inspections, newest first, with who made them
    (the audit entries, for the staff's plan page)."""
    about = sa.or_(sa.and_(AuditEvent.object_type == "Plan", AuditEvent.object_id == str(plan.id)),
                   sa.and_(AuditEvent.object_type == "Inspection",
                           AuditEvent.object_id.in_([str(i) for i in inspection_ids])))
    return list(db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(about, AuditEvent.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEvent.id.desc()).limit(200)))
