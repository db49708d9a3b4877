"""The server requires what the phone requires: a photo wherever an item's
evidence rule asks for one, the team lead's signature and the unit
representative's (or the reason they refused); and the lead issues the
conclusion only once the photos the submission announced have arrived."""
import io
import uuid as uuidlib

import pytest
import sqlalchemy as sa
from PIL import Image

from server.extensions import db
from server.models import Answer, Inspection, InspectionStatus, ReviewComment, Submission
from tests.factories import make_checklist_version, normalised
from tests.fieldwork_data import make_field_world

CHECKLIST = normalised({
    "key": "day-du",
    "title": {"vi": "Kiểm tra đủ minh chứng", "en": "Evidence check"},
    "scoring": {"pass_mark": 50},
    "sections": [{"key": "chung", "title": {"vi": "Chung", "en": "General"}, "items": [
        {"key": "bien-hieu", "type": "pass_fail", "text": {"vi": "Biển hiệu rõ ràng", "en": "Clear signage"},
         "points": 2, "allow_na": True, "evidence": {"photo": "on_fail"}},
        {"key": "quay", "type": "pass_fail", "text": {"vi": "Quầy tiếp dân", "en": "Reception desk"},
         "allow_na": True, "evidence": {"photo": "always"}},
        {"key": "ghi-chu", "type": "text", "text": {"vi": "Ghi chú", "en": "Notes"}, "evidence": {"photo": "optional"}},
    ]}],
})


@pytest.fixture
def world(app):
    with app.app_context():
        ids = make_field_world()
        db.session.get(Inspection, ids["id"]).checklist_version = make_checklist_version(CHECKLIST)
        db.session.commit()
        return ids


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def photo(item_key: str | None, **place) -> dict:
    return {"uuid": new_uuid(), "kind": "photo", "item_key": item_key, **place}


def complete(**fields) -> dict:
    """A complete submission: the failed and the always-photographed items with
    their photos announced, the lead's signature image announced, the
    representative's refusal with its reason."""
    signature = new_uuid()
    body = {
        "submission_uuid": new_uuid(),
        "answers": [{"item_key": "bien-hieu", "value": "fail"}, {"item_key": "quay", "value": "pass"}],
        "signatures": {"lead": {"name": "Nguyễn Văn Kiểm", "evidence_uuid": signature},
                       "unit": {"name": "Trần Thị Đơn", "refused": True, "reason": "Chưa đồng ý kết luận"}},
        "photos": [photo("bien-hieu"), photo("quay"), {"uuid": signature, "kind": "signature"}],
    }
    return body | fields


def submit(client, world, body):
    return client.post(f"/api/inspections/{world['uuid']}/submission", json=body)


def upload(client, world, uuid, kind="photo", item_key=None):
    data = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(data, "JPEG")
    form = {"uuid": uuid, "inspection_uuid": world["uuid"], "kind": kind,
            "file": (io.BytesIO(data.getvalue()), "p.jpg", "image/jpeg")}
    if item_key:
        form["item_key"] = item_key
    return client.post("/api/evidence", content_type="multipart/form-data", data=form)


def nothing_written(app, world) -> bool:
    with app.app_context():
        return (db.session.get(Inspection, world["id"]).status == InspectionStatus.PLANNED
                and db.session.scalar(sa.select(sa.func.count(Submission.id))) == 0
                and db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0)


def without(body, item_key):
    """The body's announced photos but those of `item_key`."""
    return [p for p in body["photos"] if p.get("item_key") != item_key]


INCOMPLETE = {
    "failed item without its photo": (
        lambda b: {"photos": without(b, "bien-hieu")}, "bien-hieu", "a photo is needed for “Clear signage” (bien-hieu)"),
    "always-photographed item without a photo": (
        lambda b: {"photos": without(b, "quay")}, "quay", "a photo is needed for “Reception desk” (quay)"),
    "unanswered always-photographed item without a photo": (
        lambda b: {"photos": without(b, "quay"), "answers": b["answers"][:1]}, "quay", "(quay)"),
    "a finding's photo, not the item's": (
        lambda b: {"photos": without(b, "bien-hieu") + [photo("bien-hieu", finding_uuid=new_uuid())]},
        "bien-hieu", "(bien-hieu)"),
    "no signature of the team lead": (
        lambda b: {"signatures": {"unit": b["signatures"]["unit"]}}, None, "the team lead's signature is missing"),
    "neither the representative's signature nor a refusal": (
        lambda b: {"signatures": {"lead": b["signatures"]["lead"], "unit": {"name": "Trần Thị Đơn"}}}, None,
        "the unit representative's signature, or the reason they refused to sign, is missing"),
    "a refusal without its reason": (
        lambda b: {"signatures": {"lead": b["signatures"]["lead"], "unit": {"refused": True, "reason": "  "}}}, None,
        "give the reason the representative refused to sign"),
}


@pytest.mark.parametrize("case", INCOMPLETE, ids=list(INCOMPLETE))
def test_an_incomplete_submission_is_422_naming_what_is_missing_and_nothing_is_written(app, client, auth, world,
                                                                                        case):
    change, item_key, message = INCOMPLETE[case]
    auth.login("insp")
    client.post("/lang/en")
    body = complete()
    response = submit(client, world, body | change(body))
    assert response.status_code == 422, response.get_json()
    answer = response.get_json()
    assert [(p["item_key"], message in p["message"]) for p in answer["errors"]["items"]] == [(item_key, True)]
    assert message in answer["message"] and "nothing was saved" in answer["message"]
    assert nothing_written(app, world)


def test_the_refusal_names_the_items_in_vietnamese_by_default(app, client, auth, world):
    auth.login("insp")
    body = complete(photos=[], signatures=None)
    response = submit(client, world, body)
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert "cần ảnh cho “Biển hiệu rõ ràng” (bien-hieu)" in message
    assert "cần ảnh cho “Quầy tiếp dân” (quay)" in message
    assert "thiếu chữ ký của trưởng đoàn" in message and "thiếu chữ ký của đại diện đơn vị" in message
    assert nothing_written(app, world)


def test_a_complete_submission_is_accepted_and_a_re_send_answers_the_stored_one(app, client, auth, world):
    auth.login("insp")
    body = complete()
    response = submit(client, world, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["expected_photo_uuids"] == sorted(p["uuid"] for p in body["photos"])
    again = submit(client, world, body)
    assert again.status_code == 200 and again.get_json()["submission_uuid"] == body["submission_uuid"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Submission.id))) == 1


def test_items_that_pass_or_are_not_applicable_need_no_photo(app, client, auth, world):
    auth.login("insp")
    body = complete(answers=[{"item_key": "bien-hieu", "value": "pass"}, {"item_key": "quay", "na": True}])
    response = submit(client, world, body | {"photos": [p for p in body["photos"] if p["kind"] == "signature"]})
    assert response.status_code == 201, response.get_json()


def test_a_photo_already_held_counts_when_resubmitting(app, client, auth, world):
    auth.login("insp")
    first = complete()
    assert submit(client, world, first).status_code == 201
    for p in first["photos"]:
        assert upload(client, world, p["uuid"], p["kind"], p.get("item_key")).status_code == 201
    with app.app_context():
        inspection = db.session.get(Inspection, world["id"])
        inspection.status = InspectionStatus.RETURNED
        db.session.add(ReviewComment(inspection_id=inspection.id, item_key="quay", body="Ghi chú thêm",
                                     author_id=world["lead_id"]))
        db.session.commit()
    # The phone announces only what it has not sent yet: here, nothing.
    second = complete(reason="Bổ sung ghi chú", photos=[], signatures=first["signatures"],
                      answers=first["answers"] + [{"item_key": "ghi-chu", "value": "Đã trao đổi"}])
    response = submit(client, world, second)
    assert response.status_code == 201, response.get_json()


def approve(client, world):
    assert client.post(f"/review/inspections/{world['uuid']}/approve").status_code == 302


def issue(client, world):
    return client.post(f"/review/inspections/{world['uuid']}/conclusion", data={
        "submit": "issue", "strengths": "Tiếp đón tốt", "shortcomings": "Biển hiệu mờ", "recommendations": "Thay biển"})


def test_the_conclusion_waits_until_every_announced_photo_has_arrived(app, client, auth, world):
    auth.login("insp")
    body = complete()
    assert submit(client, world, body).status_code == 201
    signage = body["photos"][0]["uuid"]
    for p in body["photos"][1:]:  # all but the photo of the failed signage
        assert upload(client, world, p["uuid"], p["kind"], p.get("item_key")).status_code == 201
    auth.logout()
    auth.login("lead")
    client.post("/lang/en")
    assert "Not arrived yet" in client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    approve(client, world)
    page = client.get(f"/review/inspections/{world['uuid']}/conclusion").get_data(as_text=True)
    assert "a photo of “Clear signage” (bien-hieu)" in page

    refused = issue(client, world)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "The conclusion cannot be issued yet" in text and "a photo of “Clear signage” (bien-hieu)" in text
    assert "Reception desk" not in text.split("cannot be issued yet")[1].split("</p>")[0]  # that one arrived
    assert "Thay biển" in text  # the form comes back as typed
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.APPROVED

    auth.logout()
    auth.login("insp")  # the phone's outbox sends the last photo after the approval
    assert upload(client, world, signage, item_key="bien-hieu").status_code == 201
    auth.logout()
    auth.login("lead")
    assert issue(client, world).status_code == 302
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.CONCLUDED


def test_a_missing_signature_image_also_holds_the_conclusion(app, client, auth, world):
    auth.login("insp")
    body = complete()
    assert submit(client, world, body).status_code == 201
    for p in body["photos"]:
        if p["kind"] == "photo":
            assert upload(client, world, p["uuid"], item_key=p["item_key"]).status_code == 201
    auth.logout()
    auth.login("lead")
    client.post("/lang/en")
    approve(client, world)
    refused = issue(client, world)
    assert refused.status_code == 409 and "the team lead&#39;s signature" in refused.get_data(as_text=True)


def test_an_approved_inspection_takes_only_the_photos_its_submission_announced(app, client, auth, world):
    auth.login("insp")
    body = complete()
    assert submit(client, world, body).status_code == 201
    auth.logout()
    auth.login("lead")
    approve(client, world)
    client.post("/lang/en")
    stranger = upload(client, world, new_uuid(), item_key="bien-hieu")
    assert stranger.status_code == 409
    assert "only the photos and signatures its submission announced" in stranger.get_json()["message"]
    assert upload(client, world, body["photos"][0]["uuid"], item_key="bien-hieu").status_code == 201


def submitted_and_returned(app, client, world) -> dict:
    """The first submission with every photo uploaded, then returned by the lead."""
    first = complete()
    assert submit(client, world, first).status_code == 201
    for p in first["photos"]:
        assert upload(client, world, p["uuid"], p["kind"], p.get("item_key")).status_code == 201
    with app.app_context():
        db.session.get(Inspection, world["id"]).status = InspectionStatus.RETURNED
        db.session.commit()
    return first


def withdraw(client, uuid):
    return client.post(f"/api/evidence/{uuid}/withdrawal")


def test_a_withdrawn_photo_no_longer_counts_for_its_item(app, client, auth, world):
    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    signpost = next(p["uuid"] for p in first["photos"] if p.get("item_key") == "bien-hieu")
    response = withdraw(client, signpost)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["withdrawn_at"] is not None
    second = complete(reason="Ảnh biển hiệu chụp nhầm", photos=[], signatures=first["signatures"])
    refused = submit(client, world, second)
    assert refused.status_code == 422
    assert [p["item_key"] for p in refused.get_json()["errors"]["items"]] == ["bien-hieu"]
    # With a new photo of the failed item announced, the resubmission goes through.
    accepted = submit(client, world, dict(second, photos=[photo("bien-hieu")]))
    assert accepted.status_code == 201, accepted.get_json()


def test_a_withdrawn_photo_is_kept_and_the_revision_records_its_withdrawal(app, client, auth, world):
    from server.models import AuditEvent, EvidenceFile, InspectionRevision

    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    desk = next(p["uuid"] for p in first["photos"] if p.get("item_key") == "quay")
    assert withdraw(client, desk).status_code == 200
    assert withdraw(client, desk).status_code == 200  # again: nothing changes
    second = complete(reason="Thay ảnh quầy", signatures=first["signatures"], photos=[photo("quay")],
                      answers=first["answers"])
    assert submit(client, world, second).status_code == 201
    with app.app_context():
        row = db.session.scalar(sa.select(EvidenceFile).where(EvidenceFile.uuid == desk))
        assert row.withdrawn_at is not None and row.withdrawn_by_id == world["inspector_id"]
        revision = db.session.scalar(sa.select(InspectionRevision))
        assert {"item_key": "quay", "field": "photo_withdrawn", "old": desk, "new": None} in revision.changes
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "evidence.withdraw")) == 1
    detail = client.get(f"/api/inspections/{world['uuid']}").get_json()
    held = {e["uuid"]: e for e in detail["evidence"]}
    assert held[desk]["withdrawn_at"] is not None  # still listed for the phone, marked withdrawn
    assert desk in detail["evidence_uuids"]


def test_the_leads_review_shows_a_withdrawn_photo_as_withdrawn_by_whom(app, client, auth, world):
    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    desk = next(p["uuid"] for p in first["photos"] if p.get("item_key") == "quay")
    assert withdraw(client, desk).status_code == 200
    auth.logout()
    auth.login("lead")
    page = client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True)
    start = page.index(f'id="photo-{desk}"')
    shown = page[page.rindex("<li", 0, start):page.index("</li>", start)]
    assert shown.startswith('<li class="photo withdrawn"')
    assert "Đã rút lại" in shown and "Nguyễn Văn Kiểm" in shown


@pytest.mark.parametrize("status", ["planned", "in_progress", "submitted", "approved"])
def test_a_photo_is_withdrawn_only_while_the_inspection_is_returned(app, client, auth, world, status):
    from server.models import EvidenceFile

    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    desk = next(p["uuid"] for p in first["photos"] if p.get("item_key") == "quay")
    with app.app_context():
        db.session.get(Inspection, world["id"]).status = InspectionStatus(status)
        db.session.commit()
    response = withdraw(client, desk)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(EvidenceFile.withdrawn_at).where(EvidenceFile.uuid == desk)) is None


@pytest.mark.parametrize("who, expected", [
    ("lead", 200), ("stranger", 404), ("officer", 403), ("viewer", 403), (None, 401)])
def test_who_may_withdraw_a_photo(app, client, auth, world, who, expected):
    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    desk = next(p["uuid"] for p in first["photos"] if p.get("item_key") == "quay")
    auth.logout()
    if who:
        auth.login(who)
    assert withdraw(client, desk).status_code == expected


def test_a_signature_cannot_be_withdrawn_and_an_unknown_photo_is_404(app, client, auth, world):
    auth.login("insp")
    first = submitted_and_returned(app, client, world)
    signature = first["signatures"]["lead"]["evidence_uuid"]
    refused = withdraw(client, signature)
    assert refused.status_code == 422
    assert "ảnh" in refused.get_json()["message"].lower()
    assert withdraw(client, new_uuid()).status_code == 404
