"""Changing plans: title, period, team, an inspection's dates and team, cancelling one with a
reason, deleting a plan; who may; what the team, the unit and the dashboard are told."""
from datetime import date, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import (AuditEvent, EvidenceFile, Inspection, InspectionKind, InspectionStatus, Notification,
                           Plan, Role, User)
from server.models.types import utcnow
from server.services.fieldwork import plans as plan_service
from tests.factories import make_checklist_version, make_team, make_unit, make_user

TODAY = date.today()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture
def world(app):
    """Two teams; the lead made two plans (announced with its notice out, unannounced) of team A."""
    with app.app_context():
        version = make_checklist_version()
        province = make_unit(code="01", name="Thành phố Hà Nội", kind="province", lat=None)
        other_province = make_unit(code="79", name="Thành phố Hồ Chí Minh", kind="province", lat=None)
        units = [make_unit(code="00004", name="Phường Ba Đình", parent=province),
                 make_unit(code="00070", name="Phường Hoàn Kiếm", parent=province),
                 make_unit(code="00008", name="Phường Ngọc Hà", parent=province),
                 make_unit(code="26734", name="Phường Bà Điểm", parent=other_province),
                 make_unit(code="00004-TTPV", name="Trung tâm Phục vụ hành chính công phường Ba Đình",
                           kind="service_centre", parent=province)]
        lead = make_user(Role.LEAD, username="lead")
        team_a = make_team(name="Đoàn A", members=[lead])
        team_a.lead = lead
        team_b = make_team(name="Đoàn B")
        make_user(Role.LEAD, username="lead2")
        make_user(Role.ADMIN, username="admin")
        make_user(Role.VIEWER, username="viewer")
        make_user(Role.INSPECTOR, username="insp_a", team=team_a)
        make_user(Role.INSPECTOR, username="insp_b", team=team_b)
        make_user(Role.UNIT_OFFICER, username="officer", unit=units[0])
        make_user(Role.UNIT_OFFICER, username="officer2", unit=units[1])
        plans = {}
        for kind in (InspectionKind.ANNOUNCED, InspectionKind.UNANNOUNCED):
            plan = plan_service.create_plan(
                lead, title=f"Kế hoạch {kind}", kind=kind, period_start=TODAY, period_end=TODAY + timedelta(days=30),
                checklist=version.checklist, team=team_a, units=units[:3],
                schedule=plan_service.Schedule(TODAY + timedelta(days=2), TODAY + timedelta(days=4)))
            plans[kind] = plan
        plans["announced"].notice_published_at = utcnow()
        plans["announced"].notice_date, plans["announced"].notice_place = TODAY + timedelta(days=2), "Hội trường"
        db.session.commit()
        return {"announced": plans["announced"].id, "unannounced": plans["unannounced"].id,
                "team_a": team_a.id, "team_b": team_b.id, "units": [u.id for u in units],
                "province": province.id, "other_province": other_province.id}


def inspections_of(plan_id) -> list[Inspection]:
    return list(db.session.scalars(sa.select(Inspection).where(Inspection.plan_id == plan_id)
                                   .order_by(Inspection.unit_code_snapshot)))


def notifications_of(username) -> list[Notification]:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def start(inspection: Inspection) -> None:
    inspection.checked_in_at = utcnow()
    inspection.status = InspectionStatus.IN_PROGRESS


def edit_form(world, **overrides) -> dict:
    form = {"title": "Kế hoạch đã sửa", "purpose": "Mục đích mới", "period_start": day(0), "period_end": day(40),
            "team_id": str(world["team_a"])}
    form.update(overrides)
    return form


def english(client):
    client.post("/lang/en", data={"next": "/"})


# --- The plan itself -------------------------------------------------------------------


def test_the_lead_changes_title_purpose_period_and_team_and_the_change_is_audited(app, client, auth, world):
    with app.app_context():
        start(inspections_of(world["announced"])[0])  # Ba Đình: the team is on site
        db.session.commit()
    auth.login("lead")
    r = client.post(f"/plans/{world['announced']}/edit", data=edit_form(world, team_id=str(world["team_b"])))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kế hoạch đã sửa" in page and "Mục đích mới" in page
    assert "Phường Ba Đình" in page.split("Đã lưu kế hoạch.")[1]  # the flash says who keeps the old team
    with app.app_context():
        plan = db.session.get(Plan, world["announced"])
        assert (plan.title, plan.purpose, plan.period_end, plan.team_id) == (
            "Kế hoạch đã sửa", "Mục đích mới", TODAY + timedelta(days=40), world["team_b"])
        teams = {i.unit_code_snapshot: i.team_id for i in inspections_of(plan.id)}
        assert teams == {"00004": world["team_a"], "00008": world["team_b"], "00070": world["team_b"]}
        change = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.update"))
        assert change.details["changes"]["title"] == ["Kế hoạch announced", "Kế hoạch đã sửa"]
        assert change.details["changes"]["team"] == ["Đoàn A", "Đoàn B"]
        # The new team is told of its inspections, the old one that two are no longer its own.
        assert len([n for n in notifications_of("insp_b") if n.kind == "inspection_assigned"]) == 2
        assert len([n for n in notifications_of("insp_a") if n.kind == "inspection_reassigned"]) == 2
    assert "Kế hoạch đã sửa" in client.get(f"/plans/{world['announced']}").get_data(as_text=True)


def test_a_period_that_leaves_inspections_outside_is_refused_naming_them_and_nothing_changes(app, client, auth, world):
    auth.login("lead")
    english(client)
    r = client.post(f"/plans/{world['announced']}/edit",
                    data=edit_form(world, period_start=day(3), title="Tên mới chưa lưu"))
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert "scheduled outside the new period" in text
    assert "Phường Ba Đình" in text and "Phường Hoàn Kiếm" in text
    # Everything typed comes back on the same form.
    assert 'value="Tên mới chưa lưu"' in text and f'value="{day(3)}"' in text and "Mục đích mới" in text
    with app.app_context():
        assert db.session.get(Plan, world["announced"]).title == "Kế hoạch announced"
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.update")) is None


@pytest.mark.parametrize("overrides, status, message", [
    ({"title": "  "}, 422, "The plan needs a title."),
    ({"period_end": "tomorrow"}, 422, "Period to: enter a date like 18 Dec 2026."),
    ({"period_end": day(-1)}, 422, "The period ends before it starts."),
    ({"team_id": "999999"}, 422, "Choose a team."),
    ({"unit_ids": "999999"}, 422, "A chosen unit no longer exists"),
])
def test_a_bad_plan_change_comes_back_on_the_form_with_a_message(app, client, auth, world, overrides, status, message):
    auth.login("lead")
    english(client)
    r = client.post(f"/plans/{world['announced']}/edit", data=edit_form(world, **overrides))
    assert r.status_code == status
    text = r.get_data(as_text=True)
    assert message in text and "Mục đích mới" in text
    with app.app_context():
        assert db.session.get(Plan, world["announced"]).purpose is None


def test_the_refusal_is_in_vietnamese_by_default(client, auth, world):
    auth.login("lead")
    r = client.post(f"/plans/{world['announced']}/edit", data=edit_form(world, title=""))
    assert r.status_code == 422
    assert "Kế hoạch kiểm tra cần có tiêu đề." in r.get_data(as_text=True)


def test_units_added_to_a_plan_get_an_inspection_and_one_already_in_it_is_refused(app, client, auth, world):
    auth.login("lead")
    english(client)
    ba_diem = world["units"][3]
    r = client.post(f"/plans/{world['announced']}/edit", data=edit_form(world, unit_ids=[str(ba_diem)]))
    assert r.status_code == 302
    with app.app_context():
        added = db.session.scalar(sa.select(Inspection).where(Inspection.plan_id == world["announced"],
                                                              Inspection.unit_id == ba_diem))
        assert added.status == "planned" and added.team_id == world["team_a"]
        assert added.window_end == TODAY + timedelta(days=40)
    r = client.post(f"/plans/{world['announced']}/edit", data=edit_form(world, unit_ids=[str(ba_diem)]))
    assert r.status_code == 422 and "Already in the plan: Phường Bà Điểm" in r.get_data(as_text=True)
    # The refused form keeps the chosen unit in its list.
    assert f'name="unit_ids" value="{ba_diem}"' in r.get_data(as_text=True)


# --- One inspection: dates, team, cancelling ----------------------------------------------


def test_the_lead_moves_an_inspection_to_other_dates_and_another_team(app, client, auth, world):
    with app.app_context():
        target = inspections_of(world["announced"])[2]  # 00070 Hoàn Kiếm, officer2's unit
        target_id = target.id
    auth.login("lead")
    r = client.post(f"/inspections/{target_id}/schedule",
                    data={"window_start": day(10), "window_end": day(12), "team_id": str(world["team_b"])})
    assert r.status_code == 302
    with app.app_context():
        moved = db.session.get(Inspection, target_id)
        assert (moved.window_start, moved.window_end, moved.team_id) == (
            TODAY + timedelta(days=10), TODAY + timedelta(days=12), world["team_b"])
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "inspection.reschedule"))
        assert event.details["team"] == [world["team_a"], world["team_b"]]
        assert event.details["window"][1] == [day(10), day(12)]
        # The unit knows of this announced inspection (the notice is out): it is told the new dates.
        told = [n.title for n in notifications_of("officer2")]
        assert len(told) == 1 and "Phường Hoàn Kiếm" in told[0]
        assert [n.kind for n in notifications_of("insp_b")] == ["inspection_assigned"]
        assert [n.kind for n in notifications_of("insp_a")] == ["inspection_reassigned"]
    # The phone of team A no longer lists it; team B's does.
    auth.logout()
    auth.login("insp_a")
    assert moved.uuid not in client.get("/api/inspections").get_data(as_text=True)
    auth.logout()
    auth.login("insp_b")
    assert moved.uuid in client.get("/api/inspections").get_data(as_text=True)


@pytest.mark.parametrize("form, status, message", [
    ({"window_start": day(20), "window_end": day(19)}, 422, "The window ends before it starts."),
    ({"window_start": day(20), "window_end": day(45)}, 422, "The dates must be inside the plan's period"),
    ({"window_start": "", "window_end": day(5)}, 422, "Visit from: enter a date like 18 Dec 2026."),
])
def test_dates_that_do_not_fit_are_refused_on_the_same_form(app, client, auth, world, form, status, message):
    with app.app_context():
        target_id = inspections_of(world["announced"])[0].id
    auth.login("lead")
    english(client)
    r = client.post(f"/inspections/{target_id}/schedule", data={**form, "team_id": str(world["team_b"])})
    assert r.status_code == status
    text = unescape(r.get_data(as_text=True))
    assert message in text
    assert f'value="{form["window_end"]}"' in text  # what was typed
    assert f'<option value="{world["team_b"]}" selected' in text
    with app.app_context():
        assert db.session.get(Inspection, target_id).window_start == TODAY + timedelta(days=2)


def test_a_started_inspection_cannot_be_moved_or_given_to_another_team(app, client, auth, world):
    with app.app_context():
        target = inspections_of(world["announced"])[0]
        start(target)
        db.session.commit()
        target_id = target.id
    auth.login("lead")
    english(client)
    r = client.post(f"/inspections/{target_id}/schedule",
                    data={"window_start": day(5), "window_end": day(6), "team_id": str(world["team_b"])})
    assert r.status_code == 409
    assert "This inspection has started (In progress)" in r.get_data(as_text=True)
    with app.app_context():
        kept = db.session.get(Inspection, target_id)
        assert (kept.window_start, kept.team_id) == (TODAY + timedelta(days=2), world["team_a"])
    # Its page offers cancelling, not moving.
    page = client.get(f"/inspections/{target_id}/schedule").get_data(as_text=True)
    assert 'name="window_start"' not in page and 'name="reason"' in page


def test_cancelling_needs_a_reason(app, client, auth, world):
    with app.app_context():
        target_id = inspections_of(world["announced"])[0].id
    auth.login("lead")
    english(client)
    r = client.post(f"/inspections/{target_id}/cancel", data={"reason": "   "})
    assert r.status_code == 422 and "Give the reason for cancelling." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inspection, target_id).status == "planned"


def test_a_cancelled_inspection_stays_in_lists_and_exports_marked_so_and_leaves_the_phones(app, client, auth, world):
    with app.app_context():
        target = inspections_of(world["announced"])[0]  # Ba Đình, officer's unit
        target_id, uuid = target.id, target.uuid
    auth.login("lead")
    r = client.post(f"/inspections/{target_id}/cancel", data={"reason": "Đơn vị đang sáp nhập"})
    assert r.status_code == 302
    with app.app_context():
        cancelled = db.session.get(Inspection, target_id)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Đơn vị đang sáp nhập")
        assert cancelled.cancelled_at is not None
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "inspection.cancel"))
        assert event.details == {"plan_id": world["announced"], "reason": "Đơn vị đang sáp nhập", "was": "planned"}
        # The team is told with the reason; the unit, which had the notice, that it is off (not why).
        assert [n.body for n in notifications_of("insp_a")] == ["Lý do: Đơn vị đang sáp nhập"]
        unit_told = notifications_of("officer")
        assert len(unit_told) == 1 and "đã bị hủy" in unit_told[0].title
        assert "sáp nhập" not in (unit_told[0].title + (unit_told[0].body or ""))
    page = client.get(f"/plans/{world['announced']}").get_data(as_text=True)
    assert "Đã hủy: Đơn vị đang sáp nhập" in page and "Đã hủy cuộc kiểm tra" in page  # the list and the history
    listing = client.get("/plans").get_data(as_text=True)
    assert "1 đã hủy" in listing
    csv_text = client.get("/exports/inspections.csv").get_data(as_text=True)
    assert [line for line in csv_text.splitlines() if "00004" in line and "cancelled" in line]
    # The phone's list still names it, cancelled with the reason, so the phone can tell the inspector.
    auth.logout()
    auth.login("insp_a")
    row = next(i for i in client.get("/api/inspections").get_json() if i["uuid"] == uuid)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "Đơn vị đang sáp nhập")
    # The unit's officer sees it is cancelled, never why.
    auth.logout()
    auth.login("officer")
    row = next(i for i in client.get("/api/inspections").get_json() if i["uuid"] == uuid)
    assert row["status"] == "cancelled" and "cancel_reason" not in row
    assert "Hội trường" not in client.get("/portal/").get_data(as_text=True)  # its notice is gone


def test_the_dashboard_counts_a_cancelled_inspection_as_cancelled_not_planned(app, client, auth, world):
    auth.login("lead")
    english(client)

    def tiles():
        text = client.get(f"/dashboard?plan_id={world['announced']}").get_data(as_text=True)
        section = text.split('aria-label="Coverage"')[1].split("</section>")[0]
        nums = [int(part.split("</span>")[0]) for part in section.split('<span class="num">')[1:]]
        return dict(zip(["planned", "done", "late", "missed", "open", "cancelled", "overdue"], nums))

    assert (tiles()["planned"], tiles()["cancelled"]) == (3, 0)
    with app.app_context():
        target_id = inspections_of(world["announced"])[0].id
    client.post(f"/inspections/{target_id}/cancel", data={"reason": "Trùng lịch"})
    app.config["DASHBOARD_CACHE_SECONDS"] = 0
    assert (tiles()["planned"], tiles()["cancelled"]) == (2, 1)


def test_a_submitted_inspection_cannot_be_cancelled_and_a_cancelled_one_not_twice(app, client, auth, world):
    with app.app_context():
        first, second = inspections_of(world["announced"])[:2]
        first.status = InspectionStatus.SUBMITTED
        first.checked_in_at = utcnow()
        second.status, second.cancel_reason = InspectionStatus.CANCELLED, "Trước đó"
        db.session.commit()
        ids = first.id, second.id
    auth.login("lead")
    english(client)
    r = client.post(f"/inspections/{ids[0]}/cancel", data={"reason": "Muộn"})
    assert r.status_code == 409 and "its results stand" in r.get_data(as_text=True)
    r = client.post(f"/inspections/{ids[1]}/cancel", data={"reason": "Lần hai"})
    assert r.status_code == 409 and "already cancelled" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inspection, ids[0]).status == "submitted"
        assert db.session.get(Inspection, ids[1]).cancel_reason == "Trước đó"


def test_a_cancelled_inspection_cannot_be_checked_in_to_from_a_phone_that_was_offline(app, client, auth, world):
    with app.app_context():
        target = inspections_of(world["unannounced"])[0]
        target_id, uuid = target.id, target.uuid
    auth.login("lead")
    client.post(f"/inspections/{target_id}/cancel", data={"reason": "Lộ thông tin"})
    auth.logout()
    auth.login("insp_a")
    r = client.post(f"/api/inspections/{uuid}/checkin", json={"lat": 21.03, "lon": 105.83, "accuracy_m": 10})
    assert r.status_code in (403, 409)
    with app.app_context():
        assert db.session.get(Inspection, target_id).checked_in_at is None  # still under embargo


# --- Deleting a plan ------------------------------------------------------------------------


def test_a_plan_none_of_whose_inspections_started_is_deleted_after_confirming(app, client, auth, world):
    auth.login("lead")
    english(client)
    r = client.post(f"/plans/{world['announced']}/delete", data={})
    assert r.status_code == 422 and "Tick the box" in r.get_data(as_text=True)
    r = client.post(f"/plans/{world['announced']}/delete", data={"confirm": "yes"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Plan, world["announced"]) is None
        assert inspections_of(world["announced"]) == []
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.delete"))
        assert sorted(event.details["units"]) == ["00004", "00008", "00070"]
        assert len(notifications_of("insp_a")) == 3  # each of the team's inspections is off
    assert client.get(f"/plans/{world['announced']}").status_code == 404


@pytest.mark.parametrize("how", ["checked_in", "photo_arrived"])
def test_a_plan_with_a_started_inspection_is_not_deleted(app, client, auth, world, how):
    with app.app_context():
        target = inspections_of(world["announced"])[1]  # 00008 Ngọc Hà
        if how == "checked_in":
            start(target)
        else:
            db.session.add(EvidenceFile(uuid="5f0e8a8c-0000-4000-8000-000000000001", sha256="1" * 64, kind="photo",
                                        mime_type="image/jpeg", size=1, inspection_id=target.id))
        db.session.commit()
    auth.login("lead")
    english(client)
    r = client.post(f"/plans/{world['announced']}/delete", data={"confirm": "yes"})
    assert r.status_code == 409
    text = r.get_data(as_text=True)
    assert "the plan cannot be deleted" in text and "Phường Ngọc Hà" in text and "Phường Ba Đình" not in text
    with app.app_context():
        assert db.session.get(Plan, world["announced"]) is not None
        assert len(inspections_of(world["announced"])) == 3
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("%.delete"))) is None


# --- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who, may", [("lead", True), ("admin", True), ("lead2", False), ("viewer", False),
                                      ("insp_a", False), ("officer", False)])
def test_only_the_plans_lead_and_admins_may_change_it(app, client, auth, world, who, may):
    with app.app_context():
        target_id = inspections_of(world["announced"])[0].id
    auth.login(who)
    pages = [f"/plans/{world['announced']}/edit", f"/inspections/{target_id}/schedule"]
    assert [client.get(url).status_code for url in pages] == [200 if may else 403] * 2
    posts = {f"/plans/{world['announced']}/edit": edit_form(world, title="Đổi"),
             f"/inspections/{target_id}/schedule": {"window_start": day(6), "window_end": day(7)},
             f"/inspections/{target_id}/cancel": {"reason": "Thử"},
             f"/plans/{world['announced']}/delete": {"confirm": "yes"}}
    if may:
        return
    for url, data in posts.items():
        assert client.post(url, data=data).status_code == 403, url
    with app.app_context():
        plan = db.session.get(Plan, world["announced"])
        assert plan.title == "Kế hoạch announced"
        assert [i.status for i in inspections_of(plan.id)] == ["planned"] * 3
    show = client.get(f"/plans/{world['announced']}").get_data(as_text=True)
    assert f"/plans/{world['announced']}/edit" not in show


def test_a_plan_that_no_lead_made_or_leads_may_be_changed_by_any_lead(app, client, auth, world):
    with app.app_context():
        plan = db.session.get(Plan, world["announced"])
        plan.created_by_id = None
        plan.team.lead_id = None
        db.session.commit()
    auth.login("lead2")
    assert client.get(f"/plans/{world['announced']}/edit").status_code == 200


# --- Unannounced plans stay secret from the unit ------------------------------------------------


def test_changes_to_an_unannounced_plan_tell_the_team_and_never_the_unit(app, client, auth, world):
    with app.app_context():
        first, second, third = inspections_of(world["unannounced"])
        ids = first.id, second.id, third.id
    auth.login("lead")
    assert client.post(f"/plans/{world['unannounced']}/edit",
                       data=edit_form(world, title="Đột xuất BIMAT", team_id=str(world["team_b"]))).status_code == 302
    assert client.post(f"/inspections/{ids[0]}/schedule",
                       data={"window_start": day(8), "window_end": day(9), "team_id": str(world["team_a"])}
                       ).status_code == 302
    assert client.post(f"/inspections/{ids[1]}/cancel", data={"reason": "Lý do BIMAT"}).status_code == 302
    with app.app_context():
        assert notifications_of("insp_b") and notifications_of("insp_a")
        assert notifications_of("officer") == [] and notifications_of("officer2") == []
        uuids = [db.session.get(Inspection, i).uuid for i in ids]
    assert client.post(f"/plans/{world['unannounced']}/delete", data={"confirm": "yes"}).status_code == 302
    client.get("/plans")  # the lead reads the confirmation
    for officer in ("officer", "officer2"):
        auth.logout()
        auth.login(officer)
        seen = "".join(client.get(url).get_data(as_text=True)
                       for url in ("/", "/portal/", "/notifications", "/api/inspections", "/portal/actions"))
        assert "BIMAT" not in seen and not any(u in seen for u in uuids)
        with app.app_context():
            assert notifications_of(officer) == []


# --- Choosing units with the search box ------------------------------------------------------


def test_the_unit_search_ignores_accents_and_narrows_by_province_and_kind(app, client, auth, world):
    auth.login("lead")
    names = lambda **args: [u["name"] for u in client.get("/plans/units.json", query_string=args).get_json()]  # noqa: E731
    assert set(names(q="ba d")) == {"Phường Ba Đình", "Phường Bà Điểm",
                                    "Trung tâm Phục vụ hành chính công phường Ba Đình"}
    assert names(q="BA DIEM") == ["Phường Bà Điểm"]
    assert set(names(q="ba d", province_id=world["province"])) == {
        "Phường Ba Đình", "Trung tâm Phục vụ hành chính công phường Ba Đình"}
    assert names(q="ba dinh", kind="service_centre") == ["Trung tâm Phục vụ hành chính công phường Ba Đình"]
    assert names(q="00004-TTPV") == ["Trung tâm Phục vụ hành chính công phường Ba Đình"]
    assert names(q="") == []
    row = client.get("/plans/units.json?q=ba+diem").get_json()[0]
    assert (row["code"], row["province"], row["kind"]) == ("26734", "Thành phố Hồ Chí Minh", "ward")
    refused = client.get("/plans/units.json?q=x&province_id=abc")
    assert refused.status_code == 400 and "Vui lòng nhập số nguyên cho Tỉnh, thành phố." in refused.get_data(as_text=True)
    auth.logout()
    auth.login("officer")
    assert client.get("/plans/units.json?q=ba").status_code == 403


def test_a_new_plan_takes_the_units_picked_and_a_refusal_keeps_them_and_the_kinds_ticked(app, client, auth, world):
    with app.app_context():
        checklist_id = db.session.get(Plan, world["announced"]).checklist_id
    auth.login("lead")
    english(client)
    form = {"title": "Kế hoạch mới", "kind": "announced", "period_start": day(0), "period_end": day(20),
            "checklist_id": str(checklist_id), "team_id": str(world["team_a"]), "method": "none",
            "unit_ids": [str(world["units"][0]), str(world["units"][3])], "unit_kinds": ["ward"]}
    r = client.post("/plans/new", data={**form, "period_end": day(-5)})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Phường Ba Đình" in text and "Phường Bà Điểm" in text
    assert 'type="checkbox" name="unit_kinds" value="ward" checked' in text
    assert "<select name=\"unit_kinds\" multiple" not in text
    r = client.post("/plans/new", data=form)
    assert r.status_code == 302
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).where(Plan.title == "Kế hoạch mới"))
        assert sorted(i.unit_code_snapshot for i in plan.inspections) == ["00004", "26734"]



def test_a_mistyped_visit_date_is_marked_beside_its_field_and_a_long_reason_beside_the_cancel_box(
        app, client, auth, world):
    with app.app_context():
        target_id = inspections_of(world["announced"])[0].id
    auth.login("lead")
    english(client)
    r = client.post(f"/inspections/{target_id}/schedule", data={"window_start": "soon", "window_end": day(5)})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert '<p class="field-error" id="window_start-error">Visit from: enter a date like 18 Dec 2026.</p>' in page
    assert 'name="window_start" aria-invalid="true"' in page and 'value="soon"' in page
    r = client.post(f"/inspections/{target_id}/cancel", data={"reason": "x" * 6000})
    assert r.status_code == 422 and "Field cannot be longer than 5000 characters." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Inspection, target_id).status == "planned"
