"""Changing a plan in a real Chromium: the lead edits it, adds a unit found with the search box
(typed without accents), cancels an inspection with a reason; the inspector's phone says so."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.extensions import db
from server.models import Inspection, Role
from server.services.fieldwork import plans as plan_service
from tests.browser import field_steps as steps
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import login
from tests.factories import make_checklist_version, make_team, make_unit, make_user

pytestmark = pytest.mark.browser

TODAY = date.today()


@pytest.fixture
def plan_world(app):
    with app.app_context():
        version = make_checklist_version()
        province = make_unit(code="01", name="Thành phố Hà Nội", kind="province", lat=None)
        units = [make_unit(code="00004", name="Phường Ba Đình", parent=province),
                 make_unit(code="00070", name="Phường Hoàn Kiếm", parent=province)]
        make_unit(code="00008", name="Phường Ngọc Hà", parent=province)
        make_unit(code="00103", name="Phường Đống Đa", parent=province)
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(name="Đoàn kiểm tra số 1", members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        plan = plan_service.create_plan(
            lead, title="Kế hoạch kiểm tra CCHC quý IV", kind="announced", period_start=TODAY,
            period_end=TODAY + timedelta(days=30), checklist=version.checklist, team=team, units=units,
            schedule=plan_service.Schedule(TODAY + timedelta(days=2), TODAY + timedelta(days=4)))
        db.session.commit()
        return {"plan_id": plan.id, "ba_dinh": plan.inspections[0].uuid}


def test_the_lead_edits_a_plan_adds_a_unit_found_without_accents_and_cancels_an_inspection(
        app, live_server, browser_page, plan_world):
    page = browser_page(locale="vi")
    plan_id = plan_world["plan_id"]
    login(page, "lead", next=f"/plans/{plan_id}")
    assert_accessible(page, "the plan")
    page.click("text=Sửa kế hoạch")
    assert_accessible(page, "the plan's form")
    page.fill("input[name=title]", "Kế hoạch kiểm tra CCHC quý IV (điều chỉnh)")
    page.fill("textarea[name=purpose]", "Bổ sung phường Ngọc Hà")

    # The search box: typed without accents, narrowed by kind with a check box.
    page.check("input[name=unit_kinds][value=ward]")
    page.fill("input[name=unit_q]", "ngoc ha")
    result = page.locator(".picker-results li", has_text="Phường Ngọc Hà")
    expect(result).to_have_count(1)
    expect(page.locator(".picker-results li")).to_have_count(1)
    result.get_by_role("button").click()
    expect(page.locator(".picked li", has_text="Phường Ngọc Hà")).to_have_count(1)
    expect(result.get_by_role("button")).to_be_disabled()  # already chosen
    assert_accessible(page, "the plan's form with a unit found")

    # A period that leaves the inspections outside: refused on the same form, nothing typed lost.
    page.fill("input[name=period_start]", (TODAY + timedelta(days=3)).isoformat())
    page.click("button.primary")
    expect(page.locator(".flash-error")).to_contain_text("Phường Ba Đình")
    expect(page.locator("input[name=title]")).to_have_value("Kế hoạch kiểm tra CCHC quý IV (điều chỉnh)")
    expect(page.locator("textarea[name=purpose]")).to_have_value("Bổ sung phường Ngọc Hà")
    expect(page.locator(".picked li", has_text="Phường Ngọc Hà")).to_have_count(1)
    expect(page.locator("input[name=unit_kinds][value=ward]")).to_be_checked()
    assert_accessible(page, "the plan's form refused")

    page.fill("input[name=period_start]", TODAY.isoformat())
    page.click("button.primary")
    expect(page.locator("h1")).to_have_text("Kế hoạch kiểm tra CCHC quý IV (điều chỉnh)")
    expect(page.locator(".flash-ok").first).to_contain_text("Đã lưu kế hoạch.")
    expect(page.locator("li.item", has_text="Phường Ngọc Hà")).to_have_count(1)

    # Cancel Ba Đình's inspection with a reason.
    page.locator("li.item", has_text="Phường Ba Đình").get_by_role("link", name="Đổi thời gian, đoàn hoặc hủy").click()
    page.click("button.danger")  # no reason yet: the browser asks for one, nothing is sent
    expect(page.locator("h1")).to_have_text("Phường Ba Đình")
    assert_accessible(page, "an inspection's changes")
    page.fill("textarea[name=reason]", "Đơn vị đang sắp xếp lại tổ chức")
    page.click("button.danger")

    cancelled = page.locator("li.item.cancelled")
    expect(cancelled).to_have_count(1)
    expect(cancelled).to_contain_text("Phường Ba Đình")
    expect(cancelled.locator(".badge")).to_have_text("Đã hủy")
    expect(cancelled).to_contain_text("Đã hủy: Đơn vị đang sắp xếp lại tổ chức")
    expect(page.locator("li.item:not(.cancelled)")).to_have_count(2)
    history = page.locator(".history")
    expect(history).to_contain_text("Đã hủy cuộc kiểm tra: Phường Ba Đình — Đơn vị đang sắp xếp lại tổ chức")
    expect(history).to_contain_text("Đã sửa kế hoạch: tên, mục đích, đơn vị thêm vào")
    expect(page.locator(".flash-ok")).to_contain_text("Đã hủy cuộc kiểm tra Phường Ba Đình.")
    assert_accessible(page, "the plan with a cancelled inspection")
    page.goto("/plans")
    assert_accessible(page, "the plans")
    expect(page.locator("li.item", has_text="(điều chỉnh)")).to_contain_text("3 đơn vị (1 đã hủy)")


def test_the_phone_tells_the_inspector_which_inspection_was_cancelled_and_why(
        app, live_server, browser_page, plan_world):
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".list li")).to_have_count(2)
    with app.app_context():
        inspection = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == plan_world["ba_dinh"]))
        plan_service.cancel_inspection(None, inspection, reason="Trùng lịch tiếp dân")
        db.session.commit()
    steps.open_app(page)
    notice = page.locator(".notices")
    expect(notice).to_contain_text("Đã hủy: Phường Ba Đình")
    expect(notice).to_contain_text("Lý do: Trùng lịch tiếp dân")
    expect(page.locator(".home-todo .list li, .home-done .list li")).to_have_count(1)  # it left the list
    # Opened from an old link, it says it is cancelled and offers no check-in.
    steps.open_inspection(page, plan_world["ba_dinh"])
    expect(page.locator(".insp-head [role=alert]")).to_contain_text("Trưởng đoàn đã hủy. Lý do: Trùng lịch tiếp dân")
    expect(page.locator("button[name=checkin]")).to_have_count(0)
    page.evaluate("() => { location.hash = '#/'; }")
    page.click("button[name=dismiss-notices]")
    expect(page.locator(".notices")).to_have_count(0)
    steps.open_app(page)
    expect(page.locator(".notices")).to_have_count(0)  # read once, not told again
