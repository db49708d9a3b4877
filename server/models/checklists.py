"""Checklists and their immutable published versions."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class ChecklistStatus:
    PUBLISHED = "published"
    RETIRED = "retired"  # no new plans; still readable, its inspections keep working


class Checklist(db.Model):
    """A checklist, identified by the stable `key` of its file."""

    __tablename__ = "checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(20), default=ChecklistStatus.PUBLISHED,
                                        server_default=ChecklistStatus.PUBLISHED)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )

    @property
    def current(self) -> ChecklistVersion | None:
        return self.versions[-1] if self.versions else None


class ChecklistVersion(db.Model):
    """A published version: the parsed definition, never changed after import."""

    __tablename__ = "checklist_versions"
    __table_args__ = (
        sa.UniqueConstraint("checklist_id", "number", name="uq_checklist_versions_number"),
        sa.UniqueConstraint("checklist_id", "content_hash", name="uq_checklist_versions_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklists.id"), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    definition: Mapped[dict] = mapped_column(JSONType)
    source_name: Mapped[str | None] = mapped_column(sa.String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    checklist: Mapped[Checklist] = relationship(back_populates="versions")

    @property
    def title(self):
        return self.definition.get("title")
