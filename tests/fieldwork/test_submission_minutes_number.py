"""The minutes are issued when the team hands in the signed inspection: their
number is given then, once, and a resubmission keeps it."""
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import DocumentNumber, Inspection, InspectionStatus, User
from server.services.fieldwork import submissions
from tests.fieldwork.test_submission_notifications import content
from tests.fieldwork_data import make_field_world


@pytest.fixture
def world(ctx):
    ids = make_field_world()
    return {"inspection": db.session.get(Inspection, ids["id"]), "inspector": db.session.get(User, ids["inspector_id"])}


def numbers() -> list[tuple[str, int, str]]:
    return [tuple(r) for r in db.session.execute(
        sa.select(DocumentNumber.kind, DocumentNumber.number, DocumentNumber.symbol).order_by(DocumentNumber.id))]


def test_a_submission_issues_the_minutes_with_their_number_and_a_resubmission_keeps_it(world):
    insp = world["inspection"]
    assert numbers() == []
    submissions.submit(insp, world["inspector"], str(uuidlib.uuid4()), content())
    assert numbers() == [("minutes", 1, "BB-ĐKT")]
    insp.status = InspectionStatus.RETURNED
    db.session.flush()
    submissions.submit(insp, world["inspector"], str(uuidlib.uuid4()), content(), reason="Chụp lại biển hiệu")
    assert numbers() == [("minutes", 1, "BB-ĐKT")]
