"""Whoever leads a plan learns when one of its inspections is submitted or
resubmitted, with a link to the inspection's page; nobody is told of their own act."""
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Inspection, InspectionStatus, Notification, User
from server.services.fieldwork import submissions
from server.services.fieldwork.submissions import SubmittedContent
from tests.fieldwork.test_submissions import SIGNED
from tests.fieldwork_data import PASSING_ANSWERS, make_field_world


@pytest.fixture
def world(ctx):
    ids = make_field_world()
    return {"inspection": db.session.get(Inspection, ids["id"]), "inspector": db.session.get(User, ids["inspector_id"]),
            "lead": db.session.get(User, ids["lead_id"])}


def content() -> SubmittedContent:
    return SubmittedContent(answers=[dict(a, na=False, note=a.get("note")) for a in PASSING_ANSWERS],
                            signatures=SIGNED)


def told() -> list[tuple[str, str, str, str]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(User.username, Notification.kind, Notification.title, Notification.link)
        .join(User, User.id == Notification.user_id).order_by(Notification.id))]


def test_the_plans_lead_is_told_of_a_submission_and_of_a_resubmission(world):
    insp = world["inspection"]
    world["lead"].locale = "en"
    submissions.submit(insp, world["inspector"], str(uuidlib.uuid4()), content())
    link = f"/review/inspections/{insp.uuid}"
    unit = insp.unit_name_snapshot
    assert told() == [("lead", "inspection_submitted", f"Submitted for review: {unit}", link)]
    insp.status = InspectionStatus.RETURNED
    db.session.flush()
    submissions.submit(insp, world["inspector"], str(uuidlib.uuid4()), content(), reason="Chụp lại biển hiệu")
    assert told()[1:] == [("lead", "inspection_resubmitted", f"Resubmitted for review: {unit}", link)]


def test_a_lead_who_submits_is_not_told_of_their_own_submission(world):
    submissions.submit(world["inspection"], world["lead"], str(uuidlib.uuid4()), content())
    assert told() == []
