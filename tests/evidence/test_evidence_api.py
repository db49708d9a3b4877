"""Uploading and serving evidence photos through the API."""
import io
import uuid as uuidlib

import pytest
import sqlalchemy as sa
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from server.extensions import db
from server.models import EvidenceFile, Inspection, InspectionStatus, Role
from tests.concurrency import request_during_open_change
from tests.factories import make_inspection, make_team, make_unit, make_user

BA_DINH = (21.0359, 105.8340)


def jpeg_bytes(size=(800, 600), color=(200, 30, 30), gps=None, taken=None) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    if gps:
        def dms(value):
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 100)
            return (IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 100))

        exif[0x8825] = {1: "N" if gps[0] >= 0 else "S", 2: dms(gps[0]), 3: "E" if gps[1] >= 0 else "W", 4: dms(gps[1])}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def png_bytes(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(app):
    with app.app_context():
        unit = make_unit(name="Phường Ba Đình", lat=BA_DINH[0], lon=BA_DINH[1])
        other = make_unit(name="Phường Khác")
        team = make_team()
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.INSPECTOR, username="stranger", team=make_team())
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        make_user(Role.UNIT_OFFICER, username="other_officer", unit=other)
        inspection = make_inspection(unit=unit, team=team)
        db.session.commit()
        return {"uuid": inspection.uuid, "id": inspection.id}


def upload(client, world, data, *, uid=None, name="photo.jpg", mimetype="image/jpeg", **form):
    uid = uid or str(uuidlib.uuid4())
    return client.post(
        "/api/evidence",
        data={"uuid": uid, "inspection_uuid": world["uuid"], **form,
              "file": (io.BytesIO(data), name, mimetype)},
        content_type="multipart/form-data",
    )


def fetch(client, url, **kw):
    """GET and close the response (served files are open until closed)."""
    with client.get(url, **kw) as response:
        response.get_data()
        return response


def count_rows(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(EvidenceFile.id)))


def test_photo_upload_stores_display_copy_thumbnail_and_exif_position(app, client, auth, world):
    auth.login("insp")
    response = upload(client, world, jpeg_bytes((4000, 3000), gps=BA_DINH, taken="2026:11:20 09:15:00"),
                      item_key="bien-hieu")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["width"] == 4000 and body["item_key"] == "bien-hieu"
    assert body["lat"] == pytest.approx(BA_DINH[0], abs=1e-4)
    assert body["taken_at"].startswith("2026-11-20T02:15:00")  # Vietnam time read as UTC+7
    display = fetch(client, body["urls"]["display"])
    assert display.status_code == 200 and display.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(display.data)).size == (1000, 750)  # the default display size
    thumb = fetch(client, body["urls"]["thumb"])
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 320
    assert "private" in thumb.headers["Cache-Control"]
    again = fetch(client, body["urls"]["thumb"], headers={"If-None-Match": thumb.headers["ETag"]})
    assert again.status_code == 304


def test_resending_the_same_uuid_and_bytes_changes_nothing(app, client, auth, world):
    auth.login("insp")
    data, uid = jpeg_bytes(), str(uuidlib.uuid4())
    assert upload(client, world, data, uid=uid).status_code == 201
    second = upload(client, world, data, uid=uid)
    assert second.status_code == 200
    assert count_rows(app) == 1


def test_same_uuid_with_other_bytes_is_a_409_and_keeps_the_first(app, client, auth, world):
    auth.login("insp")
    uid = str(uuidlib.uuid4())
    first = upload(client, world, jpeg_bytes(color=(1, 2, 3)), uid=uid).get_json()
    response = upload(client, world, jpeg_bytes(color=(250, 250, 250)), uid=uid)
    assert response.status_code == 409
    assert "Không có gì thay đổi" in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(EvidenceFile.sha256)) == first["sha256"]


@pytest.mark.parametrize(
    "data, name, mimetype, status",
    [
        (b"hello, I am text", "photo.jpg", "image/jpeg", 422),
        (b"", "empty.jpg", "image/jpeg", 422),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "x.svg", "image/svg+xml", 415),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "doc.pdf", "application/pdf", 422),
    ],
    ids=["text-named-jpg", "zero-bytes", "svg", "pdf"],
)
def test_files_that_are_not_accepted_photos_get_a_4xx_and_leave_nothing(app, client, auth, world,
                                                                        data, name, mimetype, status):
    auth.login("insp")
    response = upload(client, world, data, name=name, mimetype=mimetype)
    assert response.status_code == status
    assert response.get_json()["message"]
    assert count_rows(app) == 0
    assert list(app.extensions["kiemtra.storage"].iter_keys()) == []


def test_a_png_sent_as_jpeg_is_accepted(client, auth, world):
    auth.login("insp")
    assert upload(client, world, png_bytes(), name="photo.jpg", mimetype="image/jpeg").status_code == 201


def test_a_truncated_jpeg_is_refused(app, client, auth, world):
    auth.login("insp")
    data = jpeg_bytes((1200, 900))
    response = upload(client, world, data[: len(data) // 3])
    assert response.status_code == 422
    assert count_rows(app) == 0


def test_an_upload_over_the_byte_limit_is_a_413(app, client, auth, world):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    auth.login("insp")
    response = upload(client, world, b"\xff\xd8\xff" + b"\0" * 60_000)
    assert response.status_code == 413
    assert count_rows(app) == 0


def test_a_decompression_bomb_is_refused_before_decoding(app, client, auth, world):
    app.config["MAX_PHOTO_PIXELS"] = 1_000_000
    auth.login("insp")
    response = upload(client, world, png_bytes((2000, 2000)))
    assert response.status_code == 413
    assert count_rows(app) == 0


@pytest.mark.parametrize(
    ("image", "decoded_mb"),
    [
        pytest.param(Image.new("RGBA", (2000, 2000), (0, 128, 0, 128)), 21, id="small-file-rgba-png"),
        pytest.param(Image.new("I;16", (2000, 2000), 40_000), 13, id="16-bit-grey-png"),
    ],
)
def test_a_png_too_big_once_decoded_is_refused_naming_the_limit_and_leaves_nothing(app, client, auth, world,
                                                                                   image, decoded_mb):
    app.config["MAX_PHOTO_DECODED_BYTES"] = 5_000_000
    out = io.BytesIO()
    image.save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    auth.login("insp")

    response = upload(client, world, out.getvalue(), name="photo.png", mimetype="image/png")

    assert response.status_code == 413
    assert response.get_json()["message"] == (
        f"Ảnh cần {decoded_mb} MB bộ nhớ khi mở, vượt mức cho phép 5 MB; vui lòng gửi ảnh có kích thước nhỏ hơn.")
    assert count_rows(app) == 0
    assert list(app.extensions["kiemtra.storage"].iter_keys()) == []


def test_a_12_mp_phone_jpeg_is_accepted_under_the_default_decoded_limit(app, client, auth, world):
    assert app.config["MAX_PHOTO_DECODED_BYTES"] == 250_000_000
    auth.login("insp")

    response = upload(client, world, jpeg_bytes((4000, 3000), color=(90, 120, 150)))

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["width"], response.get_json()["height"]) == (4000, 3000)


def test_unknown_item_key_is_refused(client, auth, world):
    auth.login("insp")
    assert upload(client, world, jpeg_bytes(), item_key="no-such-item").status_code == 422


def test_only_the_inspection_team_may_upload(client, auth, world):
    auth.login("stranger")
    assert upload(client, world, jpeg_bytes()).status_code == 404  # not even its existence
    auth.logout()
    auth.login("officer")
    assert upload(client, world, jpeg_bytes()).status_code == 403


def test_unit_officers_see_photos_only_of_their_own_concluded_inspection(app, client, auth, world):
    auth.login("insp")
    url = upload(client, world, jpeg_bytes()).get_json()["urls"]["thumb"]
    auth.logout()
    auth.login("officer")
    assert fetch(client, url).status_code == 403  # their unit: they know of it, not yet concluded
    with app.app_context():
        db.session.get(Inspection, world["id"]).status = InspectionStatus.CONCLUDED
        db.session.commit()
    assert fetch(client, url).status_code == 200
    auth.logout()
    auth.login("other_officer")
    assert fetch(client, url).status_code == 404


def test_photo_far_from_check_in_is_flagged_not_refused(app, client, auth, world):
    auth.login("insp")
    checkin = client.post(f"/api/inspections/{world['uuid']}/checkin",
                          json={"lat": BA_DINH[0], "lon": BA_DINH[1], "accuracy_m": 12})
    assert checkin.status_code == 200 and checkin.get_json()["checkin_flags"] == []
    far = (21.0833, 105.9)  # about 8 km away
    response = upload(client, world, jpeg_bytes(gps=far))
    assert response.status_code == 201
    codes = {f["code"] for f in response.get_json()["flags"]}
    assert "photo_off_site" in codes


def test_check_in_far_away_with_zero_accuracy_is_flagged_and_lifts_the_embargo(app, client, auth, world):
    auth.login("insp")
    response = client.post(f"/api/inspections/{world['uuid']}/checkin",
                           json={"lat": 21.0833, "lon": 105.9, "accuracy_m": 0})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress"
    assert {f["code"] for f in body["checkin_flags"]} >= {"off_site", "mocked_location"}
    assert body["checkin_distance_m"] > 5000


def test_a_check_in_during_a_team_mates_submission_does_not_reopen_it(app, client, auth, world):
    """A team-mate's submission is being written (row locked) when this phone's
    check-in arrives: the check-in waits, then finds the inspection submitted,
    instead of setting it back to "in progress"."""
    def team_mate_submits():
        db.session.get(Inspection, world["id"], with_for_update=True).status = InspectionStatus.SUBMITTED

    auth.login("insp")
    status = request_during_open_change(app, team_mate_submits, lambda: client.post(
        f"/api/inspections/{world['uuid']}/checkin", json={"lat": BA_DINH[0], "lon": BA_DINH[1]}).status_code)
    assert status == 403
    with app.app_context():
        inspection = db.session.get(Inspection, world["id"])
        assert inspection.status == InspectionStatus.SUBMITTED and inspection.checked_in_at is None


def test_check_in_with_a_bad_latitude_is_a_422(client, auth, world):
    auth.login("insp")
    response = client.post(f"/api/inspections/{world['uuid']}/checkin", json={"lat": 123, "lon": 105})
    assert response.status_code == 422


def test_evidence_check_reports_rows_without_files_and_files_without_rows(app, client, auth, world, runner):
    auth.login("insp")
    assert runner.invoke(args=["evidence", "check"]).exit_code == 0
    body = upload(client, world, jpeg_bytes()).get_json()
    storage = app.extensions["kiemtra.storage"]
    with app.app_context():
        row = db.session.scalar(sa.select(EvidenceFile).where(EvidenceFile.uuid == body["uuid"]))
        storage.delete(row.thumb_key)
    orphan = storage.put(b"left behind by a crash", suffix=".jpg")
    result = runner.invoke(args=["evidence", "check"])
    assert result.exit_code == 1
    assert f"orphan file: {orphan}" in result.output
    assert f"missing file: evidence {body['uuid']}" in result.output


def test_the_display_copy_size_is_a_setting(app, client, auth, world):
    app.config["PHOTO_DISPLAY_PX"] = 1000
    auth.login("insp")
    body = upload(client, world, jpeg_bytes((4000, 3000))).get_json()
    display = fetch(client, body["urls"]["display"])
    assert max(Image.open(io.BytesIO(display.data)).size) == 1000
