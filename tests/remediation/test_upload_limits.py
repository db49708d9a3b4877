"""Uploading evidence from an action's page: the limit is said before a file is
chosen, and a refused upload comes back on the same form with the note typed."""
import io
import os
import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import ActionEvent, ActionStatus, EvidenceFile, RemediationAction, Role
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_action

LIMIT = 200_000  # 0.2 MB: the test client keeps a body this small in memory


@pytest.fixture
def site(app):
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    with app.app_context():
        unit = make_unit(name="Phường Tải Lên")
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        action = make_action(unit=unit, team=team, status=ActionStatus.IN_PROGRESS)
        db.session.commit()
        return {"action": action.id, "url": f"/actions/{action.id}"}


def big_file(name="bien-ban.pdf"):
    return io.BytesIO(os.urandom(LIMIT + 100_000)), name, "application/pdf"


def textarea(page: str, form_action: str) -> str:
    """The note textarea's text in the form posting to `form_action` (and `to`, for a move)."""
    for form in re.findall(r"<form.*?</form>", page, re.S):
        if f'action="{form_action}"' in form:
            return re.search(r'<textarea name="note"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    raise AssertionError(f"no form for {form_action}")


def nothing_written(app, site) -> bool:
    with app.app_context():
        return (db.session.get(RemediationAction, site["action"]).status == ActionStatus.IN_PROGRESS
                and db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0
                and db.session.scalar(sa.select(sa.func.count(ActionEvent.id))) == 1)  # "created" only


def test_the_page_says_the_limit_before_a_file_is_chosen(client, auth, site):
    client.post("/lang/en")
    auth.login("officer")
    page = client.get(site["url"]).get_data(as_text=True)
    assert "At most 0.2 MB in all." in page
    assert f'data-max-bytes="{LIMIT}"' in page and "js/upload-limit.js" in page


def test_an_over_size_report_comes_back_on_its_form_with_the_note_and_the_limit(app, client, auth, site):
    client.post("/lang/en")
    auth.login("officer")
    note = "Đã thay biển hiệu mới, có biên bản nghiệm thu kèm theo"
    response = client.post(f"{site['url']}/move", content_type="multipart/form-data", data={
        "to": "awaiting_verification", "note": note, "files": [big_file()]})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The files are too large to send: at most 0.2 MB can be sent at once" in page
    move = page.split('name="to" value="awaiting_verification"')[1].split("</form>")[0]
    assert f">{note}</textarea>" in move
    assert nothing_written(app, site)


def test_an_over_size_update_opens_its_form_again_with_the_note(app, client, auth, site):
    client.post("/lang/vi")
    auth.login("officer")
    response = client.post(f"{site['url']}/note", content_type="multipart/form-data", data={
        "note": "Ảnh chụp sau khi sửa", "files": [big_file("anh.jpg")]})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp quá lớn" in page
    assert textarea(page, f"{site['url']}/note") == "Ảnh chụp sau khi sửa"
    assert "<details open>" in page
    assert nothing_written(app, site)


def test_a_refused_file_keeps_the_note_too(app, client, auth, site):
    auth.login("officer")
    response = client.post(f"{site['url']}/move", content_type="multipart/form-data", data={
        "to": "awaiting_verification", "note": "Biên bản đây",
        "files": [(io.BytesIO(b"GIF89a not a photo at all"), "x.pdf", "application/pdf")]})
    assert response.status_code == 415
    move = response.get_data(as_text=True).split('name="to" value="awaiting_verification"')[1].split("</form>")[0]
    assert ">Biên bản đây</textarea>" in move
    assert nothing_written(app, site)
