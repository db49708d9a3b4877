"""In a real Chromium at phone size: a lead concludes an inspection, and the unit
officer takes the resulting action from open to closed, with evidence."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import ActionStatus, EvidenceFile, InspectionStatus, RemediationAction, Role
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENS, login
from tests.factories import make_team, make_unit, make_user
from tests.imagegen import photo
from tests.remediation_factories import make_submitted_inspection

pytestmark = pytest.mark.browser


def move_button(page, to: str):
    return page.locator(f"form:has(input[name=to][value={to}]) button[type=submit]")


def test_a_lead_concludes_and_the_unit_takes_the_action_from_open_to_closed(app, live_server, browser_page, tmp_path):
    with app.app_context():
        unit = make_unit(name="Phường Thử Trình Duyệt")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        inspection = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.APPROVED)
        db.session.commit()
        uuid = inspection.uuid
    SCREENS.mkdir(parents=True, exist_ok=True)

    # The lead writes and issues the conclusion, grouping both failed items into one action.
    lead_page = browser_page()
    login(lead_page, "lead", next=f"/review/inspections/{uuid}/conclusion")
    assert_accessible(lead_page, "the conclusion form")
    lead_page.fill("textarea[name=strengths]", "Cán bộ tiếp đón niềm nở")
    lead_page.fill("textarea[name=shortcomings]", "Biển hiệu chưa đúng; tỷ lệ đúng hạn thấp")
    lead_page.fill("textarea[name=recommendations]", "Khắc phục trong 15 ngày")
    lead_page.fill("input[name='group-item:bien-hieu']", "1")
    lead_page.fill("input[name='group-item:dung-han']", "1")
    lead_page.click("button[value=issue]")
    lead_page.wait_for_url(f"**/review/inspections/{uuid}")
    assert_accessible(lead_page, "the concluded inspection")
    with app.app_context():
        action = db.session.scalar(sa.select(RemediationAction))
        assert action.item_keys == ["bien-hieu", "dung-han"] and action.status == ActionStatus.OPEN
        action_id = action.id

    # The unit officer finds it in the portal, starts, and reports it done with a photo.
    officer_page = browser_page()
    login(officer_page, "officer", next="/portal/")
    assert_accessible(officer_page, "the unit's portal")
    officer_page.click(f"a[href='/actions/{action_id}']")
    officer_page.wait_for_url(f"**/actions/{action_id}")
    assert_accessible(officer_page, "the action, for the unit")
    move_button(officer_page, "in_progress").click()
    officer_page.wait_for_url(f"**/actions/{action_id}")
    assert_accessible(officer_page, "the action in progress")
    evidence = tmp_path / "bien-hieu-moi.jpg"
    evidence.write_bytes(photo(size=(640, 480)))
    report = officer_page.locator("form:has(input[name=to][value=awaiting_verification])")
    report.locator("textarea[name=note]").fill("Đã thay biển hiệu mới và niêm yết lại")
    report.locator("input[type=file]").set_input_files(str(evidence))
    officer_page.screenshot(path=str(SCREENS / "flow-officer-report.png"), full_page=True)
    report.locator("button[type=submit]").click()
    officer_page.wait_for_url(f"**/actions/{action_id}")
    assert officer_page.locator(".timeline img").count() == 1
    assert_accessible(officer_page, "the action reported done")

    # The lead verifies and closes.
    lead_page.goto(f"/actions/{action_id}")
    assert_accessible(lead_page, "the action, for the lead")
    move_button(lead_page, "closed").click()
    lead_page.wait_for_url(f"**/actions/{action_id}")
    assert_accessible(lead_page, "the closed action")
    lead_page.screenshot(path=str(SCREENS / "flow-lead-closed.png"), full_page=True)

    officer_page.reload()
    assert officer_page.locator(".badge.astatus-closed").first.is_visible()
    with app.app_context():
        action = db.session.get(RemediationAction, action_id)
        assert action.status == ActionStatus.CLOSED
        assert [(e.from_status, e.to_status) for e in action.events if e.kind == "transition"] == [
            ("open", "in_progress"), ("in_progress", "awaiting_verification"), ("awaiting_verification", "closed")]
        assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))
                                 .where(EvidenceFile.action_event_id.is_not(None))) == 1
