"""The dashboard's stored totals (models/reporting.py): what each one sums, and
keeping them in step with the inspections and actions they sum.

Each total is defined by its facts: a select of one row per inspection,
failure or action, with the total's columns, grouped by the total's keys. The
dashboard reads a total when it has a column for every filter of the request,
and sums the facts themselves otherwise (services/dashboard.py): one
definition serves both, so they cannot disagree.

Kept in step in two steps. At flush time, session listeners note the
inspections and actions that change, rewrite the failed_items rows of the
rescored ones (services/item_results.py, under their units' locks on
PostgreSQL), and note every unit, or (day, plan), they were and are in as a
pending group (`PendingTotal`), in the same transaction. Then `catch_up()`
sums the pending groups again from the facts, in a transaction of its own:
DASHBOARD_TOTALS_DELAY_S after a commit, from a timer thread (at once when
0), and always before the dashboard reads them. A submission thus writes one
row for the totals instead of summing a unit's and a day's inspections, and a
catch-up sums a busy group once for many submissions. One catch-up runs at a
time on PostgreSQL (an advisory lock); SQLite has one writer anyway.

Late submissions and closings are judged in BABEL_DEFAULT_TIMEZONE when
summed; after changing that setting, `rebuild_all()` re-judges them.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (ActionStatus, ActionTotal, ChecklistVersion, CoverageTotal, FailedItem, Inspection,
                      InspectionStatus, ItemFailureTotal, PendingTotal, RemediationAction, RepeatTotal,
                      RepeatUnitTotal, UnitScoreTotal)
from . import deferred, item_results

DONE = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.CONCLUDED)
FINISHED = (ActionStatus.CLOSED, ActionStatus.CANCELLED)

# Advisory locks (PostgreSQL): a unit's failed_items rows (a namespace), the catch-up.
UNIT_LOCKS, CATCH_UP_LOCK = 7201, 7203


def _utc_offset() -> int:
    """Hours from UTC to BABEL_DEFAULT_TIMEZONE, now."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return int(datetime.now(tz).utcoffset().total_seconds() // 3600)


def local_day(column):
    """The local calendar day (BABEL_DEFAULT_TIMEZONE) of a UTC timestamp column, on SQLite and PostgreSQL."""
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


# --- Keeping them in step -------------------------------------------------------

_NOTED, _PENDING = "kiemtra.dashboard_totals.noted", "kiemtra.dashboard_totals.pending"
# Changes of these attributes move an inspection or an action in the totals
# (relationships too: their foreign key is only set during the flush).
INSPECTION_FIELDS = ("status", "window_start", "window_end", "plan_id", "plan", "checklist_version_id",
                     "checklist_version", "unit_id", "unit", "kind", "score_percent", "submitted_at")
ACTION_FIELDS = ("status", "unit_id", "unit", "deadline", "closed_at", "inspection_id", "inspection")
# An inspection's actions are summed under its plan and checklist.
REGROUPING = {"plan_id", "plan", "checklist_version_id", "checklist_version"}
_UNKNOWN = object()


@dataclass
class _Changes:
    """What one flush changes: for each total, the units or days to recompute."""

    among: defaultdict[Totals, set] = field(default_factory=lambda: defaultdict(set))
    moved: list[tuple[object, tuple[Totals, ...]]] = field(default_factory=list)  # their keys after the flush
    rescored: dict = field(default_factory=dict)  # inspection → first score (item_results.write)
    regrouped: set[int] = field(default_factory=set)  # inspections whose actions change group


def _changes(state, names) -> set[str]:
    return {name for name in names if state.attrs[name].history.has_changes()}


def _stored(state, name):
    """An attribute's value in the database before this flush, if the session knows it."""
    history = state.attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if not history.added and name in state.dict:
        return state.dict[name]
    return _UNKNOWN


@event.listens_for(Session, "before_flush")
def _note_changes(session, _context, _instances) -> None:
    # A fresh note per flush: one left by a flush that failed is stale.
    session.info[_NOTED] = noted = _Changes()
    stored = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Inspection):
            totals = _inspection_totals(session, obj, noted)
        elif isinstance(obj, RemediationAction) and (obj in session.new or obj in session.deleted
                                                     or _changes(sa.inspect(obj), ACTION_FIELDS)):
            totals = (ACTIONS,)
        else:
            continue
        if totals and obj not in session.new:
            stored.append((obj, totals))
        if totals and obj not in session.deleted:
            noted.moved.append((obj, totals))
    _note_stored(session, noted, stored)


def _inspection_totals(session, obj: Inspection, noted: _Changes) -> tuple[Totals, ...]:
    """The totals a change of this inspection moves; notes its failed_items rewrite and its actions."""
    state = sa.inspect(obj)
    if obj in session.deleted:  # its failed_items go with it (ON DELETE CASCADE)
        return COVERAGE, UNIT_SCORES, ITEM_FAILURES, REPEATS, REPEATED_PAIRS
    new, changed = obj in session.new, _changes(state, (*INSPECTION_FIELDS, *item_results.COPIED))
    totals = (COVERAGE, UNIT_SCORES) if new or changed else ()
    if changed & set(item_results.COPIED) and not (new and obj.score is None):
        noted.rescored[obj] = new or item_results.first_score(state)
        totals += (ITEM_FAILURES, REPEATS, REPEATED_PAIRS)
    if changed & REGROUPING and not new:
        noted.regrouped.add(state.identity[0])
    return totals


def _note_stored(session, noted: _Changes, stored: list) -> None:
    """The units and days the changing rows are in before the flush: from the
    session where it knows them, else read from the database."""
    unread = defaultdict(list)
    for obj, totals in stored:
        state = sa.inspect(obj)
        for total in totals:
            value = tuple(_stored(state, name) for name in total.by)
            if _UNKNOWN in value:
                unread[type(obj)].append((state.identity[0], total))
            else:
                noted.among[total].add(value)
    for model, wanted in unread.items():
        columns = [model.unit_id, *([model.window_start, model.plan_id] if model is Inspection else [])]
        rows = {row.id: row for row in session.connection().execute(
            sa.select(model.id, *columns).where(model.id.in_({key for key, _total in wanted})))}
        for key, total in wanted:
            noted.among[total].add(tuple(getattr(rows[key], name) for name in total.by))


@event.listens_for(Session, "after_flush")
def _note_pending(session, _context) -> None:
    """Rewrite the failed_items rows of rescored inspections, and note the groups to sum again."""
    noted = session.info.pop(_NOTED, None)
    if noted is None:
        return
    connection = session.connection()
    for obj, totals in noted.moved:
        for total in totals:
            noted.among[total].add(tuple(getattr(obj, name) for name in total.by))
    if noted.regrouped:
        a = RemediationAction
        noted.among[ACTIONS].update((unit_id,) for unit_id in connection.scalars(
            sa.select(a.unit_id).where(a.inspection_id.in_(noted.regrouped))))
    if not noted.among:
        return
    rescored = {first: [i for i, is_first in noted.rescored.items() if is_first == first and i.id is not None]
                for first in (True, False)}
    if rescored[True] or rescored[False]:
        _lock_units(connection, {unit for unit, in noted.among[REPEATS]})
        for first, inspections in rescored.items():
            if inspections:
                item_results.write(connection, inspections, first=first)
    blank = dict.fromkeys(("unit_id", "window_start", "plan_id"))
    connection.execute(sa.insert(PendingTotal), [
        {**blank, "totals": totals.table.name, **dict(zip(totals.by, key))}
        for totals in ALL for key in sorted(noted.among.get(totals, ()), key=repr)])
    session.info[_PENDING] = True


deferred.after_commit_of(_PENDING, "dashboard totals", "DASHBOARD_TOTALS_DELAY_S", lambda _session: catch_up)


def catch_up() -> int:
    """Sum again every group noted as pending, in a transaction of its own;
    returns how many notes it took. On PostgreSQL it waits for a catch-up at
    work in another process, then takes what that one could not see."""
    p = PendingTotal.__table__
    with Session(db.engine) as session, session.begin():
        connection = session.connection()
        if connection.execute(sa.select(p.c.id).limit(1)).first() is None:
            return 0  # nothing to do, and on SQLite no write lock taken
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CATCH_UP_LOCK)))
        # Taken and deleted in one statement: a note committed meanwhile stays for the next run.
        notes = connection.execute(sa.delete(p).returning(p.c.totals, p.c.unit_id, p.c.window_start,
                                                          p.c.plan_id)).all()
        among: defaultdict[Totals, set] = defaultdict(set)
        for note in notes:
            totals = BY_TABLE[note.totals]
            among[totals].add(tuple(getattr(note, name) for name in totals.by))
        for totals in ALL:
            if totals in among:
                refresh(connection, totals, among[totals])
    return len(notes)


def _lock_units(connection, units: set) -> None:
    """PostgreSQL: wait for the other writers of these units' failed_items rows,
    taking the locks in one order: two submissions for one unit would otherwise
    update each other's rows in opposite orders, or judge their repeats without
    seeing each other's failures."""
    if connection.dialect.name != "postgresql":
        return  # SQLite has one writer at a time
    for unit in sorted(units, key=lambda unit: (unit is None, unit)):  # usually one
        connection.execute(_UNIT_LOCK, {"unit": unit or 0})


# Built once: a submission takes it every time.
_UNIT_LOCK = sa.select(sa.func.pg_advisory_xact_lock(UNIT_LOCKS, sa.bindparam("unit", type_=sa.Integer)))
