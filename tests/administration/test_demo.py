"""The demo data (`kiemtra demo`) shows every step of the lead's day to whoever
signs in with its accounts: the queue, a returned and an approved inspection,
a conclusion with its actions in several states, a cancelled one; dated from
the organisation's today; loaded once; the surprise inspection stays secret."""
from __future__ import annotations

import functools
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from server.extensions import db
from server.models import users as users_model
from server.models import (
    ActionStatus, AuditEvent, EvidenceFile, Inspection, InspectionKind, InspectionStatus, RemediationAction,
    ReviewComment,
)
from server.services.administration import demo, demo_day
from server.services.foundation import settings as org_settings
from server.services.review import conclusions

PASSWORD = demo.DEMO_PASSWORD


@pytest.fixture
def loaded(app, runner, monkeypatch):
    # The demo's eight accounts would each be hashed with the app's deliberately slow
    # scrypt (~1.5 s a test); a one-round PBKDF2 hash signs in the same way. The
    # real hashing is tested in tests/test_security.py and tests/test_production.py.
    monkeypatch.setattr(users_model, "generate_password_hash",
                        functools.partial(generate_password_hash, method="pbkdf2:sha256:1"))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return {i.status: {"uuid": i.uuid, "id": i.id, "unit": i.unit_name_snapshot}
                for i in db.session.scalars(sa.select(Inspection).where(Inspection.plan.has(title=demo_day.PLAN_TITLE)))}


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_demo_has_an_inspection_at_each_step_of_the_lead_s_day_besides_the_two_to_do(app, loaded):
    assert set(loaded) == {"submitted", "returned", "approved", "concluded", "cancelled"}
    with app.app_context():
        planned = db.session.scalars(sa.select(Inspection.kind).where(Inspection.status == InspectionStatus.PLANNED))
        assert sorted(planned) == ["announced", "unannounced"]


def test_loading_the_demo_again_adds_nothing(app, runner, loaded):
    def counts():
        with app.app_context():
            return [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                    for model in (Inspection, EvidenceFile, RemediationAction, AuditEvent)]

    before = counts()
    again = runner.invoke(args=["demo"])
    assert "already has data" in again.output
    assert counts() == before


def test_the_story_is_dated_from_the_organisation_s_today_and_every_step_is_audited(app, loaded):
    with app.app_context():
        today = org_settings.local_today()
        concluded = db.session.get(Inspection, loaded["concluded"]["id"])
        submitted = db.session.get(Inspection, loaded["submitted"]["id"])
        assert concluded.window_start == today - timedelta(days=42)
        assert submitted.window_end == today - timedelta(days=1)
        assert concluded.concluded_at.astimezone(org_settings.local_now().tzinfo).date() == today - timedelta(days=37)
        kinds = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"inspection.check_in", "inspection.submit", "evidence.upload", "inspection.return", "inspection.approve",
            "conclusion.issue", "action.in_progress", "action.awaiting_verification", "action.closed",
            "inspection.cancel", "plan.create"} <= kinds


def test_the_lead_s_queue_lists_the_submitted_one_first_and_the_returned_one_under_its_filter(client, auth, loaded):
    auth.login("lead", PASSWORD)
    queue = text(client.get("/review/"))
    assert loaded["submitted"]["unit"] in queue and loaded["approved"]["unit"] in queue
    assert queue.index(loaded["submitted"]["unit"]) < queue.index(loaded["approved"]["unit"])
    assert loaded["returned"]["unit"] not in queue
    returned = text(client.get("/review/?status=returned"))
    assert loaded["returned"]["unit"] in returned and loaded["submitted"]["unit"] not in returned


def test_the_submitted_one_shows_the_measured_ratio_its_note_finding_photos_and_check_in(client, auth, loaded):
    auth.login("lead", PASSWORD)
    page = text(client.get(f"/review/inspections/{loaded['submitted']['uuid']}"))
    assert "48 / 50" in page or "48/50" in page
    assert "2 hồ sơ nhận qua dịch vụ bưu chính công ích" in page
    assert "Quầy số 3 chưa có biển tên lĩnh vực tiếp nhận." in page
    assert len(set(re.findall(r"/api/evidence/([0-9a-f-]{36})/thumb", page))) >= 3
    with client.application.app_context():
        insp = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == loaded["submitted"]["uuid"]))
        assert insp.checkin_distance_m is not None and insp.checkin_distance_m < 100
        assert {"ty-le-phieu-hen", "bien-quay-so-do"} <= set(conclusions.failed_item_keys(insp))


def test_the_returned_one_carries_the_lead_s_reason_for_the_team(app, client, auth, loaded):
    with app.app_context():
        reasons = db.session.scalars(sa.select(ReviewComment.body).where(
            ReviewComment.inspection_id == loaded["returned"]["id"], ReviewComment.kind == "return"))
        assert demo_day.RETURN_REASON in list(reasons)
    auth.login("inspector2", PASSWORD)
    sent = client.get(f"/api/inspections/{loaded['returned']['uuid']}").get_json()
    assert sent["status"] == "returned"
    assert demo_day.RETURN_REASON in [c["body"] for c in sent["review_comments"]]


def test_the_approved_one_waits_for_a_photo_and_offers_to_return_it(client, auth, loaded):
    auth.login("lead", PASSWORD)
    page = text(client.get(f"/review/inspections/{loaded['approved']['uuid']}/conclusion"))
    assert "waiting-evidence" in page and "#return-approved" in page
    assert "41/50 (82" in page  # what was measured, beside the proposal it fails
    review = text(client.get(f"/review/inspections/{loaded['approved']['uuid']}"))
    assert 'id="return-approved"' in review


def test_the_concluded_one_has_actions_open_overdue_reported_done_and_closed(app, loaded):
    with app.app_context():
        today = org_settings.local_today()
        actions = db.session.scalars(sa.select(RemediationAction).where(
            RemediationAction.inspection_id == loaded["concluded"]["id"])).all()
        states = sorted((a.status, a.is_overdue(today)) for a in actions)
    assert states == sorted([(ActionStatus.OPEN, False), (ActionStatus.IN_PROGRESS, True),
                             (ActionStatus.AWAITING_VERIFICATION, False), (ActionStatus.CLOSED, False)])


def test_the_unit_officer_s_portal_shows_the_concluded_one_and_its_actions_with_the_overdue_flag(client, auth,
                                                                                                 loaded):
    auth.login("officer", PASSWORD)
    home = text(client.get("/portal/"))
    assert loaded["concluded"]["uuid"] in home
    page = text(client.get(f"/portal/inspections/{loaded['concluded']['uuid']}"))
    assert page.count('class="item overdue"') == 1
    assert "Trang bị máy quét cho các quầy" in page
    mine = text(client.get("/portal/actions"))
    assert mine.count("/actions/") >= 4


def test_the_lead_verifies_the_action_reported_done(app, client, auth, loaded):
    with app.app_context():
        waiting = db.session.scalar(sa.select(RemediationAction).where(
            RemediationAction.status == ActionStatus.AWAITING_VERIFICATION))
        action_id = waiting.id
    auth.login("lead", PASSWORD)
    page = text(client.get(f"/actions/{action_id}"))
    assert "bang-chung.jpg" in page or "/api/evidence/" in page
    listed = text(client.get("/actions/?overdue=1"))
    assert listed.count('class="item overdue"') == 1


def test_the_cancelled_one_keeps_its_reason_in_the_plan(app, client, auth, loaded):
    with app.app_context():
        plan_id = db.session.get(Inspection, loaded["cancelled"]["id"]).plan_id
    auth.login("lead", PASSWORD)
    page = text(client.get(f"/plans/{plan_id}"))
    assert demo_day.CANCEL_REASON in page


def test_the_surprise_unit_s_officer_still_sees_nothing(client, auth, loaded):
    auth.login("officer2", PASSWORD)
    assert client.get("/api/inspections").get_json() == []
    assert "ky-luat" not in text(client.get("/portal/"))


def test_the_team_s_phones_get_the_returned_one_and_the_cancelled_one_with_its_reason(client, auth, loaded):
    auth.login("inspector2", PASSWORD)
    listed = {i["uuid"]: i for i in client.get("/api/inspections").get_json()}
    assert listed[loaded["returned"]["uuid"]]["status"] == "returned"
    assert listed[loaded["cancelled"]["uuid"]]["status"] == "cancelled"
    assert listed[loaded["cancelled"]["uuid"]]["cancel_reason"] == demo_day.CANCEL_REASON


def test_the_dashboard_counts_the_demo_s_actions_and_its_cancelled_inspection(app, loaded):
    from server.services.reporting import dashboard

    with app.test_request_context():
        summary = dashboard.summary(dashboard.Filters(), today=org_settings.local_today(), locale="vi")
    assert summary["actions"]["total"] == {"open": 2, "overdue": 1, "on_time": 1, "late": 0}
    assert summary["coverage"]["total"]["cancelled"] == 1
    assert summary["failed"]["done"] == 3  # the submitted, approved and concluded ones
