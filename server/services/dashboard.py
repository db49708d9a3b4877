"""The lead's dashboard: aggregations done by the database, one GROUP BY per chart.

Every figure obeys the same filters (period of the scheduled window, plan,
checklist, unit). Figures read only indexed columns of `inspections`, the
`failed_items` table (models/reporting.py) and `remediation_actions`, so a
request stays well under 300 ms at 100,000 inspections (benchmarks/dashboard.py).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..extensions import db
from ..models import (ActionStatus, ChecklistVersion, FailedItem, Inspection, InspectionKind,
                      InspectionStatus, Plan, RemediationAction, Unit)
from .checklist_format import iter_items, localize

DONE = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.CONCLUDED)
CLOSED = (ActionStatus.CLOSED, ActionStatus.CANCELLED)
TOP = 15


@dataclass(frozen=True)
class Filters:
    """What every chart is narrowed to; None means all."""

    period_start: date | None = None
    period_end: date | None = None
    plan_id: int | None = None
    checklist_id: int | None = None
    unit_id: int | None = None

    def as_args(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items() if v is not None}


def inspection_conditions(f: Filters, *, include_cancelled: bool = False) -> list:
    """WHERE clauses on Inspection for these filters (also used by the exports)."""
    where = [] if include_cancelled else [_status() != InspectionStatus.CANCELLED]
    if f.period_start:
        where.append(Inspection.window_start >= f.period_start)
    if f.period_end:
        where.append(Inspection.window_start <= f.period_end)
    if f.plan_id:
        where.append(Inspection.plan_id == f.plan_id)
    if f.checklist_id:  # most inspections share a checklist: scan the covering index, no row lookups
        where.append((Inspection.checklist_version_id + 0).in_(
            sa.select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == f.checklist_id)))
    if f.unit_id:
        where.append(Inspection.unit_id == f.unit_id)
    return where


def _status():
    """`status || ''`: compared through it, the status no longer steers SQLite to the
    status index (a row lookup per inspection) instead of the covering index scan."""
    return Inspection.status.concat("")


def _unindexed(column):
    """`column + 0`: grouping by it, SQLite no longer walks the single-column index
    (reading every wide row) but scans the covering ix_inspections_dashboard."""
    return (column + 0).label(column.key)


def month_of(column):
    """'YYYY-MM' of a date column: a substring of the stored text on SQLite (cheaper
    than two strftime calls per row), to_char on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.substr(column, 1, 7)
    return sa.func.to_char(column, "YYYY-MM")


def local_day(column, tz: str):
    """The local calendar day of a UTC timestamp column, on SQLite and PostgreSQL alike."""
    hours = int(datetime.now(ZoneInfo(tz)).utcoffset().total_seconds() // 3600)
    if db.engine.dialect.name == "sqlite":
        # Dates are stored as 'YYYY-MM-DD' text on SQLite, so text compares as dates.
        return sa.func.date(column, f"{hours:+d} hours")
    return sa.cast(column + sa.text(f"interval '{hours} hours'"), sa.Date)


def coverage(f: Filters, today: date, tz: str) -> dict:
    """Planned / done / late / missed, by month of the scheduled window, and in total."""
    done = _status().in_(DONE)
    late = sa.and_(done, local_day(Inspection.submitted_at, tz) > Inspection.window_end)
    missed = sa.and_(~done, Inspection.window_end < today)
    month = month_of(Inspection.window_start)
    as_int = lambda cond: sa.func.sum(sa.case((cond, 1), else_=0))  # noqa: E731
    rows = db.session.execute(
        sa.select(month, sa.func.count(), as_int(done), as_int(late), as_int(missed))
        .where(*inspection_conditions(f), Inspection.window_start.is_not(None))
        .group_by(month).order_by(month)
    ).all()
    months = [{"period": m, "planned": n, "done": d or 0, "late": lt or 0, "missed": ms or 0}
              for m, n, d, lt, ms in rows]
    total = {k: sum(r[k] for r in months) for k in ("planned", "done", "late", "missed")}
    total["open"] = total["planned"] - total["done"] - total["missed"]
    return {"months": months, "total": total}


def _unit_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def scores(f: Filters) -> dict:
    """Mean percent by month, and by unit (the lowest first)."""
    scored = [*inspection_conditions(f), _status().in_(DONE), Inspection.score_percent.is_not(None)]
    month = month_of(Inspection.window_start)
    by_period = [{"period": m, "mean": round(float(avg), 1), "n": n}
                 for m, avg, n in db.session.execute(
                     sa.select(month, sa.func.avg(Inspection.score_percent), sa.func.count())
                     .where(*scored, Inspection.window_start.is_not(None))
                     .group_by(month).order_by(month))]
    mean = sa.func.avg(Inspection.score_percent)
    unit = _unindexed(Inspection.unit_id)
    unit_rows = db.session.execute(
        sa.select(unit, mean, sa.func.min(Inspection.score_percent), sa.func.count())
        .where(*scored).group_by(unit).order_by(mean, unit).limit(TOP)
    ).all()
    names = _unit_names(r[0] for r in unit_rows)
    by_unit = [{"unit_id": u, "unit": names.get(u, "?"), "mean": round(float(avg), 1), "min": lo, "n": n}
               for u, avg, lo, n in unit_rows]
    return {"by_period": by_period, "lowest_units": by_unit}


def announced_gap(f: Filters) -> dict:
    """Announced minus unannounced mean percent, over units inspected both ways."""
    unit = _unindexed(Inspection.unit_id)
    rows = db.session.execute(
        sa.select(unit, Inspection.kind, sa.func.avg(Inspection.score_percent), sa.func.count())
        .where(*inspection_conditions(f), _status().in_(DONE), Inspection.score_percent.is_not(None))
        .group_by(unit, Inspection.kind)
    ).all()
    by_unit: dict[int, dict] = defaultdict(dict)
    for unit_id, kind, avg, n in rows:
        by_unit[unit_id][kind] = (float(avg), n)
    both = {u: k for u, k in by_unit.items() if InspectionKind.ANNOUNCED in k and InspectionKind.UNANNOUNCED in k}
    gaps = sorted(((k[InspectionKind.ANNOUNCED][0] - k[InspectionKind.UNANNOUNCED][0], u) for u, k in both.items()),
                  reverse=True)
    names = _unit_names(u for _, u in gaps[:TOP])
    announced = sum(k[InspectionKind.ANNOUNCED][0] for k in both.values()) / len(both) if both else None
    unannounced = sum(k[InspectionKind.UNANNOUNCED][0] for k in both.values()) / len(both) if both else None
    return {
        "units": len(both),
        "announced": round(announced, 1) if announced is not None else None,
        "unannounced": round(unannounced, 1) if unannounced is not None else None,
        "gap": round(announced - unannounced, 1) if both else None,
        "largest": [{"unit": names.get(u, "?"), "gap": round(g, 1),
                     "announced": round(both[u][InspectionKind.ANNOUNCED][0], 1),
                     "unannounced": round(both[u][InspectionKind.UNANNOUNCED][0], 1)} for g, u in gaps[:TOP]],
    }


def failure_conditions(f: Filters) -> list:
    """The filters on failed_items' own copies of the inspection columns (no join).

    Every scored inspection counts (a score is stored at submission), cancelled
    or not: cancelling a scored inspection is rare enough not to pay a join.
    """
    where = []
    if f.period_start:
        where.append(FailedItem.window_start >= f.period_start)
    if f.period_end:
        where.append(FailedItem.window_start <= f.period_end)
    if f.plan_id:
        where.append(FailedItem.plan_id == f.plan_id)
    if f.checklist_id:
        where.append(FailedItem.checklist_version_id.in_(
            sa.select(ChecklistVersion.id).where(ChecklistVersion.checklist_id == f.checklist_id)))
    if f.unit_id:
        where.append(FailedItem.unit_id == f.unit_id)
    return where


def item_texts(f: Filters, locale: str) -> dict[str, str]:
    """Item key → text, from the checklist versions in use (newest wins)."""
    stmt = sa.select(ChecklistVersion.definition).order_by(ChecklistVersion.id)
    if f.checklist_id:
        stmt = stmt.where(ChecklistVersion.checklist_id == f.checklist_id)
    texts: dict[str, str] = {}
    for definition in db.session.scalars(stmt):
        for _section, item in iter_items(definition):
            texts[item["key"]] = localize(item["text"], locale)
    return texts


def most_failed_items(f: Filters, locale: str) -> dict:
    done = db.session.scalar(sa.select(sa.func.count()).select_from(Inspection).where(
        *inspection_conditions(f), _status().in_(DONE)))
    fails = sa.func.count()
    rows = db.session.execute(
        sa.select(FailedItem.item_key, fails).where(*failure_conditions(f)).group_by(FailedItem.item_key)
        .order_by(fails.desc(), FailedItem.item_key).limit(TOP)).all()
    texts = item_texts(f, locale) if rows else {}
    return {"done": done, "items": [{"key": k, "text": texts.get(k, k), "fails": n,
                                     "share": round(100 * n / done, 1) if done else None} for k, n in rows]}


def repeat_findings(f: Filters, locale: str) -> dict:
    """The same item failed at the same unit again: (unit, item) pairs with a repeated failure."""
    repeats = [FailedItem.is_repeat.is_(True), *failure_conditions(f)]
    pairs = sa.select(FailedItem.unit_id, FailedItem.item_key).where(*repeats).distinct().subquery()
    n_pairs, n_units = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(pairs.c.unit_id)))).one()
    again = sa.func.count()
    top = db.session.execute(
        sa.select(FailedItem.unit_id, FailedItem.item_key, again).where(*repeats)
        .group_by(FailedItem.unit_id, FailedItem.item_key)
        .order_by(again.desc(), FailedItem.unit_id, FailedItem.item_key).limit(TOP)).all()
    names = _unit_names(r[0] for r in top)
    texts = item_texts(f, locale) if top else {}
    # A pair with n repeats has failed n + 1 times.
    return {"pairs": n_pairs, "units": n_units,
            "top": [{"unit": names.get(u, "?"), "item": texts.get(k, k), "times": n + 1} for u, k, n in top]}


def actions_by_unit(f: Filters, today: date, tz: str) -> dict:
    """Remediation actions open / overdue / closed on time / closed late, by responsible unit."""
    A = RemediationAction
    not_closed = A.status.notin_(CLOSED)
    closed = A.status == ActionStatus.CLOSED
    closed_day = local_day(A.closed_at, tz)
    as_int = lambda cond: sa.func.sum(sa.case((cond, 1), else_=0))  # noqa: E731
    overdue = as_int(sa.and_(not_closed, A.deadline < today))
    stmt = sa.select(A.unit_id, as_int(sa.and_(not_closed, A.deadline >= today)), overdue,
                     as_int(sa.and_(closed, closed_day <= A.deadline)),
                     as_int(sa.and_(closed, closed_day > A.deadline)))
    inspection_filters = replace(f, unit_id=None)
    if inspection_filters != Filters():
        # IN (ids) rather than a join: the ids come from the covering index, with no
        # lookup of a (wide) inspection row per action.
        stmt = stmt.where(A.inspection_id.in_(
            sa.select(Inspection.id).where(*inspection_conditions(inspection_filters))))
    if f.unit_id:  # the responsible unit, which may differ from the inspected one after a merger
        stmt = stmt.where(A.unit_id == f.unit_id)
    rows = db.session.execute(stmt.group_by(A.unit_id)).all()
    per_unit = [{"unit_id": u, "open": o or 0, "overdue": od or 0, "on_time": ot or 0, "late": lt or 0}
                for u, o, od, ot, lt in rows]
    total = {k: sum(r[k] for r in per_unit) for k in ("open", "overdue", "on_time", "late")}
    per_unit.sort(key=lambda r: (-r["overdue"], -r["open"], r["unit_id"]))
    top = per_unit[:TOP]
    names = _unit_names(r["unit_id"] for r in top)
    for r in top:
        r["unit"] = names.get(r["unit_id"], "?")
    return {"total": total, "units": top}


def summary(f: Filters, *, today: date, tz: str, locale: str) -> dict:
    """Every chart of the dashboard."""
    return {"coverage": coverage(f, today, tz), "scores": scores(f), "gap": announced_gap(f),
            "failed": most_failed_items(f, locale), "repeats": repeat_findings(f, locale),
            "actions": actions_by_unit(f, today, tz)}


def filter_choices() -> dict:
    """What the filter form offers."""
    from ..models import Checklist

    return {
        "plans": db.session.execute(sa.select(Plan.id, Plan.title).order_by(Plan.period_start.desc()).limit(200)).all(),
        "checklists": db.session.execute(sa.select(Checklist.id, Checklist.key).order_by(Checklist.key)).all(),
    }
