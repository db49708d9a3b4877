"""Writing a checklist in Excel, in a real Chromium: the lead downloads the template, fills
a small checklist (as a person fills the template), uploads it with a mistake, reads the
message at its cell, fixes it, previews, publishes, and plans an inspection with it; the
inspector's phone shows it. Screenshots of the library pages go to /tmp/shots-18/."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
import yaml
from playwright.sync_api import Page, expect

from server.extensions import db
from server.models import Inspection, Role
from server.services.checklists import library
from tests.browser import field_steps as steps
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import login
from tests.factories import make_team, make_unit, make_user

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("KIEMTRA_SHOTS_18", "/tmp/shots-18"))
TODAY = date.today()


@pytest.fixture
def library_world(app):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(name="Đoàn kiểm tra an toàn thực phẩm", members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.VIEWER, username="viewer")
        make_unit(code="00004", name="Bếp ăn Trường Tiểu học Ba Đình")
        db.session.commit()


def fill_template(path: Path, *, fridge_type: str) -> None:
    """What a food-safety officer types into the template: settings, one section, three items."""
    book = openpyxl.load_workbook(path)
    for row in book["settings"].iter_rows(min_row=2):
        value = {"key": "bep-an-truong-hoc", "title::vi": "Kiểm tra bếp ăn trường học",
                 "title::en": "School kitchen inspection", "pass_mark": "80"}.get(row[0].value)
        if value is not None:
            row[1].value = value
    book["sections"].append(["ve-sinh", "Vệ sinh", "Hygiene"])
    items = book["items"]
    header = [c.value for c in items[1]]
    for values in (
        {"section": "ve-sinh", "key": "san-sach", "type": "pass_fail", "text::vi": "Sàn bếp sạch, khô",
         "text::en": "Kitchen floor clean and dry", "points": 2, "critical": "yes", "photo": "on_fail",
         "severity": "major", "remediation_days": 7},
        {"section": "ve-sinh", "key": "nhiet-do-tu-lanh", "type": fridge_type, "text::vi": "Nhiệt độ tủ lạnh (°C)",
         "text::en": "Fridge temperature (°C)", "points": 1, "pass_at_most": 5},
        {"section": "ve-sinh", "key": "ghi-chu", "type": "text", "text::vi": "Ghi chú", "text::en": "Notes"},
    ):
        items.append([values.get(h) for h in header])
    book.save(path)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def shots_in_both_languages_and_sizes(page: Page, name: str) -> None:
    """The page as it is now, at 1280×800 and 390×844, in Vietnamese and English."""
    for lang in ("vi", "en"):
        switch = page.locator("form.lang button")
        if page.evaluate("document.documentElement.lang") != lang:
            with page.expect_navigation():
                switch.click()
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            shoot(page, f"{name}-{lang}-{width}")
    page.set_viewport_size({"width": 390, "height": 844})
    if page.evaluate("document.documentElement.lang") != "vi":
        with page.expect_navigation():
            page.locator("form.lang button").click()


def test_a_lead_writes_a_checklist_in_excel_publishes_it_and_the_phone_shows_it(
        app, live_server, browser_page, library_world, tmp_path):
    page = browser_page(locale="vi")
    login(page, "lead", next="/checklists")
    expect(page.locator("h1")).to_have_text("Bảng kiểm")
    assert_accessible(page, "the checklist library")

    with page.expect_download() as download:
        page.click("text=Tải tệp mẫu trống (XLSX)")
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    fill_template(template, fridge_type="numbr")  # the mistake: a type not in the list

    page.click("text=Tải lên bảng kiểm")
    page.set_input_files("input[type=file]", str(template))
    page.click("button.primary")
    problems = page.locator(".upload-errors li")
    expect(problems).to_have_count(1)
    header = [c.value for c in openpyxl.load_workbook(template)["items"][1]]
    cell = f"items!{openpyxl.utils.get_column_letter(header.index('type') + 1)}3"
    expect(problems.first.locator("code.where")).to_have_text(cell)
    expect(problems.first).to_contain_text("'numbr'")
    expect(page.locator(".upload-errors h2")).to_contain_text("chưa ban hành gì")
    assert_accessible(page, "the upload page with an error")
    shots_in_both_languages_and_sizes(page, "upload-error")
    with app.app_context():
        assert library.current_version("bep-an-truong-hoc") is None

    # The fix, as a person makes it: the one cell the message named.
    book = openpyxl.load_workbook(template)
    book["items"][cell.split("!")[1]] = "number"
    fixed = tmp_path / "mau-da-sua.xlsx"
    book.save(fixed)
    page.set_input_files("input[type=file]", str(fixed))
    page.click("button.primary")
    expect(page.locator("h1")).to_have_text("Xem trước khi ban hành")
    preview = page.locator(".phone-preview")
    for text in ("Sàn bếp sạch, khô", "Kitchen floor clean and dry", "Nhiệt độ tủ lạnh (°C)", "Fridge temperature (°C)"):
        expect(preview).to_contain_text(text)
    floor = page.locator("#item-san-sach")
    expect(floor.locator(".badge.critical")).to_be_visible()
    expect(floor).to_contain_text("Điểm: 2")
    expect(floor).to_contain_text("bắt buộc ảnh khi không đạt")
    expect(page.locator("#item-nhiet-do-tu-lanh")).to_contain_text("≤\u00a05")
    assert_accessible(page, "the preview")
    shots_in_both_languages_and_sizes(page, "preview")
    with app.app_context():
        assert library.current_version("bep-an-truong-hoc") is None  # the preview publishes nothing

    page.click("button[name=publish]")
    expect(page.locator(".flash-ok")).to_contain_text("Đã ban hành phiên bản 1 của bep-an-truong-hoc.")

    # A second version: reworded and rescored, to read the difference.
    with app.app_context():
        source = yaml.safe_load(library_yaml("bep-an-truong-hoc"))
    source["sections"][0]["items"][1]["pass_at_most"] = 4
    source["sections"][0]["items"][0]["text"]["vi"] = "Sàn bếp sạch, khô ráo"
    page.goto("/checklists/upload")
    page.set_input_files("input[type=file]", files=[{"name": "bep-an.yaml", "mimeType": "application/yaml",
                                                    "buffer": yaml.safe_dump(source, allow_unicode=True).encode()}])
    page.click("button.primary")
    page.click("button[name=publish]")
    page.goto("/checklists")
    shots_in_both_languages_and_sizes(page, "library")
    page.goto("/checklists/bep-an-truong-hoc/diff?from=1&to=2")
    expect(page.locator('li[data-key="san-sach"] .change-reworded')).to_be_visible()
    expect(page.locator('li[data-key="san-sach"]')).to_contain_text("text.vi: Sàn bếp sạch, khô → Sàn bếp sạch, khô ráo")
    expect(page.locator('li[data-key="nhiet-do-tu-lanh"] .change-rescored')).to_be_visible()
    assert_accessible(page, "the difference between versions")
    shots_in_both_languages_and_sizes(page, "diff")

    # Plan an inspection with it.
    page.goto("/plans/new")
    page.fill("input[name=title]", "Kiểm tra bếp ăn học kỳ I")
    page.fill("input[name=period_start]", TODAY.isoformat())
    page.fill("input[name=period_end]", (TODAY + timedelta(days=10)).isoformat())
    page.select_option("select[name=checklist_id]", label="Kiểm tra bếp ăn trường học")
    page.select_option("select[name=team_id]", label="Đoàn kiểm tra an toàn thực phẩm")
    page.fill("input[name=unit_q]", "bep an truong")
    page.locator(".picker-results li", has_text="Bếp ăn Trường Tiểu học Ba Đình").get_by_role("button").click()
    page.click("button.primary")
    expect(page.locator(".flash-ok")).to_contain_text("1")
    with app.app_context():
        inspection = db.session.scalar(sa.select(Inspection))
        uuid, number = inspection.uuid, inspection.checklist_version.number
    assert number == 2

    # The inspector's phone shows the checklist.
    phone = browser_page(locale="vi", **steps.GEO)
    login(phone, "insp")
    phone.wait_for_selector("body[data-ready='1']")
    steps.open_inspection(phone, uuid, "/s/ve-sinh")
    expect(phone.locator("#item-san-sach h3")).to_contain_text("Sàn bếp sạch, khô ráo")
    expect(phone.locator("#item-nhiet-do-tu-lanh .passmark")).to_contain_text("4")


def library_yaml(key: str) -> str:
    from server.services.checklists import formats
    return formats.to_yaml(library.current_version(key).definition)


def test_a_viewer_reads_the_library_but_cannot_upload(app, live_server, browser_page, library_world):
    with app.app_context():
        library.import_checklist(Path(__file__).resolve().parents[2] / "checklists" / "mot-cua-cap-xa.yaml")
        db.session.commit()
    page = browser_page(locale="vi")
    login(page, "viewer", next="/checklists")
    expect(page.locator("li.item", has_text="mot-cua-cap-xa")).to_have_count(1)
    expect(page.locator("text=Tải lên bảng kiểm")).to_have_count(0)
    page.click("li.item >> text=Phiên bản 1")
    expect(page.locator(".preview-item").first).to_be_visible()
    assert_accessible(page, "a published version")
