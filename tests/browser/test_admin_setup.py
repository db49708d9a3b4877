"""An administrator sets the organisation up in the browser: imports one
province's units from the official list, sets the document heading in the
settings, and the next minutes PDF shows it. Then every units, settings and
audit page, at a laptop's and a phone's width in both languages, fits its
screen (screenshots in SHOTS)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from server.extensions import db
from server.models import AuditEvent, RemediationAction, Role, Unit
from tests.browser.conftest import login
from tests.factories import make_checklist_version, make_inspection, make_team, make_unit, make_user
from tests.reportdata import minutes_inspection

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KIEMTRA_SHOTS", "/tmp/shots-17b"))
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_an_admin_imports_a_province_sets_the_heading_and_the_next_minutes_show_it(live_server, browser_page):
    app = live_server.app
    with app.app_context():
        make_user(Role.ADMIN, username="admin").locale = "en"
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(name="Đoàn kiểm tra CCHC số 3")
        team.lead = lead
        unit = make_unit(code="00070", name="Phường Hoàn Kiếm")
        inspection_id = minutes_inspection(app, unit, team, make_checklist_version()).id
        db.session.commit()

    page = browser_page()
    login(page, "admin", next="/admin/units")
    page.get_by_role("link", name="Import units").click()
    page.get_by_text("Choose provinces").click()
    page.get_by_label("Tỉnh Cao Bằng").check()
    page.get_by_role("button", name="Import the chosen provinces").click()
    expect(page.locator(".flash")).to_contain_text("Imported from the official list")
    page.get_by_role("link", name="Tỉnh Cao Bằng").click()
    expect(page.locator("h1")).to_have_text("Tỉnh Cao Bằng")
    expect(page.locator(".facts")).to_contain_text("Official code04")  # leading zeros kept
    expect(page.locator("main .list .item").first).to_contain_text("Code 01")
    with app.app_context():
        cao_bang = db.session.scalars(sa.select(Unit).where(Unit.code == "04")).one()
        assert db.session.scalar(sa.select(sa.func.count()).where(Unit.parent_id == cao_bang.id)) > 10

    page.goto("/admin/settings")
    page.fill("#issuing_body", "")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#issuing_body-error")).to_have_text("This field is required.")
    page.fill("#issuing_body", "THANH TRA TỈNH CAO BẰNG")
    page.fill("#issuing_place", "Cao Bằng")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash")).to_contain_text("The settings were saved")

    lead_page = browser_page()
    login(lead_page, "lead", next="/")
    response = lead_page.request.get(f"/inspections/{inspection_id}/minutes.pdf")
    assert response.status == 200
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "THANH TRA TỈNH CAO BẰNG" in text and "Cao Bằng, ngày" in text
    assert "ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH" not in text

    page.goto("/admin/audit?action=settings.update")
    expect(page.locator(".audit-list .item")).to_have_count(1)
    expect(page.locator(".audit-list .item").first).to_contain_text("Settings changed")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "units.import_vietnam")) == 1


def _world(app, locale: str) -> dict:
    with app.app_context():
        admin = make_user(Role.ADMIN, username="admin")
        admin.locale = locale
        province = make_unit(code="01", name="Thành phố Hà Nội", kind="province", lat=21.0278, lon=105.8342)
        ba_dinh = make_unit(code="00004", name="Phường Ba Đình", parent=province)
        make_unit(code="00004-TTPV", name="Trung tâm Phục vụ hành chính công phường Ba Đình",
                  kind="service_centre", parent=ba_dinh)
        make_unit(code="00070", name="Phường Hoàn Kiếm", parent=province)
        from datetime import date, timedelta

        from server.services.directory import units as unit_service

        old = make_unit(code="009", name="Quận Thanh Xuân", kind="district", parent=province)
        ward = make_unit(code="00367", name="Phường Thanh Xuân", parent=province, valid_from=date(2025, 7, 1))
        unit_service.reorganise([old], ward, effective=date(2025, 7, 1), legal_basis="Nghị quyết 1656/NQ-UBTVQH15",
                                actor=admin)
        inspection = make_inspection(unit=ba_dinh)
        db.session.add(RemediationAction(inspection=inspection, unit=ba_dinh, title="Niêm yết lại mức phí, lệ phí",
                                         deadline=date.today() + timedelta(days=12)))
        db.session.commit()
        return {"province": province.id, "ba_dinh": ba_dinh.id, "old": old.id}


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_admin_pages_fit_a_laptop_and_a_phone_in_both_languages(live_server, chromium, locale):
    ids = _world(live_server.app, locale)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size_name, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport, locale=locale,
                                       device_scale_factor=1, is_mobile=size_name == "phone",
                                       has_touch=size_name == "phone")
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, "admin", next="/admin/units")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        pages = {
            "units": "/admin/units",
            "units-search": "/admin/units?q=thanh+xuan&ended=1",
            "unit-province": f"/admin/units/{ids['province']}",
            "unit-ended": f"/admin/units/{ids['old']}",
            "unit-new": "/admin/units/new?parent=00004",
            "units-import": "/admin/units/import",
            "settings": "/admin/settings",
            "audit": "/admin/audit",
        }
        for name, url in pages.items():
            page.goto(url)
            _shot(page, f"{name}-{size_name}-{locale}")
        # A refused unit, a reorganisation's preview, a CSV preview and a refused setting.
        page.goto("/admin/units/new?parent=00004")
        page.fill("#code", "00070")
        page.fill("#name", "Văn phòng")
        page.fill("#lat", "95")
        page.fill("#lon", "105.8")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#code-error")).to_be_visible()
        _shot(page, f"unit-refused-{size_name}-{locale}")
        page.goto(f"/admin/units/{ids['ba_dinh']}/reorganise")
        page.fill("#into_code", "00070")
        page.fill("#legal_basis", "Nghị quyết 1656/NQ-UBTVQH15")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#moves-h")).to_be_visible()
        _shot(page, f"unit-merge-preview-{size_name}-{locale}")
        page.goto("/admin/units/import")
        page.set_input_files("#file", files=[{"name": "don-vi.csv", "mimeType": "text/csv", "buffer": (
            "code,name,kind,parent_code,lat,lon\n00004-MC,Bộ phận một cửa phường Ba Đình,office,00004,21.0359,105.834\n"
            "00070-MC,Bộ phận một cửa phường Hoàn Kiếm,office,00070,,\n").encode()}])
        page.locator("form[enctype] button[type=submit]").click()
        expect(page.get_by_text("Bộ phận một cửa phường Hoàn Kiếm")).to_be_visible()
        _shot(page, f"units-csv-preview-{size_name}-{locale}")
        page.goto("/admin/settings")
        page.fill("#checkin_radius_m", "-5")
        page.fill("#timezone", "Asia/Atlantis")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#timezone-error")).to_be_visible()
        _shot(page, f"settings-refused-{size_name}-{locale}")
        context.close()


def _shot(page, name: str) -> None:
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} is too wide"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
