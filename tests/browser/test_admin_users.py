"""A new administrator's first steps in the browser: change the demo password,
make a team and two inspectors; a deactivated inspector is signed out at once."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Role, Team, User
from server.services.administration.demo import DEMO_PASSWORD
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.browser

NEW_ADMIN_PASSWORD = "sông-Hồng-đỏ-nặng-phù-sa"
INSPECTOR_PASSWORD = "lúa-chiêm-lấp-ló-đầu-bờ"


def create_inspector(page, username: str, full_name: str, team: str) -> str:
    """Fill the new-user form; returns the temporary password the page shows."""
    page.goto("/admin/users/new")
    page.fill("#username", username)
    page.fill("#full_name", full_name)
    page.select_option("#role", "inspector")
    page.get_by_label(team).check()
    page.select_option("#handover", "temporary")
    page.click("main form.stack button[type=submit]")
    page.wait_for_selector("#temporary-password")
    assert_accessible(page, "the temporary password handed over")
    return page.inner_text("#temporary-password").strip()


def test_a_new_administrator_sets_up_a_team_and_a_deactivated_inspector_is_signed_out(live_server, browser_page):
    with live_server.app.app_context():
        make_user(Role.ADMIN, username="admin", password=DEMO_PASSWORD)
        db.session.commit()

    admin = browser_page()
    login(admin, "admin", DEMO_PASSWORD, next="/account")
    assert_accessible(admin, "my account")
    # The published demo password is changed on My account, the old one refused first.
    admin.fill("#current", DEMO_PASSWORD)
    admin.fill("#new", "password1234")
    admin.fill("#confirm", "password1234")
    admin.click("text=Đổi mật khẩu >> xpath=ancestor-or-self::button")
    assert "phổ biến nhất" in admin.inner_text("#new-error")
    admin.fill("#current", DEMO_PASSWORD)
    admin.fill("#new", NEW_ADMIN_PASSWORD)
    admin.fill("#confirm", NEW_ADMIN_PASSWORD)
    admin.click("text=Đổi mật khẩu >> xpath=ancestor-or-self::button")
    admin.wait_for_selector("text=Đã đổi mật khẩu.")

    # A team, from the administrator's home.
    admin.goto("/admin")
    assert_accessible(admin, "the administrator's home")
    admin.click(".admin-cards >> text=Đoàn kiểm tra")
    admin.fill("#name", "Đoàn kiểm tra CCHC số 2")
    admin.click("text=Tạo đoàn")
    admin.wait_for_selector("h1:has-text('Đoàn kiểm tra CCHC số 2')")

    first = create_inspector(admin, "thu", "Nguyễn Thị Thu", "Đoàn kiểm tra CCHC số 2")
    create_inspector(admin, "dong", "Trần Văn Đông", "Đoàn kiểm tra CCHC số 2")
    with live_server.app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == "Đoàn kiểm tra CCHC số 2"))
        assert sorted(u.username for u in team.members) == ["dong", "thu"]
        thu_id = db.session.scalar(sa.select(User.id).where(User.username == "thu"))
        team_id = team.id
    admin.goto(f"/admin/teams/{team_id}")
    assert_accessible(admin, "a team's page")
    admin.goto("/admin/users?role=inspector")
    assert admin.locator(".list .item").count() == 2
    assert_accessible(admin, "the users list")

    # The first inspector signs in on their phone, and must choose a password first.
    phone = browser_page()
    login(phone, "thu", first, next="/")
    assert phone.url.endswith("/account")
    phone.fill("#current", first)
    phone.fill("#new", INSPECTOR_PASSWORD)
    phone.fill("#confirm", INSPECTOR_PASSWORD)
    phone.click("text=Đổi mật khẩu >> xpath=ancestor-or-self::button")
    phone.wait_for_selector("text=Đã đổi mật khẩu.")
    phone.goto("/")
    assert "/login" not in phone.url

    # Deactivated by the administrator: the phone's next request is signed out.
    admin.goto(f"/admin/users/{thu_id}")
    assert_accessible(admin, "a user's page")
    admin.click("text=Vô hiệu hóa >> xpath=ancestor-or-self::button")
    admin.wait_for_selector("text=đã bị vô hiệu hóa")
    phone.goto("/")
    assert "/login" in phone.url
    login(phone, "thu", INSPECTOR_PASSWORD, next="/")
    assert "/login" in phone.url and "Sai tên đăng nhập hoặc mật khẩu" in phone.content()
