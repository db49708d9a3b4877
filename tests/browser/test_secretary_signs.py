"""On the phone the team's secretary signs the minutes beside the lead; the
signature reaches the server and prints in the minutes' secretary block."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from playwright.sync_api import expect

from server.extensions import db
from server.models import EvidenceFile, Inspection, InspectionStatus
from tests.browser import field_steps as steps
from tests.browser.conftest import login
from tests.fieldwork_data import make_field_world

pytestmark = pytest.mark.browser


@pytest.fixture
def photo(tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "phone-photo-12mp.jpg"
    return path if path.exists() else steps.phone_photo(path)


def test_the_secretary_signs_on_the_phone_and_the_minutes_show_it(app, live_server, browser_page, photo):
    with app.app_context():
        world = make_field_world()
    page = browser_page(locale="vi", **steps.GEO)
    login(page, "insp")
    page.wait_for_selector("body[data-ready='1']")
    steps.check_in(page, world["uuid"])
    steps.answer(page, world["uuid"], photo)
    steps.fill_minutes(page, world["uuid"])
    page.fill("input[name=sign-secretary-name]", "Lê Thị Thư Ký")
    steps.sign(page, "secretary")
    expect(page.locator("img.signature")).to_have_count(3)
    steps.submit(page, world["uuid"])
    steps.wait_until_sent(page)
    with app.app_context():
        inspection = db.session.get(Inspection, world["id"])
        assert inspection.status == InspectionStatus.SUBMITTED
        secretary = dict(inspection.signatures["secretary"])
        assert secretary["name"] == "Lê Thị Thư Ký"
        assert db.session.scalar(sa.select(EvidenceFile.kind).where(EvidenceFile.uuid == secretary["evidence_uuid"])) \
            == "signature"
    lead_page = browser_page()
    login(lead_page, "lead", next="/")
    response = lead_page.request.get(f"/inspections/{world['id']}/minutes.pdf")
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "THƯ KÝ" in text and "Lê Thị Thư Ký" in text
    # The secretary's own drawing in their block (the page shows it from the evidence API).
    minutes_page = lead_page.request.get(f"/inspections/{world['id']}/minutes").text()
    assert f"/api/evidence/{secretary['evidence_uuid']}" in minutes_page
