"""Reporting helpers: a denormalised table of failed checklist items, the
dashboard's stored totals, and the indexes the dashboard and exports filter on.

`FailedItem` holds one row per failed item per inspection, copied from the
stored score (Inspection.score["items"], outcome "fail") whenever a score is
written (services/reporting/item_results.py), so that failures are never unpacked from
100,000 JSON documents per request; whether a failure repeats an earlier one is
decided when it is written.

The `*Total` tables hold sums of inspections, failures and actions, so that a
dashboard request reads a few thousand rows instead of the 100,000 inspections,
430,000 failures and 200,000 actions behind them: summing those per request
takes SQLite and PostgreSQL well over the 300 ms target. Each table drops one
dimension the dashboard filters on — the unit, or the day of the window — which
is where the rows collapse; a request filtered on the dropped dimension sums
the underlying rows instead (services/reporting/dashboard.py). services/reporting/totals.py
defines each sum and keeps it in step: the transaction that changes an
inspection or an action notes the groups it moves (`PendingTotal`), and a
catch-up sums them again soon after, and always before the dashboard reads.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .inspections import Inspection
from .remediation import RemediationAction


class FailedItem(db.Model):
    __tablename__ = "failed_items"
    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "item_key", name="uq_failed_items_item"),
        # Covering indexes for the totals of a day (and the repeats of a period)
        # and for the repeats of a plan, read without touching the table.
        sa.Index("ix_failed_items_window", "window_start", "is_repeat", "plan_id", "checklist_version_id", "unit_id",
                 "item_key"),
        sa.Index("ix_failed_items_plan", "plan_id", "is_repeat", "unit_id", "item_key", "checklist_version_id",
                 "window_start"),
        sa.Index("ix_failed_items_unit_item", "unit_id", "item_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(sa.String(100))
    section_key: Mapped[str] = mapped_column(sa.String(100))
    # Copies of the inspection's columns the dashboard filters on, so that its
    # queries need no join with the (wide) inspections table.
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"))
    checklist_version_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_versions.id"))
    window_start: Mapped[date | None]
    # The same item had already failed at the same unit (in an inspection scheduled no later).
    is_repeat: Mapped[bool] = mapped_column(default=False)


class CoverageTotal(db.Model):
    """Inspections not cancelled, summed per scheduled window, plan and checklist
    (no unit): the coverage and month charts."""

    __tablename__ = "coverage_totals"
    __table_args__ = (sa.Index("ix_coverage_totals_window", "window_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    plan_id: Mapped[int | None]
    checklist_id: Mapped[int]
    planned: Mapped[int]
    done: Mapped[int]  # submitted, approved or concluded
    late: Mapped[int]  # done after the window's last day, local time
    scored: Mapped[int]  # done with a score
    score_sum: Mapped[float]  # of the scored ones' percent


class UnitScoreTotal(db.Model):
    """Scored inspections done, summed per unit, kind, plan and checklist (no
    window): the lowest-units and announced/unannounced charts."""

    __tablename__ = "unit_score_totals"
    __table_args__ = (sa.Index("ix_unit_score_totals_unit", "unit_id", "kind", "plan_id", "checklist_id", "scored",
                               "score_sum", "score_min"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    plan_id: Mapped[int | None]
    checklist_id: Mapped[int]
    scored: Mapped[int]
    score_sum: Mapped[float]
    score_min: Mapped[float]


class ItemFailureTotal(db.Model):
    """Failed items, counted per item, window, plan and checklist (no unit): the
    most-failed items."""

    __tablename__ = "item_failure_totals"
    __table_args__ = (
        sa.Index("ix_item_failure_totals_item", "item_key", "window_start", "plan_id", "checklist_id", "fails"),
        sa.Index("ix_item_failure_totals_window", "window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_start: Mapped[date | None]
    plan_id: Mapped[int | None]
    checklist_id: Mapped[int]
    item_key: Mapped[str] = mapped_column(sa.String(100))
    fails: Mapped[int]


class RepeatTotal(db.Model):
    """Repeated failures, counted per (unit, item) pair (no window, no plan):
    the repeat findings. Each pair is stored per checklist and once more over
    all checklists, under a NULL checklist_id: a failure repeats one of
    another checklist with the same item key, and adding up the per-checklist
    rows per request would mean grouping every pair."""

    __tablename__ = "repeat_totals"
    __table_args__ = (sa.Index("ix_repeat_totals_unit_item", "unit_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int | None]
    unit_id: Mapped[int]
    item_key: Mapped[str] = mapped_column(sa.String(100))
    repeats: Mapped[int]


class RepeatUnitTotal(db.Model):
    """The repeated pairs of repeat_totals, counted per unit (and checklist, or
    NULL for all): the counts of pairs and units read a row per unit, not one
    per pair."""

    __tablename__ = "repeat_unit_totals"
    __table_args__ = (sa.Index("ix_repeat_unit_totals_unit", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int | None]
    unit_id: Mapped[int]
    pairs: Mapped[int]


class ActionTotal(db.Model):
    """Remediation actions, counted per responsible unit and their inspection's
    plan and checklist (no window): the actions chart. Which open actions are
    overdue changes with the date, so it is read from the actions themselves."""

    __tablename__ = "action_totals"
    __table_args__ = (sa.Index("ix_action_totals_unit", "unit_id", "plan_id", "checklist_id", "open", "on_time",
                               "late"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int]
    plan_id: Mapped[int | None]
    checklist_id: Mapped[int]
    open: Mapped[int]  # neither closed nor cancelled
    on_time: Mapped[int]  # closed by the deadline, local time
    late: Mapped[int]  # closed after it


class PendingTotal(db.Model):
    """A group of a stored total to sum again: written with the change that
    moves it, in the same transaction, and taken by the next catch-up
    (services/reporting/totals.py), which runs soon after the commit and before
    the dashboard reads. The same group may be noted many times over; a
    catch-up sums it once."""

    __tablename__ = "pending_totals"

    id: Mapped[int] = mapped_column(primary_key=True)
    totals: Mapped[str] = mapped_column(sa.String(24))  # the total's table
    unit_id: Mapped[int | None]  # the group of a total by unit
    window_start: Mapped[date | None]  # the group of a total by (day, plan)
    plan_id: Mapped[int | None]


# Columns the dashboard and the exports filter or sort on (additive indexes).
# The first covers the exports' aggregations over inspections, and the
# dashboard's sums of one day or one period and its joins to their actions
# (hence the id, which SQLite has in every index but PostgreSQL does not):
# the index is read, never the rows, which carry the score JSON.
sa.Index("ix_inspections_dashboard", Inspection.window_start, Inspection.status, Inspection.kind,
         Inspection.unit_id, Inspection.plan_id, Inspection.checklist_version_id, Inspection.score_percent,
         Inspection.window_end, Inspection.submitted_at, Inspection.id)
sa.Index("ix_inspections_checklist_version_id", Inspection.checklist_version_id)
sa.Index("ix_inspections_updated_at", Inspection.updated_at)
# An inspection's actions, and the open actions not yet due (deadline
# reminders too): the dashboard sums them from these indexes, without reading
# the actions' rows.
sa.Index("ix_remediation_actions_inspection", RemediationAction.inspection_id, RemediationAction.unit_id,
         RemediationAction.status, RemediationAction.deadline, RemediationAction.closed_at)
sa.Index("ix_remediation_actions_due", RemediationAction.deadline, RemediationAction.status,
         RemediationAction.unit_id, RemediationAction.inspection_id)
# The top repeated pairs in index order, without sorting every pair: per
# checklist, and over all checklists (a NULL checklist_id is no equality a
# plain index could order by).
sa.Index("ix_repeat_totals_checklist", RepeatTotal.checklist_id, RepeatTotal.repeats.desc(), RepeatTotal.unit_id,
         RepeatTotal.item_key)
sa.Index("ix_repeat_totals_all", RepeatTotal.repeats.desc(), RepeatTotal.unit_id, RepeatTotal.item_key,
         sqlite_where=RepeatTotal.checklist_id.is_(None), postgresql_where=RepeatTotal.checklist_id.is_(None))


class DocumentNumber(db.Model):
    """A number given to an issued document (số văn bản): per symbol and year,
    from 1, never given twice. `symbol` is the number's symbol as printed
    ("TB-ĐKT"), so documents sharing a symbol share its sequence and no two
    carry the same "07/TB-ĐKT" in a year. The row outlives its inspection: a
    number once issued stays taken."""

    __tablename__ = "document_numbers"
    __table_args__ = (
        sa.UniqueConstraint("symbol", "year", "number", name="uq_document_numbers_number"),
        sa.UniqueConstraint("kind", "inspection_id", name="uq_document_numbers_document"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # minutes | notice | conclusion
    symbol: Mapped[str] = mapped_column(sa.String(32))
    year: Mapped[int]
    number: Mapped[int]
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id", ondelete="SET NULL"))
    issued_on: Mapped[date]
