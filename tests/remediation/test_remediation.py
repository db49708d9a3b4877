"""The remediation state machine: every move, allowed and forbidden, for every role;
requirements (note, evidence), the timeline, extensions and overdue."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import (
    ActionEvent, ActionStatus, AuditEvent, EvidenceFile, Inspection, Notification, RemediationAction, Role, Team,
    User,
)
from server.permissions import can
from server.services.remediation import actions as remediation, rules as remediation_rules
from tests.concurrency import request_during_open_change
from tests.factories import make_team, make_unit, make_user
from tests.imagegen import photo
from tests.remediation_factories import make_action

S = ActionStatus
STATUSES = [s.value for s in ActionStatus]
ROLES = ["admin", "lead", "viewer", "inspector", "outsider", "officer", "other_officer"]

# The specification, written out independently of services/remediation/actions.py.
ALLOWED = {
    ("open", "in_progress"): {"officer"},
    ("reopened", "in_progress"): {"officer"},
    ("in_progress", "awaiting_verification"): {"officer"},
    ("awaiting_verification", "closed"): {"lead", "inspector"},
    ("awaiting_verification", "in_progress"): {"lead", "inspector"},
    ("open", "cannot_do"): {"lead"},
    ("in_progress", "cannot_do"): {"lead"},
    ("reopened", "cannot_do"): {"lead"},
    ("open", "cancelled"): {"lead"},
    ("in_progress", "cancelled"): {"lead"},
    ("awaiting_verification", "cancelled"): {"lead"},
    ("reopened", "cancelled"): {"lead"},
    ("closed", "reopened"): {"lead"},
    ("cannot_do", "reopened"): {"lead"},
}


def transient_world():
    """Users and an action as plain objects: can() is pure and needs no database."""
    team, other_team = Team(id=1, name="A"), Team(id=2, name="B")
    users = {
        "admin": User(id=1, role=Role.ADMIN, active=True),
        "lead": User(id=2, role=Role.LEAD, active=True),
        "viewer": User(id=3, role=Role.VIEWER, active=True),
        "inspector": User(id=4, role=Role.INSPECTOR, active=True, teams=[team]),
        "outsider": User(id=5, role=Role.INSPECTOR, active=True, teams=[other_team]),
        "officer": User(id=6, role=Role.UNIT_OFFICER, active=True, unit_id=10),
        "other_officer": User(id=7, role=Role.UNIT_OFFICER, active=True, unit_id=11),
    }
    action = RemediationAction(id=1, unit_id=10, inspection=Inspection(id=1, team_id=1), status=S.OPEN,
                               deadline=date(2026, 1, 1))
    return users, action


@pytest.mark.parametrize("to", STATUSES)
@pytest.mark.parametrize("frm", STATUSES)
@pytest.mark.parametrize("who", ROLES)
def test_who_may_move_an_action_from_each_state_to_each_state(who, frm, to):
    users, action = transient_world()
    action.status = frm
    expected = who in ALLOWED.get((frm, to), set())
    assert can(users[who], f"action.move.{to}", action) is expected


def test_the_table_in_the_service_is_exactly_the_specification():
    table = {(frm, to): move.side for (frm, to), move in remediation_rules.TRANSITIONS.items()}
    assert set(table) == set(ALLOWED)


@pytest.mark.parametrize("who, expected", [
    ("admin", True), ("lead", True), ("viewer", True), ("inspector", True),
    ("outsider", False), ("officer", True), ("other_officer", False),
])
def test_who_may_see_an_action(who, expected):
    users, action = transient_world()
    assert can(users[who], "action.view", action) is expected


@pytest.mark.parametrize("who", ROLES)
def test_only_the_units_officer_asks_for_an_extension_and_only_a_lead_decides(who):
    users, action = transient_world()
    assert can(users[who], "action.request_extension", action) is (who == "officer")
    assert can(users[who], "action.decide_extension", action) is (who == "lead")


# ── the service, on the database ─────────────────────────────────────────────

@pytest.fixture
def world(ctx):
    unit = make_unit(name="Phường Sửa")
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    team.lead = lead
    users = {
        "lead": lead,
        "inspector": make_user(Role.INSPECTOR, username="insp", team=team),
        "officer": make_user(Role.UNIT_OFFICER, username="officer", unit=unit),
        "other_officer": make_user(Role.UNIT_OFFICER, username="other"),
    }
    action = make_action(unit=unit, team=team)
    db.session.commit()
    return users, action


def files():
    return [("after.jpg", photo())]


def attach_nothing(event, files):
    return [object() for _ in files]


def test_the_unit_reports_done_with_a_note_and_evidence_and_the_lead_closes(world, app):
    users, action = world
    from server.views.actions import attacher

    with app.test_request_context():
        from flask_login import login_user

        login_user(users["officer"])
        remediation.move(action, users["officer"], S.IN_PROGRESS)
        remediation.move(action, users["officer"], S.AWAITING_VERIFICATION, note="Đã làm biển mới",
                         files=files(), attach=attacher())
    remediation.move(action, users["lead"], S.CLOSED, note="Đã kiểm tra")
    db.session.commit()
    assert action.status == S.CLOSED and action.closed_at is not None
    moves = [(e.from_status, e.to_status) for e in action.events if e.kind == "transition"]
    assert moves == [("open", "in_progress"), ("in_progress", "awaiting_verification"),
                     ("awaiting_verification", "closed")]
    done = [e for e in action.events if e.to_status == "awaiting_verification"][0]
    assert done.actor_id == users["officer"].id and done.note == "Đã làm biển mới"
    evidence = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.action_event_id == done.id)).all()
    assert [e.kind for e in evidence] == ["photo"]
    audited = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "RemediationAction")).all()
    assert audited == ["action.in_progress", "action.awaiting_verification", "action.closed"]


@pytest.mark.parametrize("note, with_files, message", [
    ("", True, "note"), ("Xong", False, "evidence"),
])
def test_awaiting_verification_needs_a_note_and_at_least_one_file(world, note, with_files, message):
    users, action = world
    remediation.move(action, users["officer"], S.IN_PROGRESS)
    with pytest.raises(remediation.RemediationError) as err:
        remediation.move(action, users["officer"], S.AWAITING_VERIFICATION, note=note,
                         files=files() if with_files else [], attach=attach_nothing)
    assert err.value.status == 422
    assert action.status == S.IN_PROGRESS


@pytest.mark.parametrize("to", [S.CANNOT_DO, S.CANCELLED])
def test_cannot_do_and_cancel_need_the_leads_reason(world, to):
    users, action = world
    with pytest.raises(remediation.RemediationError) as err:
        remediation.move(action, users["lead"], to, note="  ")
    assert err.value.status == 422
    remediation.move(action, users["lead"], to, note="Đơn vị đã giải thể bộ phận")
    assert action.status == to


def test_returning_for_more_work_needs_a_reason_and_reopening_clears_closed_at(world):
    users, action = world
    action.status = S.AWAITING_VERIFICATION
    with pytest.raises(remediation.RemediationError):
        remediation.move(action, users["inspector"], S.IN_PROGRESS)
    remediation.move(action, users["inspector"], S.IN_PROGRESS, note="Ảnh chưa rõ")
    action.status = S.AWAITING_VERIFICATION
    remediation.move(action, users["inspector"], S.CLOSED)
    remediation.move(action, users["lead"], S.REOPENED, note="Tái phạm")
    assert action.status == S.REOPENED and action.closed_at is None
    remediation.move(action, users["officer"], S.IN_PROGRESS)
    assert action.status == S.IN_PROGRESS


def test_a_move_the_machine_does_not_have_is_a_conflict_and_a_wrong_actor_is_forbidden(world):
    users, action = world
    with pytest.raises(remediation.RemediationError) as err:
        remediation.move(action, users["lead"], S.CLOSED)
    assert err.value.status == 409
    with pytest.raises(remediation.RemediationError) as err:
        remediation.move(action, users["other_officer"], S.IN_PROGRESS)
    assert err.value.status == 403
    assert action.status == S.OPEN and [e.kind for e in action.events] == ["created"]


def test_overdue_is_computed_from_the_deadline_not_stored(world):
    users, action = world
    action.deadline = date.today() - timedelta(days=1)
    assert action.is_overdue(date.today()) and action.status == S.OPEN
    action.status = S.CLOSED
    assert not action.is_overdue(date.today())


def test_extension_requested_by_the_unit_and_approved_by_the_lead_moves_the_deadline(world):
    users, action = world
    old = action.deadline
    later = old + timedelta(days=10)
    with pytest.raises(remediation.RemediationError) as err:
        remediation.request_extension(action, users["officer"], reason="", new_deadline=later, today=date.today())
    assert err.value.status == 422
    with pytest.raises(remediation.RemediationError) as err:
        remediation.request_extension(action, users["officer"], reason="Chờ kinh phí", new_deadline=old,
                                      today=date.today())
    assert err.value.status == 422
    assert old.strftime("%d/%m/%Y") in str(err.value) and old.isoformat() not in str(err.value)  # as people write it
    request = remediation.request_extension(action, users["officer"], reason="Chờ kinh phí", new_deadline=later,
                                            today=date.today())
    with pytest.raises(remediation.RemediationError) as err:
        remediation.request_extension(action, users["officer"], reason="Lần nữa", new_deadline=later,
                                      today=date.today())
    assert err.value.status == 409
    with pytest.raises(remediation.RemediationError) as err:
        remediation.decide_extension(request, users["officer"], approve=True)
    assert err.value.status == 403
    remediation.decide_extension(request, users["lead"], approve=True)
    db.session.commit()
    assert action.deadline == later and request.status == "approved"
    kinds = [e.kind for e in action.events]
    assert kinds[-2:] == ["extension_requested", "extension_approved"]
    # The lead was told of the request; the officer of the decision.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == users["lead"].id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == users["officer"].id)) == 1


def test_a_refused_extension_needs_a_reason_and_keeps_the_deadline(world):
    users, action = world
    old = action.deadline
    request = remediation.request_extension(action, users["officer"], reason="Thiếu người",
                                            new_deadline=old + timedelta(days=5), today=date.today())
    with pytest.raises(remediation.RemediationError):
        remediation.decide_extension(request, users["lead"], approve=False)
    remediation.decide_extension(request, users["lead"], approve=False, note="Không đủ lý do")
    assert action.deadline == old and request.status == "refused"
    with pytest.raises(remediation.RemediationError) as err:
        remediation.decide_extension(request, users["lead"], approve=True)
    assert err.value.status == 409


# ── through the pages ────────────────────────────────────────────────────────

@pytest.fixture
def site(app):
    with app.app_context():
        unit = make_unit(name="Phường Trang")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        action = make_action(unit=unit, team=team)
        db.session.commit()
        return {"action": action.id}


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def test_the_officer_posts_a_multipart_report_with_a_photo_and_a_pdf(app, client, auth, site):
    auth.login("officer")
    url = f"/actions/{site['action']}"
    assert client.post(f"{url}/move", data={"to": "in_progress"}).status_code == 302
    response = client.post(f"{url}/move", content_type="multipart/form-data", data={
        "to": "awaiting_verification", "note": "Đã thay biển",
        "files": [(io.BytesIO(photo()), "after.jpg", "image/jpeg"),
                  (io.BytesIO(pdf_bytes()), "bien-ban.pdf", "application/pdf")]})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).all()
        assert [(r.kind, r.mime_type) for r in rows] == [("photo", "image/jpeg"), ("document", "application/pdf")]
        assert all(r.action_event_id is not None and r.inspection_id is None for r in rows)
        doc = rows[1]
        assert doc.display_key is None and doc.thumb_key is None and doc.original_key.endswith(".pdf")
        uuid = doc.uuid
    with client.get(f"/api/evidence/{uuid}/original") as served:
        assert served.status_code == 200 and served.data == pdf_bytes()
        assert served.headers["Content-Type"] == "application/pdf"
        assert served.headers["Content-Disposition"].startswith("attachment")
    with client.get(f"/api/evidence/{uuid}/thumb") as served:
        assert served.status_code == 404


@pytest.mark.parametrize("data, status", [
    (b"%PDF-1.4\n1 0 obj\n<<>>\n", 422),  # cut short: no end marker
    (b"GIF89a not a photo at all", 415),
])
def test_a_damaged_pdf_or_unknown_file_is_refused_and_nothing_is_written(app, client, auth, site, data, status):
    auth.login("officer")
    url = f"/actions/{site['action']}"
    client.post(f"{url}/move", data={"to": "in_progress"})
    response = client.post(f"{url}/move", content_type="multipart/form-data", data={
        "to": "awaiting_verification", "note": "Đã làm", "files": [(io.BytesIO(data), "x.pdf", "application/pdf")]})
    assert response.status_code == status
    with app.app_context():
        action = db.session.get(RemediationAction, site["action"])
        assert action.status == S.IN_PROGRESS
        assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(ActionEvent.id))
                                 .where(ActionEvent.to_status == "awaiting_verification")) == 0


def test_the_action_page_shows_the_timeline_and_only_the_moves_the_user_may_make(client, auth, site):
    client.post("/lang/en")
    auth.login("officer")
    page = client.get(f"/actions/{site['action']}").get_data(as_text=True)
    assert "Start work" in page and "Verify and close" not in page and "Cancel the action" not in page
    assert "Ask for more time" in page and "Created" in page
    auth.logout()
    auth.login("lead")
    page = client.get(f"/actions/{site['action']}").get_data(as_text=True)
    assert "Start work" not in page and "Cancel the action" in page and "Mark as cannot be done" in page


def test_a_wrong_move_through_the_page_answers_a_clear_4xx(client, auth, site):
    client.post("/lang/en")
    auth.login("officer")
    response = client.post(f"/actions/{site['action']}/move", data={"to": "closed"})
    assert response.status_code == 409
    assert "cannot go from" in response.get_data(as_text=True)
    assert client.post(f"/actions/{site['action']}/move", data={"to": "nonsense"}).status_code == 400


def test_a_move_waits_for_a_move_in_progress_and_is_judged_on_its_outcome(app, client, auth, site):
    """The lead cancels (row locked, not yet committed) while the officer starts
    work: the officer's move waits, then finds the action cancelled (409)
    instead of overwriting the cancellation."""
    def lead_cancels():
        db.session.get(RemediationAction, site["action"], with_for_update=True).status = S.CANCELLED

    auth.login("officer")
    status = request_during_open_change(app, lead_cancels, lambda: client.post(
        f"/actions/{site['action']}/move", data={"to": "in_progress"}).status_code)
    assert status == 409
    with app.app_context():
        assert db.session.get(RemediationAction, site["action"]).status == S.CANCELLED


@pytest.mark.parametrize("who, status", [
    ("officer", 200), ("lead", 200), ("inspector", 200), ("outsider", 404), ("other_officer", 404),
    ("admin", 200), ("viewer", 200),
])
def test_remediation_evidence_is_served_to_whoever_may_see_the_action(app, client, auth, who, status):
    with app.app_context():
        unit = make_unit()
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        make_user(Role.INSPECTOR, username="inspector", team=team)
        make_user(Role.INSPECTOR, username="outsider", team=make_team())
        make_user(Role.ADMIN, username="admin")
        make_user(Role.VIEWER, username="viewer")
        officer = make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        make_user(Role.UNIT_OFFICER, username="other_officer")
        action = make_action(unit=unit, team=team)
        db.session.commit()
        from server.views.actions import attacher

        with app.test_request_context():
            event = remediation.add_note(action, officer, "Tài liệu", files=[("bb.pdf", pdf_bytes())],
                                         attach=attacher())
        db.session.commit()
        uuid = event.evidence[0].uuid
    auth.login(who)
    with client.get(f"/api/evidence/{uuid}/original") as response:
        assert response.status_code == status


def test_an_extension_request_refused_by_its_form_keeps_what_was_typed_with_each_message_beside_its_field(
        client, auth, site):
    client.post("/lang/en")
    auth.login("officer")
    later = (date.today() + timedelta(days=60)).isoformat()
    r = client.post(f"/actions/{site['action']}/extension", data={"new_deadline": later, "reason": ""})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert f'value="{later}"' in page  # the deadline typed is still there
    assert '<p class="field-error" id="reason-error">This field is required.</p>' in page
    r = client.post(f"/actions/{site['action']}/extension", data={"new_deadline": "soon", "reason": "Chờ vật tư"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'id="new_deadline-error">Enter a date like 18 Dec 2026.' in page and "Chờ vật tư</textarea>" in page
    # The service still judges the date: not later than the deadline is refused, the reason kept.
    r = client.post(f"/actions/{site['action']}/extension",
                    data={"new_deadline": date.today().isoformat(), "reason": "Chờ vật tư"})
    assert r.status_code == 422 and "must be later than" in r.get_data(as_text=True)
    assert "Chờ vật tư</textarea>" in r.get_data(as_text=True)
    assert client.post(f"/actions/{site['action']}/extension",
                       data={"new_deadline": later, "reason": "Chờ vật tư"}).status_code == 302


def test_a_refusal_without_a_note_keeps_the_leads_page_and_an_unknown_decision_is_a_400(client, auth, site):
    later = (date.today() + timedelta(days=60)).isoformat()
    auth.login("officer")
    client.post(f"/actions/{site['action']}/extension", data={"new_deadline": later, "reason": "Chờ vật tư"})
    auth.logout()
    client.post("/lang/en")
    auth.login("lead")
    page = client.get(f"/actions/{site['action']}").get_data(as_text=True)
    decide = re.search(r'action="(/actions/\d+/extensions/\d+)"', page).group(1)
    assert client.post(decide, data={"decision": "maybe"}).status_code == 400
    r = client.post(decide, data={"decision": "refuse", "note": ""})
    assert r.status_code == 422
    r = client.post(decide, data={"decision": "refuse", "note": "x" * 6000})
    assert r.status_code == 422 and 'id="note-error"' in r.get_data(as_text=True)
    assert client.post(decide, data={"decision": "refuse", "note": "Không đủ lý do"}).status_code == 302


def test_the_action_page_shows_what_was_measured_but_not_a_pass_fail_answer_twice(app, client, auth, site):
    with app.app_context():
        action = db.session.get(RemediationAction, site["action"])
        action.item_keys = ["bien-hieu", "dung-han"]
        action.finding_snapshot = [
            {"item_key": "bien-hieu", "outcome": "fail", "item_text": {"vi": "Biển hiệu", "en": "Signage"},
             "answer": {"value": "fail", "na": False}},
            {"item_key": "dung-han", "outcome": "fail", "item_text": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
             "answer": {"value": {"numerator": 90, "denominator": 100}, "na": False}}]
        db.session.commit()
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/actions/{site['action']}").get_data(as_text=True)
    assert "measured: 90/100 (90%)" in page
    # "Signage — Fail" already says it: no "(measured: Fail)" after it
    assert "<strong>Signage</strong> — Fail" in page and "measured: Fail" not in page
