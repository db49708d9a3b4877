"""Remediation actions (yêu cầu khắc phục) and their history."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_VERIFICATION = "awaiting_verification"
    CLOSED = "closed"
    CANNOT_DO = "cannot_do"
    CANCELLED = "cancelled"
    # A closed (or cannot-do) action the lead reopened; the unit works on it
    # again from here (services/remediation/actions.py holds the moves).
    REOPENED = "reopened"


class RemediationAction(db.Model):
    __tablename__ = "remediation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed with the columns the dashboard sums (models/reporting.py).
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)  # responsible unit
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    item_keys: Mapped[list] = mapped_column(JSONType, default=list)
    # The findings as they were when the conclusion was issued.
    finding_snapshot: Mapped[list] = mapped_column(JSONType, default=list)
    severity: Mapped[str] = mapped_column(sa.String(16), default="minor")
    priority: Mapped[str] = mapped_column(sa.String(16), default="normal")  # low | normal | high
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(24), index=True, default=ActionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection = relationship("Inspection")
    unit = relationship("Unit")
    events: Mapped[list[ActionEvent]] = relationship(back_populates="action", order_by="ActionEvent.id")
    extension_requests: Mapped[list[ExtensionRequest]] = relationship(
        order_by="ExtensionRequest.id", viewonly=True
    )

    def is_overdue(self, today: date) -> bool:
        """Overdue is computed, not a state: deadline passed and not closed."""
        return self.status not in (ActionStatus.CLOSED, ActionStatus.CANCELLED) and today > self.deadline


class ActionEvent(db.Model):
    """One entry of an action's timeline: a move, a note, an extension request."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("remediation_actions.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # transition | note | extension_* | moved_to_successor
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str | None] = mapped_column(sa.String(24))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[RemediationAction] = relationship(back_populates="events")
    actor = relationship("User")
    evidence = relationship("EvidenceFile", order_by="EvidenceFile.id", viewonly=True)


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("remediation_actions.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    new_deadline: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending | approved | refused
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
