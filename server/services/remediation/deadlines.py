"""Deadlines and overdue, computed in Python and compared with bound dates.

Date arithmetic in SQL differs between SQLite (date() on text) and PostgreSQL
(date + integer); doing it here keeps one behaviour on both.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...models import ActionStatus, RemediationAction

# An action in one of these states is finished: never overdue.
FINISHED = (ActionStatus.CLOSED, ActionStatus.CANCELLED)


def deadline_for(start: date, days: int) -> date:
    """The day `days` calendar days after `start` (15 days from 1 May is 16 May)."""
    _require_date(start)
    if days < 0:
        raise ValueError(f"a deadline cannot be {days} days before its start")
    return start + timedelta(days=days)


def overdue(today: date) -> sa.ColumnElement[bool]:
    """SQL condition: the action's deadline passed before `today` and it is not finished.

    The same rule as RemediationAction.is_overdue(), for queries.
    """
    _require_date(today)
    return sa.and_(RemediationAction.deadline < today, RemediationAction.status.not_in(FINISHED))


def _require_date(value) -> None:
    # A datetime is a date too, but compares with a DATE column differently on
    # each database (text on SQLite): refuse it rather than guess.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"a date is needed, not {value!r}")
