"""The inspector's phone app in a real Chromium at 390×844: online, offline, returned.

Run with -s to see the figures (first-load bytes, bytes uploaded per photo).
Screenshots of every screen go to benchmarks/out/screens/.
"""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from server.extensions import db
from server.models import (
    AuditEvent, EvidenceFile, Inspection, InspectionRevision, InspectionStatus, ReviewComment, Submission,
)
from tests.browser import field_steps as steps
from tests.browser.conftest import login
from tests.fieldwork_data import make_field_world

pytestmark = pytest.mark.browser

FIRST_LOAD_TYPES = {"document", "script", "stylesheet", "fetch"}


@pytest.fixture
def photo(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "phone-photo-12mp.jpg"
    return path if path.exists() else steps.phone_photo(path)


def evidence_rows(app, inspection_id):
    with app.app_context():
        return list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.inspection_id == inspection_id)))


def test_a_whole_inspection_online_with_photos_finding_and_signatures(app, live_server, browser_page, photo):
    with app.app_context():
        world = make_field_world()
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp", next="/")  # signed in; the app's first load is measured below
    first_load = []
    page.on("response", lambda r: first_load.append(r) if r.request.resource_type in FIRST_LOAD_TYPES
            and not r.url.split("?")[0].endswith(("/healthz", ".png", ".svg")) and "/api/" not in r.url else None)
    steps.open_app(page)
    raw, zipped = steps.first_load_bytes(first_load)
    steps.screenshot(page, "vi-home")

    steps.check_in(page, world["uuid"])
    steps.screenshot(page, "vi-overview")
    steps.answer(page, world["uuid"], photo, shots="vi")
    steps.add_finding(page, world["uuid"], photo)
    steps.screenshot(page, "vi-findings")
    steps.fill_minutes(page, world["uuid"], shots="vi")
    steps.submit(page, world["uuid"], shots="vi")
    steps.wait_until_sent(page)
    steps.screenshot(page, "vi-sent")

    rows = evidence_rows(app, world["id"])
    photo_bytes = max(r.size for r in rows if r.kind == "photo")  # the bytes the phone sent
    print(f"\nfield app first load: {raw} bytes, {zipped} bytes gzipped (HTML+JS+CSS+catalogue, icons aside)"
          f"\n12 MP photo ({photo.stat().st_size} bytes on the phone) uploaded as {photo_bytes} bytes")
    assert zipped <= 60_000
    assert photo_bytes <= 500_000

    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED and insp.result == "fail"  # bien-hieu failed
        assert insp.checkin_accuracy_m == 20 and insp.checkin_distance_m < 5
        answers = {a.item_key: (a.value, a.note) for a in insp.answers}
        assert answers["bien-hieu"] == ("fail", None) and answers["hai-long"] == (5, "Người dân khen")
        assert answers["dung-han"] == ({"numerator": 96, "denominator": 100}, None)
        assert "ghi-chu-wifi" not in answers  # hidden by show_if: not sent
        assert [(f.item_key, f.severity, f.description) for f in insp.findings] == [
            ("bien-hieu", "major", "Biển hiệu bị che khuất")]
        assert sorted((a.side, a.name) for a in insp.attendees) == [("team", "Nguyễn Văn Kiểm"), ("unit", "Trần Thị Đơn")]
        assert insp.started_at and insp.ended_at and insp.ended_at >= insp.started_at
        finding_id = insp.findings[0].id
        signatures = insp.signatures
    assert sorted(r.kind for r in rows) == ["photo", "photo", "signature", "signature"]
    item_photo = next(r for r in rows if r.item_key == "bien-hieu")
    assert max(item_photo.width, item_photo.height) <= 1600
    assert item_photo.taken_at is not None and item_photo.lat == pytest.approx(21.0359, abs=1e-3)
    assert any(r.finding_id == finding_id for r in rows)
    assert {signatures["lead"]["evidence_uuid"], signatures["unit"]["evidence_uuid"]} == {
        r.uuid for r in rows if r.kind == "signature"}


def test_an_inspection_filled_offline_survives_a_reload_and_syncs_once(app, live_server, browser_page, photo):
    with app.app_context():
        world = make_field_world()
    page = browser_page(locale="en", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    page.evaluate("navigator.serviceWorker.ready")
    page.click("#lang")  # to English: the cached shell and catalogue are fetched again
    page.wait_for_selector("html[lang='en'] body[data-ready='1']")
    submissions = []
    page.on("request", lambda r: submissions.append(r) if r.url.endswith("/submission") else None)

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator(".flash.offline")).to_be_visible()
    steps.screenshot(page, "en-home-offline")
    steps.check_in(page, world["uuid"])
    steps.screenshot(page, "en-overview")
    steps.answer(page, world["uuid"], photo, shots="en")
    steps.add_finding(page, world["uuid"], photo)
    steps.screenshot(page, "en-findings")
    steps.open_inspection(page, world["uuid"], "/submit")
    expect(page.locator("ul.missing li")).to_have_count(5)  # attendees ×2, times, signatures ×2
    steps.screenshot(page, "en-missing")

    page.reload()  # nothing is lost
    page.wait_for_selector("body[data-ready='1']")
    steps.open_inspection(page, world["uuid"], "/s/ho-so")
    expect(page.locator("input[name='a-hai-long'][value='5']")).to_be_checked()
    expect(page.locator("input[name='a-dung-han-n']")).to_have_value("96")
    steps.fill_minutes(page, world["uuid"], shots="en")
    steps.submit(page, world["uuid"], shots="en")
    page.wait_for_selector(".sync.state-waiting")
    steps.screenshot(page, "en-waiting")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    steps.wait_until_sent(page)
    steps.screenshot(page, "en-sent")
    page.wait_for_timeout(1500)  # any stray re-send would show now

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "inspection.submit")) == 1
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED and insp.checked_in_at is not None
        assert {a.item_key: a.value for a in insp.answers} == {
            "bien-hieu": "fail", "wifi": "yes", "dung-han": {"numerator": 96, "denominator": 100}, "vang": 0,
            "hai-long": 5, "hinh-thuc": "truc-tiep"}
        assert [f.description for f in insp.findings] == ["Biển hiệu bị che khuất"]
        expected = set(db.session.scalar(sa.select(Submission.photo_uuids)))
    held = {r.uuid for r in evidence_rows(app, world["id"])}
    assert held == expected and len(held) == 4
    assert len([r for r in submissions if r.method == "POST"]) == 1


def test_a_returned_inspection_is_fixed_and_resubmitted_with_a_reason(app, live_server, browser_page, photo):
    with app.app_context():
        world = make_field_world()
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    steps.check_in(page, world["uuid"])
    steps.answer(page, world["uuid"], photo)
    steps.fill_minutes(page, world["uuid"])
    steps.submit(page, world["uuid"])
    steps.wait_until_sent(page)
    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        insp.status = InspectionStatus.RETURNED
        db.session.add_all([
            ReviewComment(inspection_id=insp.id, item_key="vang", body="Đếm lại số người vắng", author_id=world["lead_id"]),
            ReviewComment(inspection_id=insp.id, item_key=None, body="Ghi rõ giờ kết thúc", author_id=world["lead_id"]),
        ])
        db.session.commit()

    steps.open_app(page)
    expect(page.locator(".status-returned").first).to_be_visible()
    expect(page.locator(".local-done")).to_have_count(0)  # "sent" no longer applies
    steps.screenshot(page, "vi-home-returned")
    steps.open_inspection(page, world["uuid"])
    expect(page.locator(".comment")).to_contain_text("Ghi rõ giờ kết thúc")
    steps.screenshot(page, "vi-overview-returned")
    steps.open_inspection(page, world["uuid"], "/s/ho-so")
    expect(page.locator("#item-vang .comment")).to_contain_text("Đếm lại số người vắng")
    steps.screenshot(page, "vi-section-returned")
    page.fill("input[name='a-vang']", "2")
    steps.submit(page, world["uuid"], reason="Đếm lại: có 2 người vắng")
    steps.screenshot(page, "vi-resubmitted")
    steps.wait_until_sent(page)

    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED and insp.revision == 1
        revision = db.session.scalar(sa.select(InspectionRevision))
        assert revision.reason == "Đếm lại: có 2 người vắng" and revision.author_id == world["inspector_id"]
        assert revision.changes == [{"item_key": "vang", "field": "value", "old": 0, "new": 2}]
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 2


def test_a_restart_fetches_the_open_inspections_and_the_changed_ones_not_the_whole_history(
        app, live_server, browser_page):
    with app.app_context():
        from server.models import Team
        from tests.factories import make_inspection

        world = make_field_world()
        team = db.session.scalar(sa.select(Team).join(Inspection, Inspection.team_id == Team.id)
                                 .where(Inspection.id == world["id"]))
        history = [make_inspection(team=team) for _ in range(4)]
        for old in history:
            old.status = InspectionStatus.CONCLUDED
        db.session.commit()
        history_uuids = [old.uuid for old in history]
    page = browser_page(locale="vi", **steps.GEO)
    details = []
    page.on("request", lambda r: details.append(r.url.rsplit("/", 1)[1])
            if "/api/inspections/" in r.url and r.method == "GET" else None)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    assert sorted(details) == sorted([world["uuid"], *history_uuids])  # a new phone: every one, once

    details.clear()
    steps.open_app(page)
    assert details == [world["uuid"]]  # only the open one
    expect(page.locator(".status-concluded")).to_have_count(4)  # the history is still listed, from the phone

    with app.app_context():  # the lead corrects a concluded inspection: it changes
        changed = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == history_uuids[0]))
        changed.result = "fail"
        db.session.commit()
    details.clear()
    steps.open_app(page)
    assert sorted(details) == sorted([world["uuid"], history_uuids[0]])


def test_the_network_coming_back_while_the_phone_is_still_finding_it_offline_sends_at_once(app, live_server,
                                                                                             browser_page):
    with app.app_context():
        world = make_field_world()
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    page.context.set_offline(True)
    steps.check_in(page, world["uuid"])  # waits in the outbox, put off by the failed attempt
    page.wait_for_function("""async () => (await new Promise((ok) => {
        const q = indexedDB.open('kiemtra'); q.onsuccess = () => {
          const t = q.result.transaction('outbox').objectStore('outbox').getAll();
          t.onsuccess = () => ok(t.result); };
      })).some((r) => r.state === 'waiting')""")
    # The next attempt finds the network slowly and then not at all...
    page.evaluate("""() => {
      const real = window.fetch;
      window.fetch = (url, options) => String(url).includes('/healthz')
        ? (window.fetch = real, new Promise((_, no) => setTimeout(() => no(new TypeError('offline')), 1500)))
        : real(url, options);
      window.dispatchEvent(new Event('focus'));
    }""")
    page.wait_for_timeout(300)
    # ...and the network comes back meanwhile: the phone sends now, not after its back-off.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with app.app_context():
            if db.session.get(Inspection, world["id"]).checked_in_at is not None:
                break
        page.wait_for_timeout(200)
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).checked_in_at is not None
