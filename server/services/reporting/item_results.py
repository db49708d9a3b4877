"""The failed_items table (models/reporting.py): its rows, from stored scores.

Whoever writes Inspection.score (services/fieldwork/submissions.py, revisions, review)
need not know about this table: the session listener of
services/reporting/totals.py notices a changed score at flush time and calls
`write()` for that inspection, in the same transaction, before it recomputes
the totals that count failures. `rebuild_all()` refills the table from the
stored scores (benchmarks).
"""
from __future__ import annotations

import functools
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import FailedItem, Inspection

FLOOR = date(1900, 1, 1)  # an unscheduled failure: before every scheduled one
# Inspection attributes whose change rewrites its failed_items rows.
COPIED = ("score", "unit_id", "plan_id", "checklist_version_id", "window_start")


def failed_item_rows(inspection, score: dict | None) -> list[dict]:
    """The failed_items rows for one stored score (`inspection`: a row with the copied columns)."""
    rows = []
    for item in (score or {}).get("items") or ():
        if item.get("outcome") == "fail":
            rows.append({"inspection_id": inspection.id, "unit_id": inspection.unit_id,
                         "plan_id": inspection.plan_id, "checklist_version_id": inspection.checklist_version_id,
                         "window_start": inspection.window_start, "item_key": item["key"],
                         "section_key": item.get("section") or "", "is_repeat": False})
    return rows


def _marking(where=None) -> sa.Update:
    """is_repeat = an earlier failure of the same item at the same unit exists (scheduled
    earlier, or the same day in an older inspection), for the rows `where` selects."""
    t = FailedItem.__table__
    f2 = t.alias("earlier")
    mine, theirs = sa.func.coalesce(t.c.window_start, FLOOR), sa.func.coalesce(f2.c.window_start, FLOOR)
    earlier = sa.exists().where(
        f2.c.unit_id == t.c.unit_id, f2.c.item_key == t.c.item_key,
        sa.or_(theirs < mine, sa.and_(theirs == mine, f2.c.inspection_id < t.c.inspection_id)))
    # Only the rows whose flag changes are written: PostgreSQL would otherwise
    # write a new version of every row in range, and of each of its index entries.
    stmt = sa.update(t).values(is_repeat=sa.not_(t.c.is_repeat)).where(t.c.is_repeat != earlier)
    return stmt if where is None else stmt.where(where)


@functools.cache
def _marking_since() -> sa.Update:
    """The failures of some units and items scheduled from a day on (`units`,
    `items`, `since`): built once, as a submission runs it each time."""
    t = FailedItem.__table__
    return _marking(sa.and_(t.c.unit_id.in_(sa.bindparam("units", expanding=True)),
                            t.c.item_key.in_(sa.bindparam("items", expanding=True)),
                            sa.func.coalesce(t.c.window_start, FLOOR) >= sa.bindparam("since", type_=sa.Date)))


def write(connection, inspections: list, *, first: bool = False) -> None:
    """Rewrite the rows of these inspections; `first`: none had a stored score, so none has rows.

    The caller holds the PostgreSQL advisory locks of the units involved
    (services/reporting/totals.py takes them, in order): two submissions for
    one unit would otherwise update each other's rows in opposite orders and
    deadlock.
    """
    t = FailedItem.__table__
    ids = [i.id for i in inspections]
    before = [] if first else connection.execute(
        sa.select(t.c.unit_id, t.c.item_key, t.c.window_start).where(t.c.inspection_id.in_(ids))).all()
    rows = [r for i in inspections for r in failed_item_rows(i, i.score)]
    if not first:
        connection.execute(sa.delete(t).where(t.c.inspection_id.in_(ids)))
    if rows:
        connection.execute(sa.insert(t), rows)
    # Writing or removing a failure can change which failures of the same
    # (unit, item) repeat an earlier one: those scheduled from the earliest
    # changed window on. Every (unit, item) of the units and items involved is
    # judged again: more than the changed pairs when several units are, never fewer.
    pairs = {(u, k) for u, k, _w in before} | {(r["unit_id"], r["item_key"]) for r in rows}
    if pairs:
        since = min([w or FLOOR for _u, _k, w in before] + [r["window_start"] or FLOOR for r in rows])
        connection.execute(_marking_since(), {"units": sorted({u for u, _k in pairs}),
                                              "items": sorted({k for _u, k in pairs}), "since": since})


def first_score(state) -> bool:
    """The score is being set where it was known to be None: the inspection has no rows yet."""
    history = state.attrs.score.history
    return history.deleted == [None] and history.added != [None]


def rebuild_all(batch: int = 2000) -> int:
    """Refill failed_items from every stored score; returns the number of rows."""
    db.session.execute(sa.delete(FailedItem))
    last, total = 0, 0
    while True:
        chunk = db.session.execute(
            sa.select(Inspection.id, Inspection.unit_id, Inspection.plan_id, Inspection.checklist_version_id,
                      Inspection.window_start, Inspection.score)
            .where(Inspection.id > last, Inspection.score.is_not(None))
            .order_by(Inspection.id).limit(batch)
        ).all()
        if not chunk:
            break
        rows = [r for i in chunk for r in failed_item_rows(i, i.score)]
        if rows:
            db.session.execute(sa.insert(FailedItem), rows)
        total += len(rows)
        last = chunk[-1][0]
    db.session.execute(_marking())
    return total
