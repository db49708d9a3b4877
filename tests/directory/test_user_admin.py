"""Administering users and teams in the browser pages: search, create, edit,
import, teams and their members; every change audited, refusals beside their fields."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from server.extensions import db
from server.models import AuditEvent, InspectionStatus, Role, Team, Unit, User
from tests.factories import PASSWORD, make_inspection, make_team, make_unit, make_user


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_user(Role.ADMIN, username="boss")
        make_unit(code="00004", name="Phường Ba Đình")
        db.session.commit()
    assert client.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 302
    return client


def audited(app, action):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_users_list_filters_by_role_team_unit_and_status(app, admin):
    with app.app_context():
        team = make_team(name="Đoàn Một")
        make_user(Role.INSPECTOR, username="an", team=team)
        make_user(Role.INSPECTOR, username="binh")
        ba_dinh = db.session.scalar(sa.select(Unit).where(Unit.code == "00004"))
        make_user(Role.UNIT_OFFICER, username="chi", unit=ba_dinh)
        gone = make_user(Role.VIEWER, username="dung")
        gone.active = False
        db.session.commit()
        team_id = team.id

    def names(query):
        page = admin.get("/admin/users" + query).get_data(as_text=True)
        return set(re.findall(r'<div class="meta">(\w+)', page))

    assert names("?role=inspector") == {"an", "binh"}
    assert names(f"?team={team_id}") == {"an"}
    assert names("?unit=00004") == {"chi"}
    assert names("?active=0") == {"dung"}
    assert names("?q=BIN") == {"binh"}
    page = admin.get("/admin/users?role=inspector").get_data(as_text=True)
    assert "Thành viên đoàn" in page or "Inspector" in page
    assert ">inspector<" not in page  # roles by their names, never codes
    assert admin.get("/admin/users?role=nobody").status_code == 422
    assert admin.get("/admin/users?team=abc").status_code == 422


def test_creating_a_user_keeps_what_was_typed_when_refused(app, admin):
    response = admin.post("/admin/users/new", data={"username": "x y", "full_name": "Ông Xê", "role": "unit_officer",
                                                    "unit": "99999", "email": "not-an-address", "handover": "temporary"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Ông Xê"' in page and 'value="99999"' in page
    assert re.search(r'id="email-error"[^>]*>Nhập địa chỉ thư điện tử', page)
    assert re.search(r'id="username-error"[^>]*>Tên đăng nhập gồm 2 đến 64', page)
    response = admin.post("/admin/users/new", data={"username": "xe", "full_name": "Ông Xê", "role": "unit_officer",
                                                    "unit": "99999", "email": "", "handover": "temporary"})
    assert response.status_code == 422
    assert re.search(r'id="unit-error"[^>]*>Không có đơn vị nào mang mã 99999', response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "xe")) is None


def test_an_administrator_creates_a_user_with_teams_and_edits_them(app, admin):
    with app.app_context():
        team_id = make_team(name="Đoàn Hai").id
        db.session.commit()
    response = admin.post("/admin/users/new", data={"username": "moi", "full_name": "Người Mới", "role": "inspector",
                                                    "teams": [str(team_id)], "email": "moi@example.org",
                                                    "handover": "temporary"})
    assert response.status_code == 200
    assert re.search(r'id="temporary-password">[a-z0-9-]{14}<', response.get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "moi"))
        assert [t.name for t in user.teams] == ["Đoàn Hai"] and user.must_change_password
        user_id = user.id
    response = admin.post(f"/admin/users/{user_id}", data={"full_name": "Người Mới Hơn", "role": "lead",
                                                           "email": "", "unit": ""})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.full_name, user.role, user.email, user.teams) == ("Người Mới Hơn", "lead", None, [])
    [entry] = audited(app, "user.update")[-1:]
    assert entry.details["role"] == {"from": "inspector", "to": "lead"}


def test_unlock_ends_a_sign_in_lock(app, admin):
    with app.app_context():
        make_user(Role.INSPECTOR, username="quen")
        db.session.commit()
    other = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        other.post("/login", data={"username": "quen", "password": "sai"})
    assert other.post("/login", data={"username": "quen", "password": PASSWORD}).status_code == 429
    home = admin.get("/admin").get_data(as_text=True)
    assert "quen" in home and "bị khóa" in home
    assert admin.post("/admin/unlock", data={"username": "quen"}).status_code == 302
    assert other.post("/login", data={"username": "quen", "password": PASSWORD}).status_code == 302
    assert audited(app, "user.unlock")


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_row(app, admin):
    csv = ("username;full_name;role;unit_code;teams;email\n"
           "lan;Nguyễn Thị Lan;Thành viên đoàn;;Đoàn Ba;lan@example.org\n"
           "minh;Trần Minh;cán bộ?;;;\n"
           "lan;Lan Hai;inspector;;;\n")
    response = admin.post("/admin/users/import", data={"file": (io.BytesIO(csv.encode()), "users.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Dòng 3, role: Vai trò không hợp lệ: cán bộ?." in page
    assert "Dòng 4, username: Tên đăng nhập lan cũng có ở dòng 2." in page
    assert "Nhập những người dùng này" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_an_excel_import_is_previewed_then_creates_every_user(app, admin):
    book = xlsx([["Tên đăng nhập", "Họ và tên", "Vai trò", "Mã đơn vị", "Đoàn", "Email"],
                 ["lan", "Nguyễn Thị Lan", "Inspector", None, "Đoàn Ba", "lan@example.org"],
                 ["tho", "Lê Thọ", "unit_officer", "00004", None, None]])
    response = admin.post("/admin/users/import", data={"file": (book, "users.xlsx")},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 người dùng sẽ được nhập" in page and "Đoàn mới:" in page
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "lan")) is None  # only a preview
    rows = re.search(r'name="rows" value="([^"]*)"', page).group(1)
    import html
    response = admin.post("/admin/users/import/confirm", data={"rows": html.unescape(rows)})
    assert response.status_code == 200
    assert len(re.findall(r'class="secret">[a-z0-9-]{14}<', response.get_data(as_text=True))) == 2
    with app.app_context():
        lan = db.session.scalar(sa.select(User).where(User.username == "lan"))
        tho = db.session.scalar(sa.select(User).where(User.username == "tho"))
        assert [t.name for t in lan.teams] == ["Đoàn Ba"] and tho.unit.code == "00004"
        assert lan.must_change_password and tho.must_change_password
    # The same rows again: every username is taken now, nothing more is created.
    response = admin.post("/admin/users/import/confirm", data={"rows": html.unescape(rows)})
    assert response.status_code == 422
    assert admin.post("/admin/users/import/confirm", data={"rows": "{bad json"}).status_code == 422
    assert admin.post("/admin/users/import", data={"file": (io.BytesIO(b"\xff\xfe"), "x.csv")},
                      content_type="multipart/form-data").status_code == 422
    assert admin.post("/admin/users/import", data={"file": (io.BytesIO(b"PK broken"), "x.xlsx")},
                      content_type="multipart/form-data").status_code == 422


def test_a_team_is_created_renamed_and_given_members_and_a_lead(app, admin):
    with app.app_context():
        lead = make_user(Role.LEAD, username="truong")
        insp = make_user(Role.INSPECTOR, username="vien")
        viewer = make_user(Role.VIEWER, username="xem")
        db.session.commit()
        ids = lead.id, insp.id, viewer.id
    response = admin.post("/admin/teams", data={"name": "Đoàn Bốn"})
    assert response.status_code == 302
    team_url = response.headers["Location"]
    assert admin.post("/admin/teams", data={"name": "đoàn bốn"}).status_code == 422
    response = admin.post(team_url, data={"name": "Đoàn Bốn (mới)", "members": [str(ids[0]), str(ids[1])],
                                          "lead": str(ids[0])})
    assert response.status_code == 302
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == "Đoàn Bốn (mới)"))
        assert sorted(u.username for u in team.members) == ["truong", "vien"] and team.lead.username == "truong"
    # A viewer is no team member; a lead must be a member.
    response = admin.post(team_url, data={"name": "Đoàn Bốn (mới)", "members": [str(ids[2])], "lead": "0"})
    assert response.status_code == 422
    response = admin.post(team_url, data={"name": "Đoàn Bốn (mới)", "members": [str(ids[1])], "lead": str(ids[0])})
    assert response.status_code == 422
    assert re.search(r'id="lead-error"[^>]*>Trưởng đoàn phải là một thành viên', response.get_data(as_text=True))
    assert [e.details.get("name") for e in audited(app, "team.update")] == [{"from": "Đoàn Bốn", "to": "Đoàn Bốn (mới)"}]


def test_a_team_with_inspections_in_progress_keeps_its_last_member(app, admin):
    with app.app_context():
        insp = make_user(Role.INSPECTOR, username="cuoi")
        team = make_team(name="Đoàn Năm", members=[insp])
        make_inspection(team=team, status=InspectionStatus.IN_PROGRESS)
        db.session.commit()
        team_id, insp_id = team.id, insp.id
    response = admin.post(f"/admin/teams/{team_id}", data={"name": "Đoàn Năm", "lead": "0"})
    assert response.status_code == 422
    assert "sẽ không còn thành viên nào" in response.get_data(as_text=True)
    # Neither by taking the member's team away nor by deactivating them.
    assert admin.post(f"/admin/users/{insp_id}", data={"full_name": "C", "role": "inspector"}).status_code == 422
    assert admin.post(f"/admin/users/{insp_id}/deactivate").status_code == 409
    with app.app_context():
        assert [u.username for u in db.session.get(Team, team_id).members] == ["cuoi"]
        assert db.session.get(User, insp_id).active
