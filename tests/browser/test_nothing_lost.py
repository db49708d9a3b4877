"""In a real Chromium: what the lead and the unit officer type is not lost. A
conclusion draft keeps every proposal's group, priority and deadline, and
issuing creates exactly the groups the page shows; an upload over the size
limit is stopped before sending (or, without JavaScript, refused by the server
on the same form) with the note still there."""
import os
import uuid as uuidlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.extensions import db
from server.models import ActionEvent, ActionStatus, InspectionStatus, RemediationAction, Role, Submission, User
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import login
from tests.browser.field_steps import open_app, open_inspection
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_action, make_submitted_inspection

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-16a")
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def approved_with_findings(app, *, missing_photo=False, status=InspectionStatus.APPROVED):
    with app.app_context():
        unit = make_unit(name="Phường Giữ Nháp")
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Trần Trưởng Đoàn"
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        inspection = make_submitted_inspection(
            unit=unit, team=team, status=status,
            findings=[(None, "minor", "Thiếu ghế chờ cho người dân"), ("ghi-chu", "critical", "Thu phí sai quy định")])
        if missing_photo:  # announced by the phone, never arrived
            lost = str(uuidlib.uuid4())
            db.session.add(Submission(uuid=str(uuidlib.uuid4()), inspection_id=inspection.id, photo_uuids=[lost],
                                      photos=[{"uuid": lost, "item_key": "bien-hieu"}]))
        db.session.commit()
        return inspection.uuid, inspection.id


def test_a_conclusion_draft_keeps_every_choice_and_issuing_creates_the_groups_shown(app, live_server, browser_page):
    uuid, inspection_id = approved_with_findings(app)
    page = browser_page()
    login(page, "lead", next=f"/review/inspections/{uuid}/conclusion")
    groups = page.locator("input[name^=group-]")
    assert groups.count() == 4
    assert [groups.nth(i).input_value() for i in range(4)] == ["1", "2", "3", "4"]  # each its own number
    count = page.locator("[data-count]")
    assert count.inner_text() == "4"

    later = (date.today() + timedelta(days=45)).isoformat()
    page.fill("textarea[name=strengths]", "Cán bộ tiếp đón niềm nở")
    groups.nth(1).fill("1")  # the second joins the first
    expect(count).to_have_text("3")  # the page says so at once
    page.select_option("select[name='priority-item:dung-han']", "low")
    page.locator("input[name^=deadline-]").nth(3).fill(later)
    page.click("button[value=draft]")
    page.wait_for_url(f"**/review/inspections/{uuid}/conclusion")

    page.reload()
    assert page.input_value("textarea[name=strengths]") == "Cán bộ tiếp đón niềm nở"
    assert [groups.nth(i).input_value() for i in range(4)] == ["1", "1", "3", "4"]
    assert page.input_value("select[name='priority-item:dung-han']") == "low"
    assert page.locator("input[name^=deadline-]").nth(3).input_value() == later
    expect(count).to_have_text("3")

    page.fill("textarea[name=recommendations]", "Khắc phục trong 15 ngày")
    page.click("button[value=issue]")
    page.wait_for_url(f"**/review/inspections/{uuid}")
    with app.app_context():
        actions = db.session.scalars(sa.select(RemediationAction).where(
            RemediationAction.inspection_id == inspection_id).order_by(RemediationAction.id)).all()
        assert len(actions) == 3
        assert actions[0].item_keys == ["bien-hieu", "dung-han"]
        assert actions[0].priority == "normal"  # the highest of the group: "low" was the lower one
        assert actions[2].deadline == date.fromisoformat(later)


def test_an_over_size_upload_keeps_the_note_with_and_without_javascript(app, live_server, browser_page, tmp_path):
    app.config["MAX_CONTENT_LENGTH"] = 300_000
    with app.app_context():
        unit = make_unit(name="Phường Tải Tệp")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        action_id = make_action(unit=unit, team=team, status=ActionStatus.IN_PROGRESS).id
        db.session.commit()
    big = tmp_path / "bien-ban-nghiem-thu.pdf"
    big.write_bytes(b"%PDF-1.4\n" + os.urandom(600_000))
    note = "Đã thay biển hiệu mới, có biên bản nghiệm thu"

    page = browser_page()
    login(page, "officer", next=f"/actions/{action_id}")
    report = page.locator("form:has(input[name=to][value=awaiting_verification])")
    assert "0,3 MB" in report.locator(".upload-limit").inner_text()  # said before choosing
    report.locator("textarea[name=note]").fill(note)
    report.locator("input[type=file]").set_input_files(str(big))
    warning = report.locator(".upload-too-large")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("nặng 0,6 MB; mỗi lần gửi tối đa 0,3 MB")
    assert_accessible(page, "the action page with its size warning")
    report.locator("button[type=submit]").click()
    assert page.url.endswith(f"/actions/{action_id}")  # not sent
    assert report.locator("textarea[name=note]").input_value() == note

    # Without JavaScript the browser sends it; the server answers on the same form.
    bare = browser_page(java_script_enabled=False)
    login(bare, "officer", next=f"/actions/{action_id}")
    report = bare.locator("form:has(input[name=to][value=awaiting_verification])")
    report.locator("textarea[name=note]").fill(note)
    report.locator("input[type=file]").set_input_files(str(big))
    with bare.expect_navigation():
        report.locator("button[type=submit]").click()
    assert "Tệp quá lớn để gửi: mỗi lần gửi tối đa 0,3 MB" in bare.locator(".flash-error").inner_text()
    assert report.locator("textarea[name=note]").input_value() == note
    with app.app_context():
        assert db.session.get(RemediationAction, action_id).status == ActionStatus.IN_PROGRESS
        assert db.session.scalar(sa.select(sa.func.count(ActionEvent.id))) == 1


def in_language(page, lang: str) -> None:
    """Switch the signed-in user's language with the top bar's button when needed."""
    if page.get_attribute("html", "lang") != lang:
        with page.expect_navigation():
            page.click("form.lang button")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screens_of_the_conclusion_and_review_pages(app, live_server, chromium, lang):
    """Screenshots to look at: the conclusion draft, the decision on a submitted
    inspection, and an approved one whose photo never arrived."""
    uuid, _inspection_id = approved_with_findings(app, missing_photo=True)
    with app.app_context():
        team = db.session.scalar(sa.select(User).where(User.username == "lead")).teams[0]
        submitted = make_submitted_inspection(unit=make_unit(name="Phường Chờ Duyệt"), team=team).uuid
        db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        phone = name == "phone"
        context = chromium.new_context(base_url=live_server.url, viewport=size, locale=lang, device_scale_factor=1,
                                       is_mobile=phone, has_touch=phone)
        try:
            page = context.new_page()
            login(page, "lead", next=f"/review/inspections/{uuid}/conclusion")
            in_language(page, lang)
            page.locator("input[name^=group-]").nth(1).fill("1")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"conclusion-{lang}-{name}.png"), full_page=True)
            assert_accessible(page, "the conclusion page")
            page.click("a[href$='#return-approved']")  # the conclusion page offers the return
            assert page.locator("#return-approved").is_visible()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"review-approved-missing-{lang}-{name}.png"), full_page=True)
            assert_accessible(page, "an approved inspection with a photo missing")
            page.goto(f"/review/inspections/{submitted}")
            page.fill("textarea[name=comment]", "Lần sau chụp rõ hơn" if lang == "vi" else "Sharper photos next time")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(SHOTS / f"review-decision-{lang}-{name}.png"), full_page=True)
            assert_accessible(page, "the decision on a submitted inspection")
        finally:
            context.close()


def test_the_phone_shows_the_comment_the_lead_wrote_with_the_approval(app, live_server, browser_page):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        uuid = make_submitted_inspection(unit=make_unit(name="Phường Duyệt Kèm Lời"), team=team).uuid
        db.session.commit()
    lead_page = browser_page()
    login(lead_page, "lead", next=f"/review/inspections/{uuid}")
    lead_page.fill("textarea[name=comment]", "Hồ sơ đầy đủ, lần sau ghi rõ giờ kết thúc")
    lead_page.click("button[formaction$='/approve']")
    lead_page.wait_for_url(f"**/review/inspections/{uuid}/conclusion")

    phone = browser_page()
    login(phone, "insp")
    open_app(phone)
    open_inspection(phone, uuid)
    note = phone.locator(".screen .comment")
    assert "Nhận xét của trưởng đoàn khi duyệt" in note.inner_text()
    assert "Hồ sơ đầy đủ, lần sau ghi rõ giờ kết thúc" in note.inner_text()
