"""Passwords: what a new one must be; temporary passwords; one-time reset links."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Role, User
from server.models.types import utcnow
from server.services.directory import passwords
from tests.factories import PASSWORD, make_user


@pytest.fixture
def people(app):
    with app.app_context():
        make_user(Role.ADMIN, username="boss")
        make_user(Role.INSPECTOR, username="insp")
        db.session.commit()


def user_id(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


@pytest.mark.parametrize("new, message", [
    ("ngan", "ít nhất 10 ký tự"),
    ("password1234", "phổ biến nhất"),
    ("Qwertyuiop", "phổ biến nhất"),
    ("matkhau123", "phổ biến nhất"),
    ("Password2024!", "phổ biến nhất"),
    ("aaaaaaaaaaaa", "phổ biến nhất"),
    ("insp-05081990", "tên đăng nhập"),
])
def test_a_weak_new_password_is_refused_beside_its_field_and_nothing_changes(app, client, auth, people, new, message):
    auth.login("insp")
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="new-error"[^>]*>[^<]*' + re.escape(message), page), page[-3000:]
    with app.app_context():
        assert db.session.get(User, user_id(app, "insp")).check_password(PASSWORD)


def test_a_wrong_current_password_is_refused_and_what_was_typed_stays(app, client, auth, people):
    auth.login("insp")
    response = client.post("/account/password", data={"current": "sai-roi", "new": "cây-tre-trăm-đốt", "confirm": "khác-hẳn"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Hai lần nhập mật khẩu mới không khớp" in page
    response = client.post("/account/password", data={"current": "sai-roi", "new": "cây-tre-trăm-đốt", "confirm": "cây-tre-trăm-đốt"})
    assert response.status_code == 422
    assert re.search(r'id="current-error"[^>]*>Mật khẩu hiện tại không đúng', response.get_data(as_text=True))


def test_the_demo_password_can_be_changed_by_its_user(app, client, auth):
    from server.services.administration.demo import DEMO_PASSWORD, accounts_with_demo_password

    with app.app_context():
        make_user(Role.ADMIN, username="admin", password=DEMO_PASSWORD)
        db.session.commit()
    auth.login("admin", DEMO_PASSWORD)
    response = client.post("/account/password", data={"current": DEMO_PASSWORD, "new": "hoa-sen-nở-giữa-hồ",
                                                      "confirm": "hoa-sen-nở-giữa-hồ"})
    assert response.status_code == 302
    with app.app_context():
        assert accounts_with_demo_password() == []
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_change"))


def test_a_temporary_password_must_be_changed_before_anything_else(app, client, auth, people):
    admin = app.test_client()
    admin.post("/login", data={"username": "boss", "password": PASSWORD})
    response = admin.post(f"/admin/users/{user_id(app, 'insp')}/reset", data={"handover": "temporary"})
    assert response.status_code == 200
    temporary = re.search(r'id="temporary-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert auth.login("insp", PASSWORD).status_code == 401
    assert auth.login("insp", temporary).status_code == 302
    assert client.get("/").headers["Location"].endswith("/account")
    assert client.get("/api/inspections").status_code == 403
    assert client.post("/account/password", data={"current": temporary, "new": "gió-đưa-cành-trúc",
                                                  "confirm": "gió-đưa-cành-trúc"}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_reset_link_works_once_within_its_hours_and_ends_the_sessions(app, client, auth, people):
    auth.login("insp")
    admin = app.test_client()
    admin.post("/login", data={"username": "boss", "password": PASSWORD})
    response = admin.post(f"/admin/users/{user_id(app, 'insp')}/reset", data={"handover": "link"})
    link = re.search(r'value="(http[^"]+/password-reset/[^"]+)"', response.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    assert client.get("/account").status_code in (302, 401)  # the inspector's session ended
    other = app.test_client()
    assert other.get(path).status_code == 200
    assert other.post(path, data={"new": "1234567890123", "confirm": "1234567890123"}).status_code == 422
    assert other.post(path, data={"new": "trăng-rằm-tháng-tám", "confirm": "trăng-rằm-tháng-tám"}).status_code == 302
    assert other.get(path).status_code == 404  # spent
    assert auth.login("insp", "trăng-rằm-tháng-tám").status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id(app, "insp"))
        stale = passwords.create_reset_link(user, None, utcnow() - timedelta(hours=passwords.RESET_LINK_HOURS + 1))
        db.session.commit()
        assert passwords.find_reset(stale, utcnow()) is None


def test_an_administrator_resets_their_own_password_on_their_account_page(app, client, auth, people):
    auth.login("boss")
    response = client.post(f"/admin/users/{user_id(app, 'boss')}/reset", data={"handover": "temporary"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(User, user_id(app, "boss")).check_password(PASSWORD)


def test_a_reset_link_is_emailed_when_mail_is_set_and_the_user_has_an_address(app, people, monkeypatch):
    from server.services.foundation import mail

    sent = []
    monkeypatch.setattr(mail, "send_mail", lambda settings, to, subject, body: sent.append((to, body)))
    app.config["MAIL_SERVER"] = "smtp.example.org"
    with app.app_context():
        db.session.get(User, user_id(app, "insp")).email = "insp@example.org"
        db.session.commit()
    admin = app.test_client()
    admin.post("/login", data={"username": "boss", "password": PASSWORD})
    page = admin.post(f"/admin/users/{user_id(app, 'insp')}/reset", data={"handover": "link"}).get_data(as_text=True)
    link = re.search(r'value="(http[^"]+/password-reset/[^"]+)"', page).group(1)
    assert "cũng đã được gửi tới insp@example.org" in page
    assert [(to, link in body) for to, body in sent] == [("insp@example.org", True)]
