"""The dashboard's stored totals (models/reporting.py): what each one sums.
totals_upkeep.py keeps them in step with the inspections and actions they sum.

Each total is defined by its facts: a select of one row per inspection,
failure or action, with the total's columns, grouped by the total's keys. The
dashboard reads a total when it has a column for every filter of the request,
and sums the facts themselves otherwise (services/reporting/dashboard.py): one
definition serves both, so they cannot disagree.

Late submissions and closings are judged in BABEL_DEFAULT_TIMEZONE when
summed; after changing that setting, `rebuild_all()` re-judges them.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ..foundation import settings as org_settings
from ...models import (ActionStatus, ActionTotal, ChecklistVersion, CoverageTotal, FailedItem, Inspection,
                      InspectionStatus, ItemFailureTotal, PendingTotal, RemediationAction, RepeatTotal,
                      RepeatUnitTotal, UnitScoreTotal)

DONE = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.CONCLUDED)
FINISHED = (ActionStatus.CLOSED, ActionStatus.CANCELLED)

# Advisory locks (PostgreSQL): a unit's failed_items rows (a namespace), the catch-up.
UNIT_LOCKS, CATCH_UP_LOCK = 7201, 7203


def _utc_offset() -> int:
    """Hours from UTC to the organisation's time zone, now."""
    tz = ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))
    return int(datetime.now(tz).utcoffset().total_seconds() // 3600)


def local_day(column):
    """The local calendar day (the organisation's time zone) of a UTC timestamp column, on SQLite and PostgreSQL."""
    hours = _utc_offset()
    if db.engine.dialect.name == "sqlite":
        # Dates are stored as 'YYYY-MM-DD' text on SQLite, so text compares as dates.
        return sa.func.date(column, f"{hours:+d} hours")
    return sa.cast(column + sa.text(f"interval '{hours} hours'"), sa.Date)


def _count_if(condition):
    return sa.case((condition, 1), else_=0)


# --- Facts: one row per inspection, failure or action ------------------------


def coverage_facts() -> sa.Select:
    """Each inspection not cancelled."""
    i = Inspection
    done = i.status.in_(DONE)
    scored = sa.and_(done, i.score_percent.is_not(None))
    return (
        sa.select(i.window_start, i.window_end, i.plan_id, ChecklistVersion.checklist_id, i.unit_id,
                  sa.literal(1).label("planned"), _count_if(done).label("done"),
                  _count_if(sa.and_(done, local_day(i.submitted_at) > i.window_end)).label("late"),
                  _count_if(scored).label("scored"), sa.case((scored, i.score_percent), else_=0.0).label("score_sum"))
        .join(ChecklistVersion, ChecklistVersion.id == i.checklist_version_id)
        .where(i.status != InspectionStatus.CANCELLED)
    )


def score_facts() -> sa.Select:
    """Each inspection done, with a score."""
    i = Inspection
    return (
        sa.select(i.unit_id, i.kind, i.plan_id, ChecklistVersion.checklist_id, i.window_start,
                  sa.literal(1).label("scored"), i.score_percent.label("score_sum"),
                  i.score_percent.label("score_min"))
        .join(ChecklistVersion, ChecklistVersion.id == i.checklist_version_id)
        .where(i.status.in_(DONE), i.score_percent.is_not(None))
    )


def failure_facts() -> sa.Select:
    """Each failed item of a stored score, cancelled inspections included, as
    the dashboard always counted them (the failed_items rows)."""
    f = FailedItem
    return (sa.select(f.window_start, f.plan_id, ChecklistVersion.checklist_id, f.item_key, f.unit_id,
                      sa.literal(1).label("fails"))
            .join(ChecklistVersion, ChecklistVersion.id == f.checklist_version_id))


def repeat_facts() -> sa.Select:
    """Each failure of an item that had already failed at the same unit."""
    f = FailedItem
    return (sa.select(ChecklistVersion.checklist_id, f.unit_id, f.item_key, f.plan_id, f.window_start,
                      sa.literal(1).label("repeats"))
            .join(ChecklistVersion, ChecklistVersion.id == f.checklist_version_id)
            .where(f.is_repeat == sa.true()))


def repeated_pair_facts() -> sa.Select:
    """Each (unit, item) pair failed again: the rows of repeat_totals, once refreshed."""
    r = RepeatTotal
    return sa.select(r.checklist_id, r.unit_id, sa.literal(1).label("pairs"))


def action_facts() -> sa.Select:
    """Each remediation action, with its inspection's plan, checklist and window."""
    a, i = RemediationAction, Inspection
    closed = a.status == ActionStatus.CLOSED
    return (
        sa.select(a.unit_id, i.plan_id, ChecklistVersion.checklist_id, i.window_start, a.deadline, a.status,
                  _count_if(a.status.not_in(FINISHED)).label("open"),
                  _count_if(sa.and_(closed, local_day(a.closed_at) <= a.deadline)).label("on_time"),
                  _count_if(sa.and_(closed, local_day(a.closed_at) > a.deadline)).label("late"))
        .join(i, i.id == a.inspection_id)
        .join(ChecklistVersion, ChecklistVersion.id == i.checklist_version_id)
    )


# --- Totals: the facts grouped -------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A stored total: its table, its facts, and the facts' column a refresh is limited to."""

    model: type
    facts: Callable[[], sa.Select]
    by: tuple[str, ...]  # BY_UNIT or BY_DAY_PLAN: the columns a refresh is limited by
    keys: tuple[str, ...]
    minimums: tuple[str, ...] = ()  # measures kept as a minimum, not a sum

    @property
    def table(self) -> sa.Table:
        return self.model.__table__

    @property
    def measures(self) -> list[str]:
        return [c.name for c in self.table.c if c.name not in (*self.keys, "id")]

    def rows(self, where: Callable | None = None) -> sa.Select:
        """The table's rows, grouped from the facts; `where(columns)`: a condition on their `by` columns."""
        facts = self.facts().subquery()
        keys = [facts.c[k] for k in self.keys]
        totals = [(sa.func.min if m in self.minimums else sa.func.sum)(facts.c[m]).label(m) for m in self.measures]
        stmt = sa.select(*keys, *totals).group_by(*keys)
        return stmt if where is None else stmt.where(where(facts.c))


class RepeatTotals(Totals):
    """Repeats are stored twice: per checklist, and over all checklists under a
    NULL checklist_id, since a pair repeats across checklists sharing an item key."""

    def rows(self, where: Callable | None = None) -> sa.CompoundSelect:
        facts = self.facts().subquery()
        pair = [facts.c.unit_id, facts.c.item_key]
        condition = [] if where is None else [where(facts.c)]
        repeats = sa.func.sum(facts.c.repeats).label("repeats")
        return sa.union_all(
            sa.select(facts.c.checklist_id, *pair, repeats).where(*condition).group_by(facts.c.checklist_id, *pair),
            sa.select(sa.null().label("checklist_id"), *pair, repeats).where(*condition).group_by(*pair))


# The per-day totals are refreshed by (day, plan), not by day: a plan's
# inspections of one day, not the whole day's, are summed again and locked.
BY_UNIT, BY_DAY_PLAN = ("unit_id",), ("window_start", "plan_id")
COVERAGE = Totals(CoverageTotal, coverage_facts, BY_DAY_PLAN, ("window_start", "window_end", "plan_id",
                                                               "checklist_id"))
UNIT_SCORES = Totals(UnitScoreTotal, score_facts, BY_UNIT, ("unit_id", "kind", "plan_id", "checklist_id"),
                     minimums=("score_min",))
ITEM_FAILURES = Totals(ItemFailureTotal, failure_facts, BY_DAY_PLAN, ("window_start", "plan_id", "checklist_id",
                                                                     "item_key"))
REPEATS = RepeatTotals(RepeatTotal, repeat_facts, BY_UNIT, ("checklist_id", "unit_id", "item_key"))
REPEATED_PAIRS = Totals(RepeatUnitTotal, repeated_pair_facts, BY_UNIT, ("checklist_id", "unit_id"))
ACTIONS = Totals(ActionTotal, action_facts, BY_UNIT, ("unit_id", "plan_id", "checklist_id"))
# In the order they are refreshed: the pairs count the refreshed repeats.
ALL = (COVERAGE, UNIT_SCORES, ITEM_FAILURES, REPEATS, REPEATED_PAIRS, ACTIONS)
BY_TABLE = {totals.table.name: totals for totals in ALL}


def _fill(totals: Totals, where: Callable | None = None) -> sa.Insert:
    return sa.insert(totals.table).from_select([*totals.keys, *totals.measures], totals.rows(where))


def refresh(connection, totals: Totals, among: Collection[tuple]) -> None:
    """Recompute a total's rows of these groups (tuples of its `by` values) from
    the facts: exactly these, not every combination of their values. The
    caller is the one catch-up at work."""
    by_nulls: defaultdict[tuple[bool, ...], list] = defaultdict(list)
    for group in among:
        nulls = tuple(value is None for value in group)
        known = [value for value in group if value is not None]
        by_nulls[nulls].append(known[0] if len(known) == 1 else tuple(known))
    shapes = tuple(sorted(by_nulls))
    delete, fill = _refresh_statements(totals, shapes, connection.dialect.name, _utc_offset())
    params = {f"groups{i}": sorted(by_nulls[nulls]) for i, nulls in enumerate(shapes) if not all(nulls)}
    connection.execute(delete, params)
    connection.execute(fill, params)


@functools.cache
def _refresh_statements(totals: Totals, shapes: tuple[tuple[bool, ...], ...], dialect: str, utc_offset: int
                        ) -> tuple[sa.Delete, sa.Insert]:
    """A refresh's statements, built once per shape of groups (which `by`
    columns are NULL): building them anew costs as much as running them.
    `dialect` and `utc_offset` only key the cache, for what local_day() builds."""

    def where(columns) -> sa.ColumnElement[bool]:
        alternatives = []
        for i, nulls in enumerate(shapes):
            conditions = [columns[name].is_(None) for name, null in zip(totals.by, nulls) if null]
            known = [columns[name] for name, null in zip(totals.by, nulls) if not null]
            if known:
                param = sa.bindparam(f"groups{i}", expanding=True)
                conditions.append((known[0] if len(known) == 1 else sa.tuple_(*known)).in_(param))
            alternatives.append(sa.and_(*conditions))
        return sa.or_(*alternatives)

    return sa.delete(totals.table).where(where(totals.table.c)), _fill(totals, where)


def rebuild_all() -> None:
    """Refill every total from its facts (after bulk inserts, or a change of time zone)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CATCH_UP_LOCK)))
    connection.execute(sa.delete(PendingTotal))
    for totals in ALL:
        connection.execute(sa.delete(totals.table))
        connection.execute(_fill(totals))
