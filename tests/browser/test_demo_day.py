"""The lead's day on the demo data, as a new user meets it after `make run`: in a
real Chromium at phone size, in Vietnamese and English, the demo's lead finds the
submitted inspection first in the queue, the returned one under its filter, the
approved one offering to go back to the team while its photo is missing, and the
concluded one with its notice and actions; the demo's unit officer sees that
conclusion and its overdue action on the portal. Every page passes axe-core;
screenshots go to SCREENS."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from server.extensions import db
from server.models import Inspection, User
from server.services.administration import demo, demo_day
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENS, login

pytestmark = pytest.mark.browser

# What the pages say, read from the catalogue (its wording may be reworded, not the walk).
WORDS = {"queue": "Waiting for review", "returned": "Returned to the team", "return": "Return to the team",
         "conclusion": "Conclusion notice", "write": "Write the conclusion", "overdue": "Overdue",
         "waiting": "Not arrived yet"}


def words(app, lang: str) -> dict[str, str]:
    with app.test_request_context(), force_locale(lang):
        return {key: gettext(msgid) for key, msgid in WORDS.items()}


@pytest.fixture
def demo_world(app):
    """`kiemtra demo` as `make run` loads it; the demo users read `lang` (set per test)."""
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(sa.select(Inspection).where(Inspection.plan.has(title=demo_day.PLAN_TITLE)))
        return {i.status: {"uuid": i.uuid, "id": i.id, "unit": i.unit_name_snapshot} for i in rows}


def speak(app, lang: str) -> None:
    with app.app_context():
        for user in db.session.scalars(sa.select(User)):
            user.locale = lang
        db.session.commit()


def shot(page: Page, name: str, full: bool = True) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"demo-{name}.png"), full_page=full)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demo_lead_walks_the_day_queue_returned_approved_and_concluded(app, browser_page, demo_world, lang):
    speak(app, lang)
    text, day = words(app, lang), demo_world
    page = browser_page(locale=lang)
    login(page, "lead", demo.DEMO_PASSWORD, next="/review/")

    # The queue: the submitted one first, then the approved one waiting for its conclusion.
    expect(page.locator("h1")).to_have_text(text["queue"])
    units = page.locator("ul.list > li.item a.unit")
    expect(units).to_have_count(2)
    expect(units.nth(0)).to_have_text(day["submitted"]["unit"])
    expect(units.nth(1)).to_have_text(day["approved"]["unit"])
    expect(page.get_by_role("link", name=text["write"])).to_have_count(1)
    assert_accessible(page, "the demo lead's queue")
    shot(page, f"{lang}-queue")

    # Under the status filter: the one returned to the team.
    page.select_option("select[name=status]", "returned")
    with page.expect_navigation():
        page.locator("form:has(select[name=status]) button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(text["returned"])
    expect(page.locator("ul.list > li.item a.unit")).to_have_text([day["returned"]["unit"]])
    assert_accessible(page, "the demo queue's returned filter")
    shot(page, f"{lang}-queue-returned")
    page.get_by_role("link", name=day["returned"]["unit"]).click()
    expect(page.get_by_text(demo_day.RETURN_REASON)).to_be_visible()
    assert_accessible(page, "the demo's returned inspection")
    shot(page, f"{lang}-returned")

    # The submitted one: the measured ratio, the inspector's note, the finding, its photos.
    page.goto("/review/")
    page.get_by_role("link", name=day["submitted"]["unit"]).click()
    page.wait_for_url(f"**/review/inspections/{day['submitted']['uuid']}")
    ratio = page.locator("li.item.outcome-fail").filter(has_text="48")
    expect(ratio.first).to_contain_text(re.compile(r"48 ?/ ?50"))
    expect(page.get_by_text("2 hồ sơ nhận qua dịch vụ bưu chính công ích", exact=False).first).to_be_visible()
    expect(page.get_by_text("Quầy số 3 chưa có biển tên lĩnh vực tiếp nhận.", exact=False).first).to_be_visible()
    assert page.locator("img[src*='/thumb']").count() >= 3
    assert_accessible(page, "the demo's submitted inspection")
    shot(page, f"{lang}-submitted")

    # The approved one: its photo has not arrived, so it may go back to the team.
    page.goto("/review/")
    page.get_by_role("link", name=text["write"]).click()
    page.wait_for_url(f"**/review/inspections/{day['approved']['uuid']}/conclusion")
    expect(page.locator(".waiting-evidence")).to_contain_text(text["waiting"])
    expect(page.locator("ol.proposals")).to_contain_text(re.compile(r"41/50 \(82\s?%\)"))
    assert_accessible(page, "the demo's conclusion waiting for a photo")
    shot(page, f"{lang}-approved-conclusion")
    page.locator(".waiting-evidence").get_by_role("link", name=text["return"]).click()
    page.wait_for_url(f"**/review/inspections/{day['approved']['uuid']}#return-approved")
    returning = page.locator("form#return-approved")
    expect(returning.get_by_role("button", name=text["return"])).to_be_visible()
    assert_accessible(page, "the demo's approved inspection")
    shot(page, f"{lang}-approved", full=False)  # the form the link scrolled to

    # The concluded one: its notice one link away and its four actions, one overdue.
    page.goto(f"/review/inspections/{day['concluded']['uuid']}")
    actions = page.locator("li.item").filter(has=page.locator("a[href^='/actions/']"))
    expect(actions).to_have_count(4)
    expect(page.locator("li.item.overdue")).to_have_count(1)
    expect(page.locator("li.item.overdue .badge.late")).to_have_text(text["overdue"])
    assert_accessible(page, "the demo's concluded inspection")
    shot(page, f"{lang}-concluded")
    page.get_by_role("link", name=text["conclusion"], exact=True).first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Trang bị máy quét cho các quầy", exact=False).first).to_be_visible()
    assert_accessible(page, "the demo's conclusion notice")
    shot(page, f"{lang}-conclusion-notice")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demo_unit_officer_sees_the_conclusion_and_its_overdue_action(app, browser_page, demo_world, lang):
    speak(app, lang)
    page = browser_page(locale=lang)
    login(page, "officer", demo.DEMO_PASSWORD, next="/portal/")
    page.locator(f"a[href='/portal/inspections/{demo_world['concluded']['uuid']}']").first.click()
    page.wait_for_url(f"**/portal/inspections/{demo_world['concluded']['uuid']}")
    expect(page.locator("li.item.overdue")).to_have_count(1)
    expect(page.locator("li.item a[href^='/actions/']")).to_have_count(4)
    assert_accessible(page, "the demo officer's concluded inspection")
    shot(page, f"{lang}-officer-concluded")
