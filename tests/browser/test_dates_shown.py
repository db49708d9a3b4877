"""Dates in the browser read as the page's language writes them, whatever the phone's
own locale: beside each date picker (a US-set phone shows 12/18/2026 in the picker)
and in the field app's list."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from server.extensions import db
from server.models import Role
from tests.browser.conftest import login
from tests.factories import make_checklist_version, make_inspection, make_team, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app):
    with app.app_context():
        version = make_checklist_version()
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_inspection(team=team, version=version, start=date(2026, 12, 18), days=2)
        db.session.commit()


@pytest.mark.parametrize("language, shown", [("vi", "18/12/2026"), ("en", "18 Dec 2026")])
def test_each_date_picker_shows_the_date_as_the_page_writes_it(browser_page, people, language, shown):
    page = browser_page(locale="en-US")  # the phone's own locale writes 12/18/2026
    login(page, "lead", next="/plans/new")
    if language == "en":
        page.click("header form.lang button")
        page.wait_for_load_state()
    pickers = page.locator("main input[type=date]")
    assert pickers.count() >= 2
    for i in range(pickers.count()):
        picker = pickers.nth(i)
        picker.fill("2026-12-18")
        expect(picker.locator("xpath=following-sibling::output[1]")).to_have_text(shown)
    # A refused form keeps what was typed, and the echo reads it at once.
    first = pickers.first
    first.fill("")
    expect(first.locator("xpath=following-sibling::output[1]")).to_have_text("")


@pytest.mark.parametrize("language, shown", [("vi", "18/12/2026 – 20/12/2026"), ("en", "18 Dec 2026 – 20 Dec 2026")])
def test_the_field_app_lists_the_window_in_the_pages_style(browser_page, people, language, shown):
    page = browser_page(locale="en-US")
    login(page, "lead", next="/")
    page.request.post(f"/lang/{language}")
    page.goto("/app")
    expect(page.locator("#view")).to_contain_text(shown)
