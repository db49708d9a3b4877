"""A small world for the portal, matrix and secrecy tests: two units, every role,
concluded inspections with actions, a published notice, a submitted (under
review) inspection, and an embargoed unannounced inspection per unit."""
from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from server.extensions import db
from server.models import EvidenceFile, InspectionKind, InspectionStatus, Notification, Role, Unit
from server.models.types import utcnow
from tests.factories import make_inspection, make_plan, make_team, make_unit, make_user
from tests.remediation_factories import make_action, make_submitted_inspection

ROLES = ["admin", "lead", "viewer", "inspector", "outsider", "officer", "other_officer"]
SECRET_TITLE = "KẾ HOẠCH ĐỘT XUẤT BIMATXQZ"
SECRET_PLACE = "Phòng họp số 7 BIMATPLACE"


@dataclass
class Side:
    """The objects of one unit."""

    unit_id: int
    unit_name: str
    concluded_uuid: str = ""
    concluded_id: int = 0
    action_id: int = 0
    notice_uuid: str = ""
    submitted_uuid: str = ""
    approved_uuid: str = ""
    embargoed_uuid: str = ""
    embargoed_id: int = 0
    embargoed_plan_id: int = 0
    embargoed_evidence: str = ""
    ids: list[int] = field(default_factory=list)


def build_side(unit_name: str, team, lead) -> Side:
    unit = make_unit(name=unit_name)
    side = Side(unit.id, unit_name)
    concluded = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.CONCLUDED,
                                          findings=[(None, "minor", f"Phát hiện của {unit_name}")])
    action = make_action(concluded, deadline=date.today() + timedelta(days=5))
    side.concluded_uuid, side.concluded_id, side.action_id = concluded.uuid, concluded.id, action.id

    noticed = make_inspection(unit=unit, team=team)
    noticed.plan.notice_date = date.today() + timedelta(days=3)
    noticed.plan.notice_place = f"Hội trường {unit_name}"
    noticed.plan.requested_documents = "Báo cáo tự kiểm tra"
    noticed.plan.notice_published_at = utcnow()
    side.notice_uuid = noticed.uuid
    side.submitted_uuid = make_submitted_inspection(unit=unit, team=team).uuid
    side.approved_uuid = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.APPROVED).uuid

    plan = make_plan(kind=InspectionKind.UNANNOUNCED, team=team, title=f"{SECRET_TITLE} {unit_name}")
    embargoed = make_inspection(unit=unit, team=team, kind=InspectionKind.UNANNOUNCED, plan=plan,
                                version=None, place=SECRET_PLACE)
    side.embargoed_uuid, side.embargoed_id, side.embargoed_plan_id = embargoed.uuid, embargoed.id, plan.id
    evidence = EvidenceFile(uuid=str(uuidlib.uuid4()), sha256="0" * 64, kind="photo", mime_type="image/jpeg",
                            size=1, inspection_id=embargoed.id, display_key="00/00/" + "0" * 64 + ".jpg")
    db.session.add(evidence)
    side.embargoed_evidence = evidence.uuid
    # The staff are told about it; the unit must not be.
    db.session.add(Notification(user_id=lead.id, kind="plan", title=f"{plan.title} {embargoed.uuid}"))
    side.ids = [concluded.id, noticed.id, embargoed.id, plan.id, noticed.plan_id, action.id]
    return side


def build_world() -> dict:
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    team.lead = lead
    own = build_side("Phường Nhà Mình", team, lead)
    other = build_side("Xã Hàng Xóm", team, lead)
    make_user(Role.ADMIN, username="admin")
    make_user(Role.VIEWER, username="viewer")
    make_user(Role.INSPECTOR, username="inspector", team=team)
    make_user(Role.INSPECTOR, username="outsider", team=make_team())
    make_user(Role.UNIT_OFFICER, username="officer", unit=db.session.get(Unit, own.unit_id))
    make_user(Role.UNIT_OFFICER, username="other_officer", unit=db.session.get(Unit, other.unit_id))
    db.session.commit()
    return {"own": own, "other": other}
