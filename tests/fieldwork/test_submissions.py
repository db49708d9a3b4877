"""services/fieldwork/submissions.py: submit and resubmit, the only writer of what the phone entered."""
import uuid as uuidlib
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from server.extensions import db
from server.models import Answer, EvidenceFile, Inspection, InspectionRevision, InspectionStatus, Submission, User
from server.services.checklists import scoring
from server.services.fieldwork import submissions
from server.services.fieldwork.submissions import SubmissionError, SubmittedContent
from tests.fieldwork_data import FIELD_CHECKLIST, PASSING_ANSWERS, make_field_world


def new_uuid() -> str:
    return str(uuidlib.uuid4())


@pytest.fixture
def world(ctx):
    ids = make_field_world()
    return {"inspection": db.session.get(Inspection, ids["id"]), "inspector": db.session.get(User, ids["inspector_id"])}


SIGNED = {"lead": {"name": "Nguyễn Văn Kiểm", "evidence_uuid": "5b1f0c52-2d6e-4c11-9d0a-7f3c1e2b4a01"},
          "unit": {"name": "Trần Thị Đơn", "refused": True, "reason": "Chưa đồng ý kết luận"}}


def content(**fields) -> SubmittedContent:
    """Complete content: every answer and both signatures (the lead's image to follow)."""
    base = {"answers": [dict(a, na=False, note=a.get("note")) for a in PASSING_ANSWERS], "signatures": SIGNED}
    return SubmittedContent(**(base | fields))


def item_photo(item_key: str) -> dict:
    return {"uuid": new_uuid(), "kind": "photo", "item_key": item_key, "finding_uuid": None}


def returned(inspection):
    inspection.status = InspectionStatus.RETURNED
    db.session.flush()


def test_the_stored_score_is_the_scoring_modules_result(world):
    insp = world["inspection"]
    answers = [{"item_key": "bien-hieu", "value": "fail"}, {"item_key": "wifi", "value": "no"},
               {"item_key": "ghi-chu-wifi", "value": "Hỏng"}]
    submissions.submit(insp, world["inspector"], new_uuid(),
                       content(answers=answers, photos=[item_photo("bien-hieu")]))
    expected = scoring.score_inspection(FIELD_CHECKLIST, {a["item_key"]: a for a in answers})
    assert insp.score == expected.to_dict()
    assert (insp.score_percent, insp.result) == (expected.percent, "incomplete")


def test_every_kind_of_answer_is_stored_as_sent(world):
    insp = world["inspection"]
    answers = [dict(a) for a in PASSING_ANSWERS if a["item_key"] != "bien-hieu"] + [
        {"item_key": "bien-hieu", "value": None, "na": True, "note": "  Không áp dụng: trụ sở đang sửa chữa  "}]
    submissions.submit(insp, world["inspector"], new_uuid(), content(answers=answers))
    db.session.commit()
    db.session.expire_all()
    stored = {a.item_key: (a.value, a.na, a.note) for a in db.session.get(Inspection, insp.id).answers}
    assert stored == {a["item_key"]: (a["value"], bool(a.get("na")), (a.get("note") or "").strip() or None)
                      for a in answers}
    # An answer without a value is SQL NULL, not JSON null.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(
        Answer.inspection_id == insp.id, Answer.value.is_(None))) == 1


def test_an_answer_to_an_item_hidden_by_show_if_is_kept_but_not_scored(world):
    insp = world["inspection"]
    answers = [dict(a) for a in PASSING_ANSWERS] + [{"item_key": "ghi-chu-wifi", "value": "không cần"}]
    submissions.submit(insp, world["inspector"], new_uuid(), content(answers=answers))
    outcomes = {i["key"]: i["outcome"] for i in insp.score["items"]}
    assert outcomes["ghi-chu-wifi"] == "hidden" and insp.result == "pass"


def test_the_unique_constraint_decides_a_race_between_two_copies(world, monkeypatch):
    insp, uid = world["inspection"], new_uuid()
    submissions.submit(insp, world["inspector"], uid, content())
    insp.status = InspectionStatus.IN_PROGRESS  # as the second request saw it
    db.session.flush()
    real = submissions.find_submission
    calls = []

    def missed_first_time(uuid):
        calls.append(uuid)
        return None if len(calls) == 1 else real(uuid)

    monkeypatch.setattr(submissions, "find_submission", missed_first_time)
    row, created = submissions.submit(insp, world["inspector"], uid, content(answers=[]))
    assert created is False and row.uuid == uid
    assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1
    assert len(insp.answers) == len(PASSING_ANSWERS)


@pytest.mark.parametrize("fields, message", [
    ({"signatures": dict(SIGNED, unit={"refused": True, "reason": " "})}, "refused to sign"),
    ({"started_at": datetime(2026, 11, 20, 10, tzinfo=timezone.utc),
      "ended_at": datetime(2026, 11, 20, 9, tzinfo=timezone.utc)}, "end time is before"),
    ({"findings": [{"uuid": "f", "item_key": "khong-co", "severity": "minor", "description": "x"}]}, "no item khong-co"),
])
def test_fields_that_do_not_fit_are_refused_and_nothing_is_written(world, fields, message):
    insp = world["inspection"]
    with pytest.raises(SubmissionError) as raised, force_locale("en"):
        submissions.submit(insp, world["inspector"], new_uuid(), content(**fields))
    assert raised.value.status == 422 and message in raised.value.problems[0]["message"]
    assert insp.status == InspectionStatus.PLANNED and insp.answers == []


def test_a_finding_uuid_of_another_inspection_is_a_conflict(world):
    from tests.factories import make_inspection

    other = make_inspection(team=world["inspection"].team)
    finding = {"uuid": new_uuid(), "item_key": None, "severity": "minor", "description": "Một phát hiện"}
    submissions.submit(other, world["inspector"], new_uuid(), content(answers=[], findings=[finding]))
    with pytest.raises(SubmissionError) as raised:
        submissions.submit(world["inspection"], world["inspector"], new_uuid(), content(findings=[finding]))
    assert raised.value.status == 409


def test_resubmission_removes_what_was_taken_out_and_records_it(world):
    insp, actor = world["inspection"], world["inspector"]
    finding = {"uuid": new_uuid(), "item_key": "bien-hieu", "severity": "major", "description": "Biển mờ"}
    attendees = [{"side": "team", "name": "A", "position": None}]
    submissions.submit(insp, actor, new_uuid(), content(findings=[finding], attendees=attendees))
    photo = EvidenceFile(uuid=new_uuid(), sha256="0" * 64, kind="photo", mime_type="image/jpeg", size=1,
                         inspection_id=insp.id, finding_id=insp.findings[0].id)
    db.session.add(photo)
    returned(insp)
    answers = [a for a in content().answers if a["item_key"] != "hai-long"]
    attendees2 = attendees + [{"side": "unit", "name": "B", "position": "Phó giám đốc"}]
    submissions.submit(insp, actor, new_uuid(), content(answers=answers, attendees=attendees2), reason="Sửa")
    revision = db.session.scalar(sa.select(InspectionRevision))
    assert (revision.number, revision.reason, insp.revision) == (1, "Sửa", 1)
    changes = {(c["item_key"], c["field"]): (c["old"], c["new"]) for c in revision.changes}
    assert changes[("hai-long", "value")] == (5, None)
    assert changes[("bien-hieu", f"finding:{finding['uuid']}")] == (
        {"item_key": "bien-hieu", "severity": "major", "description": "Biển mờ"}, None)
    assert changes[(None, "attendees")][1][1]["name"] == "B"
    assert "hai-long" not in {a.item_key for a in insp.answers} and insp.findings == []
    assert photo.finding_id is None and photo.inspection_id == insp.id


def test_a_first_submission_needs_no_reason_and_makes_no_revision(world):
    insp = world["inspection"]
    row, created = submissions.submit(insp, world["inspector"], new_uuid(), content())
    assert created and row.revision_number is None and insp.revision == 0
