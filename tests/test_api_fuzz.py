"""schemathesis against /api/openapi.json, signed in as each role and as no
one: a bounded number of generated requests per operation; no 5xx, and every
answer matches the documented schema."""
from __future__ import annotations

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
