"""The field app reads in one language, like the server's pages (tests/test_page_language.py).

An inspector walks every screen of the phone app at 390×844 — the home list (to do,
finished, opened offline, an inspection the lead cancelled), an inspection's overview
and check-in (far away with a vague fix, then on site), both sections with every kind
of answer (yes/no, pass/fail, choice, several choices, number, count, scale, ratio,
date, text, photo) and their error messages, the findings, attendees, times and
signatures, what is still missing, the confirmation before sending, the outbox
refused by the server, waiting for the network and then sent, a returned inspection
with the lead's comments and a photo to withdraw, and a finished one — once in
Vietnamese and once in English. What a person sees (text, and placeholder,
aria-label, title and alt) goes through the same checks as the server's pages, and
shows none of the checklist's keys nor a program's "null"; dates and numbers must be
written the language's way. Screenshots, and the texts each screen showed, go to
/tmp/fieldshots/.
"""
from __future__ import annotations

import re
import uuid as uuidlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from server.extensions import db
from server.models import EvidenceFile, Inspection, InspectionStatus, ReviewComment, Team
from tests.browser import field_steps as steps
from tests.browser.conftest import login
from tests.factories import make_inspection
from tests.fieldwork_data import BA_DINH, FIELD_CHECKLIST, make_field_world
from tests.language_checks import NEUTRAL, load_catalogue, problems_in_english, problems_in_vietnamese, vietnamese_texts

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/fieldshots")

# What a person sees on the screen as it is drawn now, the way the server's pages are
# read (tests/test_page_language.py): each rendered text node (the options of a
# select that is shown), and the placeholder, aria-label, title and alt of visible
# elements. An element marked as being in the other language (the language switch,
# "English" / "Tiếng Việt") is left out, as is what a person typed into a field.
VISIBLE_TEXTS = """() => {
  const lang = document.documentElement.lang;
  const foreign = (el) => { const marked = el.closest('[lang]'); return marked && marked.lang !== lang; };
  const skipped = 'script, style, code, pre, kbd, samp, textarea, noscript, template';
  const shown = (el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[hidden]');
  const clean = (s) => s.replace(/\\s+/g, ' ').trim();
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skipped) || foreign(el)) continue;
    if (!(el.tagName === 'OPTION' ? shown(el.closest('select')) : shown(el))) continue;
    const s = clean(node.data);
    if (s) out.push(s);
  }
  for (const el of document.body.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
    // A file input is drawn visually hidden inside its button: its name is still read out.
    if (foreign(el) || !(shown(el) || (el.type === 'file' && shown(el.parentElement)))) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      const s = clean(el.getAttribute(name) || '');
      if (s) out.push(s);
    }
  }
  return out;
}"""

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# How each language writes a day, and what it must never show instead.
DAY = {"vi": re.compile(r"\b\d{2}/\d{2}/\d{4}\b"), "en": re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b")}
WRONG_DAY = {"vi": re.compile(rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}} (?:{MONTHS})\w* \d{{4}}\b"),
             "en": re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")}
# A decimal or a thousands separator the other language's way: "81.4 %" in Vietnamese, "81,4 %" in English.
WRONG_NUMBER = {"vi": re.compile(r"\d\.\d\s?%|\b\d,\d{3}\b"), "en": re.compile(r"\d,\d\s?%|\b\d\.\d{3}\b")}
# What the walk's answers must show: 4068 of 5000 on time, checked in 1234 m away.
# (Seen texts have their white space, no-break spaces too, made plain.)
SHOWN = {"vi": ["= 81,4 %", "1.234 m"], "en": ["= 81.4 %", "1,234 m"]}


# The checklist's keys of two words or more ("dung-han"): one word ("ngay") can be Vietnamese too.
KEYS = {key for key in {s["key"] for s in FIELD_CHECKLIST["sections"]} | {
    key for s in FIELD_CHECKLIST["sections"] for i in s["items"]
    for key in (i["key"], *(o["key"] for o in i.get("options") or []))} if "-" in key}
KEY_WORD = re.compile(r"[A-Za-z0-9-]+")
PROGRAM = re.compile(r"\b(?:null|undefined|NaN)\b|\[object \w+\]")


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    return load_catalogue()


@pytest.fixture
def photo(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "phone-photo-12mp.jpg"
    return path if path.exists() else steps.phone_photo(path)


@pytest.fixture
def field_world(app):
    """The field world's inspection, plus one returned to the team with the lead's comments and a
    photo (checked in off site), one the lead will cancel, and one concluded, for the same team."""
    with app.app_context():
        world = make_field_world()
        first = db.session.get(Inspection, world["id"])
        team = db.session.get(Team, first.team_id)
        now = datetime.now(timezone.utc)
        returned = make_inspection(team=team, unit=first.unit, version=first.checklist_version,
                                   start=first.window_start + timedelta(days=1))
        returned.status = InspectionStatus.RETURNED
        returned.checked_in_at = returned.started_at = now - timedelta(days=1)
        returned.submitted_at = now - timedelta(hours=20)
        returned.checkin_accuracy_m = 18
        returned.checkin_distance_m = 1234
        returned.checkin_flags = [{"code": "off_site", "distance_m": 1234, "radius_m": 200}]
        db.session.add_all([
            ReviewComment(inspection_id=returned.id, item_key=None, body="Ghi rõ giờ kết thúc",
                          author_id=world["lead_id"]),
            ReviewComment(inspection_id=returned.id, item_key="vang", body="Đếm lại số người vắng",
                          author_id=world["lead_id"]),
        ])
        db.session.add(EvidenceFile(uuid=str(uuidlib.uuid4()), sha256="0" * 64, kind="photo", mime_type="image/jpeg",
                                    size=1, inspection_id=returned.id, item_key="bien-hieu"))
        leaving = make_inspection(team=team, version=first.checklist_version,
                                  start=first.window_start + timedelta(days=7))
        concluded = make_inspection(team=team, version=first.checklist_version,
                                    start=first.window_start - timedelta(days=30))
        concluded.status = InspectionStatus.CONCLUDED
        concluded.result = "pass"
        db.session.commit()
        return world | {"returned": returned.uuid, "concluded": concluded.uuid, "leaving": leaving.id,
                        "leaving_uuid": leaving.uuid}


def cancel(app, inspection_id: int) -> None:
    """The lead cancels an inspection the phone has listed."""
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        inspection.status = InspectionStatus.CANCELLED
        inspection.cancel_reason = "Đơn vị sáp nhập"
        db.session.commit()


def visible_texts(page: Page) -> list[str]:
    return page.evaluate(VISIBLE_TEXTS)


def language(seen: dict[str, list[str]]) -> dict[str, list[str]]:
    """The texts that are language: not figures and symbols alone ("= 81,4 %", "2/4")."""
    return {screen: [text for text in texts if not NEUTRAL.match(text)] for screen, texts in seen.items()}


def go(page: Page, uuid: str | None, part: str = "") -> None:
    view = f"#/i/{uuid}{part}" if uuid else "#/"
    page.evaluate("h => { location.hash = h; }", view)
    page.wait_for_selector(f"body[data-view='{view}'] .screen h1")


def shot(page: Page, lang: str, name: str, at: str | None = None) -> None:
    """The phone's screen, from the top or from the card `at`."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("at => at ? (document.querySelector(at).scrollIntoView(), window.scrollBy(0, -64))"
                  " : window.scrollTo(0, 0)", at)  # the sticky top bar would hide the card's top
    page.screenshot(path=str(SHOTS / f"{lang}-{name}.png"))


def walk(page: Page, world: dict, photo: Path, lang: str, catalogue: dict[str, str], app) -> dict[str, list[str]]:
    """Every screen of the field app, as the inspector sees it: {screen: visible texts}."""
    seen: dict[str, list[str]] = {}
    uuid = world["uuid"]
    say = (lambda text: catalogue[text]) if lang == "vi" else (lambda text: text)
    # What the server answers to answers that do not fit the checklist, in the inspector's language.
    refused = {"message": say("Some answers do not fit the checklist. Nothing was saved."), "errors": {"items": [
        {"item_key": "dung-han", "message": say("the numerator must not be larger than the denominator")}]}}

    def look(name: str) -> None:
        seen[name] = visible_texts(page)

    look("home")
    shot(page, lang, "home")

    # Far from the unit with a vague fix: the warnings the lead will see, before checking in
    # (at another of the team's inspections, which the walk never checks in).
    page.context.set_geolocation({"latitude": BA_DINH[0] + 0.0135, "longitude": BA_DINH[1], "accuracy": 150})
    go(page, world["leaving_uuid"])
    page.wait_for_selector(".checkin .geo-flags")
    look("overview, far away")
    shot(page, lang, "far")
    page.context.set_geolocation(steps.GEO["geolocation"])
    go(page, None)
    go(page, uuid)
    page.wait_for_selector("button[name=checkin]:not([disabled])")
    look("overview, before check-in")
    page.click("button[name=checkin]")
    page.wait_for_selector(".checkin.done")
    look("overview, checked in")

    go(page, uuid, "/s/co-so")
    page.check("input[name='a-bien-hieu'][value='fail']")
    expect(page.locator("#item-bien-hieu .warn").first).to_be_visible()
    page.check("input[name='a-wifi'][value='no']")
    expect(page.locator("#item-ghi-chu-wifi")).to_be_visible()
    look("section 1, a photo needed")
    page.set_input_files("#item-bien-hieu input[name=camera]", str(photo))
    page.wait_for_selector("#item-bien-hieu .thumb img")
    page.fill("textarea[name='a-ghi-chu-wifi']", "Bộ phát hỏng")
    page.click("#item-wifi summary")
    look("section 1")
    shot(page, lang, "section-1", at="#item-bien-hieu")

    go(page, uuid, "/s/ho-so")
    page.fill("input[name='a-dung-han-n']", "120")
    page.fill("input[name='a-dung-han-d']", "100")
    page.fill("input[name='a-vang']", "1.5")
    expect(page.locator("#item-dung-han .error")).to_be_visible()
    expect(page.locator("#item-vang .error")).to_be_visible()
    look("section 2, refused answers")
    shot(page, lang, "section-2-errors")
    page.fill("input[name='a-dung-han-n']", "4068")
    page.fill("input[name='a-dung-han-d']", "5000")
    page.fill("input[name='a-vang']", "0")
    page.check("input[name='a-hai-long'][value='5']")
    page.check("input[name='a-hinh-thuc'][value='truc-tiep']")
    page.check("input[name='a-kenh'][value='hom-thu']")
    page.fill("input[name='a-ngay']", "2026-12-03")
    page.fill("input[name='a-so-lieu']", "81.36")
    page.click("#item-hai-long summary")
    page.fill("textarea[name='note-hai-long']", "Người dân khen")
    expect(page.locator("#item-dung-han .pct")).to_have_text(SHOWN[lang][0].replace(" %", "\u00a0%"))
    look("section 2")
    shot(page, lang, "section-2", at="#item-dung-han")

    go(page, uuid, "/submit")
    expect(page.locator("ul.missing li").first).to_be_visible()
    look("submit, still missing")
    shot(page, lang, "missing")

    go(page, uuid, "/findings")
    look("findings, none yet")
    page.click("button[name=add-finding]")
    page.select_option(".finding select[name=item_key]", "bien-hieu")
    page.check(".finding input[value=major]")
    page.fill(".finding textarea[name=description]", "Biển hiệu bị che khuất")
    look("findings")

    go(page, uuid, "/minutes")
    steps.add_attendees(page)
    page.locator("button[name=remove-attendee]").first.click()
    expect(page.locator("dialog.ask")).to_be_visible()
    look("minutes, removing an attendee")
    page.click("dialog.ask button[name=ask-cancel]")
    page.click("button[name=now-ended_at]")
    page.fill("input[name=sign-lead-name]", "Nguyễn Văn Kiểm")
    look("minutes, signature pads")
    shot(page, lang, "minutes", at="input[name=started_at]")
    steps.sign(page, "lead")
    page.fill("input[name=sign-unit-name]", "Trần Thị Đơn")
    page.check("input[name=refused]")
    look("minutes, the representative refused")
    page.uncheck("input[name=refused]")
    steps.sign(page, "unit")
    look("minutes")

    go(page, uuid, "/submit")
    missing = page.locator("ul.missing")
    expect(missing, str(missing.all_inner_texts())).to_have_count(0)
    look("submit")
    page.route("**/submission", lambda route: route.fulfill(status=422, json=refused))
    page.click("button[name=submit]")
    page.click("dialog.ask button[name=ask-ok]")
    page.wait_for_selector(".sync.state-rejected li")
    look("outbox, refused by the server")
    shot(page, lang, "outbox-refused")
    page.unroute("**/submission")
    page.click("button[name=edit-again]")
    page.context.set_offline(True)
    page.click("button[name=submit]")
    expect(page.locator("dialog.ask")).to_be_visible()
    look("confirmation")
    shot(page, lang, "confirmation")
    page.click("dialog.ask button[name=ask-ok]")
    page.wait_for_selector(".sync.state-waiting")
    look("outbox, waiting for the network")
    shot(page, lang, "outbox-waiting")
    go(page, None)
    page.reload()  # the app opened with no network: from the phone's copy
    page.wait_for_selector("body[data-ready='1'] .flash.offline")
    expect(page.locator(".waiting").first).to_be_visible()
    look("home, offline, waiting to send")
    shot(page, lang, "home-offline")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    go(page, uuid, "/submit")
    page.wait_for_selector(".sync.state-done", timeout=30_000)
    look("outbox, sent")
    go(page, None)
    expect(page.locator(f"a[data-uuid='{uuid}'] .local-done")).to_be_visible()
    look("home, sent")

    go(page, world["returned"])
    expect(page.locator(".comment")).to_contain_text("Ghi rõ giờ kết thúc")
    look("returned, overview")
    shot(page, lang, "returned")
    go(page, world["returned"], "/s/co-so")
    page.click("#item-bien-hieu button[name=withdraw]")
    expect(page.locator("dialog.ask")).to_be_visible()
    look("returned, withdrawing a photo")
    shot(page, lang, "withdraw")
    page.click("dialog.ask button[name=ask-cancel]")
    go(page, world["returned"], "/s/ho-so")
    expect(page.locator("#item-vang .comment")).to_contain_text("Đếm lại số người vắng")
    look("returned, section")
    go(page, world["returned"], "/submit")
    expect(page.locator("textarea[name=reason]")).to_be_visible()
    look("returned, resubmit")

    go(page, world["concluded"])
    look("finished, overview")

    go(page, None)
    cancel(app, world["leaving"])
    page.reload()
    page.wait_for_selector("body[data-ready='1'] .notices")
    look("home, the lead cancelled one")
    shot(page, lang, "home-cancelled")
    return seen


def dump(seen: dict[str, list[str]], lang: str) -> None:
    """What each screen showed, to read beside the screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with open(SHOTS / f"{lang}-texts.txt", "w") as f:
        for screen, texts in seen.items():
            f.write(f"== {screen}\n" + "\n".join(dict.fromkeys(texts)) + "\n")


def leftovers(seen: dict[str, list[str]]) -> list[str]:
    """The checklist's own keys (sections, items, options) shown instead of their texts, and
    values of the program ("null", "undefined", "NaN", "[object Object]") shown as text."""
    found = []
    for screen, texts in seen.items():
        for text in texts:
            keys = KEYS & set(KEY_WORD.findall(text))
            if keys:
                found.append(f"{screen}: checklist key {sorted(keys)} in {text!r}")
            if PROGRAM.search(text):
                found.append(f"{screen}: {PROGRAM.search(text)[0]!r} in {text!r}")
    return found


def problems_of_form(seen: dict[str, list[str]], lang: str) -> list[str]:
    """Days and numbers written another language's way; the walk's own figures missing."""
    found = []
    everything = [text for texts in seen.values() for text in texts]
    for screen, texts in seen.items():
        for text in texts:
            if WRONG_DAY[lang].search(text) or WRONG_NUMBER[lang].search(text):
                found.append(f"{screen}: {text!r} is not written the {lang} way")
    if not any(DAY[lang].search(text) for text in everything):
        found.append(f"no day written the {lang} way ({DAY[lang].pattern})")
    for figure in SHOWN[lang]:
        if not any(figure in text for text in everything):
            found.append(f"{figure!r} is not shown")
    return found


def test_the_field_app_reads_in_vietnamese_without_codes_or_english(app, field_world, browser_page, photo,
                                                                    catalogue):
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    seen = walk(page, field_world, photo, "vi", catalogue, app)
    found = [p for screen, texts in language(seen).items() for p in problems_in_vietnamese(screen, texts, catalogue)]
    found += leftovers(seen) + problems_of_form(seen, "vi")
    dump(seen, "vi")
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_field_app_reads_in_english_without_vietnamese(app, field_world, browser_page, photo, catalogue):
    page = browser_page(locale="en", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # its caches are filled: the switch refreshes them
    page.click("#lang")  # the inspector's choice, as on a phone
    page.wait_for_selector("html[lang='en'] body[data-ready='1']")
    seen = walk(page, field_world, photo, "en", catalogue, app)
    found = [p for screen, texts in language(seen).items()
             for p in problems_in_english(screen, texts, vietnamese_texts(catalogue))]
    found += leftovers(seen) + problems_of_form(seen, "en")
    dump(seen, "en")
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_walk_sees_a_code_an_english_text_a_key_and_a_date_shown_the_wrong_way(browser_page):
    page = browser_page(locale="vi")
    page.set_content("""<html lang="vi"><body>
      <p>Trạng thái: <span>in_progress</span></p><button>Save</button>
      <input type="file" aria-label="Camera">
      <p hidden>announced</p><p style="display:none">Cancel</p><code>minor</code>
      <button lang="en">English</button><textarea>what someone typed: Save</textarea>
      <p>Nộp lúc 2026-12-03 · 81.4 %</p><p>dung-han: null</p><p>Ngày: hôm nay</p></body></html>""")
    texts = visible_texts(page)
    assert "in_progress" in texts and "Save" in texts and "Camera" in texts
    assert not {"announced", "Cancel", "minor", "English"} & set(texts)
    problems = problems_in_vietnamese("/app", texts, {"Save": "Lưu", "Camera": "Máy ảnh", "Cancel": "Huỷ"})
    assert problems == ["/app: code ['in_progress'] in 'in_progress'", "/app: English 'Save' (catalogue: 'Lưu')",
                        "/app: English 'Camera' (catalogue: 'Máy ảnh')"]
    form = problems_of_form({"/app": texts}, "vi")
    assert form[0] == "/app: 'Nộp lúc 2026-12-03 · 81.4 %' is not written the vi way"
    assert len(form) == 4  # that text; no day written dd/mm/yyyy; neither of the walk's figures
    assert leftovers({"/app": texts}) == ["/app: checklist key ['dung-han'] in 'dung-han: null'",
                                          "/app: 'null' in 'dung-han: null'"]


def test_an_app_that_cannot_start_says_so_in_the_page_language_with_the_error_kept_for_the_administrator(
        field_world, browser_page):
    page = browser_page(locale="vi", **steps.GEO)
    # The catalogue itself does not arrive: the message must come with the page.
    page.route("**/app/messages.json", lambda route: route.abort())
    login(page, "insp")
    failed = page.locator("#view .flash-error")
    expect(failed).to_have_text("Không khởi động được ứng dụng. Vui lòng tải lại trang; nếu vẫn lỗi, vui lòng "
                                "báo quản trị hệ thống nội dung trong phần chi tiết dưới đây.")
    page.click("#view summary")
    expect(page.locator("#view .error-detail")).to_contain_text("TypeError")
