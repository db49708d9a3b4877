"""Reviewing a submitted inspection: approve, return with comments, revisions."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import (
    AuditEvent, Inspection, InspectionRevision, InspectionStatus, Notification, ReviewComment, Role, User,
)
from server.services.review import approval as review
from tests.concurrency import request_during_open_change
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_submitted_inspection


@pytest.fixture
def world(app):
    with app.app_context():
        unit = make_unit(name="Phường Duyệt")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        inspection = make_submitted_inspection(unit=unit, team=team)
        db.session.commit()
        return {"uuid": inspection.uuid, "id": inspection.id}


def get(app, world) -> Inspection:
    return db.session.get(Inspection, world["id"])


def test_the_queue_lists_submitted_inspections_for_the_lead(client, auth, world):
    auth.login("lead")
    page = client.get("/review/").get_data(as_text=True)
    assert "Phường Duyệt" in page and f"/review/inspections/{world['uuid']}" in page


def test_approving_moves_to_approved_and_records_who(app, client, auth, world):
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/conclusion")
    with app.app_context():
        inspection = get(app, world)
        assert inspection.status == InspectionStatus.APPROVED and inspection.approved_at is not None
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(world["id"]))
                                 .order_by(AuditEvent.id.desc()).limit(1)) == "inspection.approve"


def test_returning_stores_comments_on_the_items_they_concern_and_tells_the_team(app, client, auth, world):
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/return",
                           data={"comment-bien-hieu": "Chụp lại biển hiệu", "comment-dung-han": "",
                                 "comment": "Bổ sung thành phần"})
    assert response.status_code == 302
    with app.app_context():
        inspection = get(app, world)
        assert inspection.status == InspectionStatus.RETURNED
        rows = db.session.scalars(sa.select(ReviewComment).order_by(ReviewComment.id)).all()
        assert [(c.item_key, c.body) for c in rows] == [(None, "Bổ sung thành phần"),
                                                         ("bien-hieu", "Chụp lại biển hiệu")]
        told = db.session.execute(sa.select(User.username, Notification.link).join(User, User.id == Notification.user_id)
                                  .where(Notification.kind == "inspection_returned")).all()
        # The inspector of the team, with a link to the inspection in the field app; not the lead who returned it.
        assert told == [("insp", f"/app#/i/{world['uuid']}")]


def test_returning_without_any_comment_is_refused_and_changes_nothing(app, client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/return", data={"comment": "  "})
    assert response.status_code == 422
    assert "Write at least one comment" in response.get_data(as_text=True)
    with app.app_context():
        assert get(app, world).status == InspectionStatus.SUBMITTED


@pytest.mark.parametrize("status", [InspectionStatus.RETURNED, InspectionStatus.APPROVED,
                                    InspectionStatus.CONCLUDED, InspectionStatus.IN_PROGRESS])
def test_only_a_submitted_inspection_is_approved(app, client, auth, world, status):
    with app.app_context():
        get(app, world).status = status
        db.session.commit()
    auth.login("lead")
    assert client.post(f"/review/inspections/{world['uuid']}/approve").status_code == 403
    with app.app_context():
        assert get(app, world).status == status


@pytest.mark.parametrize("status", [InspectionStatus.RETURNED, InspectionStatus.CONCLUDED,
                                    InspectionStatus.IN_PROGRESS])
def test_only_a_submitted_or_approved_not_concluded_inspection_is_returned(app, client, auth, world, status):
    with app.app_context():
        get(app, world).status = status
        db.session.commit()
    auth.login("lead")
    assert client.post(f"/review/inspections/{world['uuid']}/return", data={"comment": "x"}).status_code == 403
    with app.app_context():
        assert get(app, world).status == status


def test_a_leads_change_is_a_revision_with_a_reason_and_the_history_shows_who_and_what(app, client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    url = f"/review/inspections/{world['uuid']}"
    refused = client.post(f"{url}/revise", data={"item_key": "bien-hieu", "value": "pass", "reason": ""})
    assert refused.status_code == 422
    response = client.post(f"{url}/revise", data={"item_key": "bien-hieu", "value": "pass",
                                                  "reason": "Ảnh chụp cho thấy biển đúng"})
    assert response.status_code == 302
    with app.app_context():
        inspection = get(app, world)
        assert inspection.revision == 1
        assert {a.item_key: a.value for a in inspection.answers}["bien-hieu"] == "pass"
        revision = db.session.scalar(sa.select(InspectionRevision))
        assert revision.reason == "Ảnh chụp cho thấy biển đúng"
        assert revision.author.username == "lead"
        assert {"item_key": "bien-hieu", "field": "value", "old": "fail", "new": "pass"} in revision.changes
        # The stored score follows the revision.
        outcomes = {i["key"]: i["outcome"] for i in inspection.score["items"]}
        assert outcomes["bien-hieu"] == "pass"
    page = client.get(url).get_data(as_text=True)
    assert "Revision history" in page and "Ảnh chụp cho thấy biển đúng" in page


@pytest.mark.parametrize("form, message", [
    ({"item_key": "dung-han", "value": "120/100"}, "numerator"),
    ({"item_key": "khong-co", "value": "pass"}, "Choose the item"),
    ({"item_key": "bien-hieu", "value": "fail"}, "Nothing was changed"),
])
def test_a_revision_that_does_not_fit_is_refused_and_writes_nothing(app, client, auth, world, form, message):
    client.post("/lang/en")
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/revise", data={**form, "reason": "Sửa"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert get(app, world).revision == 0
        assert db.session.scalar(sa.select(sa.func.count(InspectionRevision.id))) == 0


def test_a_concluded_inspection_cannot_be_revised(ctx):
    lead = make_user(Role.LEAD)
    inspection = make_submitted_inspection(status=InspectionStatus.CONCLUDED)
    with pytest.raises(review.ReviewError) as err:
        review.revise_answers(inspection, lead, {"bien-hieu": {"value": "pass"}}, "x")
    assert err.value.status == 409


@pytest.mark.parametrize("text, kind, value", [
    ("pass", "pass_fail", "pass"), ("45/50", "ratio", {"numerator": 45, "denominator": 50}),
    ("3", "count", 3), ("2,5", "number", 2.5), ("a, b", "multi_choice", ["a", "b"]), ("", "text", None),
])
def test_typed_answers_are_parsed_by_item_type(text, kind, value):
    assert review.parse_value({"type": kind}, text) == value


def test_a_step_waits_for_a_change_in_progress_and_is_judged_on_its_outcome(app, client, auth, world):
    """Another lead concludes (row locked, not yet committed) while this lead
    returns: the return waits for the conclusion, then finds the inspection
    concluded, instead of overwriting it."""
    def other_lead_concludes():
        db.session.get(Inspection, world["id"], with_for_update=True).status = InspectionStatus.CONCLUDED

    auth.login("lead")
    status = request_during_open_change(app, other_lead_concludes, lambda: client.post(
        f"/review/inspections/{world['uuid']}/return", data={"comment": "Bổ sung"}).status_code)
    assert status == 403
    with app.app_context():
        assert get(app, world).status == InspectionStatus.CONCLUDED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewComment)) == 0


def test_a_mistyped_deadline_on_the_conclusion_is_refused_naming_it_and_everything_typed_stays(app, client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    url = f"/review/inspections/{world['uuid']}"
    assert client.post(f"{url}/approve").status_code == 302
    page = client.get(f"{url}/conclusion").get_data(as_text=True)
    key = re.search(r'name="deadline-([^"]+)"', page).group(1)
    r = client.post(f"{url}/conclusion", data={"submit": "draft", "strengths": "Tiếp đón tốt",
                                               f"deadline-{key}": "next week", f"priority-{key}": "high"})
    assert r.status_code == 422
    text = unescape(r.get_data(as_text=True))
    assert "Deadline: “next week” is not a date: write it like 18 Dec 2026." in text
    assert 'value="next week"' in text and ">Tiếp đón tốt</textarea>" in text and '<option value="high" selected>' in text


def test_an_overlong_comment_or_a_follow_up_without_dates_is_refused_with_a_message(app, client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    url = f"/review/inspections/{world['uuid']}"
    r = client.post(f"{url}/return", data={"comment": "x" * 10001})
    assert r.status_code == 422
    assert "General comment for the team: Field cannot be longer than 10000 characters." in r.get_data(as_text=True)
    with app.app_context():
        assert get(app, world).status == InspectionStatus.SUBMITTED
    r = client.post(f"{url}/revise", data={"item_key": "bien-hieu", "value": "pass", "reason": "x" * 10001})
    assert r.status_code == 422 and "Reason for the change: Field cannot be longer" in r.get_data(as_text=True)


def test_a_refused_revision_or_return_comes_back_with_everything_typed(app, client, auth, world):
    auth.login("lead")
    url = f"/review/inspections/{world['uuid']}"
    page = unescape(client.post(f"{url}/revise", data={
        "item_key": "dung-han", "numerator-dung-han": "120", "denominator-dung-han": "100",
        "note": "Sổ theo dõi quý III", "reason": "Đếm lại hồ sơ"},
    ).get_data(as_text=True))
    assert '<option value="dung-han" selected>' in page
    assert re.search(r'name="numerator-dung-han"[^>]*value="120"', page)
    assert re.search(r'name="denominator-dung-han"[^>]*value="100"', page)
    assert 'value="Sổ theo dõi quý III"' in page
    assert ">Đếm lại hồ sơ</textarea>" in page
    # A return refused for its over-long general comment keeps the item comments typed with it.
    page = unescape(client.post(f"{url}/return", data={"comment": "x" * 10001, "comment-bien-hieu": "Biển bị mờ"},
                                ).get_data(as_text=True))
    assert ">Biển bị mờ</textarea>" in page


@pytest.mark.parametrize("lang, words", [
    ("vi", ["> Đạt</label>", "> Không đạt</label>"]), ("en", ["> Pass</label>", "> Fail</label>"])])
def test_the_new_answer_of_a_revision_offers_the_items_own_controls(client, auth, world, lang, words):
    """Not a box asking for English codes (pass / fail / 45/50): the item's choices by their
    labels, a ratio as its two counts, each filled with the answer recorded."""
    client.post(f"/lang/{lang}")
    auth.login("lead")
    page = unescape(client.get(f"/review/inspections/{world['uuid']}").get_data(as_text=True))
    assert "pass / fail" not in page
    assert re.search(r'<input type="radio" name="value-bien-hieu" value="fail" checked>', page)
    for word in words:
        assert word in page
    assert re.search(r'<input type="number" name="numerator-dung-han"[^>]*value="90"', page)
    assert re.search(r'<input type="number" name="denominator-dung-han"[^>]*value="100"', page)
    assert re.search(r'<textarea name="value-ghi-chu"[^>]*>ổn</textarea>', page)


@pytest.mark.parametrize("form, key, expected", [
    ({"item_key": "bien-hieu", "value-bien-hieu": "pass"}, "bien-hieu", "pass"),
    ({"item_key": "dung-han", "numerator-dung-han": "97", "denominator-dung-han": "100",
      "value-bien-hieu": "fail"}, "dung-han", {"numerator": 97, "denominator": 100}),
])
def test_a_revision_through_the_items_controls_is_recorded(app, client, auth, world, form, key, expected):
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/revise", data={**form, "reason": "Đối chiếu lại"})
    assert response.status_code == 302
    with app.app_context():
        assert {a.item_key: a.value for a in get(app, world).answers}[key] == expected


@pytest.mark.parametrize("numerator, denominator, message", [
    ("120", "100", "numerator"), ("12", "", "is not a valid answer")])
def test_a_ratio_revision_that_does_not_fit_is_refused_with_what_was_typed(
        app, client, auth, world, numerator, denominator, message):
    client.post("/lang/en")
    auth.login("lead")
    response = client.post(f"/review/inspections/{world['uuid']}/revise", data={
        "item_key": "dung-han", "numerator-dung-han": numerator, "denominator-dung-han": denominator,
        "reason": "Sửa"})
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert message in page
    assert re.search(rf'name="numerator-dung-han"[^>]*value="{numerator}"', page)
    with app.app_context():
        assert get(app, world).revision == 0
