"""Reporting helpers: a denormalised table of failed checklist items, and the
indexes the dashboard and exports filter on (issue #7).

`FailedItem` holds one row per failed item per inspection, copied from the
stored score (Inspection.score["items"], outcome "fail") whenever a score is
written (services/item_results.py keeps it in step). The dashboard's
"most-failed items" and "repeat findings" are then read from this table of
failures only, through covering indexes, instead of unpacking 100,000 JSON
documents per request, which neither SQLite nor PostgreSQL can do in 300 ms;
whether a failure repeats an earlier one is decided when it is written.
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
        # Covering indexes: the two charts read them without touching the table.
        sa.Index("ix_failed_items_item_key", "item_key", "window_start", "plan_id", "checklist_version_id", "unit_id"),
        sa.Index("ix_failed_items_repeat_pairs", "is_repeat", "unit_id", "item_key", "window_start", "plan_id",
                 "checklist_version_id"),
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


# Columns the dashboard and the exports filter or sort on (additive indexes).
# The first covers every dashboard aggregation over inspections: SQLite then
# scans the index and never reads the rows, which carry the score JSON.
sa.Index("ix_inspections_dashboard", Inspection.window_start, Inspection.status, Inspection.kind,
         Inspection.unit_id, Inspection.plan_id, Inspection.checklist_version_id, Inspection.score_percent,
         Inspection.window_end, Inspection.submitted_at)
sa.Index("ix_inspections_checklist_version_id", Inspection.checklist_version_id)
sa.Index("ix_inspections_updated_at", Inspection.updated_at)
sa.Index("ix_remediation_actions_deadline", RemediationAction.deadline)
sa.Index("ix_remediation_actions_dashboard", RemediationAction.unit_id, RemediationAction.status,
         RemediationAction.deadline, RemediationAction.closed_at)
