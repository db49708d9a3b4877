"""JSON bodies the app cannot hold (an integer of thousands of digits, nesting
thousands deep, megabytes of it) are refused with a 4xx in the user's
language before any view or schema reads them, and nothing is written."""
import json
import uuid as uuidlib

import pytest
import sqlalchemy as sa
from flask import jsonify, request

from server.extensions import db
from server.models import Inspection, InspectionStatus, Submission, User
from tests.fieldwork_data import PASSING_ANSWERS, make_field_world

TOO_LONG = "Nội dung gửi lên có một số dài hơn 4.300 chữ số."
TOO_DEEP = "Nội dung gửi lên lồng dữ liệu sâu hơn 32 cấp."
NOT_JSON = "Nội dung gửi lên không phải là JSON hợp lệ."
JSON = {"Accept": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def submission(**fields) -> dict:
    body = {"submission_uuid": str(uuidlib.uuid4()), "started_at": "2026-11-20T08:00:00+07:00",
            "ended_at": "2026-11-20T10:30:00+07:00", "answers": PASSING_ANSWERS}
    body.update(fields)
    return body


def with_answer(value: str) -> str:
    """A submission whose last answer's value is `value`, written as raw JSON."""
    return json.dumps(submission(answers=[*PASSING_ANSWERS, {"item_key": "so-lieu", "value": "VALUE"}])
                      ).replace('"VALUE"', value)


REFUSED = {
    "an integer of 5,000 digits": (with_answer("9" * 5000), TOO_LONG),
    "an integer of 4,301 digits": (with_answer("-" + "9" * 4301), TOO_LONG),
    "lists nested 50,000 deep": (nested(50_000), TOO_DEEP),
    "an answer nested 33 deep in all": (with_answer(nested(30)), TOO_DEEP),
    "a body cut short": (json.dumps(submission())[:-1], NOT_JSON),
    "bytes that are not UTF-8": (b'{"reason": "\xff"}', NOT_JSON),
}


@pytest.fixture
def world(app):
    with app.app_context():
        return make_field_world()


@pytest.mark.parametrize("route", ["submission", "checkin"])
@pytest.mark.parametrize("body, message", REFUSED.values(), ids=REFUSED)
def test_a_body_the_app_cannot_hold_is_400_with_the_reason_and_nothing_is_written(app, client, auth, world,
                                                                                    route, body, message):
    auth.login("insp")
    response = client.post(f"/api/inspections/{world['uuid']}/{route}", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == message
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status == InspectionStatus.PLANNED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_the_refusal_is_in_english_for_an_english_speaker(app, client, auth, world):
    with app.app_context():
        db.session.scalar(sa.select(User).filter_by(username="insp")).locale = "en"
        db.session.commit()
    auth.login("insp")
    response = client.post(f"/api/inspections/{world['uuid']}/checkin", data=nested(50_000),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "The request body nests data more than 32 levels deep."


@pytest.fixture
def echo(app):
    """A view that reads request JSON the Flask way and sends it back."""
    app.add_url_rule("/test-echo", "test_echo", lambda: jsonify(request.get_json()), methods=["POST"])


@pytest.mark.parametrize("body, message", REFUSED.values(), ids=REFUSED)
def test_a_view_reading_request_json_gets_the_same_refusal(client, echo, body, message):
    response = client.post("/test-echo", data=body, content_type="application/json", headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["message"] == message


def test_json_up_to_the_limits_reaches_the_view_unchanged(client, echo):
    body = [json.loads(nested(31)), 10 ** 4299, -(10 ** 4299), 1.5e300, "Biển hiệu " * 340_000]
    data = json.dumps(body, ensure_ascii=False).encode()
    assert 4 * 1024 * 1024 < len(data) < 5 * 1024 * 1024
    response = client.post("/test-echo", data=data, content_type="application/json", headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == body


def test_a_json_body_over_5_mb_is_413_with_the_limit_named_and_nothing_is_written(app, client, auth, world):
    auth.login("insp")
    body = json.dumps(submission(reason="x" * (5 * 1024 * 1024)))
    response = client.post(f"/api/inspections/{world['uuid']}/submission", data=body,
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["message"] == "Nội dung gửi lên lớn hơn 5 MB."
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_a_number_answer_beyond_any_float_is_422_naming_the_item(app, client, auth, world):
    auth.login("insp")
    response = client.post(f"/api/inspections/{world['uuid']}/submission", data=with_answer("9" * 400),
                           content_type="application/json")
    assert response.status_code == 422
    assert {"item_key": "so-lieu", "message": "kết quả ghi nhận phải là một số"} in response.get_json()["errors"]["items"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
