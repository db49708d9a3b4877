"""What the phone tells the inspector before the lead sees it, in a real
Chromium at 390×844, in Vietnamese and English: check-in warnings with the
distance and the server's limit, pass marks beside measured answers, why the
resubmit button is greyed, withdrawing a photo already sent, confirmations,
the home screen's to-do and done, and the outbox's waiting list.

Screenshots go to /tmp/shots-phone/ (and benchmarks/out/screens/).
"""
from __future__ import annotations

import io
import re
import uuid as uuidlib
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import Page, expect

from server.extensions import db
from server.models import EvidenceFile, Inspection, InspectionRevision, InspectionStatus, ReviewComment, User
from tests.browser import field_steps as steps
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENS, login
from tests.factories import PASSWORD
from tests.fieldwork_data import BA_DINH, PASSING_ANSWERS, make_field_world

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-phone")

# What each language shows, where the assertion depends on it.
TEXT = {
    "vi": {"off_site": "Ngoài địa điểm", "poor": "Sai số vị trí lớn", "group": ".", "decimal": ",",
           "mark": "Mức đạt", "pass": "Đạt", "fail": "Không đạt", "required": "(bắt buộc)",
           "hint": "Vui lòng ghi lý do thay đổi để gửi lại.", "todo": "Cần làm", "done": "Đã xong", "today": "Hôm nay",
           "withdrawn": "Đã rút lại", "to_withdraw": "Sẽ rút lại", "role": "Thành viên đoàn"},
    "en": {"off_site": "Off site", "poor": "Poor accuracy", "group": ",", "decimal": ".",
           "mark": "Pass mark", "pass": "Pass", "fail": "Fail", "required": "(required)",
           "hint": "Write the reason for the changes to resubmit.", "todo": "To do", "done": "Finished",
           "today": "Today", "withdrawn": "Withdrawn", "to_withdraw": "To be withdrawn", "role": "Inspector"},
}


@pytest.fixture
def photo(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "phone-photo-12mp.jpg"
    return path if path.exists() else steps.phone_photo(path)


def shot(page: Page, name: str, full: bool = True) -> None:
    for folder in (SHOTS, SCREENS):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full)


def speak(app, lang: str, *usernames: str) -> None:
    """The users read the app in `lang` (their stored choice)."""
    with app.app_context():
        for name in usernames:
            db.session.scalar(sa.select(User).where(User.username == name)).locale = lang
        db.session.commit()


def start(app, browser_page, lang: str, *, position=BA_DINH, accuracy=20, username="insp") -> Page:
    speak(app, lang, username)
    page = browser_page(locale=lang, geolocation={"latitude": position[0], "longitude": position[1], "accuracy": accuracy},
                        permissions=["geolocation"])
    login(page, username)
    page.wait_for_selector("body[data-ready='1']")
    assert_accessible(page, "the field app's home")
    return page


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(out, "JPEG")
    return out.getvalue()


def returned_with_a_photo(app, world) -> str:
    """Submitted through the API with a failed item and its photo, then returned
    by the lead; returns the photo's UUID."""
    photo_uuid, signature = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    client = app.test_client()
    client.post("/login", data={"username": "insp", "password": PASSWORD})
    answers = [a for a in PASSING_ANSWERS if a["item_key"] != "bien-hieu"] + [{"item_key": "bien-hieu", "value": "fail"}]
    body = {"submission_uuid": str(uuidlib.uuid4()), "answers": answers,
            "started_at": "2026-11-20T08:00:00+07:00", "ended_at": "2026-11-20T10:30:00+07:00",
            "attendees": [{"side": "team", "name": "Nguyễn Văn Kiểm"}, {"side": "unit", "name": "Trần Thị Đơn"}],
            "signatures": {"lead": {"name": "Nguyễn Văn Kiểm", "evidence_uuid": signature},
                           "unit": {"name": "Trần Thị Đơn", "refused": True, "reason": "Chưa đồng ý"}},
            "photos": [{"uuid": photo_uuid, "kind": "photo", "item_key": "bien-hieu"},
                       {"uuid": signature, "kind": "signature"}]}
    assert client.post(f"/api/inspections/{world['uuid']}/submission", json=body).status_code == 201
    for uuid, kind, item in ((photo_uuid, "photo", "bien-hieu"), (signature, "signature", None)):
        form = {"uuid": uuid, "inspection_uuid": world["uuid"], "kind": kind,
                "file": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")}
        if item:
            form["item_key"] = item
        assert client.post("/api/evidence", content_type="multipart/form-data", data=form).status_code == 201
    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        insp.status = InspectionStatus.RETURNED
        db.session.add(ReviewComment(inspection_id=insp.id, item_key="bien-hieu", body="Ảnh chụp nhầm biển khác",
                                     author_id=world["lead_id"]))
        db.session.commit()
    return photo_uuid


# ── check-in ────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_far_vague_check_in_shows_the_distance_and_the_servers_limits(app, live_server, browser_page, lang):
    app.config["CHECKIN_RADIUS_M"] = 250  # the phone shows the server's limit, whatever it is set to
    with app.app_context():
        world = make_field_world()
    far = (BA_DINH[0] + 0.0135, BA_DINH[1])  # about 1.5 km north
    page = start(app, browser_page, lang, position=far, accuracy=150)
    text = TEXT[lang]
    steps.open_inspection(page, world["uuid"])
    warnings = page.locator(".checkin .geo-flags")
    expect(warnings).to_contain_text(text["off_site"])
    expect(warnings).to_contain_text(text["poor"])
    sentence = warnings.inner_text()
    group = re.escape(text["group"])
    assert re.search(rf"1{group}\d{{3}}\u00a0m", sentence), sentence  # "1.501 m" / "1,501 m"
    assert "250\u00a0m" in sentence and "150\u00a0m" in sentence and "100\u00a0m" in sentence, sentence
    expect(page.locator("button[name=checkin]")).to_be_enabled()  # flagged, never blocked
    shot(page, f"{lang}-checkin-far")

    page.click("button[name=checkin]")
    expect(page.locator(".checkin.done.flagged .geo-flags")).to_contain_text(text["off_site"])
    page.wait_for_timeout(300)
    shot(page, f"{lang}-checked-in-far")
    codes = None
    for _ in range(50):  # the outbox sends the check-in in the background
        with app.app_context():
            flags = db.session.get(Inspection, world["id"]).checkin_flags
        if flags:
            codes = sorted(f["code"] for f in flags)
            break
        page.wait_for_timeout(200)
    assert codes == ["off_site", "poor_accuracy"]  # what the phone said is what the lead sees


def test_a_check_in_on_site_with_a_good_fix_shows_no_warning(app, live_server, browser_page):
    with app.app_context():
        world = make_field_world()
    page = start(app, browser_page, "vi", accuracy=20)
    steps.open_inspection(page, world["uuid"])
    expect(page.locator("button[name=checkin]")).to_be_enabled()
    expect(page.locator(".checkin .gps")).to_contain_text("cách đơn vị")
    expect(page.locator(".checkin .geo-flags")).to_have_count(0)


# ── pass marks ──────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_measured_items_show_their_pass_mark_and_the_verdict_beside_the_answer(app, live_server, browser_page, lang):
    with app.app_context():
        world = make_field_world()
    page = start(app, browser_page, lang)
    text = TEXT[lang]
    steps.open_inspection(page, world["uuid"], "/s/ho-so")
    ratio = page.locator("#item-dung-han .passmark")
    expect(ratio).to_have_text(f"{text['mark']}: ≥\u00a095\u00a0%")
    expect(page.locator("#item-vang .passmark")).to_have_text(f"{text['mark']}: ≤\u00a00")
    expect(page.locator("#item-hai-long .passmark")).to_have_text(f"{text['mark']}: ≥\u00a04")
    expect(page.locator("#item-so-lieu .passmark")).to_have_count(0)  # no mark, nothing to show

    page.fill("input[name='a-dung-han-d']", "1000")
    page.fill("input[name='a-dung-han-n']", "935")
    expect(page.locator("#item-dung-han .pct")).to_have_text(f"= 93{text['decimal']}5\u00a0%")
    expect(ratio).to_have_text(f"{text['mark']}: ≥\u00a095\u00a0% · {text['fail']}")
    expect(page.locator("#item-dung-han")).to_have_attribute("data-outcome", "fail")
    page.fill("input[name='a-vang']", "2")
    expect(page.locator("#item-vang .passmark")).to_contain_text(text["fail"])
    page.check("input[name='a-hai-long'][value='4']")
    expect(page.locator("#item-hai-long .passmark")).to_have_text(f"{text['mark']}: ≥\u00a04 · {text['pass']}")
    page.locator("#item-dung-han").scroll_into_view_if_needed()
    shot(page, f"{lang}-pass-marks", full=False)
    page.fill("input[name='a-dung-han-n']", "960")
    expect(ratio).to_have_text(f"{text['mark']}: ≥\u00a095\u00a0% · {text['pass']}")


# ── resubmission: reason, withdrawn photo ───────────────────────────────────

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_returned_inspection_says_the_reason_is_required_beside_the_greyed_button(app, live_server, browser_page, lang):
    with app.app_context():
        world = make_field_world()
    returned_with_a_photo(app, world)
    page = start(app, browser_page, lang)
    text = TEXT[lang]
    steps.open_inspection(page, world["uuid"], "/submit")
    expect(page.locator("label.reason")).to_contain_text(text["required"])
    button, hint = page.locator("button[name=submit]"), page.locator("#submit-hint")
    expect(button).to_be_disabled()
    expect(hint).to_have_text(text["hint"])
    assert hint.bounding_box()["y"] - (button.bounding_box()["y"] + button.bounding_box()["height"]) < 24  # beside it
    shot(page, f"{lang}-resubmit-reason")
    page.fill("textarea[name=reason]", "Chụp lại biển hiệu")
    expect(button).to_be_enabled()
    expect(hint).to_be_hidden()
    page.fill("textarea[name=reason]", "   ")
    expect(button).to_be_disabled()
    expect(hint).to_be_visible()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_photo_already_sent_is_withdrawn_before_resubmitting_and_the_lead_sees_it_withdrawn(
        app, live_server, browser_page, photo, lang):
    with app.app_context():
        world = make_field_world()
    sent = returned_with_a_photo(app, world)
    speak(app, lang, "lead")
    page = start(app, browser_page, lang)
    text = TEXT[lang]
    steps.open_inspection(page, world["uuid"], "/s/co-so")
    thumb = page.locator(f"#item-bien-hieu figure[data-uuid='{sent}']")
    expect(page.locator("#item-bien-hieu .warn").first).to_be_hidden()  # the sent photo counts, for now
    thumb.locator("button[name=withdraw]").click()
    dialog = page.locator("dialog.ask")
    expect(dialog).to_be_visible()
    shot(page, f"{lang}-withdraw-ask", full=False)
    dialog.locator("button[name=ask-cancel]").click()
    expect(thumb).not_to_have_class(re.compile("withdrawn"))  # kept

    thumb.locator("button[name=withdraw]").click()
    page.click("dialog.ask button[name=ask-ok]")
    expect(thumb).to_have_class(re.compile("withdrawn"))
    expect(thumb.locator("figcaption")).to_have_text(re.compile(f"{text['to_withdraw']}|{text['withdrawn']}"))
    expect(page.locator("#item-bien-hieu .warn").first).to_be_visible()  # a photo is needed again
    row = None
    for _ in range(50):  # the outbox tells the server in the background
        with app.app_context():
            row = db.session.scalar(sa.select(EvidenceFile).where(EvidenceFile.uuid == sent))
        if row.withdrawn_at:
            break
        page.wait_for_timeout(200)
    assert row.withdrawn_at is not None and row.withdrawn_by_id == world["inspector_id"]
    # The server has it: the open screen says so at once, without being reopened.
    expect(thumb.locator("figcaption")).to_have_text(text["withdrawn"])
    expect(page.locator("#item-bien-hieu figure.withdrawn figcaption", has_text=text["to_withdraw"])).to_have_count(0)
    expect(thumb.locator("button[name=withdraw]")).to_have_count(0)
    shot(page, f"{lang}-withdrawn")

    page.set_input_files("#item-bien-hieu input[name=camera]", str(photo))
    expect(page.locator("#item-bien-hieu .thumb.photo-local")).to_have_count(1)
    steps.open_inspection(page, world["uuid"], "/submit")
    page.fill("textarea[name=reason]", "Chụp lại biển hiệu")
    page.click("button[name=submit]")
    page.click("dialog.ask button[name=ask-ok]")
    steps.wait_until_sent(page)
    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED
        photos = list(db.session.scalars(sa.select(EvidenceFile).where(
            EvidenceFile.inspection_id == insp.id, EvidenceFile.item_key == "bien-hieu")))
        assert sorted(p.withdrawn_at is None for p in photos) == [False, True]  # the old kept, the new counts
        revision = db.session.scalar(sa.select(InspectionRevision))
        assert {"item_key": "bien-hieu", "field": "photo_withdrawn", "old": sent, "new": None} in revision.changes

    lead = browser_page(locale=lang)
    login(lead, "lead", next=f"/review/inspections/{world['uuid']}")
    withdrawn = lead.locator(f"#photo-{sent}")
    expect(withdrawn).to_have_class(re.compile("withdrawn"))
    expect(withdrawn).to_contain_text(text["withdrawn"])
    expect(withdrawn).to_contain_text("Nguyễn Văn Kiểm")
    assert_accessible(lead, "the review page with a withdrawn photo")
    withdrawn.scroll_into_view_if_needed()
    shot(lead, f"{lang}-review-withdrawn", full=False)


# ── confirmations and labels ────────────────────────────────────────────────

def test_removing_a_named_attendee_asks_first_and_labels_stay_once_filled(app, live_server, browser_page):
    with app.app_context():
        world = make_field_world()
    page = start(app, browser_page, "vi")
    steps.open_inspection(page, world["uuid"], "/minutes")
    page.click("button[name=add-team]")
    row = page.locator(".attendee").first
    row.get_by_label("Họ và tên").fill("Nguyễn Văn Kiểm")
    row.get_by_label("Chức vụ").fill("Trưởng đoàn")
    for label in ("Bên", "Họ và tên", "Chức vụ"):
        expect(row.locator("label", has_text=label)).to_be_visible()  # still there with the field filled
    shot(page, "vi-attendees", full=False)
    row.locator("button[name=remove-attendee]").click()
    expect(page.locator("dialog.ask h2")).to_have_text("Xóa Nguyễn Văn Kiểm khỏi thành phần tham dự?")
    shot(page, "vi-attendee-remove-ask", full=False)
    page.click("dialog.ask button[name=ask-cancel]")
    expect(page.locator(".attendee")).to_have_count(1)
    row.locator("button[name=remove-attendee]").click()
    page.click("dialog.ask button[name=ask-ok]")
    expect(page.locator(".attendee")).to_have_count(0)
    page.reload()  # the removal was saved
    page.wait_for_selector("body[data-ready='1']")
    steps.open_inspection(page, world["uuid"], "/minutes")
    expect(page.locator(".attendee")).to_have_count(0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_submitting_shows_what_will_be_sent_and_going_back_sends_nothing(app, live_server, browser_page, photo, lang):
    with app.app_context():
        world = make_field_world()
    page = start(app, browser_page, lang)
    steps.check_in(page, world["uuid"])
    steps.answer(page, world["uuid"], photo)
    steps.add_finding(page, world["uuid"], photo)
    steps.fill_minutes(page, world["uuid"])
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.url.endswith("/submission") else None)
    steps.open_inspection(page, world["uuid"], "/submit")
    page.click("button[name=submit]")
    lines = page.locator("dialog.ask .ask-lines li")
    expected = {"vi": ["Kết quả ghi nhận: 6", "Phát hiện: 1", "Ảnh: 2", "Thành phần tham dự: 2", "Chữ ký: 2"],
                "en": ["Answers: 6", "Findings: 1", "Photos: 2", "Attendees: 2", "Signatures: 2"]}[lang]
    expect(lines).to_have_text(expected)
    shot(page, f"{lang}-submit-confirm", full=False)
    page.click("dialog.ask button[name=ask-cancel]")
    expect(page.locator("dialog.ask")).to_have_count(0)
    page.wait_for_timeout(500)
    assert posts == []
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.IN_PROGRESS
    expect(page.locator("button[name=submit]")).to_be_enabled()
    page.click("button[name=submit]")
    page.click("dialog.ask button[name=ask-ok]")
    steps.wait_until_sent(page)


# ── home and outbox ─────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_home_separates_to_do_from_done_and_the_outbox_says_what_waits(app, live_server, browser_page, photo, lang):
    with app.app_context():
        from server.models import Team
        from tests.factories import make_inspection

        world = make_field_world()
        team = db.session.scalar(sa.select(Team).join(Inspection, Inspection.team_id == Team.id)
                                 .where(Inspection.id == world["id"]))
        today = date.today()
        for insp in db.session.scalars(sa.select(Inspection)):
            insp.window_start, insp.window_end = today, today + timedelta(days=3)
        concluded = make_inspection(team=team)
        concluded.status = InspectionStatus.CONCLUDED
        concluded.window_start, concluded.window_end = today - timedelta(days=1), today + timedelta(days=1)
        db.session.commit()
        concluded_uuid = concluded.uuid
    page = start(app, browser_page, lang)
    text = TEXT[lang]
    todo, done = page.locator(".home-todo"), page.locator(".home-done")
    expect(todo.locator("h2")).to_have_text(f"{text['todo']} (1)")
    expect(done.locator("h2")).to_have_text(f"{text['done']} (1)")
    expect(todo.locator(f"a[data-uuid='{world['uuid']}'] .today-mark")).to_contain_text(text["today"])
    expect(done.locator(f"a[data-uuid='{concluded_uuid}']")).to_be_visible()
    expect(done.locator(".today-mark")).to_have_count(0)  # a concluded inspection is not today's work
    # One style per language, four-digit years; English names the month (3 Dec 2026).
    day = today.strftime("%d/%m/%Y") if lang == "vi" else f"{today.day} {today.strftime('%b')} {today.year}"
    expect(todo.locator(".when")).to_contain_text(day)
    expect(page.locator("p.who .role")).to_have_text(text["role"])
    shot(page, f"{lang}-home")

    steps.check_in(page, world["uuid"])
    steps.answer(page, world["uuid"], photo)
    steps.add_finding(page, world["uuid"], photo)
    steps.fill_minutes(page, world["uuid"])
    page.context.set_offline(True)
    steps.open_inspection(page, world["uuid"], "/submit")
    page.click("button[name=submit]")
    page.click("dialog.ask button[name=ask-ok]")
    page.wait_for_selector(".sync.state-waiting")
    waits = {"vi": "Đang chờ gửi: các kết quả ghi nhận, 2 ảnh, 2 chữ ký",
             "en": "Waiting to send: the answers, 2 photos, 2 signatures"}[lang]
    expect(page.locator(".sync .waiting")).to_have_text(waits)
    page.evaluate("location.hash = '#/'")
    card = page.locator(f".home-todo a[data-uuid='{world['uuid']}']")
    expect(card.locator(".waiting")).to_have_text(waits)  # still to do until it has gone
    shot(page, f"{lang}-home-waiting")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(f".home-done a[data-uuid='{world['uuid']}']")).to_be_visible(timeout=30_000)
    expect(page.locator(".waiting")).to_have_count(0)


# ── whose app ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_unit_officer_opening_the_app_is_told_whose_it_is_and_sent_to_the_portal(app, live_server, browser_page, lang):
    with app.app_context():
        make_field_world()
    speak(app, lang, "officer")
    page = browser_page(locale=lang)
    login(page, "officer", next="/app")
    assert page.url.endswith("/portal/")
    expect(page.locator("main .flash")).to_contain_text(
        {"vi": "dành cho thành viên đoàn kiểm tra", "en": "is the inspectors'"}[lang])
    assert_accessible(page, "the portal, told why")
    shot(page, f"{lang}-officer-sent-to-portal")
    # On a phone the menu is tapped: every link a finger tall, the role under the name whole.
    for link in page.locator(".userbar a, .userbar button").all():
        assert link.bounding_box()["height"] >= 44, link.inner_text()
    who = page.locator(".userbar .who")
    expect(who).to_contain_text({"vi": "Cán bộ đơn vị", "en": "Unit officer"}[lang])
    assert who.evaluate("e => e.scrollWidth <= e.clientWidth && e.getClientRects().length > 0")


def test_a_cached_app_shell_also_sends_a_unit_officer_to_the_portal(app, live_server, browser_page):
    """The service worker may serve the shell without asking the server: the app says it too."""
    with app.app_context():
        make_field_world()
    page = browser_page(locale="vi")
    login(page, "officer", next="/")
    page.route("**/app", lambda route: route.fulfill(
        status=200, content_type="text/html", body=app.test_client().get("/app").get_data()))
    page.goto("/app")
    expect(page.locator(".elsewhere h1")).to_have_text("Đây là ứng dụng của đoàn kiểm tra")
    expect(page.locator(".elsewhere a.button")).to_have_attribute("href", "/portal/")
    assert_accessible(page, "the field app telling a unit officer whose it is")
    shot(page, "vi-officer-cached-shell")


def test_camera_and_gallery_buttons_line_up(app, live_server, browser_page):
    with app.app_context():
        world = make_field_world()
    page = start(app, browser_page, "vi")
    steps.open_inspection(page, world["uuid"], "/s/co-so")
    camera = page.locator("#item-bien-hieu label:has(input[name=camera])").bounding_box()
    gallery = page.locator("#item-bien-hieu label:has(input[name=gallery])").bounding_box()
    assert camera["y"] == gallery["y"] and camera["height"] == gallery["height"]
    assert camera["height"] >= 44 and abs(camera["width"] - gallery["width"]) < 1
    card = page.locator("#item-bien-hieu").bounding_box()
    assert camera["width"] + gallery["width"] > card["width"] * 0.75  # the row's width, not the words'
    for label in ("camera", "gallery"):  # the words fit inside their button
        assert page.locator(f"#item-bien-hieu label:has(input[name={label}])").evaluate(
            "e => e.scrollWidth <= e.clientWidth")
