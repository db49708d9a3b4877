""""Today" is the organisation's day: at 01:15 in Hanoi (18:15 UTC the day before)
the home list, the actions' overdue flags, the field app's list and the reminders all
read the Hanoi date, not the server's UTC one."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Notification, Role
from server.services.foundation import settings as org_settings
from tests.factories import make_inspection, make_team, make_unit, make_user
from tests.remediation_factories import make_action

UTC_EVENING = datetime(2026, 12, 2, 18, 15, tzinfo=timezone.utc)  # 01:15 on 3 Dec in Hanoi
HANOI_DAY, UTC_DAY = date(2026, 12, 3), date(2026, 12, 2)


@pytest.fixture
def night(monkeypatch):
    monkeypatch.setattr(org_settings, "utc_now", lambda: UTC_EVENING)


@pytest.fixture
def world(ctx, night):
    unit = make_unit(name="Phường Đêm")
    lead = make_user(Role.LEAD, username="lead")
    inspector = make_user(Role.INSPECTOR, username="insp")
    team = make_team(members=[lead, inspector])
    team.lead = lead
    officer = make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
    action = make_action(unit=unit, team=team, deadline=UTC_DAY, title="Hạn hôm qua theo giờ Hà Nội")
    # Yesterday's inspection ended on the UTC day; today's (local) starts on the Hanoi day.
    make_inspection(unit=make_unit(name="Xã Hôm Qua"), team=team, start=date(2026, 11, 30), days=2)
    make_inspection(unit=make_unit(name="Xã Hôm Nay"), team=team, start=HANOI_DAY, days=0)
    db.session.commit()
    return {"action": action.id, "officer": officer.id}


def test_the_organisations_day_is_the_local_date_not_the_servers(ctx, night):
    assert org_settings.local_today() == HANOI_DAY
    org_settings.update({"BABEL_DEFAULT_TIMEZONE": "UTC"}, actor=None)
    assert org_settings.local_today() == UTC_DAY


def test_an_action_due_on_the_utc_day_is_overdue_at_0115_local(world, client, auth):
    auth.login("officer")
    listed = client.get("/api/actions").get_json()
    assert [(a["title"], a["overdue"]) for a in listed] == [("Hạn hôm qua theo giờ Hà Nội", True)]
    assert [a["title"] for a in client.get("/api/actions?overdue=true").get_json()] == ["Hạn hôm qua theo giờ Hà Nội"]


def test_todays_inspection_comes_first_by_the_local_date(world, client, auth):
    auth.login("insp")
    listed = client.get("/api/inspections").get_json()
    # The page's list puts it first too.
    page = client.get("/").get_data(as_text=True)
    assert page.index("Xã Hôm Nay") < page.index("Xã Hôm Qua")
    names = [row["unit_name"] for row in listed]
    assert names.index("Xã Hôm Nay") < names.index("Xã Hôm Qua")


def test_the_reminder_run_without_a_date_sends_the_overdue_reminder(world, runner):
    result = runner.invoke(args=["actions", "remind"])
    assert result.exit_code == 0, result.output
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == world["officer"])).all()
    assert kinds == ["reminder_overdue"]
