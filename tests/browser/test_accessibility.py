"""What a keyboard or screen-reader user gets, in a real Chromium at 390×844, in
Vietnamese and English: axe-core (WCAG 2.1 A/AA) on the website's main pages for
a lead, a viewer and a unit officer; in the field app, controls named by their
question, a visible focus ring, focus on the new screen's heading after a link,
and a lead's signature given by typing the full name.

The field app's own walks (test_field_app.py, ...) run axe on every screen they
open through field_steps. Screenshots go to /tmp/shots-16e/.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from server.extensions import db
from server.models import Inspection, InspectionStatus, User
from tests.browser import field_steps as steps
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import login
from tests.fieldwork_data import make_field_world

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-16e")

TEXT = {
    "vi": {"lang": "English", "other": "Tiếng Việt", "item": "Biển hiệu rõ ràng", "required": "bắt buộc",
           "note": "Ghi chú", "camera": "Máy ảnh", "finding": "Phát hiện 1", "gallery": "Thư viện ảnh", "section": "Cơ sở vật chất",
           "typed": "Đã xác nhận bằng họ tên gõ thay cho chữ ký"},
    "en": {"lang": "Tiếng Việt", "other": "English", "item": "Clear signage", "required": "required",
           "note": "Note", "camera": "Camera", "finding": "Finding 1", "gallery": "Gallery", "section": "Premises",
           "typed": "Confirmed by typing the full name instead of signing"},
}


def speak(app, lang: str, *usernames: str) -> None:
    with app.app_context():
        for name in usernames:
            db.session.scalar(sa.select(User).where(User.username == name)).locale = lang
        db.session.commit()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def contrast(page: Page, fg: str, bg: str) -> float:
    """WCAG contrast ratio of two CSS colours as the browser computes them."""
    return page.evaluate("""([fg, bg]) => {
      const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    }""", [fg, bg])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_field_app_names_each_control_by_its_question_and_shows_where_focus_is(app, live_server, browser_page, lang):
    with app.app_context():
        world = make_field_world()
    speak(app, lang, "insp")
    words = TEXT[lang]
    page = browser_page(locale=lang, **steps.GEO)
    login(page, "insp")
    steps.open_app(page)
    # The language button is called what it shows (a voice user says "English"), in that language.
    lang_button = page.locator("#lang")
    expect(lang_button).to_have_text(words["lang"])
    expect(lang_button).to_have_accessible_name(re.compile(re.escape(words["lang"])))

    # Following a link: focus lands on the new screen's heading, not on <body>.
    page.click(f"a[data-uuid='{world['uuid']}']")
    expect(page.locator(".screen h1")).to_be_focused()
    page.click(f"a[href$='/s/co-so']")
    heading = page.locator(".screen h1")
    expect(heading).to_have_text(words["section"])
    expect(heading).to_be_focused()
    assert page.evaluate("document.activeElement.tagName") == "H1"
    assert_accessible(page, "a section, as opened by its link")

    card = page.locator("#item-bien-hieu")
    # Đạt / Không đạt are one group, named by the question, which says it is required.
    group = card.get_by_role("radiogroup")
    expect(group).to_have_accessible_name(re.compile(re.escape(words["item"]) + r".*" + words["required"]))
    expect(group).to_have_attribute("aria-required", "true")
    # The note box and the photo buttons say which item they are for.
    card.locator("summary").click()
    expect(card.locator("textarea[name='note-bien-hieu']")).to_have_accessible_name(
        re.compile(re.escape(words["note"]) + r".*" + re.escape(words["item"])))
    expect(card.locator("input[name=camera]")).to_have_accessible_name(
        re.compile(re.escape(words["camera"]) + r".*" + re.escape(words["item"])))
    expect(card.locator("input[name=gallery]")).to_have_accessible_name(
        re.compile(re.escape(words["gallery"]) + r".*" + re.escape(words["item"])))
    assert_accessible(page, "a section with a note open")

    # Tabbing onto the hidden file input shows a ring on its button, 3:1 against the card.
    page.locator("input[name='a-bien-hieu'][value='fail']").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "camera":
            break
    assert page.evaluate("document.activeElement.name") == "camera"
    button = card.locator("label.button.file").first
    ring = button.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2, ring
    card_bg = card.evaluate("el => getComputedStyle(el).backgroundColor")
    assert contrast(page, ring[2], card_bg) >= 3, (ring[2], card_bg)
    shot(page, f"{lang}-section-focus")
    # A finding's photo buttons say which finding they are for.
    steps.open_inspection(page, world["uuid"], "/findings")
    page.click("button[name=add-finding]")
    finding = page.locator(".finding")
    expect(finding.get_by_role("heading", level=2)).to_have_text(words["finding"])
    expect(finding.locator("input[name=camera]")).to_have_accessible_name(f'{words["camera"]}: {words["finding"]}')
    assert_accessible(page, "a new finding")
    shot(page, f"{lang}-findings")
    steps.open_inspection(page, world["uuid"], "/s/co-so")
    # The page's own background, behind rings drawn outside a card.
    page_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator(".screen a.back").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    back_ring = page.locator(".screen a.back").evaluate("el => getComputedStyle(el).outlineColor")
    assert contrast(page, back_ring, page_bg) >= 3
    # On the blue top bar, the ring is amber.
    page.locator("#lang").focus()
    bar_ring = page.locator("#lang").evaluate("el => getComputedStyle(el).outlineColor")
    bar_bg = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert contrast(page, bar_ring, bar_bg) >= 3


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_lead_signs_by_typing_the_full_name_and_the_server_accepts_it(app, live_server, browser_page, lang):
    with app.app_context():
        world = make_field_world()
    speak(app, lang, "insp", "lead")
    words = TEXT[lang]
    page = browser_page(locale=lang, **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    steps.check_in(page, world["uuid"])
    # Answers through the keyboard-friendly controls, as in any walk.
    steps.open_inspection(page, world["uuid"], "/s/co-so")
    page.check("input[name='a-bien-hieu'][value='pass']")
    page.check("input[name='a-wifi'][value='yes']")
    steps.open_inspection(page, world["uuid"], "/s/ho-so")
    page.fill("input[name='a-dung-han-n']", "96")
    page.fill("input[name='a-dung-han-d']", "100")
    page.fill("input[name='a-vang']", "0")
    page.check("input[name='a-hai-long'][value='5']")
    page.check("input[name='a-hinh-thuc'][value='truc-tiep']")
    steps.open_inspection(page, world["uuid"], "/minutes")
    steps.add_attendees(page)
    page.click("button[name=now-started_at]")
    page.click("button[name=now-ended_at]")
    # The lead types the name and ticks the confirmation, all from the keyboard: no drawing.
    page.locator("input[name=sign-lead-name]").fill("Nguyễn Văn Kiểm")
    typed = page.locator("input[name=sign-lead-typed]")
    typed.focus()
    page.keyboard.press("Space")
    expect(page.locator("#pad-lead")).to_have_count(0)
    expect(page.locator("input[name=sign-lead-typed]")).to_be_checked()
    page.check("input[name=refused]")
    page.fill("textarea[name=refusal-reason]", "Chưa đồng ý")
    assert_accessible(page, "the minutes with a typed signature")
    shot(page, f"{lang}-minutes-typed-signature")
    # The phone counts it as signed, and so does the server.
    steps.submit(page, world["uuid"])
    steps.wait_until_sent(page)
    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED
        assert insp.signatures["lead"] == {"name": "Nguyễn Văn Kiểm", "evidence_uuid": None, "typed": True}
    # The lead's review page says how the minutes were confirmed.
    lead = browser_page(locale=lang)
    login(lead, "lead", next=f"/review/inspections/{world['uuid']}")
    expect(lead.locator(".signatures")).to_contain_text(words["typed"])
    assert_accessible(lead, "the review page")



def web_world(app) -> dict:
    """A lead's, a viewer's and a unit officer's pages with something on each: a
    submission to review, an approved inspection to conclude, an open action."""
    from server.models import Role
    from tests.factories import make_team, make_unit, make_user
    from tests.remediation_factories import make_action, make_submitted_inspection
    with app.app_context():
        unit = make_unit(name="Phường Hoàn Kiếm")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.VIEWER, username="viewer")
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        submitted = make_submitted_inspection(unit=unit, team=team,
                                              findings=[("bien-hieu", "major", "Biển hiệu bị che khuất")])
        approved = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.APPROVED)
        action = make_action(unit=unit, team=team)
        db.session.commit()
        return {"submitted": submitted.uuid, "approved": approved.uuid, "plan": submitted.plan_id,
                "action": action.id, "concluded": action.inspection.uuid}


WEB_PAGES = {
    "lead": ["/", "/plans", "/plans/{plan}", "/review/", "/review/inspections/{submitted}",
             "/review/inspections/{approved}/conclusion", "/dashboard", "/actions/", "/actions/{action}",
             "/notifications/"],
    "viewer": ["/", "/dashboard", "/notifications/"],
    "officer": ["/portal/", "/portal/inspections/{concluded}", "/actions/{action}", "/notifications/"],
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_websites_main_pages_meet_wcag_21_aa_for_each_role(app, live_server, browser_page, lang):
    world = web_world(app)
    speak(app, lang, *WEB_PAGES)
    words = TEXT[lang]
    signin = browser_page(locale=lang)
    signin.goto("/login")
    assert_accessible(signin, f"the sign-in page ({lang})")
    signin.fill("input[name=username]", "lead")
    signin.fill("input[name=password]", "not the password")
    signin.click("main form button[type=submit]")  # refused: the page says so, and is checked again
    expect(signin.locator(".flash-error, .field-error").first).to_be_visible()
    assert_accessible(signin, f"the sign-in page refused ({lang})")
    for username, paths in WEB_PAGES.items():
        page = browser_page(locale=lang)
        login(page, username, next=paths[0].format(**world))
        for path in paths:
            url = path.format(**world)
            response = page.goto(url)
            assert response.status == 200, (username, url, response.status)
            # The language button says what it shows, so a voice user can say it.
            button = page.locator("form.lang button")
            expect(button).to_have_text(words["lang"])
            expect(button).to_have_accessible_name(re.compile(re.escape(words["lang"])))
            assert_accessible(page, f"{url} as {username} ({lang})")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_dashboard_chart_has_its_figures_as_a_table_and_series_differ_by_more_than_colour(
        app, live_server, browser_page, lang):
    web_world(app)
    speak(app, lang, "viewer")
    page = browser_page(locale=lang)
    login(page, "viewer", next="/dashboard")
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = chart.get_attribute("aria-label")
        # Right after the picture: its figures, folded, as a table captioned with the chart's title.
        figures = chart.locator("xpath=following-sibling::details[1]")
        figures.locator("summary").click()
        table = figures.locator("table")
        expect(table).to_be_visible()
        expect(table.locator("caption")).to_have_text(title)
        assert table.locator("tbody tr").count() >= 1, title
    # The actions chart in figures: the unit's one open action, by name.
    actions = page.locator("table:has(caption)").last
    expect(actions.locator("tbody tr").first).to_contain_text("Phường Hoàn Kiếm")
    # Neighbouring series: a pattern in the chart and the same in its legend, not colour alone.
    fills = page.locator("svg.chart rect").evaluate_all("rs => rs.map((r) => r.getAttribute('fill'))")
    assert any(f.startswith("url(#") for f in fills), fills
    for swatch in page.locator(".legend i.stripes, .legend i.cross, .legend i.dots").all():
        assert swatch.evaluate("el => getComputedStyle(el).backgroundImage") != "none"
    assert_accessible(page, "the dashboard with its figures open")
    shot(page, f"{lang}-dashboard-figures")
