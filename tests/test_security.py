"""Request-level protections: cross-site writes, headers, cookies, sign-in throttling."""
import statistics
import time
from datetime import timedelta

import pytest

from server.models import Role
from server.extensions import db
from tests.factories import make_user


@pytest.fixture
def viewer(app):
    with app.app_context():
        make_user(Role.VIEWER, username="xem").set_password("password123")  # the app's real, slow hash
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
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "thử lại sau 15 phút" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    from_elsewhere = client.post("/login", data={"username": "xem", "password": "password123"},
                                 environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert from_elsewhere.status_code == 429


def test_the_lockout_ends_after_the_window(app, client, viewer):
    from server.models import LoginAttempt

    for _ in range(5):
        login_form(client, password="wrong-guess")
    with app.app_context():
        for attempt in db.session.scalars(db.select(LoginAttempt)):
            attempt.created_at -= timedelta(minutes=16)
        db.session.commit()
    assert login_form(client).status_code == 302


@pytest.fixture
def first_wait_30s(app):
    """A first wait long enough that a slow test machine still runs inside it."""
    app.config["LOGIN_ADDRESS_FIRST_WAIT_SECONDS"] = 30


def spray(client, names: int):
    """Failed sign-ins under different made-up usernames, from the client's address."""
    for n in range(names):
        login_form(client, username=f"ghost{n}", password="x")


def test_a_colleague_behind_the_same_address_signs_in_after_a_spray(app, client, viewer):
    spray(client, 20)
    assert login_form(client).status_code == 302  # same address, the right password


def test_a_sprayer_is_told_to_wait_with_retry_after_and_the_page_keeps_the_username(app, client, first_wait_30s):
    spray(client, 20)
    response = login_form(client, username="ghost20", password="x")
    assert response.status_code == 429
    assert 30 < int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần" in page
    assert 'value="ghost20"' in page


def test_a_spraying_address_waits_longer_for_each_further_name(app, client, first_wait_30s):
    spray(client, 20)
    waits = [int(login_form(client, username=f"ghost{n}", password="x").headers["Retry-After"])
             for n in range(20, 24)]
    assert waits == [60, 120, 240, 480]


def test_while_an_address_waits_a_name_that_failed_there_is_not_checked_again(app, client, viewer, first_wait_30s):
    from server.models import LoginAttempt

    login_form(client, password="typo")
    spray(client, 20)
    # Even the right password waits: a second guess at a name from a spraying
    # address is refused unchecked, so a spray cannot try password after password.
    refused = login_form(client)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 60  # the address's wait, not a 15-minute lockout
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginAttempt)) == 21


def test_a_spraying_address_stops_waiting_after_its_wait(app, client, first_wait_30s):
    from server.models import LoginAttempt

    spray(client, 20)
    with app.app_context():
        for attempt in db.session.scalars(db.select(LoginAttempt)):
            attempt.created_at -= timedelta(seconds=31)
        db.session.commit()
    assert login_form(client, username="ghost20", password="x").status_code == 401


def median_failure_time(client, usernames) -> float:
    """The median time a wrong password takes to be refused, over the usernames given."""
    times = []
    for username in usernames:
        started = time.perf_counter()
        assert login_form(client, username=username, password="wrong-guess").status_code == 401
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_an_unknown_username_takes_as_long_as_a_wrong_password(app, client, viewer):
    # Otherwise the answer's time tells which usernames exist.
    login_form(client, username="warm-up", password="x")
    wrong_password = median_failure_time(client, ["xem"] * 4)
    unknown = median_failure_time(client, [f"nobody{n}" for n in range(4)])
    assert unknown >= 0.5 * wrong_password


def test_an_inactive_account_takes_as_long_as_a_wrong_password(app, client, viewer):
    with app.app_context():
        gone = make_user(Role.VIEWER, username="gone")
        gone.set_password("password123")  # the real hash, as the wrong password it is timed against
        gone.active = False
        db.session.commit()
    login_form(client, username="warm-up", password="x")
    assert median_failure_time(client, ["gone"] * 4) >= 0.5 * median_failure_time(client, ["xem"] * 4)


def test_passwords_are_stored_hashed(app, viewer):
    from server.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "xem"))
        assert "password123" not in user.password_hash
        assert user.password_hash.split(":")[0] in {"scrypt", "pbkdf2"}


@pytest.fixture
def behind_one_proxy(tmp_path, database_uri):
    """The app as deployed behind one reverse proxy (KIEMTRA_PROXY_COUNT=1)."""
    from server import create_app

    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-only-secret", "INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_uri, "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "PROXY_COUNT": 1, "LOGIN_ADDRESS_FIRST_WAIT_SECONDS": 30,
    })
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in_through_proxy(client, address: str, username: str, password: str = "x"):
    """A sign-in as the proxy passes it on: the proxy's own address, the person's in X-Forwarded-For."""
    return client.post("/login", data={"username": username, "password": password},
                       headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_behind_a_proxy_a_spray_from_one_address_does_not_make_other_addresses_wait(behind_one_proxy):
    client = behind_one_proxy.test_client()
    for n in range(20):
        sign_in_through_proxy(client, "198.51.100.7", f"ghost{n}")
    assert sign_in_through_proxy(client, "198.51.100.7", "ghost20").status_code == 429
    # Someone else, at another address, mistypes: an ordinary refusal, no wait.
    assert sign_in_through_proxy(client, "203.0.113.50", "someone").status_code == 401


def test_without_a_proxy_setting_a_forged_forwarded_address_does_not_escape_the_wait(app, client, first_wait_30s):
    for n in range(20):
        sign_in_through_proxy(client, "198.51.100.7", f"ghost{n}")
    # The header is the client's own word here, so it counts for nothing.
    assert sign_in_through_proxy(client, "203.0.113.50", "ghost20").status_code == 429
