"""In-app notifications, the email outbox flag, and the audit trail."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(48))
    title: Mapped[str] = mapped_column(sa.String(500))
    body: Mapped[str | None] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # The title and body as message keys with their parameters, rendered in
    # the reader's language when read; `title` and `body` keep the recipient's
    # language at the time, for email and for rows written before this existed.
    message: Mapped[dict | None] = mapped_column(JSONType)
    # Makes a reminder idempotent: the same key is never notified twice.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(db.Model):
    """Who did what to which object, and when. Entries are only ever added.

    Entries are chained once committed (services/foundation/audit.py seals them): `seq`
    orders the chain and `hash` covers the entry and the previous entry's
    hash, so an altered or removed entry breaks the chain.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.UniqueConstraint("seq", name="uq_audit_events_seq"),
        # A plan's page lists the changes made to it and to its inspections.
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(48))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict | None] = mapped_column(JSONType)
    seq: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))
