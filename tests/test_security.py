"""Request-level protections: cross-site writes, headers, cookies, sign-in throttling."""
from datetime import timedelta

import pytest

from server.models import Role
from server.extensions import db
from tests.factories import make_user


@pytest.fixture
def viewer(app):
    with app.app_context():
        make_user(Role.VIEWER, username="xem")
        db.session.commit()
    return "xem"


def login_form(client, username="xem", password="password123", **headers):
    return client.post("/login", data={"username": username, "password": password}, headers=headers)


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Referer": "https://evil.example/page"},
], ids=["foreign-origin", "null-origin", "fetch-cross-site", "fetch-same-site", "foreign-referer"])
def test_a_form_posted_from_another_site_is_refused(client, viewer, headers):
    response = login_form(client, **headers)
    assert response.status_code == 403
    assert client.get("/").status_code == 302  # not signed in


def test_json_posted_from_another_site_is_refused_with_json(client, auth, viewer):
    auth.login(viewer)
    response = client.post("/api/inspections/00000000-0000-0000-0000-000000000000/checkin",
                           json={"lat": 21, "lon": 105}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "another website" in response.get_json()["message"] or "trang web khác" in response.get_json()["message"]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Referer": "http://localhost/login"},
    {},
], ids=["same-origin", "fetch-same-origin", "same-referer", "no-browser-marks"])
def test_a_same_site_or_non_browser_post_is_accepted(client, viewer, headers):
    assert login_form(client, **headers).status_code == 302


def test_reading_is_never_refused_for_its_origin(client):
    assert client.get("/login", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_pages_carry_security_headers_and_a_csp_without_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_lax_and_secure_over_https(client, viewer):
    response = client.post("/login", data={"username": "xem", "password": "password123"},
                           base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    response = login_form(client)
    assert "Secure" not in response.headers["Set-Cookie"]


def test_session_expires(client, viewer):
    response = login_form(client)
    assert "Expires=" in response.headers["Set-Cookie"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, client, viewer):
    for _ in range(5):
        assert login_form(client, password="wrong-guess").status_code == 401
    locked = login_form(client)
    assert locked.status_code == 429
    assert client.get("/").status_code == 302


def test_the_lockout_ends_after_the_window(app, client, viewer):
    from server.models import LoginAttempt

    for _ in range(5):
        login_form(client, password="wrong-guess")
    with app.app_context():
        for attempt in db.session.scalars(db.select(LoginAttempt)):
            attempt.created_at -= timedelta(minutes=16)
        db.session.commit()
    assert login_form(client).status_code == 302


def test_one_address_guessing_many_accounts_is_locked_out(app, client):
    for n in range(20):
        login_form(client, username=f"ghost{n}", password="x")
    with app.app_context():
        make_user(Role.VIEWER, username="real")
        db.session.commit()
    assert login_form(client, username="real").status_code == 429


def test_passwords_are_stored_hashed(app, viewer):
    from server.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "xem"))
        assert "password123" not in user.password_hash
        assert user.password_hash.split(":")[0] in {"scrypt", "pbkdf2"}
