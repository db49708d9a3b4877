"""The team lead's signature: drawn, or the full name typed in its place (for
someone who cannot draw on a screen). The phone applies the same rule
(mobile_web/static/js/form.js missing); the browser walk is in
tests/browser/test_accessibility.py."""
from __future__ import annotations

import uuid as uuidlib

from server.extensions import db
from server.models import Inspection, InspectionStatus
from tests.factories import PASSWORD
from tests.fieldwork_data import PASSING_ANSWERS, make_field_world

MISSING = "the team lead's signature is missing"


def _send(client, world, lead):
    body = {"submission_uuid": str(uuidlib.uuid4()), "answers": PASSING_ANSWERS,
            "started_at": "2026-11-20T08:00:00+07:00", "ended_at": "2026-11-20T10:30:00+07:00",
            "attendees": [{"side": "team", "name": "Nguyễn Văn Kiểm"}, {"side": "unit", "name": "Trần Thị Đơn"}],
            "signatures": {"lead": lead, "unit": {"name": "Trần Thị Đơn", "refused": True, "reason": "Chưa đồng ý"}}}
    return client.post(f"/api/inspections/{world['uuid']}/submission", json=body)


def _messages(response) -> list[str]:
    return [p["message"] for p in response.get_json()["errors"]["items"]]


def test_a_typed_full_name_is_accepted_as_the_leads_signature(app, client):
    with app.app_context():
        world = make_field_world()
    client.post("/login", data={"username": "insp", "password": PASSWORD})
    client.post("/lang/en", data={"next": "/"})
    response = _send(client, world, {"name": " Nguyễn Văn Kiểm ", "typed": True})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        insp = db.session.get(Inspection, world["id"])
        assert insp.status == InspectionStatus.SUBMITTED
        assert insp.signatures["lead"]["typed"] is True
        assert insp.signatures["lead"]["name"].strip() == "Nguyễn Văn Kiểm"


def test_a_blank_typed_name_or_an_unticked_confirmation_is_no_signature(app, client):
    with app.app_context():
        world = make_field_world()
    client.post("/login", data={"username": "insp", "password": PASSWORD})
    client.post("/lang/en", data={"next": "/"})
    for lead in ({"name": "   ", "typed": True}, {"name": "Nguyễn Văn Kiểm", "typed": False}, {"name": "Nguyễn Văn Kiểm"}):
        response = _send(client, world, lead)
        assert response.status_code == 422, lead
        assert MISSING in _messages(response), (lead, _messages(response))
    with app.app_context():
        assert db.session.get(Inspection, world["id"]).status != InspectionStatus.SUBMITTED
