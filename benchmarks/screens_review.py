"""Screenshots of the review, remediation and unit-portal pages at phone size (390×844),
in Vietnamese and English, into benchmarks/out/screens/.

    .venv/bin/python benchmarks/screens_review.py

Builds a throw-away app (SQLite in a temporary folder) with a submitted, an
approved and a concluded inspection, actions in several states with evidence,
and, on the submitted one, an off-site check-in with poor accuracy, photos of
answers and findings (one taken far away, hours earlier) and signatures; then
drives Debian's /usr/bin/chromium through Playwright. Prints the files written
and the time each page took to load.
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
import uuid as uuidlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402
from server.models import ActionStatus, InspectionStatus, Role  # noqa: E402
from server.models.types import utcnow  # noqa: E402
from server.services.evidence import files as evidence, geo
from server.services.remediation import actions as remediation  # noqa: E402
from server.views.actions import attacher  # noqa: E402
from tests.factories import make_inspection, make_team, make_unit, make_user  # noqa: E402
from tests.imagegen import exif_block, photo  # noqa: E402
from tests.remediation_factories import make_action, make_submitted_inspection  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "screens"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return degrees, minutes, round(((value - degrees) * 60 - minutes) * 60, 3)


def add_evidence(app, inspection, *, kind="photo", size=(800, 600), position=None, taken=None, **where) -> str:
    """Store a photo (or signature) through the real evidence service; its flags are computed there."""
    exif = exif_block(taken_at=taken, **({"lat": _dms(position[0]), "lon": _dms(position[1])} if position else {}))
    data = photo("PNG" if kind == "signature" else "JPEG", size, exif=None if kind == "signature" else exif)
    row, _ = evidence.store_evidence(app.extensions["kiemtra.storage"], evidence.settings_from_config(app.config),
                                     uuid=str(uuidlib.uuid4()), data=data, kind=kind, inspection=inspection, **where)
    return row.uuid


def check_in_off_site(app, inspection, unit) -> None:
    """An off-site check-in with poor accuracy, flagged by the real rules (as fieldwork.check_in does)."""
    position, accuracy = (unit.locations[0].lat + 0.0108, unit.locations[0].lon), 250.0  # 1.2 km north
    locations = [(loc.lat, loc.lon) for loc in unit.locations]
    inspection.checked_in_at = datetime.now(timezone.utc).replace(hour=2, minute=0, second=0, microsecond=0)
    inspection.checkin_lat, inspection.checkin_lon, inspection.checkin_accuracy_m = *position, accuracy
    inspection.checkin_distance_m = geo.nearest_distance_m(position, locations)
    inspection.checkin_flags = geo.location_flags(
        position, accuracy, locations, radius_m=app.config["CHECKIN_RADIUS_M"],
        poor_accuracy_m=app.config["POOR_ACCURACY_M"])


def build(app) -> dict:
    with app.app_context():
        db.create_all()
        unit = make_unit(name="Trung tâm Phục vụ hành chính công phường Ba Đình", code="00004")
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Nguyễn Văn Trưởng"
        team = make_team(name="Đoàn kiểm tra CCHC số 1", members=[lead])
        team.lead = lead
        officer = make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        officer.full_name = "Trần Thị Cán Bộ"
        submitted = make_submitted_inspection(
            unit=unit, team=team, findings=[("bien-hieu", "major", "Biển hiệu bạc màu, thiếu giờ làm việc"),
                                            (None, "minor", "Khu vực chờ thiếu ghế cho người cao tuổi")])
        approved = make_submitted_inspection(
            unit=unit, team=team, status=InspectionStatus.APPROVED,
            findings=[("bien-hieu", "major", "Biển hiệu bạc màu"), (None, "minor", "Thiếu ghế chờ")])
        check_in_off_site(app, submitted, unit)
        day = submitted.checked_in_at.strftime("%Y:%m:%d")
        sign = add_evidence(app, submitted, kind="signature", size=(480, 160))
        submitted.signatures = {"lead": {"name": lead.full_name, "evidence_uuid": sign},
                                "unit": {"refused": True, "name": "Lê Văn Đại Diện",
                                         "reason": "Chưa được thủ trưởng đơn vị ủy quyền ký"}}
        add_evidence(app, submitted, item_key="bien-hieu", position=(21.1080, 105.8342), taken=f"{day} 02:00:00")
        add_evidence(app, submitted, item_key="bien-hieu", taken=f"{day} 09:12:00")
        add_evidence(app, submitted, finding=submitted.findings[0], taken=f"{day} 09:20:00")
        add_evidence(app, submitted, finding=submitted.findings[1], taken=f"{day} 09:25:00")
        add_evidence(app, submitted, taken=f"{day} 09:40:00")
        concluded = make_submitted_inspection(unit=unit, team=team, status=InspectionStatus.CONCLUDED,
                                              findings=[(None, "minor", "Hòm thư góp ý không khóa")])
        noticed = make_inspection(unit=unit, team=team)
        noticed.plan.title = "Kế hoạch kiểm tra CCHC quý IV/2026"
        noticed.plan.notice_date = date.today() + timedelta(days=5)
        noticed.plan.notice_place = "Trụ sở Trung tâm Phục vụ hành chính công phường Ba Đình"
        noticed.plan.requested_documents = "Báo cáo tự kiểm tra; sổ theo dõi hồ sơ; danh mục TTHC niêm yết"
        noticed.plan.notice_published_at = utcnow()
        late = make_action(concluded, deadline=date.today() - timedelta(days=3),
                           title="Niêm yết đầy đủ mức phí, lệ phí tại quầy")
        working = make_action(concluded, deadline=date.today() + timedelta(days=10),
                              title="Sửa biển hiệu: ghi rõ giờ làm việc và đường dây nóng")
        make_action(concluded, deadline=date.today() + timedelta(days=20), status=ActionStatus.CLOSED,
                    title="Khóa hòm thư góp ý, mở theo lịch")
        db.session.commit()
        with app.test_request_context():
            from flask_login import login_user

            login_user(officer)
            remediation.move(working, officer, ActionStatus.IN_PROGRESS, note="Đã đặt làm biển mới")
            remediation.add_note(working, officer, "Ảnh biển hiệu mới và biên bản nghiệm thu",
                                 files=[("bien-hieu.jpg", photo(size=(800, 600))), ("nghiem-thu.pdf", PDF)],
                                 attach=attacher())
            remediation.request_extension(working, officer, reason="Chờ nhà thầu lắp đặt",
                                          new_deadline=date.today() + timedelta(days=25), today=date.today())
        db.session.commit()
        return {"submitted": submitted.uuid, "approved": approved.uuid, "concluded": concluded.uuid,
                "notice": noticed.uuid, "late": late.id, "working": working.id}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiemtra-screens-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "screens", "INSTANCE_PATH": str(tmp / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'screens.db'}", "UPLOAD_FOLDER": str(tmp / "up")})
    ids = build(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = {
        "officer": [("portal-home", "/portal/"), ("portal-actions", "/portal/actions"),
                    ("portal-action", f"/actions/{ids['working']}"),
                    ("portal-inspection", f"/portal/inspections/{ids['concluded']}"),
                    ("portal-notice", f"/portal/notices/{ids['notice']}"), ("notifications", "/notifications/")],
        "lead": [("review-queue", "/review/"), ("review-inspection", f"/review/inspections/{ids['submitted']}"),
                 ("review-conclusion", f"/review/inspections/{ids['approved']}/conclusion"),
                 ("review-actions", "/actions/"), ("review-action", f"/actions/{ids['working']}")],
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        for user, shots in pages.items():
            for lang in ("vi", "en"):
                context = browser.new_context(base_url=base, viewport={"width": 390, "height": 844},
                                              device_scale_factor=1, is_mobile=True, has_touch=True)
                page = context.new_page()
                page.goto("/login")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", "password123")
                page.click("form:has(input[name=password]) button[type=submit]")
                page.wait_for_load_state()
                page.goto("/")
                if lang == "en":  # the switch remembers the choice on the user
                    page.click("form.lang button")
                    page.wait_for_load_state()
                for name, url in shots:
                    started = time.perf_counter()
                    page.goto(url)
                    page.wait_for_load_state("networkidle")
                    # Scroll through the page so lazy-loaded photos are fetched before the shot.
                    page.evaluate("""async () => {
                        for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
                            scrollTo(0, y); await new Promise(r => setTimeout(r, 50)); }
                        scrollTo(0, 0); }""")
                    page.wait_for_load_state("networkidle")
                    took = (time.perf_counter() - started) * 1000
                    path = OUT / f"{name}-{lang}.png"
                    page.screenshot(path=str(path), full_page=True)
                    print(f"{path.relative_to(ROOT)}  {took:.0f} ms")
                if lang == "en":
                    page.click("form.lang button")  # back to Vietnamese for the next run
                context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
