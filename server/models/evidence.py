"""Evidence files: photos, documents and signatures (metadata; bytes live in storage)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class EvidenceFile(db.Model):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)  # client-generated
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # photo | document | signature
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    original_name: Mapped[str | None] = mapped_column(sa.String(255))
    # Storage keys; original_key is None when originals are not kept.
    original_key: Mapped[str | None] = mapped_column(sa.String(255))
    display_key: Mapped[str | None] = mapped_column(sa.String(255))
    thumb_key: Mapped[str | None] = mapped_column(sa.String(255))
    width: Mapped[int | None]
    height: Mapped[int | None]
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    flags: Mapped[list | None] = mapped_column(JSONType)

    # What it is evidence of: an answer (inspection + item), a finding, or a
    # remediation update.
    inspection_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id"), index=True)
    item_key: Mapped[str | None] = mapped_column(sa.String(100))
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id"), index=True)
    action_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("action_events.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A photo the team withdrew before resubmitting: kept for the lead's
    # history, no longer evidence of its item (services/fieldwork/completeness.py).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    inspection = relationship("Inspection")
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
