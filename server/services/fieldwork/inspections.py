"""Reading and creating inspections."""
from __future__ import annotations

import uuid as uuidlib
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from ...extensions import db
from ...models import Checklist, ChecklistVersion, Inspection, InspectionStatus, Plan, Role, Team, Unit
from ...permissions import inspection_scope, redact
from ..foundation import audit
from . import inspection_search


# What a list shows of each inspection (schemas/inspections.py InspectionSummarySchema,
# templates/home.html), and unit_id, which permissions.redact reads: not the
# score, answers-sized JSON that a team's phone would otherwise have read and
# decoded for every inspection it ever did.
LISTED = (Inspection.id, Inspection.uuid, Inspection.kind, Inspection.status, Inspection.unit_id,
          Inspection.unit_code_snapshot, Inspection.unit_name_snapshot, Inspection.checklist_version_id,
          Inspection.team_id,
          Inspection.window_start, Inspection.window_end, Inspection.checked_in_at, Inspection.score_percent,
          Inspection.result, Inspection.cancel_reason, Inspection.updated_at)


def _visible(user, today: date, stmt):
    """`stmt` limited to the inspections `user` may know of: today's first, then the soonest."""
    is_today = sa.and_(Inspection.window_start <= today, Inspection.window_end >= today)
    done = Inspection.status.in_([InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED])
    return stmt.where(inspection_scope(user)).order_by(
        sa.case((is_today, 0), else_=1),
        sa.case((done, 1), else_=0),
        Inspection.window_start.is_(None),
        Inspection.window_start,
        Inspection.id,
    )


def visible_inspections(user, *, today: date, limit: int | None = None, filters=None) -> list[Inspection]:
    """The inspections `user` may know of: today's first, then the soonest; with
    `filters` (inspection_search.Filters), those matching them. A unit officer
    cannot filter by result before the conclusion, so not by result at all."""
    stmt = _visible(user, today, sa.select(Inspection).options(
        load_only(*LISTED, Inspection.plan_id, raiseload=True),
        # Nor the versions' definitions: a list needs their key and number only.
        selectinload(Inspection.checklist_version).load_only(ChecklistVersion.number)
        .selectinload(ChecklistVersion.checklist),
        # Whether the plan's notice is out: a unit's card links to it.
        selectinload(Inspection.plan).load_only(Plan.kind, Plan.notice_published_at),
        selectinload(Inspection.team)))
    if filters is not None:
        stmt = inspection_search.apply(stmt, filters, with_results=getattr(user, "role", None) != Role.UNIT_OFFICER)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def listed_inspections(user, *, today: date) -> list[dict]:
    """visible_inspections as the API lists them (schemas.inspections.InspectionSummarySchema),
    each with only the fields `user` may read of it (permissions.redact: a unit
    officer gets no result before the conclusion), read as plain rows: a
    team's phone lists its whole history, thousands of inspections, where ORM
    objects and a schema dump cost four times the CPU."""
    stmt = _visible(user, today, sa.select(
        *LISTED, Checklist.key.label("checklist_key"), ChecklistVersion.number.label("checklist_number"),
        Team.name.label("team_name"))
        .join(Inspection.checklist_version).join(ChecklistVersion.checklist).outerjoin(Inspection.team))
    return [redact(user, row, summary(row)) for row in db.session.execute(stmt)]


def summary(row) -> dict:
    """One listed inspection as InspectionSummarySchema dumps it (tests/fieldwork/test_fieldapp_api.py compares the two)."""
    return {
        "id": row.id, "uuid": row.uuid, "kind": row.kind, "status": row.status,
        "unit_code": row.unit_code_snapshot, "unit_name": row.unit_name_snapshot,
        "checklist_key": row.checklist_key, "checklist_version": row.checklist_number, "team": row.team_name,
        "window_start": _iso(row.window_start), "window_end": _iso(row.window_end),
        "checked_in_at": _iso(row.checked_in_at),
        "score_percent": None if row.score_percent is None else float(row.score_percent),
        "result": row.result, "cancel_reason": row.cancel_reason, "updated_at": _iso(row.updated_at),
    }


def _iso(value):
    return None if value is None else value.isoformat()


def count_by_status(user) -> dict[str, int]:
    stmt = (
        sa.select(Inspection.status, sa.func.count())
        .where(inspection_scope(user))
        .group_by(Inspection.status)
    )
    return {status: n for status, n in db.session.execute(stmt)}


def create_planned_inspection(
    plan: Plan, unit: Unit, version: ChecklistVersion, *, window_start: date, window_end: date, actor=None
) -> Inspection:
    """Create one inspection of a plan, snapshotting the unit's name and code."""
    inspection = Inspection(
        uuid=str(uuidlib.uuid4()),
        plan=plan,
        checklist_version=version,
        unit=unit,
        unit_code_snapshot=unit.code,
        unit_name_snapshot=unit.name,
        kind=plan.kind,
        status=InspectionStatus.PLANNED,
        team_id=plan.team_id,
        window_start=window_start,
        window_end=window_end,
        place=unit.address,
    )
    db.session.add(inspection)
    db.session.flush()
    audit.record(actor, "inspection.create", inspection, plan_id=plan.id, unit_code=unit.code)
    return inspection


def get_finding(uuid: str):
    from ...models import Finding

    return db.session.scalar(sa.select(Finding).where(Finding.uuid == str(uuid)))
