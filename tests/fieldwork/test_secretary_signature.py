"""The secretary signs the minutes with the lead: the phone may send their
signature, and until its image arrives the lead is told whose it is."""
from server.extensions import db
from server.models import Inspection
from server.services.fieldwork import completeness
from tests.fieldwork.test_fieldapp_api import new_uuid, payload, submit, world  # noqa: F401  (the fixture)


def test_the_secretarys_signature_is_kept_and_named_while_it_has_not_arrived(app, client, auth, world):  # noqa: F811
    auth.login("insp")
    body = payload()
    signature = new_uuid()
    body["signatures"]["secretary"] = {"name": "Lê Thị Thư Ký", "evidence_uuid": signature}
    body["photos"].append({"uuid": signature, "kind": "signature"})
    response = submit(client, world, body)
    assert response.status_code == 201, response.get_json()
    with app.test_request_context():
        inspection = db.session.get(Inspection, world["id"])
        assert inspection.signatures["secretary"]["name"] == "Lê Thị Thư Ký"
        assert "chữ ký của thư ký" in completeness.missing_evidence(inspection)
