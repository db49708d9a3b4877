"""The lead's review page shows the inspection's evidence (photos, signatures)
and the location and time flags of its check-in and photos."""
from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from babel.dates import format_timedelta
from babel.numbers import format_decimal
from flask_babel import force_locale

from server.extensions import db
from server.models import Inspection, InspectionStatus, Role, Unit
from server.services.evidence import files as evidence, geo
from tests.factories import make_team, make_unit, make_user
from tests.imagegen import exif_block, photo
from tests.remediation_factories import make_submitted_inspection

UNIT = (21.0359, 105.8340)
OFF_SITE = (21.0467, 105.8340)  # 1.2 km north of the unit
FAR_AWAY = (21.1080, 105.8340)  # 8 km north
# 09:00 in Hà Nội; the far photo's camera clock says 02:00 that day, 7 hours before.
CHECKED_IN = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def hours(count: int, locale: str) -> str:
    """A duration as CLDR writes it (the product formats it with the same call)."""
    return format_timedelta(count * 3600, threshold=1.5, locale=locale)


def km(value: float, locale: str) -> str:
    return f"{format_decimal(value, format='#,##0.#', locale=locale)}\u00a0km"


def dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return degrees, minutes, round(((value - degrees) * 60 - minutes) * 60, 3)


def camera_photo(position, taken_at: str) -> bytes:
    """A real JPEG with the EXIF time (and GPS position, if given) a phone camera writes."""
    gps = {"lat": dms(position[0]), "lon": dms(position[1])} if position else {}
    return photo("JPEG", (640, 480), exif=exif_block(taken_at=taken_at, **gps))


def add_photo(app, inspection, data, *, kind="photo", item_key=None, finding=None, keep_original=True):
    settings = replace(evidence.settings_from_config(app.config), keep_originals=keep_original)
    row, _ = evidence.store_evidence(app.extensions["kiemtra.storage"], settings, uuid=str(uuidlib.uuid4()),
                                     data=data, kind=kind, inspection=inspection, item_key=item_key, finding=finding)
    return row.uuid


def checked_in_inspection(unit, team, position, accuracy_m, **fields):
    """A submitted inspection whose check-in flags were computed by the real rules."""
    flags = geo.location_flags(position, accuracy_m, [UNIT], radius_m=300, poor_accuracy_m=100)
    return make_submitted_inspection(
        unit=unit, team=team, checked_in_at=CHECKED_IN, checkin_lat=position[0], checkin_lon=position[1],
        checkin_accuracy_m=accuracy_m, checkin_distance_m=geo.nearest_distance_m(position, [UNIT]),
        checkin_flags=flags, **fields)


@pytest.fixture
def world(app):
    with app.app_context():
        unit = make_unit(name="Phường Ba Đình", lat=UNIT[0], lon=UNIT[1])
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        flagged = checked_in_inspection(unit, team, OFF_SITE, 250.0,
                                        findings=[("bien-hieu", "major", "Biển hiệu bạc màu"),
                                                  (None, "minor", "Thiếu ghế chờ")])
        item_finding, free_finding = flagged.findings
        ids = {
            "flagged": flagged.uuid,
            "far": add_photo(app, flagged, camera_photo(FAR_AWAY, "2026:11:20 02:00:00"), item_key="bien-hieu"),
            "no_original": add_photo(app, flagged, camera_photo(None, "2026:11:20 09:10:00"),
                                     item_key="dung-han", keep_original=False),
            "finding": add_photo(app, flagged, camera_photo(None, "2026:11:20 09:20:00"), finding=item_finding),
            "free_finding": add_photo(app, flagged, camera_photo(None, "2026:11:20 09:25:00"),
                                      finding=free_finding),
            "other": add_photo(app, flagged, camera_photo(None, "2026:11:20 09:30:00")),
            "signature": add_photo(app, flagged, photo("PNG", (300, 120)), kind="signature"),
        }
        flagged.signatures = {"lead": {"name": "Nguyễn Văn Trưởng", "evidence_uuid": ids["signature"]},
                              "unit": {"refused": True, "reason": "Chưa được thủ trưởng ủy quyền",
                                       "name": "Lê Văn B"}}
        clean = checked_in_inspection(unit, team, UNIT, 12.0)
        ids["clean"] = clean.uuid
        ids["clean_photo"] = add_photo(app, clean, camera_photo(UNIT, "2026:11:20 09:15:00"), item_key="bien-hieu")
        db.session.commit()
        return ids


def page(client, uuid: str, lang: str | None = None) -> str:
    if lang:
        client.post(f"/lang/{lang}")
    response = client.get(f"/review/inspections/{uuid}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def fetch(client, url):
    """GET and close the response (served files stay open until closed)."""
    with client.get(url) as response:
        response.get_data()
        return response.status_code


def thumbnails(html: str) -> dict[str, str]:
    """thumbnail URL -> the URL its link opens."""
    return {img: href for href, img in re.findall(r'<a class="thumb" href="([^"]+)"[^>]*><img\s+src="([^"]+)"', html)}


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def url(uuid: str, variant: str) -> str:
    return f"/api/evidence/{uuid}/{variant}"


def test_the_lead_sees_check_in_and_photo_warnings_in_english(client, auth, world):
    auth.login("lead")
    html = page(client, world["flagged"], "en")
    location = between(html, 'id="location"', "</section>")
    assert "Location and time" in location
    assert f"Checked in {km(1.2, 'en')} from the unit&#39;s registered location (allowed 300\u00a0m)." in location
    assert "Location accuracy 250\u00a0m is poor (limit 100\u00a0m)." in location
    assert "21.04670, 105.83400" in location and "± 250\u00a0m" in location
    assert "Photos with a location or time warning: 1" in location
    far = between(html, f'id="photo-{world["far"]}"', "</li>")
    assert f"Taken {km(8, 'en')} from the unit&#39;s registered location (allowed 300\u00a0m)." in far
    assert f"Taken {km(6.8, 'en')} from the check-in position (allowed {km(1, 'en')})." in far
    assert f"Taken {hours(7, 'en')} before the check-in (allowed {hours(6, 'en')})." in far
    assert far.count('class="badge warn"') == 3
    assert f"Taken {hours(7, 'en')} before the check-in" in re.search(r'title="([^"]*)"', far)[1]  # also on the thumbnail


def test_the_warnings_are_in_vietnamese_by_default(client, auth, world):
    auth.login("lead")
    html = page(client, world["flagged"])
    assert "Vị trí và thời gian" in html
    assert f"Xác nhận có mặt cách vị trí đăng ký của đơn vị {km(1.2, 'vi')} (cho phép 300\u00a0m)." in html
    assert "Sai số vị trí lớn: 250\u00a0m (giới hạn 100\u00a0m)." in html
    assert f"Ảnh chụp trước thời điểm xác nhận có mặt {hours(7, 'vi')} (cho phép {hours(6, 'vi')})." in html
    assert f"Ảnh chụp cách nơi xác nhận có mặt {km(6.8, 'vi')} (cho phép {km(1, 'vi')})." in html
    assert "⚠ Ngoài địa điểm" in html and ">Bản gốc</a>" in html


def test_accuracy_of_zero_is_shown_as_a_possibly_simulated_position(app, client, auth, world):
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Phường Ba Đình"))
        mocked = checked_in_inspection(unit, None, UNIT, 0.0)
        db.session.commit()
        uuid = mocked.uuid
    auth.login("lead")
    assert "Accuracy reported as 0 m: the position may be simulated." in page(client, uuid, "en")


def test_each_answer_and_finding_shows_its_photos_linking_to_the_display_copy_and_original(client, auth, world):
    auth.login("lead")
    html = page(client, world["flagged"], "en")
    thumbs = thumbnails(html)
    photos = ("far", "no_original", "finding", "free_finding", "other")
    for name in photos:
        assert thumbs[url(world[name], "thumb")] == url(world[name], "display")
    # Each photo is where it belongs: its answer, its finding, or the inspection's other photos.
    assert f'id="photo-{world["far"]}"' in between(html, 'id="item-bien-hieu"', 'id="item-dung-han"')
    assert f'id="photo-{world["finding"]}"' in between(html, "Biển hiệu bạc màu", 'id="item-dung-han"')
    assert f'id="photo-{world["no_original"]}"' in between(html, 'id="item-dung-han"', 'id="item-ghi-chu"')
    assert f'id="photo-{world["free_finding"]}"' in between(html, "Thiếu ghế chờ", "Other photos")
    assert f'id="photo-{world["other"]}"' in html[html.index("Other photos"):]
    assert url(world["far"], "original") in html and url(world["no_original"], "original") not in html
    for name in photos:
        for variant in ("thumb", "display"):
            assert fetch(client, url(world[name], variant)) == 200
    assert fetch(client, url(world["far"], "original")) == 200


def test_signatures_and_a_refusal_to_sign_are_shown(client, auth, world):
    auth.login("lead")
    html = page(client, world["flagged"], "en")
    signatures = html[html.index("<h2>Signatures</h2>"):]
    assert "Team lead: Nguyễn Văn Trưởng" in signatures
    assert url(world["signature"], "thumb") in signatures and fetch(client, url(world["signature"], "thumb")) == 200
    assert "Refused to sign: Chưa được thủ trưởng ủy quyền" in signatures
    assert f'id="photo-{world["signature"]}"' not in html  # a signature is not a photo of the inspection


def test_an_inspection_without_flags_shows_no_warning(client, auth, world):
    auth.login("lead")
    html = page(client, world["clean"], "en")
    assert "badge warn" not in html and "⚠" not in html
    assert "No location or time warnings." in html
    assert thumbnails(html) == {url(world["clean_photo"], "thumb"): url(world["clean_photo"], "display")}


def test_the_page_loads_all_evidence_in_one_query(app, client, auth, world):
    auth.login("lead")
    client.post("/lang/en")
    statements = []

    def count(conn, cursor, statement, *args):
        if "evidence_files" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/review/inspections/{world['flagged']}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


@pytest.mark.parametrize("status", [InspectionStatus.SUBMITTED, InspectionStatus.CONCLUDED])
def test_a_unit_officer_cannot_open_the_review_page(app, client, auth, world, status):
    with app.app_context():
        db.session.scalar(sa.select(Inspection).where(Inspection.uuid == world["flagged"])).status = status
        db.session.commit()
    auth.login("officer")
    response = client.get(f"/review/inspections/{world['flagged']}")
    assert response.status_code == 403
    assert world["far"] not in response.get_data(as_text=True)


@pytest.mark.parametrize("flag, sentence", [
    ({"code": "no_position"}, "No position was recorded at check-in."),
    ({"code": "no_unit_location"}, "The unit has no registered location, so the distance could not be checked."),
    ({"code": "photo_time_far_from_checkin", "difference_s": 30 * 3600, "max_time_s": 21600},
     f"Taken {hours(30, 'en')} after the check-in (allowed {hours(6, 'en')})."),
    ({"code": "off_site", "distance_m": 12_345.6, "radius_m": 300},
     f"Checked in {km(12.3, 'en')} from the unit's registered location (allowed 300\u00a0m)."),
    ({"code": "something_new"}, "Location warning (something_new)."),
])
def test_every_stored_flag_reads_as_a_sentence(app, flag, sentence):
    with app.test_request_context(), force_locale("en"):
        assert geo.describe_flag(flag).sentence == sentence
