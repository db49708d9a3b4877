"""Sign-in, sign-out and the language switch."""
import pytest

from server.models import Role
from tests.factories import make_user


@pytest.fixture
def inspector(app):
    with app.app_context():
        from server.extensions import db

        make_user(Role.INSPECTOR, username="thanh")
        db.session.commit()
    return "thanh"


def test_home_requires_sign_in_and_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page


def test_wrong_password_is_refused_with_a_message(client, auth, inspector):
    response = auth.login(inspector, "not-the-password")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_then_home_then_sign_out(client, auth, inspector):
    response = auth.login(inspector)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_sign_in_follows_a_local_next_but_never_an_outside_one(client, auth, inspector):
    response = client.post("/login?next=/api/me", data={"username": inspector, "password": "password123"})
    assert response.headers["Location"] == "/api/me"
    auth.logout()
    response = client.post(
        "/login?next=//evil.example/x", data={"username": inspector, "password": "password123"}
    )
    assert response.headers["Location"] == "/"


def test_inactive_user_cannot_sign_in(app, client, auth):
    with app.app_context():
        from server.extensions import db

        make_user(Role.VIEWER, username="gone").active = False
        db.session.commit()
    assert auth.login("gone").status_code == 401


def test_language_switch_to_english_is_remembered_for_the_user(client, auth, inspector):
    auth.login(inspector)
    client.post("/lang/en", data={"next": "/"})
    assert "Sign out" in client.get("/").get_data(as_text=True)
    auth.logout()
    client.post("/lang/vi", data={"next": "/"})  # anonymous choice in the session
    auth.login(inspector)  # the user's own choice wins once signed in
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_anonymous_language_switch_changes_the_login_page(client):
    client.post("/lang/en", data={"next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/lang/xx", data={"next": "/login"})
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


def test_api_answers_401_json_when_signed_out(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
