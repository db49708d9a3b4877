"""The permission rules, as pure functions and as list scopes."""
import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Inspection, InspectionKind, InspectionStatus, Role
from server.permissions import can, inspection_scope, redact
from tests.factories import make_inspection, make_team, make_unit, make_user
from server.models.types import utcnow

ROLES = [r.value for r in Role]


@pytest.fixture
def world(ctx):
    unit, other_unit = make_unit(name="Phường A"), make_unit(name="Phường B")
    team, other_team = make_team(), make_team()
    users = {
        "admin": make_user(Role.ADMIN),
        "lead": make_user(Role.LEAD, team=team),
        "viewer": make_user(Role.VIEWER),
        "inspector": make_user(Role.INSPECTOR, team=team),
        "outsider": make_user(Role.INSPECTOR, team=other_team),
        "officer": make_user(Role.UNIT_OFFICER, unit=unit),
        "other_officer": make_user(Role.UNIT_OFFICER, unit=other_unit),
    }
    announced = make_inspection(unit=unit, team=team, kind=InspectionKind.ANNOUNCED)
    surprise = make_inspection(unit=unit, team=team, kind=InspectionKind.UNANNOUNCED)
    db.session.commit()
    return users, announced, surprise


def visible_ids(user):
    return set(db.session.scalars(sa.select(Inspection.id).where(inspection_scope(user))))


def test_anonymous_may_do_nothing(world):
    _, announced, _ = world
    from flask_login import AnonymousUserMixin

    assert not can(AnonymousUserMixin(), "inspection.list")
    assert not can(None, "inspection.view", announced)


@pytest.mark.parametrize(
    "who, expected",
    [("admin", True), ("lead", True), ("viewer", True), ("inspector", True),
     ("outsider", False), ("officer", False), ("other_officer", False)],
)
def test_who_may_view_a_planned_announced_inspection(world, who, expected):
    users, announced, _ = world
    assert can(users[who], "inspection.view", announced) is expected


def test_unit_officer_sees_the_notice_of_an_announced_inspection_of_their_unit_only(world):
    users, announced, _ = world
    assert not can(users["officer"], "inspection.view_notice", announced)  # not published yet
    announced.plan.notice_published_at = utcnow()
    assert can(users["officer"], "inspection.view_notice", announced)
    assert not can(users["other_officer"], "inspection.view_notice", announced)


def test_unannounced_inspection_is_hidden_from_its_unit_until_check_in(world):
    users, _, surprise = world
    officer = users["officer"]
    assert surprise.id not in visible_ids(officer)
    assert not can(officer, "inspection.view_notice", surprise)
    surprise.checked_in_at = utcnow()
    surprise.status = InspectionStatus.IN_PROGRESS
    db.session.flush()
    assert surprise.id in visible_ids(officer)


def test_unit_officer_sees_the_full_inspection_only_once_concluded(world):
    users, announced, _ = world
    assert not can(users["officer"], "inspection.view", announced)
    announced.status = InspectionStatus.CONCLUDED
    assert can(users["officer"], "inspection.view", announced)
    assert not can(users["other_officer"], "inspection.view", announced)


def test_inspectors_list_only_their_teams_inspections_including_surprise_ones(world):
    users, announced, surprise = world
    assert visible_ids(users["inspector"]) == {announced.id, surprise.id}
    assert visible_ids(users["outsider"]) == set()
    assert visible_ids(users["other_officer"]) == set()
    assert visible_ids(users["lead"]) == {announced.id, surprise.id}


@pytest.mark.parametrize("who, expected", [("inspector", True), ("lead", True), ("outsider", False),
                                           ("viewer", False), ("officer", False), ("admin", False)])
def test_only_the_assigned_team_may_conduct_an_inspection(world, who, expected):
    users, announced, _ = world
    assert can(users[who], "inspection.conduct", announced) is expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action, allowed", [
    ("dashboard.view", {"admin", "lead", "viewer"}),
    ("checklist.manage", {"admin"}),
    ("checklist.view", {"admin", "lead", "viewer"}),
    ("checklist.upload", {"admin", "lead"}),
    ("checklist.publish", {"admin", "lead"}),
    ("checklist.retire", {"admin"}),
    ("unit.manage", {"admin"}),
    ("user.manage", {"admin"}),
    ("plan.manage", {"admin", "lead"}),
])
def test_role_level_permissions(ctx, role, action, allowed):
    user = make_user(role)
    assert can(user, action) is (role in allowed)


FULL = {"uuid": "u", "status": "s", "score_percent": 72.5, "result": "fail", "band": "Đạt", "answers": [],
        "findings": [], "section_scores": {}}


@pytest.mark.parametrize("status", [s.value for s in InspectionStatus])
@pytest.mark.parametrize("who", ["admin", "lead", "viewer", "inspector", "officer"])
def test_the_results_of_an_inspection_are_left_out_for_its_unit_until_the_conclusion(world, who, status):
    users, announced, _ = world
    announced.status = status
    sees_all = who != "officer" or status == InspectionStatus.CONCLUDED
    assert redact(users[who], announced, dict(FULL)) == (FULL if sees_all else {"uuid": "u", "status": "s"})


def test_a_listed_row_obeys_the_same_rule_as_the_inspection(world):
    """A field added later is left out too: the unit reads only the outline before the conclusion."""
    from types import SimpleNamespace

    users, _, surprise = world
    row = SimpleNamespace(unit_id=surprise.unit_id, team_id=surprise.team_id, kind=surprise.kind,
                          checked_in_at=utcnow(), status=InspectionStatus.APPROVED)
    assert redact(users["officer"], row, dict(FULL)) == {"uuid": "u", "status": "s"}
    assert redact(users["inspector"], row, dict(FULL)) == FULL
    row.status = InspectionStatus.CONCLUDED
    assert redact(users["officer"], row, dict(FULL)) == FULL
    row.checked_in_at = None  # never checked in: still embargoed, whatever its status says
    assert redact(users["officer"], row, dict(FULL)) == {"uuid": "u", "status": "s"}
    assert redact(users["other_officer"], row, dict(FULL)) == {"uuid": "u", "status": "s"}
