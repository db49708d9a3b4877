"""A world with an inspection in every state, announced and unannounced, for
two units, each with a finding, an answer note and a photo that carry a
marker naming it; every role; one team doing all of it. For the field-level
secrecy walk (tests/test_secrecy.py)."""
from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, timedelta

from server.extensions import db
from server.models import EvidenceFile, InspectionKind, InspectionStatus, Role, Unit
from server.models.types import utcnow
from tests.factories import make_inspection, make_team, make_unit, make_user
from tests.remediation_factories import make_action, make_submitted_inspection

STATES = ["planned", "in_progress", "submitted", "returned", "approved", "concluded", "cancelled"]
KINDS = [InspectionKind.ANNOUNCED.value, InspectionKind.UNANNOUNCED.value]
SIDES = ["own", "other"]  # the unit of "officer", and the unit of "other_officer"
STAFF = {"admin", "lead", "viewer"}
SUBMITTED = {"submitted", "returned", "approved", "concluded"}


@dataclass
class Case:
    """One inspection of the world and what identifies it."""

    side: str
    kind: str
    state: str
    id: int = 0
    uuid: str = ""
    plan_id: int = 0
    evidence_uuid: str = ""
    action_id: int | None = None

    @property
    def marker(self) -> str:
        """Text only the inspection's results carry (its finding and answer note)."""
        return f"KQMARK#{self.side}#{self.kind}#{self.state}#"


def expected_view(who: str, case: Case) -> str:
    """What `who` may learn of `case`, by the product's rules (BRIEF.md), not by
    reading server/permissions.py: "none" (not even that it exists), "outline"
    (that it exists, when, by whom, its state) or "full"."""
    if who in STAFF or who == "inspector":  # the inspector is in the team doing every case
        return "full"
    if who == "outsider":
        return "none"
    theirs = (who == "officer") == (case.side == "own")
    embargoed = case.kind == "unannounced" and case.state in ("planned", "cancelled")  # never checked in
    if not theirs or embargoed:
        return "none"
    return "full" if case.state == "concluded" else "outline"


def _make(unit, team, kind: str, state: str, marker: str):
    if state in SUBMITTED:
        inspection = make_submitted_inspection(unit=unit, team=team, kind=kind, status=state,
                                               findings=[(None, "major", marker)])
        for answer in inspection.answers:
            answer.note = marker
        return inspection
    inspection = make_inspection(unit=unit, team=team, kind=kind)
    if state == "in_progress":
        inspection.checked_in_at = utcnow()
    inspection.status = InspectionStatus(state)
    return inspection


def build_states_world() -> list[Case]:
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    team.lead = lead
    cases = []
    units = {}
    for side in SIDES:
        units[side] = unit = make_unit(name=f"Đơn vị {side}")
        for kind in KINDS:
            for state in STATES:
                case = Case(side, kind, state)
                inspection = _make(unit, team, kind, state, case.marker)
                if kind == "announced":
                    inspection.plan.notice_date = date.today() + timedelta(days=3)
                    inspection.plan.notice_published_at = utcnow()
                evidence = EvidenceFile(uuid=str(uuidlib.uuid4()), sha256="0" * 64, kind="photo",
                                        mime_type="image/jpeg", size=1, inspection_id=inspection.id,
                                        display_key="00/00/" + "0" * 64 + ".jpg")
                db.session.add(evidence)
                if state == "concluded":
                    case.action_id = make_action(inspection, title=f"Khắc phục {case.marker}").id
                case.id, case.uuid, case.plan_id = inspection.id, inspection.uuid, inspection.plan_id
                case.evidence_uuid = evidence.uuid
                cases.append(case)
    make_user(Role.ADMIN, username="admin")
    make_user(Role.VIEWER, username="viewer")
    make_user(Role.INSPECTOR, username="inspector", team=team)
    make_user(Role.INSPECTOR, username="outsider", team=make_team())
    make_user(Role.UNIT_OFFICER, username="officer", unit=db.session.get(Unit, units["own"].id))
    make_user(Role.UNIT_OFFICER, username="other_officer", unit=db.session.get(Unit, units["other"].id))
    db.session.commit()
    return cases
