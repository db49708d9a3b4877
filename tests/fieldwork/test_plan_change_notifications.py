"""A change to a planned inspection is told to those it concerns with a link to
that inspection (the team's phone, the unit's notice), and not to whoever made it."""
from datetime import timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import Inspection, Notification, Role, User
from server.models.types import utcnow
from server.services.fieldwork import plans
from tests.fieldwork_data import make_field_world


def told() -> dict[str, str]:
    return {name: link for name, link in db.session.execute(
        sa.select(User.username, Notification.link).join(User, User.id == Notification.user_id))}


def test_new_dates_link_the_team_to_the_inspection_and_the_unit_to_its_notice(ctx):
    ids = make_field_world()
    inspection = db.session.get(Inspection, ids["id"])
    inspection.plan.notice_published_at = utcnow()
    lead = db.session.get(User, ids["lead_id"])
    assert lead.role == Role.LEAD and lead in inspection.team.members
    start = inspection.window_start + timedelta(days=1)
    plans.reschedule_inspection(lead, inspection, window_start=start, window_end=start + timedelta(days=2),
                                team=inspection.team)
    assert told() == {"insp": f"/app#/i/{inspection.uuid}", "officer": f"/portal/notices/{inspection.uuid}"}


def test_a_cancelled_inspection_links_the_team_to_it(ctx):
    ids = make_field_world()
    inspection = db.session.get(Inspection, ids["id"])
    plans.cancel_inspection(db.session.get(User, ids["lead_id"]), inspection, reason="Đơn vị sáp nhập")
    assert told() == {"insp": f"/app#/i/{inspection.uuid}"}
