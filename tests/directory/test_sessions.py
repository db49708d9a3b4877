"""Server-side sessions: a signed-in browser stays signed in only while its
session is open and its user active; users see and end their sessions."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Role, User
from server.models.users import UserSession
from server.services.directory import users as user_service
from tests.factories import PASSWORD, make_user


@pytest.fixture
def people(app):
    with app.app_context():
        make_user(Role.ADMIN, username="boss")
        make_user(Role.ADMIN, username="boss2")
        make_user(Role.INSPECTOR, username="insp")
        db.session.commit()


def sign_in(client, username, password=PASSWORD, remember=False):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.data
    return response


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_deactivated_user_is_signed_out_at_their_next_request(app, people):
    inspector, admin = app.test_client(), app.test_client()
    sign_in(inspector, "insp")
    assert signed_in(inspector)
    sign_in(admin, "boss")
    with app.app_context():
        insp_id = db.session.scalar(sa.select(User.id).where(User.username == "insp"))
    assert admin.post(f"/admin/users/{insp_id}/deactivate").status_code == 302
    assert not signed_in(inspector)
    # ... and cannot sign in again.
    assert inspector.post("/login", data={"username": "insp", "password": PASSWORD}).status_code == 401


def test_a_remember_me_cookie_dies_with_its_session(app, people):
    phone = app.test_client()
    sign_in(phone, "insp", remember=True)
    assert phone.get_cookie("remember_token") is not None
    other = app.test_client()
    sign_in(other, "insp")
    assert other.post("/account/sessions/others/end").status_code == 302
    # The phone's session cookie is gone (a new browser start); only "remember me" is left.
    phone.delete_cookie("session")
    assert not signed_in(phone)
    assert signed_in(other)


def test_the_account_page_lists_the_sessions_and_ends_another_one(app, people):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "insp")
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"
    sign_in(phone, "insp")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome · Android" in page and "Trình duyệt này" in page
    with app.app_context():
        phone_session = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_agent.like("%Android%")))
        this_session = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_agent.notlike("%Android%")))
    # Another user cannot end it; ending one's own current session this way is refused too.
    assert laptop.post(f"/account/sessions/{this_session}/end").status_code == 404
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 302
    assert not signed_in(phone) and signed_in(laptop)


def test_signing_out_ends_the_session_on_the_server(app, people):
    client = app.test_client()
    sign_in(client, "insp")
    cookie = client.get_cookie("session").value
    client.post("/logout")
    client.set_cookie("session", cookie)  # a copy of the cookie taken before signing out
    assert not signed_in(client)


def test_changing_the_password_signs_out_the_other_sessions_but_not_this_one(app, people):
    here, there = app.test_client(), app.test_client()
    sign_in(here, "insp")
    sign_in(there, "insp")
    response = here.post("/account/password", data={"current": PASSWORD, "new": "mây-trắng-bay-xa", "confirm": "mây-trắng-bay-xa"})
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(there)
    assert there.post("/login", data={"username": "insp", "password": "mây-trắng-bay-xa"}).status_code == 302


def test_the_last_active_administrator_cannot_deactivate_or_demote_themselves(app, people):
    admin = app.test_client()
    sign_in(admin, "boss")
    with app.app_context():
        boss2 = db.session.scalar(sa.select(User).where(User.username == "boss2"))
        user_service.set_active(boss2, False, None)
        db.session.commit()
        boss_id = db.session.scalar(sa.select(User.id).where(User.username == "boss"))
    response = admin.post(f"/admin/users/{boss_id}/deactivate")
    assert response.status_code == 409
    assert "quản trị viên cuối cùng" in response.get_data(as_text=True)
    response = admin.post(f"/admin/users/{boss_id}", data={"full_name": "Boss", "role": "viewer", "email": ""})
    assert response.status_code == 422
    assert "quản trị viên cuối cùng" in response.get_data(as_text=True)
    with app.app_context():
        boss = db.session.get(User, boss_id)
        assert boss.active and boss.role == Role.ADMIN
    assert signed_in(admin)


def test_deactivating_and_reactivating_are_audited_and_keep_the_user(app, people):
    admin = app.test_client()
    sign_in(admin, "boss")
    with app.app_context():
        insp_id = db.session.scalar(sa.select(User.id).where(User.username == "insp"))
    admin.post(f"/admin/users/{insp_id}/deactivate")
    admin.post(f"/admin/users/{insp_id}/reactivate")
    with app.app_context():
        assert db.session.get(User, insp_id).active
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(insp_id),
                                                                        AuditEvent.object_type == "User")).all()
        assert "user.deactivate" in actions and "user.reactivate" in actions
    page = admin.get("/admin/users?active=1").get_data(as_text=True)
    assert re.search(r">\s*insp\b", page) or "insp" in page
