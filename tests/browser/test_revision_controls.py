"""In a real Chromium: the lead's revision of an answer shows only the chosen item's
own controls (choices, the two counts of a ratio) and records what they hold."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.extensions import db
from server.models import Answer, Role
from tests.browser.conftest import login
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_submitted_inspection

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-revision")


def test_the_revision_form_offers_the_chosen_items_controls_only(app, live_server, browser_page):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        inspection = make_submitted_inspection(unit=make_unit(name="Phường Sửa Đổi"), team=team)
        db.session.commit()
        uuid, inspection_id = inspection.uuid, inspection.id
    page = browser_page()
    login(page, "lead", next=f"/review/inspections/{uuid}")
    form = page.locator("form[action$='/revise']")
    form.locator("xpath=ancestor::details").locator("summary").click()
    pass_fail = form.locator("fieldset[data-item='bien-hieu']")
    ratio = form.locator("fieldset[data-item='dung-han']")
    expect(pass_fail).to_be_visible()
    expect(ratio).to_be_hidden()
    expect(pass_fail.get_by_label("Không đạt")).to_be_checked()  # the answer recorded
    form.locator("select[name='item_key']").select_option("dung-han")
    expect(pass_fail).to_be_hidden()
    expect(ratio).to_be_visible()
    expect(ratio.locator("input[name='numerator-dung-han']")).to_have_value("90")
    ratio.locator("input[name='numerator-dung-han']").fill("97")
    form.locator("textarea[name='reason']").fill("Đếm lại sổ theo dõi")
    SHOTS.mkdir(exist_ok=True)
    form.screenshot(path=str(SHOTS / "revision-ratio.png"))
    form.get_by_role("button").click()
    expect(page.locator(".flash, .message, [role='status']").first).to_contain_text("1")
    with app.app_context():
        answers = {a.item_key: a.value for a in db.session.scalars(
            sa.select(Answer).where(Answer.inspection_id == inspection_id))}
    assert answers["dung-han"] == {"numerator": 97, "denominator": 100}
    assert answers["bien-hieu"] == "fail"  # the hidden controls were not sent
