"""Narrowing a list of inspections (the review queue, the home lists) by what a
person types or picks: the unit's name or code (accent-insensitive, as the
unit search box), status, result, plan, checklist, a failed item and dates.

`parse` reads the filters from a query string and names what it cannot read
in the user's language; `apply` adds them to a SELECT of Inspection. Neither
widens what a user may see: the caller's statement keeps its own scope.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...models import Checklist, ChecklistVersion, Inspection, InspectionStatus, Unit
from ...models.reporting import FailedItem
from ...models.types import fold

RESULTS = ("pass", "fail", "incomplete")


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    result: str = ""
    plan_id: int | None = None
    checklist: str = ""
    item: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.q or self.status or self.result or self.plan_id or self.checklist or self.item
                    or self.date_from or self.date_to)


def _date(args, name: str, errors: list[str]) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_("“%(text)s” is not a date.", text=text[:40]))
        return None


def parse(args, *, statuses=tuple(InspectionStatus)) -> Filters:
    """The filters in `args` (request.args); unknown values are named in `errors`, not applied."""
    errors: list[str] = []
    status = (args.get("status") or "").strip()
    if status and status not in {str(s) for s in statuses}:
        errors.append(_("There is no status “%(value)s” here.", value=status[:40]))
        status = ""
    result = (args.get("result") or "").strip()
    if result and result not in RESULTS:
        errors.append(_("There is no result “%(value)s”.", value=result[:40]))
        result = ""
    plan_text = (args.get("plan") or "").strip()
    plan_id = None
    if plan_text:
        if plan_text.isdigit() and len(plan_text) < 10:
            plan_id = int(plan_text)
        else:
            errors.append(_("There is no plan “%(value)s”.", value=plan_text[:40]))
    filters = Filters(q=(args.get("q") or "").strip()[:200], status=status, result=result, plan_id=plan_id,
                      checklist=(args.get("checklist") or "").strip()[:100], item=(args.get("item") or "").strip()[:100],
                      date_from=_date(args, "from", errors), date_to=_date(args, "to", errors), errors=errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(_("The start date is after the end date."))
        filters.date_from = filters.date_to = None
    return filters


def apply(stmt, filters: Filters, *, with_results: bool = True):
    """`stmt` (a SELECT of Inspection) narrowed by `filters`.

    Without `with_results` the result and failed-item filters are ignored: a
    list that may not show results must not let them be guessed by filtering.
    """
    if filters.q:
        words = fold(filters.q).split()
        by_name = sa.select(Unit.id).where(*(Unit.name_folded.contains(w, autoescape=True) for w in words))
        code = filters.q.strip()
        # The unit as it is now, or as the inspection recorded it (a unit renamed since).
        stmt = stmt.where(sa.or_(Inspection.unit_id.in_(by_name), Inspection.unit_code_snapshot == code,
                                 Inspection.unit_name_snapshot.contains(code, autoescape=True)))
    if filters.status:
        stmt = stmt.where(Inspection.status == filters.status)
    if filters.plan_id is not None:
        stmt = stmt.where(Inspection.plan_id == filters.plan_id)
    if filters.checklist:
        versions = (sa.select(ChecklistVersion.id).join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
                    .where(Checklist.key == filters.checklist))
        stmt = stmt.where(Inspection.checklist_version_id.in_(versions))
    if with_results and filters.result:
        stmt = stmt.where(Inspection.result == filters.result)
    if with_results and filters.item:
        stmt = stmt.where(Inspection.id.in_(sa.select(FailedItem.inspection_id)
                                            .where(FailedItem.item_key == filters.item)))
    # An inspection's dates are its visit window: it matches when the window meets the asked days.
    if filters.date_from:
        stmt = stmt.where(sa.func.coalesce(Inspection.window_end, Inspection.window_start) >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Inspection.window_start <= filters.date_to)
    return stmt


def choices(stmt_scope) -> dict:
    """What the filter form offers: the plans and checklists of the inspections in `stmt_scope`
    (a WHERE clause), and the failed items by key with their text."""
    from ...extensions import db
    from ...i18n import text_for
    from ...models import Plan
    from ..checklists.definition import iter_items

    plans = db.session.execute(sa.select(Plan.id, Plan.title).where(
        Plan.id.in_(sa.select(Inspection.plan_id).where(stmt_scope))).order_by(Plan.id.desc()).limit(200)).all()
    checklists = db.session.scalars(sa.select(Checklist).where(Checklist.id.in_(
        sa.select(ChecklistVersion.checklist_id).where(ChecklistVersion.id.in_(
            sa.select(Inspection.checklist_version_id).where(stmt_scope))))).order_by(Checklist.key)).all()
    items: dict[str, str] = {}
    for checklist in checklists:
        if checklist.current is not None:
            for _section, item in iter_items(checklist.current.definition):
                items.setdefault(item["key"], text_for(item["text"]))
    return {"plans": plans, "checklists": checklists, "items": sorted(items.items(), key=lambda kv: kv[1])}
