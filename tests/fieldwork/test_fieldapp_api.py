"""The field app's JSON API: an inspection in full, submitting it, evidence
with client-reported EXIF, and the app shell, catalogue, manifest and service worker."""
import io
import re
import uuid as uuidlib

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.models import (
    Answer, AuditEvent, Finding, Inspection, InspectionKind, InspectionRevision, InspectionStatus,
    ReviewComment, Submission,
)
from tests.fieldwork_data import BA_DINH, PASSING_ANSWERS, make_field_world


@pytest.fixture
def world(app):
    with app.app_context():
        return make_field_world()


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def payload(**fields) -> dict:
    """A complete submission: every answer, both attendees and times, the lead's
    signature image announced to follow, the representative's refusal with its reason."""
    signature = new_uuid()
    body = {
        "submission_uuid": new_uuid(),
        "started_at": "2026-11-20T08:00:00+07:00",
        "ended_at": "2026-11-20T10:30:00+07:00",
        "answers": PASSING_ANSWERS,
        "findings": [{"uuid": new_uuid(), "item_key": "bien-hieu", "severity": "minor", "description": "Biển mờ"}],
        "attendees": [{"side": "team", "name": "Nguyễn Văn Kiểm", "position": "Trưởng đoàn"},
                      {"side": "unit", "name": "Trần Thị Đơn", "position": "Giám đốc"}],
        "signatures": {"lead": {"name": "Nguyễn Văn Kiểm", "evidence_uuid": signature},
                       "unit": {"name": "Trần Thị Đơn", "refused": True, "reason": "Chưa đồng ý kết luận"}},
        "photos": [{"uuid": signature, "kind": "signature"}],
        "photo_uuids": [new_uuid()],
    }
    body.update(fields)
    return body


def announced(body) -> list[str]:
    """Every evidence UUID the submission says will follow it."""
    return sorted({p["uuid"] for p in body["photos"]} | set(body["photo_uuids"]))


def submit(client, world, body):
    return client.post(f"/api/inspections/{world['uuid']}/submission", json=body)


def inspection(app, world) -> Inspection:
    return db.session.get(Inspection, world["id"])


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_submission_stores_everything_the_phone_entered_with_the_score(app, client, auth, world):
    auth.login("insp")
    body = payload()
    response = submit(client, world, body)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert result["status"] == "submitted" and result["result"] == "pass" and result["score_percent"] == 100.0
    assert result["expected_photo_uuids"] == announced(body)
    with app.app_context():
        insp = inspection(app, world)
        assert insp.status == InspectionStatus.SUBMITTED and insp.submitted_by_id == world["inspector_id"]
        assert {a.item_key: a.value for a in insp.answers}["dung-han"] == {"numerator": 96, "denominator": 100}
        assert [a.note for a in insp.answers if a.item_key == "hai-long"] == ["Người dân khen"]
        assert [(f.uuid, f.item_key, f.severity, f.description) for f in insp.findings] == [
            (body["findings"][0]["uuid"], "bien-hieu", "minor", "Biển mờ")]
        assert [(a.side, a.name) for a in insp.attendees] == [("team", "Nguyễn Văn Kiểm"), ("unit", "Trần Thị Đơn")]
        assert insp.signatures["unit"] == {"refused": True, "reason": "Chưa đồng ý kết luận", "name": "Trần Thị Đơn"}
        assert insp.signatures["lead"]["evidence_uuid"] == body["signatures"]["lead"]["evidence_uuid"]
        assert insp.started_at.isoformat() == "2026-11-20T01:00:00+00:00"
        assert insp.score["result"] == "pass" and insp.score_percent == 100.0 and insp.result == "pass"
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "inspection.submit"))


def test_resending_the_same_submission_answers_200_and_changes_nothing(app, client, auth, world):
    auth.login("insp")
    body = payload()
    assert submit(client, world, body).status_code == 201
    with app.app_context():
        submitted_at = inspection(app, world).submitted_at
    again = submit(client, world, dict(body, answers=[{"item_key": "bien-hieu", "value": "fail"}]))
    assert again.status_code == 200
    assert again.get_json()["submission_uuid"] == body["submission_uuid"]
    with app.app_context():
        assert count(Submission) == 1 and count(Answer) == len(PASSING_ANSWERS) and count(Finding) == 1
        assert inspection(app, world).submitted_at == submitted_at
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "inspection.submit")) == 1


BAD_ANSWERS = [
    ({"item_key": "bien-hieu", "value": "maybe"}, "the answer must be pass or fail"),
    ({"item_key": "wifi", "na": True}, "this item cannot be marked not applicable"),
    ({"item_key": "dung-han", "value": {"numerator": 5, "denominator": 3}},
     "the numerator must not be larger than the denominator"),
    ({"item_key": "vang", "value": -1}, "the answer must be a whole number of 0 or more"),
    ({"item_key": "hai-long", "value": 9}, "the answer must be a whole number from 1 to 5"),
    ({"item_key": "hinh-thuc", "value": "qua-mang"}, "the answer must be one of: khong, truc-tiep"),
    ({"item_key": "kenh", "value": ["hom-thu", "hom-thu"]}, "the answer must be a list of distinct options"),
    ({"item_key": "so-lieu", "value": "nhiều"}, "the answer must be a number"),
    ({"item_key": "khong-co", "value": "pass"}, "the checklist has no item khong-co"),
]


def test_answers_that_do_not_fit_their_items_are_422_listed_by_item_and_nothing_is_written(app, client, auth, world):
    auth.login("insp")
    client.post("/lang/en")
    answers = [{"item_key": "ngay", "value": "2026-11-20"}] + [answer for answer, _message in BAD_ANSWERS]
    response = submit(client, world, payload(answers=answers))
    assert response.status_code == 422
    problems = response.get_json()["errors"]["items"]
    assert [p["item_key"] for p in problems] == [answer["item_key"] for answer, _message in BAD_ANSWERS]
    for problem, (_answer, message) in zip(problems, BAD_ANSWERS):
        assert problem["message"].startswith(message)
    with app.app_context():
        assert inspection(app, world).status == InspectionStatus.PLANNED
        assert count(Answer) == count(Submission) == count(Finding) == 0


@pytest.mark.parametrize("body, field", [
    ({"answers": [{"value": "pass"}]}, "answers"),
    ({"findings": [{"uuid": "x", "severity": "minor", "description": "d"}]}, "findings"),
    ({"findings": [{"uuid": str(uuidlib.uuid4()), "severity": "huge", "description": "d"}]}, "findings"),
    ({"attendees": [{"side": "public", "name": "A"}]}, "attendees"),
    ({"started_at": "2026-11-20T08:00:00"}, "started_at"),
])
def test_malformed_fields_are_422_with_the_field_named(app, client, auth, world, body, field):
    auth.login("insp")
    response = submit(client, world, payload(**body))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("status", ["submitted", "approved", "concluded", "cancelled"])
def test_an_inspection_that_is_not_open_is_refused_with_409(app, client, auth, world, status):
    with app.app_context():
        inspection(app, world).status = status
        db.session.commit()
    auth.login("insp")
    assert submit(client, world, payload()).status_code == 409
    with app.app_context():
        assert count(Answer) == 0


@pytest.mark.parametrize("who, expected", [
    # The unit's officer knows of an announced inspection (its notice), so 403, not 404.
    ("insp", 201), ("lead", 201), ("stranger", 404), ("officer", 403), ("viewer", 403), (None, 401),
])
def test_who_may_submit(app, client, auth, world, who, expected):
    if who:
        auth.login(who)
    assert submit(client, world, payload()).status_code == expected


def test_a_submission_uuid_of_another_inspection_is_409(app, client, auth, world):
    with app.app_context():
        from tests.factories import make_inspection
        from server.models import Team

        other = make_inspection(team=db.session.scalar(sa.select(Team).where(Team.name == "Đoàn kiểm tra số 1")))
        db.session.commit()
        other_uuid = other.uuid
    auth.login("insp")
    body = payload()
    assert submit(client, world, body).status_code == 201
    response = client.post(f"/api/inspections/{other_uuid}/submission", json=body)
    assert response.status_code == 409


def return_with_comment(app, world, item_key="bien-hieu", body="Ảnh không rõ, chụp lại"):
    with app.app_context():
        insp = inspection(app, world)
        insp.status = InspectionStatus.RETURNED
        db.session.add(ReviewComment(inspection_id=insp.id, item_key=item_key, body=body, author_id=world["lead_id"]))
        db.session.add(ReviewComment(inspection_id=insp.id, item_key=None, body="Bổ sung thành phần", author_id=world["lead_id"]))
        db.session.commit()


def test_a_submission_re_sent_after_the_lead_returned_it_is_answered_with_the_stored_one(app, client, auth, world):
    """The phone never got the answer to its first send, and the lead has
    returned the inspection meanwhile: the re-send is the stored submission
    (200), not a resubmission without a reason (422), and changes nothing."""
    auth.login("insp")
    body = payload()
    assert submit(client, world, body).status_code == 201
    return_with_comment(app, world)
    again = submit(client, world, body)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["submission_uuid"] == body["submission_uuid"]
    assert again.get_json()["status"] == "returned"
    with app.app_context():
        assert count(Submission) == 1 and count(InspectionRevision) == 0
        assert inspection(app, world).status == InspectionStatus.RETURNED


def test_resubmission_records_a_revision_with_reason_and_every_change(app, client, auth, world):
    auth.login("insp")
    first = payload()
    assert submit(client, world, first).status_code == 201
    return_with_comment(app, world)
    answers = [a for a in PASSING_ANSWERS if a["item_key"] != "vang"] + [{"item_key": "vang", "value": 2}]
    second = dict(first, submission_uuid=new_uuid(), answers=answers, reason="Đếm lại số người vắng")
    response = submit(client, world, second)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["revision"] == 1
    assert response.get_json()["score_percent"] == 88.89  # 8 of 9 points: the count item now fails
    with app.app_context():
        revision = db.session.scalar(sa.select(InspectionRevision))
        assert revision.number == 1 and revision.reason == "Đếm lại số người vắng"
        assert revision.author_id == world["inspector_id"]
        assert revision.changes == [{"item_key": "vang", "field": "value", "old": 0, "new": 2}]
        assert inspection(app, world).status == InspectionStatus.SUBMITTED
        assert {a.item_key: a.value for a in inspection(app, world).answers}["vang"] == 2
        assert all(c.resolved_at is not None for c in db.session.scalars(sa.select(ReviewComment)))


def test_two_phones_submitting_one_inspection_at_once_store_one_submission(app, world):
    """The second waits on the first's lock, then finds the inspection submitted."""
    import threading

    phones = []
    for username in ("insp", "lead"):
        phone = app.test_client()
        assert phone.post("/login", data={"username": username, "password": "password123"}).status_code == 302
        phones.append(phone)
    start, answers = threading.Barrier(len(phones)), []

    def send(phone):
        start.wait(10)
        answers.append(submit(phone, world, payload()).status_code)

    threads = [threading.Thread(target=send, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [201, 409]
    with app.app_context():
        assert count(Submission) == 1 and count(Answer) == len(PASSING_ANSWERS)
        assert inspection(app, world).status == InspectionStatus.SUBMITTED


def test_resubmission_without_a_reason_is_422_and_changes_nothing(app, client, auth, world):
    auth.login("insp")
    assert submit(client, world, payload()).status_code == 201
    return_with_comment(app, world)
    response = submit(client, world, payload(reason="  "))
    assert response.status_code == 422
    with app.app_context():
        assert inspection(app, world).status == InspectionStatus.RETURNED
        assert count(InspectionRevision) == 0 and count(Submission) == 1


def test_the_list_shows_a_submitted_score_without_reading_the_score_documents(app, client, auth, world):
    auth.login("insp")
    assert submit(client, world, payload()).status_code == 201
    selects = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM inspections" in statement:
            selects.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        listed = client.get("/api/inspections").get_json()
    finally:
        with app.app_context():
            sa.event.remove(db.engine, "before_cursor_execute", record)
    mine = next(i for i in listed if i["uuid"] == world["uuid"])
    assert (mine["status"], mine["result"], mine["score_percent"]) == ("submitted", "pass", 100.0)
    assert selects and not any("inspections.score," in s or "inspections.score " in s for s in selects)


def test_the_list_is_what_the_summary_schema_dumps_for_every_role(app, client, auth, world):
    """The list is built from plain rows; it must say what the documented schema says,
    less what the role may not read (permissions.redact)."""
    from datetime import datetime, timedelta, timezone

    from server.models import InspectionKind, User
    from server.permissions import redact
    from server.schemas.inspections import InspectionSummarySchema
    from server.services.fieldwork.inspections import visible_inspections
    from tests.factories import make_inspection

    auth.login("insp")
    assert submit(client, world, payload()).status_code == 201
    auth.logout()
    with app.app_context():
        unit = inspection(app, world).unit
        # No team, no window, checked in, unannounced: every optional field empty or set.
        other = make_inspection(unit=unit, kind=InspectionKind.UNANNOUNCED)
        other.window_start = other.window_end = None
        other.checked_in_at = datetime.now(timezone.utc) - timedelta(hours=1)
        other.team_id = None
        make_inspection(unit=unit, start=datetime.now().date() + timedelta(days=9))
        db.session.commit()
    for username in ("insp", "officer", "viewer", "stranger"):
        auth.login(username)
        listed = client.get("/api/inspections").get_json()
        with app.test_request_context():
            user = db.session.scalar(sa.select(User).where(User.username == username))
            items = visible_inspections(user, today=datetime.now().date())
            dumped = [redact(user, item, data)
                      for item, data in zip(items, InspectionSummarySchema(many=True).dump(items), strict=True)]
        assert listed == dumped, username
        assert (len(listed) > 0) == (username != "stranger"), username
        auth.logout()


def test_detail_gives_the_checklist_unit_stored_content_comments_and_held_evidence(app, client, auth, world):
    auth.login("insp")
    body = payload()
    submit(client, world, body)
    return_with_comment(app, world)
    photo = new_uuid()
    upload = client.post("/api/evidence", content_type="multipart/form-data", data={
        "uuid": photo, "inspection_uuid": world["uuid"], "finding_uuid": body["findings"][0]["uuid"],
        "file": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")})
    assert upload.status_code == 201, upload.get_json()
    detail = client.get(f"/api/inspections/{world['uuid']}").get_json()
    assert detail["status"] == "returned" and detail["checklist"]["key"].startswith("field")
    assert detail["unit"]["locations"][0]["lat"] == pytest.approx(BA_DINH[0])
    assert detail["unit"]["name"].endswith("Ba Đình")
    assert {a["item_key"] for a in detail["answers"]} == {a["item_key"] for a in PASSING_ANSWERS}
    assert detail["findings"][0]["photo_uuids"] == [photo]
    assert [(c["item_key"], c["body"]) for c in detail["review_comments"]] == [
        ("bien-hieu", "Ảnh không rõ, chụp lại"), (None, "Bổ sung thành phần")]
    assert detail["evidence_uuids"] == [photo]
    assert detail["evidence"][0]["finding_uuid"] == body["findings"][0]["uuid"]
    assert detail["expected_photo_uuids"] == announced(body)
    assert detail["signatures"]["unit"]["refused"] is True


@pytest.mark.parametrize("who, expected", [
    ("insp", 200), ("lead", 200), ("viewer", 200), ("stranger", 404), ("officer", 403), (None, 401),
])
def test_who_may_read_an_inspection_in_full(app, client, auth, world, who, expected):
    if who:
        auth.login(who)
    assert client.get(f"/api/inspections/{world['uuid']}").status_code == expected


def test_a_surprise_inspection_is_unknown_to_its_unit_before_check_in(app, client, auth):
    with app.app_context():
        world = make_field_world(kind=InspectionKind.UNANNOUNCED)
    auth.login("officer")
    assert client.get(f"/api/inspections/{world['uuid']}").status_code == 404
    assert client.post(f"/api/inspections/{world['uuid']}/submission", json=payload()).status_code == 404


def jpeg(exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(out, "JPEG", exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def test_evidence_takes_the_phones_exif_time_and_position_when_the_file_has_none(app, client, auth, world):
    auth.login("insp")
    response = client.post("/api/evidence", content_type="multipart/form-data", data={
        "uuid": new_uuid(), "inspection_uuid": world["uuid"], "item_key": "bien-hieu",
        "taken_at": "2026-11-20T09:15:00+07:00", "lat": str(BA_DINH[0]), "lon": str(BA_DINH[1]),
        "file": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["taken_at"].startswith("2026-11-20T02:15:00")
    assert (body["lat"], body["lon"]) == pytest.approx(BA_DINH)


def test_evidence_prefers_the_files_own_exif_to_the_phones_report(app, client, auth, world):
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 07:00:00"
    auth.login("insp")
    response = client.post("/api/evidence", content_type="multipart/form-data", data={
        "uuid": new_uuid(), "inspection_uuid": world["uuid"], "taken_at": "2026-01-01T00:00:00+00:00",
        "file": (io.BytesIO(jpeg(exif)), "p.jpg", "image/jpeg")})
    assert response.get_json()["taken_at"].startswith("2026-11-20T00:00:00")  # 07:00 Vietnam time


def test_openapi_documents_the_field_app_routes(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "/api/inspections/{uuid}" in paths and "/api/inspections/{uuid}/submission" in paths
    assert "taken_at" in str(paths["/api/evidence"])


def test_the_app_shell_has_no_inline_script_and_loads_modules_only(client):
    html = client.get("/app").get_data(as_text=True)
    assert '<script type="module" src="/static/js/app.js">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert '<html lang="vi">' in html


def test_the_service_worker_caches_every_shell_file_under_a_content_version(client):
    response = client.get("/sw.js")
    source = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript" and "__VERSION__" not in source
    assets = re.search(r"const ASSETS = (\[.*?\]);", source).group(1)
    import json

    for url in json.loads(assets):
        with client.get(url) as r:
            assert r.status_code == 200, url
    assert re.search(r"const VERSION = '[0-9a-f]{12}'", source)


def test_the_manifest_makes_the_app_installable(client):
    manifest = client.get("/app/manifest.webmanifest").get_json(force=True)
    assert manifest["start_url"] == "/app" and manifest["display"] == "standalone"
    assert {i["sizes"] for i in manifest["icons"]} == {"any", "192x192", "512x512"}
    for icon in manifest["icons"][1:]:
        with client.get(icon["src"]) as r:
            assert Image.open(io.BytesIO(r.data)).size == tuple(int(n) for n in icon["sizes"].split("x"))


def test_the_app_catalogue_follows_the_chosen_language(client):
    client.post("/lang/en")
    messages = client.get("/app/messages.json").get_json()
    assert messages["Check in here"] == "Check in here"
    assert messages["scale"] == "the answer must be a whole number from %(min)s to %(max)s"
    assert messages["status.returned"] == "Returned"
    client.post("/lang/vi")
    assert client.get("/app/messages.json").get_json()["status.returned"] != "Returned"


def test_every_text_the_app_shows_is_in_its_catalogue(app):
    """JS strings go through Flask-Babel: each t('…') key of the app is served by /app/messages.json."""
    from server import MOBILE_WEB
    from server.views.field_messages import messages

    source = "\n".join(p.read_text() for p in (MOBILE_WEB / "static" / "js").glob("*.js"))
    used = set(re.findall(r"\bt\((['\"])(.+?)\1", source))
    with app.test_request_context():
        catalogue = messages()
    assert {key for _quote, key in used} - catalogue.keys() == set()
    for prefix in re.findall(r"\bt\(`(\w+)\.\$\{", source):
        assert any(k.startswith(prefix + ".") for k in catalogue), prefix


@pytest.mark.parametrize("who, shown", [("insp", True), ("lead", True), ("officer", False), ("viewer", False)])
def test_the_home_page_leads_the_team_to_the_field_app(client, auth, world, who, shown):
    auth.login(who)
    assert ('href="/app"' in client.get("/").get_data(as_text=True)) is shown


def test_detail_gives_the_phone_the_servers_check_in_limits_and_the_flags_it_raised(app, client, auth, world):
    app.config.update(CHECKIN_RADIUS_M=250, POOR_ACCURACY_M=80)
    auth.login("insp")
    detail = client.get(f"/api/inspections/{world['uuid']}").get_json()
    assert detail["location_rules"] == {"radius_m": 250, "poor_accuracy_m": 80}
    assert detail["checkin_flags"] in (None, [])
    far = {"lat": BA_DINH[0] + 0.01, "lon": BA_DINH[1], "accuracy_m": 90}
    assert client.post(f"/api/inspections/{world['uuid']}/checkin", json=far).status_code == 200
    flags = client.get(f"/api/inspections/{world['uuid']}").get_json()["checkin_flags"]
    assert [(f["code"], f.get("radius_m") or f.get("limit_m")) for f in flags] == [("off_site", 250), ("poor_accuracy", 80)]


@pytest.mark.parametrize("who, lands", [(None, None), ("insp", None), ("lead", None), ("officer", "/portal/")])
def test_a_unit_officer_opening_the_app_is_sent_to_the_portal_and_told_why(client, auth, world, who, lands):
    if who:
        auth.login(who)
    response = client.get("/app")
    if lands is None:
        assert response.status_code == 200 and b'type="module"' in response.data
        return
    assert response.status_code == 302 and response.headers["Location"].endswith(lands)
    portal = client.get(lands).get_data(as_text=True)
    assert "Ứng dụng trên điện thoại dành cho thành viên đoàn kiểm tra" in portal
