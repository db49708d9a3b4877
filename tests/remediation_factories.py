"""Factories for review and remediation tests: submitted inspections and actions.

Answers are Answer rows shaped as services/checklists/scoring.py reads them, against
tests.factories.SMALL_CHECKLIST (bien-hieu: pass_fail, major, 15 days;
dung-han: ratio, pass at 95 %; ghi-chu: text).
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import date, timedelta

from server.extensions import db
from server.models import (
    ActionEvent, ActionStatus, Answer, Finding, InspectionKind, InspectionStatus, RemediationAction,
)
from server.models.types import utcnow
from server.services.checklists import scoring
from tests.factories import make_inspection

FAILING = {"bien-hieu": "fail", "dung-han": {"numerator": 90, "denominator": 100}, "ghi-chu": "ổn"}
PASSING = {"bien-hieu": "pass", "dung-han": {"numerator": 99, "denominator": 100}}


def make_submitted_inspection(*, unit=None, team=None, answers=None, findings=(), kind=InspectionKind.ANNOUNCED,
                              status=InspectionStatus.SUBMITTED, **fields):
    """An inspection checked in and submitted, with answers, findings and its stored score.

    `findings`: (item_key or None, severity, description) tuples.
    """
    inspection = make_inspection(unit=unit, team=team, kind=kind, **fields)
    now = utcnow()
    inspection.checked_in_at = inspection.checked_in_at or now
    for key, value in (FAILING if answers is None else answers).items():
        na = value == "na"
        inspection.answers.append(Answer(item_key=key, value=None if na else value, na=na, answered_at=now))
    for item_key, severity, description in findings:
        inspection.findings.append(Finding(uuid=str(uuidlib.uuid4()), item_key=item_key, severity=severity,
                                           description=description))
    result = scoring.score_inspection(inspection.checklist_version.definition,
                                      {a.item_key: {"value": a.value, "na": a.na} for a in inspection.answers})
    inspection.score, inspection.score_percent, inspection.result = result.to_dict(), result.percent, result.result
    inspection.status = status
    inspection.submitted_at = now
    if status in (InspectionStatus.APPROVED, InspectionStatus.CONCLUDED):
        inspection.approved_at = now
    if status == InspectionStatus.CONCLUDED:
        inspection.concluded_at = now
    db.session.flush()
    return inspection


def make_action(inspection=None, *, unit=None, team=None, status=ActionStatus.OPEN, deadline=None, title=None):
    """A remediation action of a concluded inspection (made one when not given)."""
    if inspection is None:
        inspection = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.CONCLUDED)
    action = RemediationAction(
        inspection_id=inspection.id, unit_id=inspection.unit_id, title=title or "Biển hiệu chưa đúng quy định",
        item_keys=["bien-hieu"], finding_snapshot=[{"item_key": "bien-hieu", "outcome": "fail",
                                                    "item_text": {"vi": "Biển hiệu", "en": "Signage"}}],
        severity="major", priority="normal", deadline=deadline or date.today() + timedelta(days=15), status=status,
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionEvent(action_id=action.id, kind="created", to_status=ActionStatus.OPEN))
    db.session.flush()
    return action
