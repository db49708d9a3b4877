"""Inspection plans (kế hoạch kiểm tra)."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class InspectionKind(enum.StrEnum):
    ANNOUNCED = "announced"  # định kỳ / theo kế hoạch, with a notice
    UNANNOUNCED = "unannounced"  # đột xuất, kept secret until check-in


class Plan(db.Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(16))  # InspectionKind
    period_start: Mapped[date]
    period_end: Mapped[date]
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"))
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    # Random selection of units: {"method": ..., "inputs": {...}, "seed": ..., "drawn": [codes]}
    selection: Mapped[dict | None] = mapped_column(JSONType)
    # Announced plans: the notice (thông báo) shown to the inspected units.
    notice_date: Mapped[date | None]
    notice_place: Mapped[str | None] = mapped_column(sa.String(500))
    requested_documents: Mapped[str | None] = mapped_column(sa.Text)
    notice_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_time: Mapped[time | None]
    # What the unit writes about itself before the visit (báo cáo tự kiểm tra).
    self_report: Mapped[str | None] = mapped_column(sa.Text)
    # The legal basis every document of the plan cites: the plan itself (kế
    # hoạch số …) and the decision establishing the team (quyết định thành lập
    # đoàn kiểm tra), with who signed it — the body that ordered the inspection.
    plan_number: Mapped[str | None] = mapped_column(sa.String(64))
    plan_date: Mapped[date | None]
    decision_number: Mapped[str | None] = mapped_column(sa.String(64))
    decision_date: Mapped[date | None]
    decision_signer: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    checklist = relationship("Checklist")
    team = relationship("Team")
    created_by = relationship("User")
    inspections: Mapped[list["Inspection"]] = relationship(back_populates="plan")  # noqa: F821

    @property
    def is_unannounced(self) -> bool:
        return self.kind == InspectionKind.UNANNOUNCED
