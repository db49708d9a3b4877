"""In a real Chromium, each role reaches an inspection in one step: a viewer opens
one from home and reads it without the lead's controls; a lead finds a returned
inspection by typing its unit's name without accents, follows a notification to
a submitted inspection, and narrows a 60-item inspection to its failed answers."""
import uuid as uuidlib

import pytest

from server.extensions import db
from server.models import Answer, Inspection, InspectionStatus, Role, User
from server.models.types import utcnow
from server.services.checklists import scoring
from server.services.fieldwork import submissions
from server.services.fieldwork.submissions import SubmittedContent
from tests.browser.conftest import login
from tests.factories import make_checklist_version, make_team, make_unit, make_user, normalised, signatures
from tests.remediation_factories import make_submitted_inspection

pytestmark = pytest.mark.browser

SECTIONS, PER_SECTION = 6, 10
FAILED = {"s1-3", "s2-7", "s4-1", "s6-10"}

# Sixty pass/fail items in six sections, the size of a real CCHC checklist.
LONG_CHECKLIST = normalised({
    "key": "dai", "title": {"vi": "Bảng kiểm dài", "en": "Long checklist"}, "scoring": {"pass_mark": 80},
    "sections": [{"key": f"s{s}", "title": {"vi": f"Phần {s}", "en": f"Part {s}"},
                  "items": [{"key": f"s{s}-{i}", "type": "pass_fail", "points": 1,
                             "text": {"vi": f"Tiêu chí {s}.{i}", "en": f"Criterion {s}.{i}"}}
                            for i in range(1, PER_SECTION + 1)]}
                 for s in range(1, SECTIONS + 1)],
})


def long_inspection(unit, team) -> Inspection:
    inspection = make_submitted_inspection(unit=unit, team=team, answers={},
                                           version=make_checklist_version(LONG_CHECKLIST))
    now = utcnow()
    for _section, item in [(s, i) for s in LONG_CHECKLIST["sections"] for i in s["items"]]:
        value = "fail" if item["key"] in FAILED else "pass"
        inspection.answers.append(Answer(item_key=item["key"], value=value, na=False, answered_at=now))
    result = scoring.score_inspection(LONG_CHECKLIST, {a.item_key: {"value": a.value, "na": a.na}
                                                       for a in inspection.answers})
    inspection.score, inspection.score_percent, inspection.result = result.to_dict(), result.percent, result.result
    db.session.flush()
    return inspection


@pytest.fixture
def world(app):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        inspector = make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.VIEWER, username="viewer")
        dinh = make_unit(name="Phường Ba Đình")
        hoan_kiem = make_unit(name="Phường Hoàn Kiếm")
        submitted = make_submitted_inspection(unit=dinh, team=team)
        returned = make_submitted_inspection(unit=hoan_kiem, team=team, status=InspectionStatus.RETURNED)
        long = long_inspection(make_unit(name="Xã Dài Hạn"), team)
        db.session.commit()
        return {"submitted": submitted.uuid, "returned": returned.uuid, "long": long.uuid,
                "inspector_id": inspector.id}


def test_a_viewer_opens_an_inspection_from_home_and_reads_it_only(browser_page, world):
    page = browser_page()
    login(page, "viewer", next="/")
    page.get_by_role("link", name="Phường Ba Đình").click()
    page.wait_for_url(f"**/review/inspections/{world['submitted']}")
    assert page.locator("h1").inner_text() == "Phường Ba Đình"
    assert page.get_by_text("Chỉ xem: chỉ trưởng đoàn mới duyệt cuộc kiểm tra.").is_visible()
    assert page.locator("#location").is_visible()
    assert page.locator("li.item.outcome-fail").count() == 2
    # No decision, no comment box, no correction.
    assert page.locator("form[action$='/approve'], form[action$='/return'], form[action$='/revise']").count() == 0
    assert page.locator("textarea").count() == 0
    # Its minutes are one link away.
    page.get_by_role("link", name="Biên bản", exact=True).click()
    page.wait_for_url("**/minutes")


def test_a_lead_finds_a_returned_inspection_by_typing_the_unit_without_accents(browser_page, world):
    page = browser_page()
    login(page, "lead", next="/review/")
    # Returned, it is not waiting for the lead...
    assert page.get_by_role("link", name="Phường Hoàn Kiếm").count() == 0
    # ...but stays in the queue under its status.
    page.select_option("select[name=status]", "returned")
    page.fill("input[name=q]", "hoan kiem")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm").click()
    assert page.get_by_role("heading", name="Đã trả lại cho đoàn kiểm tra").is_visible()
    page.get_by_role("link", name="Phường Hoàn Kiếm").click()
    page.wait_for_url(f"**/review/inspections/{world['returned']}")


def test_a_lead_follows_a_notification_to_the_submitted_inspection(app, browser_page, world):
    with app.app_context():
        insp = db.session.scalar(db.select(Inspection).where(Inspection.uuid == world["submitted"]))
        insp.status = InspectionStatus.RETURNED
        submissions.submit(insp, db.session.get(User, world["inspector_id"]), str(uuidlib.uuid4()),
                           SubmittedContent(answers=[{"item_key": "bien-hieu", "value": "pass", "na": False},
                                                     {"item_key": "dung-han", "value": {"numerator": 99,
                                                                                        "denominator": 100},
                                                      "na": False}],
                                            signatures=signatures()),
                           reason="Đã chụp lại biển hiệu")
        db.session.commit()
    page = browser_page()
    login(page, "lead", next="/")
    page.locator("a.bell").click()
    page.get_by_role("link", name="Đã gửi lại để duyệt: Phường Ba Đình").click()
    page.wait_for_url(f"**/review/inspections/{world['submitted']}")
    assert page.get_by_role("button", name="Duyệt").first.is_visible()


def test_the_long_inspection_is_narrowed_to_its_failed_answers(browser_page, world):
    page = browser_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, "lead", next=f"/review/inspections/{world['long']}")
    answers = page.locator("li.item[id^=item-]")
    assert answers.count() == SECTIONS * PER_SECTION
    full_height = page.evaluate("document.documentElement.scrollHeight")
    page.get_by_role("button", name=f"Chỉ nội dung Không đạt ({len(FAILED)})").click()
    visible = page.locator("li.item[id^=item-]:visible")
    assert visible.count() == len(FAILED)
    assert {el.get_attribute("id") for el in visible.element_handles()} == {f"item-{k}" for k in FAILED}
    # Sections without a failure are out of the way; the page is a fraction of its length.
    assert page.locator("details.answer-section:visible").count() == 4
    assert page.evaluate("document.documentElement.scrollHeight") < full_height / 3
    # A comment box opens only where the lead wants one.
    assert page.locator("textarea[name='comment-s2-7']").is_hidden()
    page.locator("#item-s2-7").get_by_role("button", name="Nhận xét cho đoàn").click()
    box = page.locator("textarea[name='comment-s2-7']")
    assert box.is_visible() and box.evaluate("el => el === document.activeElement")
    # Folding every section, then back to all answers.
    page.get_by_role("button", name="Thu gọn tất cả các phần").click()
    assert page.locator("li.item[id^=item-]:visible").count() == 0
    page.get_by_role("button", name=f"Tất cả ({SECTIONS * PER_SECTION})").click()
    page.get_by_role("button", name="Mở rộng tất cả các phần").click()
    assert page.locator("li.item[id^=item-]:visible").count() == SECTIONS * PER_SECTION
