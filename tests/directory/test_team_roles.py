"""A team's roles as the minutes use them: the lead chairs, a member is the secretary."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Role, Team, User
from tests.factories import make_team, make_user


@pytest.fixture
def admin(app, client, auth):
    with app.app_context():
        make_user(Role.ADMIN, username="admin")
        lead = make_user(Role.LEAD, username="truong")
        member = make_user(Role.INSPECTOR, username="thuky")
        outsider = make_user(Role.INSPECTOR, username="ngoai")
        team = make_team(name="Đoàn Sáu", members=[lead, member])
        team.lead = lead
        db.session.commit()
        ids = {"team": team.id, "lead": lead.id, "member": member.id, "outsider": outsider.id}
    auth.login("admin")
    return ids


def test_a_member_becomes_the_secretary_and_an_outsider_is_refused_beside_the_field(app, client, admin):
    url = f"/admin/teams/{admin['team']}"
    data = {"name": "Đoàn Sáu", "members": [str(admin["lead"]), str(admin["member"])], "lead": str(admin["lead"])}
    assert client.post(url, data={**data, "secretary": str(admin["member"])}).status_code == 302
    with app.app_context():
        assert db.session.get(Team, admin["team"]).secretary.username == "thuky"
    page = client.get(url).get_data(as_text=True)
    assert re.search(rf'<option selected value="{admin["member"]}">|<option value="{admin["member"]}" selected',
                     page.split('name="secretary"')[1])
    refused = client.post(url, data={**data, "secretary": str(admin["outsider"])})
    assert refused.status_code == 422
    assert re.search(r'id="secretary-error"[^>]*>Thư ký phải là thành viên của đoàn', refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Team, admin["team"]).secretary.username == "thuky"


def test_the_secretary_taken_off_the_team_leaves_it_without_one(app, client, admin):
    with app.app_context():
        team = db.session.get(Team, admin["team"])
        team.secretary = db.session.get(User, admin["member"])
        db.session.commit()
    # The user's page takes the team away: the team keeps no secretary who is not a member.
    assert client.post(f"/admin/users/{admin['member']}", data={"full_name": "Thư Ký", "role": "inspector"}
                       ).status_code == 302
    with app.app_context():
        team = db.session.get(Team, admin["team"])
        assert team.secretary is None and [u.username for u in team.members] == ["truong"]
