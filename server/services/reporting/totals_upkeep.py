"""Keeping the dashboard's stored totals (totals.py) in step with the
inspections and actions they sum.

Kept in step in two steps. At flush time, session listeners note the
inspections and actions that change, rewrite the failed_items rows of the
rescored ones (services/reporting/item_results.py, under their units' locks on
PostgreSQL), and note every unit, or (day, plan), they were and are in as a
pending group (`PendingTotal`), in the same transaction. Then `catch_up()`
sums the pending groups again from the facts, in a transaction of its own:
DASHBOARD_TOTALS_DELAY_S after a commit, from a timer thread (at once when
0), and always before the dashboard reads them. A submission thus writes one
row for the totals instead of summing a unit's and a day's inspections, and a
catch-up sums a busy group once for many submissions. One catch-up runs at a
time on PostgreSQL (an advisory lock); SQLite has one writer anyway.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Inspection, PendingTotal, RemediationAction
from ..foundation import deferred
from . import item_results
from .totals import (ACTIONS, ALL, BY_TABLE, CATCH_UP_LOCK, COVERAGE, ITEM_FAILURES, REPEATED_PAIRS, REPEATS,
                               UNIT_LOCKS, UNIT_SCORES, Totals, refresh)


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
