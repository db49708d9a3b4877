"""What the lead types with a decision is kept, and an approved inspection whose
announced photos cannot arrive goes back to the team instead of staying stuck."""
import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import (
    AuditEvent, Inspection, InspectionStatus, Notification, RemediationAction, ReviewComment, Role, User,
)
from tests.factories import make_checklist_version, make_team, make_unit, make_user
from tests.fieldwork.test_submission_completeness import CHECKLIST, complete, photo, submit, upload
from tests.fieldwork_data import make_field_world
from tests.remediation_factories import make_submitted_inspection


@pytest.fixture
def world(app):
    with app.app_context():
        unit = make_unit(name="Phường Duyệt Kèm Ý Kiến")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        inspection = make_submitted_inspection(unit=unit, team=team)
        db.session.commit()
        return {"uuid": inspection.uuid, "id": inspection.id}


def test_the_approve_button_sends_the_comments_typed_on_the_page(client, auth, world):
    auth.login("lead")
    page = client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="return-form".*?</form>', page, re.S).group(0)
    # The general comment and the approve button are in one form, so the comment goes with it.
    assert 'name="comment"' in form and f'formaction="/review/inspections/{world["uuid"]}/approve"' in form


def test_a_comment_written_with_the_approval_is_kept_shown_and_sent_to_the_team(app, client, auth, world):
    auth.login("lead")
    client.post("/lang/en")
    response = client.post(f"/review/inspections/{world['uuid']}/approve",
                           data={"comment": "Lần sau chụp rõ biển hiệu hơn", "comment-dung-han": "Số liệu khớp sổ"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.APPROVED
        rows = db.session.scalars(sa.select(ReviewComment).order_by(ReviewComment.id)).all()
        assert [(c.item_key, c.body, c.kind) for c in rows] == [
            (None, "Lần sau chụp rõ biển hiệu hơn", "approval"), ("dung-han", "Số liệu khớp sổ", "approval")]
        assert all(c.resolved_at is not None for c in rows)  # nothing for the team to fix
        told = db.session.execute(sa.select(User.username, Notification.body).join(User, User.id == Notification.user_id)
                                  .where(Notification.kind == "inspection_approved")).all()
        assert [(name, "Lần sau chụp rõ biển hiệu hơn" in (body or "")) for name, body in told] == [("insp", True)]
    page = client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    assert "With the approval" in page and "Lần sau chụp rõ biển hiệu hơn" in page and "Số liệu khớp sổ" in page
    auth.logout()
    auth.login("insp")  # the inspector reads it among their notifications, and on the phone
    assert "Lần sau chụp rõ biển hiệu hơn" in client.get("/notifications/").get_data(as_text=True)
    detail = client.get(f"/api/inspections/{world['uuid']}").get_json()
    assert [(c["body"], c["kind"]) for c in detail["review_comments"]] == [
        ("Lần sau chụp rõ biển hiệu hơn", "approval"), ("Số liệu khớp sổ", "approval")]


def test_an_approval_without_a_comment_stores_none(app, client, auth, world):
    auth.login("lead")
    assert client.post(f"/review/inspections/{world['uuid']}/approve", data={"comment": "  "}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReviewComment.id))) == 0
        assert db.session.scalar(sa.select(Notification.body).where(Notification.kind == "inspection_approved")) is None


@pytest.fixture
def field_world(app):
    with app.app_context():
        ids = make_field_world()
        db.session.get(Inspection, ids["id"]).checklist_version = make_checklist_version(CHECKLIST)
        db.session.commit()
        return ids


def test_a_lead_returns_an_approved_inspection_whose_photo_never_arrives_and_the_team_sends_it_again(
        app, client, auth, field_world):
    world = field_world
    auth.login("insp")
    body = complete()
    lost = photo("ghi-chu")  # taken on the phone that was then lost
    body["photos"].append(lost)
    assert submit(client, world, body).status_code == 201
    for p in body["photos"][:-1]:
        assert upload(client, world, p["uuid"], p["kind"], p.get("item_key")).status_code == 201
    auth.logout()
    auth.login("lead")
    client.post("/lang/en")
    assert client.post(f"/review/inspections/{world['uuid']}/approve").status_code == 302

    conclusion = f"/review/inspections/{world['uuid']}/conclusion"
    refused = client.post(conclusion, data={"submit": "issue", "strengths": "Tiếp đón tốt",
                                            "priority-item:bien-hieu": "high"})
    assert refused.status_code == 409
    assert "What you wrote is kept as a draft." in refused.get_data(as_text=True)
    page = client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    assert "Not arrived yet" in page and "a photo of “Notes” (ghi-chu)" in page
    assert 'id="return-approved"' in page and 'href="#return-approved"' in page

    refused = client.post(f"/review/inspections/{world['uuid']}/return", data={"comment": " "})
    assert refused.status_code == 422
    returned = client.post(f"/review/inspections/{world['uuid']}/return",
                           data={"comment": "Ảnh ghi chú bị mất theo điện thoại: gửi lại không kèm ảnh đó"})
    assert returned.status_code == 302
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.RETURNED
        audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "inspection.return"))
        assert audit.details.get("after_approval") is True
    detail = client.get(f"/api/inspections/{world['uuid']}").get_json()
    assert [c["body"] for c in detail["review_comments"] if not c["resolved_at"]] == [
        "Ảnh ghi chú bị mất theo điện thoại: gửi lại không kèm ảnh đó"]

    auth.logout()
    auth.login("insp")  # from another phone: the lost photo is not announced again
    again = complete(reason="Điện thoại bị mất, gửi lại không kèm ảnh ghi chú", photos=[],
                     signatures=body["signatures"], answers=body["answers"])
    assert submit(client, world, again).status_code == 201, "resubmission refused"
    auth.logout()
    auth.login("lead")
    assert client.post(f"/review/inspections/{world['uuid']}/approve").status_code == 302
    page = client.get(conclusion).get_data(as_text=True)  # the draft written before the return is there
    assert ">Tiếp đón tốt</textarea>" in page and '<option value="high" selected>' in page
    issued = client.post(conclusion, data={"submit": "issue", "strengths": "Tiếp đón tốt",
                                           "priority-item:bien-hieu": "high"})
    assert issued.status_code == 302
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.CONCLUDED
        assert db.session.scalar(sa.select(RemediationAction.priority)) == "high"


def test_a_concluded_inspection_offers_no_return(app, client, auth, world):
    with app.app_context():
        db.session.get(Inspection, world["id"]).status = InspectionStatus.CONCLUDED
        db.session.commit()
    auth.login("lead")
    page = client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    assert 'id="return-approved"' not in page and "/return" not in page
