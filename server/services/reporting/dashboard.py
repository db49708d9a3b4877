"""The lead's dashboard: every figure summed by the database, under the same
filters (period of the scheduled window, plan, checklist, unit).

Each chart sums a stored total (models/reporting.py, services/reporting/totals.py)
when the total has a column for every filter of the request, and otherwise
the facts the total is summed from, narrowed by the filter. The totals drop
either the unit or the day of the window, which is where they collapse to a
few thousand rows; a filter on what a total dropped leaves a fraction of the
facts (one unit's, one period's). At 100,000 inspections a request takes well
under 300 ms on SQLite and PostgreSQL without the view's cache
(benchmarks/dashboard.py); a period spanning most of the data costs about as
much as summing its facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import ChecklistVersion, Inspection, InspectionKind, InspectionStatus, Plan, RemediationAction, Unit
from ..checklists.definition import iter_items, localize
from . import totals_upkeep
from .totals import FINISHED, Totals, action_facts
from .totals import ACTIONS, COVERAGE, ITEM_FAILURES, REPEATED_PAIRS, REPEATS, UNIT_SCORES
from ..foundation.settings import local_today

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

    def columns(self) -> set[str]:
        """The columns these filters need."""
        return {column for column, value in (
            ("window_start", self.period_start or self.period_end), ("plan_id", self.plan_id),
            ("checklist_id", self.checklist_id), ("unit_id", self.unit_id)) if value}


def inspection_conditions(f: Filters, *, include_cancelled: bool = False) -> list:
    """WHERE clauses on Inspection for these filters (the exports)."""
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


def _source(totals: Totals, f: Filters) -> sa.FromClause:
    """The stored total when it has a column for every filter, else its facts (same column names)."""
    return _narrowest(f, totals.table, totals.facts().subquery())


def _narrowest(f: Filters, *sources: sa.FromClause) -> sa.FromClause:
    """The first of these sources with a column for every filter."""
    return next(s for s in sources if f.columns() <= set(s.c.keys()))


def _where(source: sa.FromClause, f: Filters) -> list:
    """The filters as conditions on a total or on its facts."""
    c = source.c
    where = []
    if f.period_start:
        where.append(c.window_start >= f.period_start)
    if f.period_end:
        where.append(c.window_start <= f.period_end)
    if f.plan_id:
        where.append(c.plan_id == f.plan_id)
    if f.checklist_id:
        where.append(c.checklist_id == f.checklist_id)
    if f.unit_id:
        where.append(c.unit_id == f.unit_id)
    return where


def month_of(column):
    """'YYYY-MM' of a date column: a substring of the stored text on SQLite (cheaper
    than two strftime calls per row), to_char on PostgreSQL."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.substr(column, 1, 7)
    return sa.func.to_char(column, "YYYY-MM")


def _months(f: Filters, today: date) -> list[sa.Row]:
    """Per month of the window (None: no window): planned, done, late, missed, scored, score sum."""
    source = _source(COVERAGE, f)
    c = source.c
    month = month_of(c.window_start)
    missed = sa.case((c.window_end < today, c.planned - c.done), else_=0)
    return db.session.execute(
        sa.select(month.label("period"), *(sa.func.sum(x).label(x.key) for x in (c.planned, c.done, c.late)),
                  sa.func.sum(missed).label("missed"), sa.func.sum(c.scored).label("scored"),
                  sa.func.sum(c.score_sum).label("score_sum"))
        .where(*_where(source, f)).group_by(month).order_by(month)
    ).all()


def coverage(f: Filters, today: date) -> dict:
    """Planned / done / late / missed, by month of the scheduled window, and in total."""
    totals_upkeep.catch_up()
    return _coverage(_months(f, today))


def _coverage(rows: list[sa.Row]) -> dict:
    months = [{"period": r.period, "planned": r.planned, "done": r.done, "late": r.late, "missed": r.missed}
              for r in rows if r.period is not None]
    total = {k: sum(r[k] for r in months) for k in ("planned", "done", "late", "missed")}
    total["open"] = total["planned"] - total["done"] - total["missed"]
    return {"months": months, "total": total}


def cancelled_count(f: Filters) -> int:
    """Inspections cancelled under these filters: counted apart, never as planned, done or missed."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Inspection).where(
        *inspection_conditions(f, include_cancelled=True), Inspection.status == InspectionStatus.CANCELLED)) or 0


def _unit_names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())


def _sortable(mean):
    """A mean to 6 decimals, so that equal means tie and the unit decides: summed
    in another order (stored totals, facts, another database) they differ in
    their last bits."""
    return sa.func.round(sa.cast(mean, sa.Numeric), 6)


def scores(f: Filters) -> dict:
    """Mean percent by month, and by unit (the lowest first)."""
    totals_upkeep.catch_up()
    return _scores(f, _months(f, local_today()))


def _scores(f: Filters, months: list[sa.Row]) -> dict:
    by_period = [{"period": r.period, "mean": round(r.score_sum / r.scored, 1), "n": r.scored}
                 for r in months if r.period is not None and r.scored]
    source = _source(UNIT_SCORES, f)
    c = source.c
    scored = sa.func.sum(c.scored)
    mean = sa.func.sum(c.score_sum) / scored
    lowest = db.session.execute(
        sa.select(c.unit_id, mean, sa.func.min(c.score_min), scored).where(*_where(source, f))
        .group_by(c.unit_id).order_by(_sortable(mean), c.unit_id).limit(TOP)).all()
    names = _unit_names(r[0] for r in lowest)
    return {"by_period": by_period,
            "lowest_units": [{"unit_id": u, "unit": names.get(u, "?"), "mean": round(avg, 1), "min": lo, "n": n}
                             for u, avg, lo, n in lowest]}


def announced_gap(f: Filters) -> dict:
    """Announced minus unannounced mean percent, over units inspected both ways."""
    totals_upkeep.catch_up()
    return _announced_gap(f)


def _announced_gap(f: Filters) -> dict:
    source = _source(UNIT_SCORES, f)
    c = source.c

    def of(kind, column):
        return sa.func.sum(sa.case((c.kind == kind, column)))

    announced, unannounced = InspectionKind.ANNOUNCED, InspectionKind.UNANNOUNCED
    both = (sa.select(c.unit_id, (of(announced, c.score_sum) / of(announced, c.scored)).label("announced"),
                      (of(unannounced, c.score_sum) / of(unannounced, c.scored)).label("unannounced"))
            .where(*_where(source, f)).group_by(c.unit_id)
            .having(of(announced, c.scored) > 0, of(unannounced, c.scored) > 0).subquery())
    gap = both.c.announced - both.c.unannounced
    rows = db.session.execute(
        sa.select(both.c.unit_id, gap, both.c.announced, both.c.unannounced, sa.func.count().over(),
                  sa.func.avg(both.c.announced).over(), sa.func.avg(both.c.unannounced).over())
        .order_by(_sortable(gap).desc(), both.c.unit_id.desc()).limit(TOP)).all()
    if not rows:
        return {"units": 0, "announced": None, "unannounced": None, "gap": None, "largest": []}
    names = _unit_names(r[0] for r in rows)
    units, mean_announced, mean_unannounced = rows[0][4:]
    return {
        "units": units, "announced": round(mean_announced, 1), "unannounced": round(mean_unannounced, 1),
        "gap": round(mean_announced - mean_unannounced, 1),
        "largest": [{"unit": names.get(u, "?"), "gap": round(g, 1), "announced": round(a, 1),
                     "unannounced": round(un, 1)} for u, g, a, un, *_totals in rows],
    }


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
    """The items failed most often (in every scored inspection), and their share of the inspections done."""
    totals_upkeep.catch_up()
    return _most_failed_items(f, locale, _months(f, local_today()))


def _most_failed_items(f: Filters, locale: str, months: list[sa.Row]) -> dict:
    done = sum(r.done for r in months)
    source = _source(ITEM_FAILURES, f)
    fails = sa.func.sum(source.c.fails)
    rows = db.session.execute(
        sa.select(source.c.item_key, fails).where(*_where(source, f)).group_by(source.c.item_key)
        .order_by(fails.desc(), source.c.item_key).limit(TOP)).all()
    texts = item_texts(f, locale) if rows else {}
    return {"done": done, "items": [{"key": k, "text": texts.get(k, k), "fails": n,
                                     "share": round(100 * n / done, 1) if done else None} for k, n in rows]}


def repeat_findings(f: Filters, locale: str) -> dict:
    """The same item failed at the same unit again: (unit, item) pairs with a repeated failure."""
    totals_upkeep.catch_up()
    return _repeat_findings(f, locale)


def _repeat_findings(f: Filters, locale: str) -> dict:
    pairs, counts = _repeated_pairs(f)
    n_pairs, n_units = db.session.execute(counts).one()
    top = db.session.execute(
        sa.select(pairs).order_by(pairs.c.repeats.desc(), pairs.c.unit_id, pairs.c.item_key).limit(TOP)).all()
    names = _unit_names(r[0] for r in top)
    texts = item_texts(f, locale) if top else {}
    # A pair with n repeats has failed n + 1 times.
    return {"pairs": n_pairs, "units": n_units,
            "top": [{"unit": names.get(u, "?"), "item": texts.get(k, k), "times": n + 1} for u, k, n in top]}


def _repeated_pairs(f: Filters) -> tuple[sa.Subquery, sa.Select]:
    """(unit_id, item_key, repeats) of each pair of unit and item failed again
    under the filters, and the select of how many pairs and units they make."""
    source = _source(REPEATS, f)
    if source is REPEATS.table:
        per_unit = REPEATED_PAIRS.table
        pairs = sa.select(source.c.unit_id, source.c.item_key, source.c.repeats).where(*_level(source, f)).subquery()
        return pairs, sa.select(sa.func.coalesce(sa.func.sum(per_unit.c.pairs), 0), sa.func.count()).where(
            *_level(per_unit, f))
    c = source.c
    pairs = (sa.select(c.unit_id, c.item_key, sa.func.sum(c.repeats).label("repeats")).where(*_where(source, f))
             .group_by(c.unit_id, c.item_key).subquery())
    return pairs, sa.select(sa.func.count(), sa.func.count(sa.distinct(pairs.c.unit_id)))


def _level(table: sa.Table, f: Filters) -> list:
    """The filters on a repeat total: its rows over all checklists unless one is chosen."""
    return [*_where(table, f), *([] if f.checklist_id else [table.c.checklist_id.is_(None)])]


def actions_by_unit(f: Filters, today: date) -> dict:
    """Remediation actions open / overdue / closed on time / closed late, by responsible unit."""
    totals_upkeep.catch_up()
    return _actions_by_unit(f, today)


def _actions_by_unit(f: Filters, today: date) -> dict:
    per_unit = _actions_per_unit(f, today)
    keys = ("open", "overdue", "on_time", "late")
    counts = [per_unit.c[k] for k in keys]
    top = db.session.execute(
        sa.select(per_unit.c.unit_id, *counts, *(sa.func.sum(n).over() for n in counts))
        .order_by(per_unit.c.overdue.desc(), per_unit.c.open.desc(), per_unit.c.unit_id).limit(TOP)).all()
    names = _unit_names(r[0] for r in top)
    return {"total": dict(zip(keys, map(int, top[0][5:]))) if top else dict.fromkeys(keys, 0),
            "units": [{"unit_id": r[0], "unit": names.get(r[0], "?"), **dict(zip(keys, map(int, r[1:5])))}
                      for r in top]}


def _actions_per_unit(f: Filters, today: date) -> sa.Subquery:
    """(unit_id, open, overdue, on_time, late) per responsible unit.

    Which open actions are overdue changes with the date, so the stored
    totals count them all as open; the few not yet due (deadlines are weeks
    after an inspection) are counted from the actions and set apart.
    """
    source, facts = _source(ACTIONS, f), action_facts().subquery()
    if source is ACTIONS.table:
        # The actions themselves, unless a filter needs their inspection.
        actions = _narrowest(f, RemediationAction.__table__, facts)
        c, zero = source.c, sa.literal(0)
        rows = sa.union_all(
            sa.select(c.unit_id, c.open, zero.label("due"), c.on_time, c.late).where(*_where(source, f)),
            sa.select(actions.c.unit_id, zero, sa.literal(1), zero, zero)
            .where(actions.c.deadline >= today, actions.c.status.not_in(FINISHED), *_where(actions, f)),
        ).subquery()
    else:  # the actions are read anyway: in one pass
        due = sa.case((sa.and_(facts.c.deadline >= today, facts.c.open == 1), 1), else_=0)
        rows = (sa.select(facts.c.unit_id, facts.c.open, due.label("due"), facts.c.on_time, facts.c.late)
                .where(*_where(facts, f)).subquery())
    due = sa.func.sum(rows.c.due)
    return (sa.select(rows.c.unit_id, due.label("open"), (sa.func.sum(rows.c.open) - due).label("overdue"),
                      sa.func.sum(rows.c.on_time).label("on_time"), sa.func.sum(rows.c.late).label("late"))
            .group_by(rows.c.unit_id).subquery())


def summary(f: Filters, *, today: date, locale: str) -> dict:
    """Every chart of the dashboard, from totals caught up first."""
    totals_upkeep.catch_up()
    months = _months(f, today)
    coverage = _coverage(months)
    coverage["total"]["cancelled"] = cancelled_count(f)
    return {"coverage": coverage, "scores": _scores(f, months), "gap": _announced_gap(f),
            "failed": _most_failed_items(f, locale, months), "repeats": _repeat_findings(f, locale),
            "actions": _actions_by_unit(f, today)}


def filter_choices() -> dict:
    """What the filter form offers."""
    from ...models import Checklist

    return {
        "plans": db.session.execute(sa.select(Plan.id, Plan.title).order_by(Plan.period_start.desc()).limit(200)).all(),
        "checklists": db.session.execute(sa.select(Checklist.id, Checklist.key).order_by(Checklist.key)).all(),
    }
