"""Deadlines are computed in Python and overdue is one rule, in Python and in
SQL, the same on SQLite and PostgreSQL (server/services/remediation/deadlines.py)."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import ActionStatus, RemediationAction
from server.services.remediation.deadlines import deadline_for, overdue
from tests.factories import make_inspection


@pytest.mark.parametrize("start, days, deadline", [
    (date(2025, 5, 1), 15, date(2025, 5, 16)),
    (date(2025, 1, 31), 30, date(2025, 3, 2)),
    (date(2024, 2, 15), 15, date(2024, 3, 1)),  # leap year
    (date(2025, 2, 15), 15, date(2025, 3, 2)),
    (date(2025, 12, 20), 15, date(2026, 1, 4)),
    (date(2025, 7, 1), 0, date(2025, 7, 1)),
])
def test_deadline_is_the_given_number_of_calendar_days_after_the_start(start, days, deadline):
    assert deadline_for(start, days) == deadline


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError):
        deadline_for(date(2025, 7, 1), -1)


@pytest.mark.parametrize("value", [datetime(2025, 7, 1, 12, tzinfo=timezone.utc), "2025-07-01"])
def test_only_dates_are_accepted(value):
    with pytest.raises(TypeError):
        deadline_for(value, 15)
    with pytest.raises(TypeError):
        overdue(value)


TODAY = date(2025, 7, 15)


def _actions():
    inspection = make_inspection()
    actions = [
        RemediationAction(inspection=inspection, unit=inspection.unit, title=f"{status} {deadline}",
                          deadline=deadline, status=status)
        for status in ActionStatus
        for deadline in (date(2025, 7, 14), TODAY, date(2025, 7, 16), date(2024, 12, 31), date(2026, 1, 1))
    ]
    db.session.add_all(actions)
    db.session.commit()
    return actions


def test_overdue_in_sql_finds_exactly_the_actions_past_deadline_and_not_finished(ctx):
    actions = _actions()
    found = db.session.scalars(sa.select(RemediationAction.title).where(overdue(TODAY))).all()
    assert sorted(found) == sorted(a.title for a in actions if a.is_overdue(TODAY))
    assert sorted(found) == sorted(
        f"{status} {deadline}"
        for status in ActionStatus
        if status not in (ActionStatus.CLOSED, ActionStatus.CANCELLED)
        for deadline in (date(2025, 7, 14), date(2024, 12, 31))
    )


def test_an_action_is_not_overdue_on_its_deadline_day_but_is_the_day_after(ctx):
    inspection = make_inspection()
    action = RemediationAction(inspection=inspection, unit=inspection.unit, title="Niêm yết phí",
                               deadline=deadline_for(date(2025, 7, 1), 15))
    db.session.add(action)
    db.session.commit()

    def overdue_on(day):
        return db.session.scalar(sa.select(sa.func.count()).select_from(RemediationAction).where(overdue(day)))

    assert (overdue_on(date(2025, 7, 16)), action.is_overdue(date(2025, 7, 16))) == (0, False)
    assert (overdue_on(date(2025, 7, 17)), action.is_overdue(date(2025, 7, 17))) == (1, True)
