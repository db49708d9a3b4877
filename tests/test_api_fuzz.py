"""schemathesis against /api/openapi.json, signed in as each role and as no
one: a bounded number of generated requests per operation; no 5xx, and every
answer matches the documented schema. Then hostile JSON bodies sent to every
documented operation."""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.portal_world import build_world

CASES_PER_OPERATION = 12


@pytest.mark.parametrize("who", [None, "admin", "lead", "viewer", "inspector", "officer"])
def test_generated_api_requests_get_no_5xx_and_match_the_schema(app, client, auth, who):
    with app.app_context():
        build_world()
    headers = {}
    if who:
        assert auth.login(who).status_code == 302
        headers = {"Cookie": f"session={client.get_cookie('session').value}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=CASES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers)

        check()


HOSTILE_BODIES = {
    "an integer of 5,000 digits": '{"lat": ' + "9" * 5000 + ', "lon": 1}',
    "lists nested 50,000 deep": "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES)
def test_hostile_json_bodies_get_a_400_with_a_message_from_every_operation(app, client, auth, body):
    """Every documented operation, whether or not it reads a body, as a signed-in inspector."""
    with app.app_context():
        world = build_world()
    assert auth.login("inspector").status_code == 302
    values = {"uuid": world["own"].notice_uuid, "variant": "display", "action_id": world["own"].action_id}
    spec = client.get("/api/openapi.json").get_json()
    operations = [(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"]
    assert len(operations) >= 10
    for method, path in operations:
        url = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), path)
        response = client.open(url, method=method.upper(), data=body, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert response.get_json()["message"].startswith("Nội dung gửi lên"), (method, url)
