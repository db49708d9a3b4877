"""Reading and creating inspections."""
from __future__ import annotations

import uuid as uuidlib
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from ..extensions import db
from ..models import ChecklistVersion, Inspection, InspectionStatus, Plan, Unit
from ..permissions import inspection_scope
from . import audit


# What a list shows of each inspection (schemas/inspections.py InspectionSummarySchema,
# templates/home.html): not the score, answers-sized JSON that a team's phone
# would otherwise have read and decoded for every inspection it ever did.
LISTED = (Inspection.id, Inspection.uuid, Inspection.kind, Inspection.status, Inspection.unit_code_snapshot,
          Inspection.unit_name_snapshot, Inspection.checklist_version_id, Inspection.team_id,
          Inspection.window_start, Inspection.window_end, Inspection.checked_in_at, Inspection.score_percent,
          Inspection.result, Inspection.updated_at)


def visible_inspections(user, *, today: date, limit: int | None = None) -> list[Inspection]:
    """The inspections `user` may know of: today's first, then the soonest."""
    is_today = sa.and_(Inspection.window_start <= today, Inspection.window_end >= today)
    done = Inspection.status.in_([InspectionStatus.CONCLUDED, InspectionStatus.CANCELLED])
    stmt = (
        sa.select(Inspection)
        .where(inspection_scope(user))
        # Nor the versions' definitions: a list needs their key and number only.
        .options(load_only(*LISTED, raiseload=True), selectinload(Inspection.checklist_version).load_only(ChecklistVersion.number)
                 .selectinload(ChecklistVersion.checklist), selectinload(Inspection.team))
        .order_by(
            sa.case((is_today, 0), else_=1),
            sa.case((done, 1), else_=0),
            Inspection.window_start.is_(None),
            Inspection.window_start,
            Inspection.id,
        )
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


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
    from ..models import Finding

    return db.session.scalar(sa.select(Finding).where(Finding.uuid == str(uuid)))
