"""The unit officer's portal, and who reaches every portal, review and action route."""
import re
from datetime import date, timedelta

import pytest

from server.extensions import db
from server.models import ActionStatus, RemediationAction, Role
from server.services.directory.units import merge_units
from tests.factories import make_unit, make_user
from tests.portal_world import ROLES, build_world
from tests.remediation_factories import make_action


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_portal_shows_the_units_notices_conclusions_and_actions_and_nothing_of_other_units(client, auth, world):
    client.post("/lang/en")
    auth.login("officer")
    own, other = world["own"], world["other"]
    home = page(client, "/portal/")
    assert f"/portal/notices/{own.notice_uuid}" in home
    assert f"/portal/inspections/{own.concluded_uuid}" in home
    assert f"/actions/{own.action_id}" in home
    for leak in (other.notice_uuid, other.concluded_uuid, f"/actions/{other.action_id}\"", other.unit_name,
                 own.submitted_uuid, own.approved_uuid):
        assert leak not in home
    notice = page(client, f"/portal/notices/{own.notice_uuid}")
    assert "Báo cáo tự kiểm tra" in notice and f"Hội trường {own.unit_name}" in notice
    # The official notice is one link away, as a page and as PDF, and it opens for the officer.
    official = re.search(r'href="(/inspections/\d+/notice)"', notice).group(1)
    assert f'href="{official}.pdf"' in notice
    assert "Kính gửi" in page(client, official) or "To:" in page(client, official)
    concluded = page(client, f"/portal/inspections/{own.concluded_uuid}")
    assert f"Phát hiện của {own.unit_name}" in concluded and f"/actions/{own.action_id}" in concluded


def test_the_officers_actions_are_listed_overdue_first(app, client, auth, world):
    with app.app_context():
        action = db.session.get(RemediationAction, world["own"].action_id)
        late = make_action(action.inspection, deadline=date.today() - timedelta(days=2), title="Quá hạn rồi")
        closed_late = make_action(action.inspection, deadline=date.today() - timedelta(days=9),
                                  status=ActionStatus.CLOSED, title="Đã đóng")
        db.session.commit()
        ids = [late.id, action.id, closed_late.id]
    client.post("/lang/en")
    auth.login("officer")
    listing = page(client, "/portal/actions")
    positions = [listing.index(f"/actions/{i}\"") for i in ids]
    assert positions == sorted(positions)
    assert listing.count("Overdue</span>") == 1


def test_a_merged_units_open_action_appears_in_the_successors_portal_with_the_reason(app, client, auth):
    with app.app_context():
        old = make_unit(code="26734", name="Phường Cũ")
        successor = make_unit(code="26735", name="Phường Mới")
        make_user(Role.UNIT_OFFICER, username="successor_officer", unit=successor)
        make_user(Role.UNIT_OFFICER, username="old_officer", unit=old)
        action = make_action(unit=old)
        closed = make_action(action.inspection, status=ActionStatus.CLOSED, title="Đã xong trước sáp nhập")
        db.session.commit()
        merge_units(["26734"], "26735", effective=date(2025, 7, 1))
        db.session.commit()
        action_id, closed_id = action.id, closed.id
    client.post("/lang/en")
    auth.login("successor_officer")
    listing = page(client, "/portal/actions")
    assert f"/actions/{action_id}\"" in listing and f"/actions/{closed_id}\"" not in listing
    detail = page(client, f"/actions/{action_id}")
    assert "Moved to the successor unit" in detail and "Phường Cũ" in detail
    assert "Start work" in detail  # the successor now answers for it
    auth.logout()
    auth.login("old_officer")
    assert client.get(f"/actions/{action_id}").status_code == 404


# ── the matrix: every portal, review and action route × role × own / other unit ──

def expected(route: str, role: str, here: bool) -> int:
    """The status each role gets; `here` says whether the object belongs to the unit of the role (officers)."""
    officer_here = role in ("officer", "other_officer") and here
    officer_away = role in ("officer", "other_officer") and not here
    if route in ("portal.home", "portal.actions"):
        return 200 if role in ("officer", "other_officer") else 403
    if route in ("portal.inspection", "portal.notice"):
        return 200 if officer_here else 404 if officer_away else 403
    if route == "review.queue":
        return 200 if role == "lead" else 403
    if route == "review.inspection" and role in ("admin", "viewer"):
        return 200  # the inspection page, read-only
    if route in ("review.inspection", "review.conclusion", "review.approve", "review.follow_up"):
        if role == "lead":
            return 302 if route in ("review.approve", "review.follow_up") else 200
        return 404 if role == "outsider" or officer_away else 403
    if route == "actions.index":
        return 302 if role in ("officer", "other_officer") else 200
    if route == "actions.show":
        return 404 if role == "outsider" or officer_away else 200
    if route == "actions.note":
        if role == "outsider" or officer_away:
            return 404
        return 302 if role in ("lead", "inspector") or officer_here else 403
    if route in ("actions.request_extension", "actions.move"):
        if role == "outsider" or officer_away:
            return 404
        return 302 if officer_here else 403
    if route == "notifications.index":
        return 200
    raise AssertionError(route)


def routes(side) -> list[tuple[str, str, str, dict | None]]:
    later = (date.today() + timedelta(days=40)).isoformat()
    return [
        ("portal.home", "GET", "/portal/", None),
        ("portal.actions", "GET", "/portal/actions", None),
        ("portal.inspection", "GET", f"/portal/inspections/{side.concluded_uuid}", None),
        ("portal.notice", "GET", f"/portal/notices/{side.notice_uuid}", None),
        ("review.queue", "GET", "/review/", None),
        ("review.inspection", "GET", f"/review/inspections/{side.submitted_uuid}", None),
        ("review.conclusion", "GET", f"/review/inspections/{side.approved_uuid}/conclusion", None),
        ("actions.index", "GET", "/actions/", None),
        ("actions.show", "GET", f"/actions/{side.action_id}", None),
        ("notifications.index", "GET", "/notifications/", None),
        # Writes last, in an order where each is still possible for whoever may make it.
        ("actions.note", "POST", f"/actions/{side.action_id}/note", {"note": "Đang làm"}),
        ("actions.request_extension", "POST", f"/actions/{side.action_id}/extension",
         {"reason": "Chờ vật tư", "new_deadline": later}),
        ("actions.move", "POST", f"/actions/{side.action_id}/move", {"to": "in_progress"}),
        ("review.approve", "POST", f"/review/inspections/{side.submitted_uuid}/approve", None),
        ("review.follow_up", "POST", f"/review/inspections/{side.concluded_uuid}/follow-up",
         {"window_start": later, "window_end": later, "kind": "announced"}),
    ]


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_every_portal_review_and_action_route_answers_each_role_as_specified(client, auth, world, role, which):
    side = world[which]
    here = (role == "officer") == (which == "own")  # for officers: is this their unit's object?
    auth.login(role)
    wrong = []
    for name, method, url, data in routes(side):
        response = client.get(url) if method == "GET" else client.post(url, data=data or {})
        want = expected(name, role, here)
        if response.status_code != want:
            wrong.append((name, url, response.status_code, want))
    assert wrong == []


@pytest.mark.parametrize("role, sees_own, sees_other", [
    ("officer", True, False), ("other_officer", False, True), ("lead", True, True), ("inspector", True, True),
    ("outsider", False, False), ("viewer", True, True),
])
def test_the_actions_api_lists_and_shows_only_what_the_user_may_see(client, auth, world, role, sees_own, sees_other):
    auth.login(role)
    listed = {a["id"] for a in client.get("/api/actions").get_json()}
    for side, sees in (("own", sees_own), ("other", sees_other)):
        action_id = world[side].action_id
        assert (action_id in listed) is sees
        detail = client.get(f"/api/actions/{action_id}")
        assert detail.status_code == (200 if sees else 404)
        if sees:
            assert [e["kind"] for e in detail.get_json()["events"]] == ["created"]
