"""Inspections and what is recorded during them."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class InspectionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"  # checked in on site
    SUBMITTED = "submitted"
    RETURNED = "returned"  # sent back to the team with comments
    APPROVED = "approved"
    CONCLUDED = "concluded"  # conclusion notice issued
    CANCELLED = "cancelled"


class Inspection(db.Model):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-generated (or server-generated for planned inspections); a
    # re-sent submission is recognised by it, never duplicated.
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_versions.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    # The unit as it was named when inspected; units get renamed and merged.
    unit_code_snapshot: Mapped[str] = mapped_column(sa.String(32))
    unit_name_snapshot: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)  # InspectionKind
    status: Mapped[str] = mapped_column(sa.String(16), index=True, default=InspectionStatus.PLANNED)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    window_start: Mapped[date | None]
    window_end: Mapped[date | None]
    place: Mapped[str | None] = mapped_column(sa.String(500))

    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_lat: Mapped[float | None]
    checkin_lon: Mapped[float | None]
    checkin_accuracy_m: Mapped[float | None]
    checkin_distance_m: Mapped[float | None]
    checkin_flags: Mapped[list | None] = mapped_column(JSONType)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the lead cancels it (services/fieldwork/plans.py cancel_inspection); the
    # reason is for the staff and the team, never the inspected unit.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # {"lead": {"name", "evidence_uuid"}, "unit": {"name", "evidence_uuid"} | {"refused": true, "reason"}}
    signatures: Mapped[dict | None] = mapped_column(JSONType)

    # The stored score (see services/checklists/scoring.py): whole result, plus two
    # columns for querying.
    score: Mapped[dict | None] = mapped_column(JSONType)
    score_percent: Mapped[float | None]
    result: Mapped[str | None] = mapped_column(sa.String(16), index=True)

    revision: Mapped[int] = mapped_column(default=0)
    follow_up_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inspections.id"))
    # A follow-up check (phúc tra) re-checks only these item keys of its
    # checklist version; None means every item (services/review/followups.py).
    item_filter: Mapped[list | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    plan = relationship("Plan", back_populates="inspections")
    checklist_version = relationship("ChecklistVersion")
    unit = relationship("Unit")
    team = relationship("Team")
    follow_up_of: Mapped[Inspection | None] = relationship(remote_side=[id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Answer.id"
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Finding.id"
    )
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Attendee.id"
    )

    @property
    def definition(self) -> dict:
        """The checklist this inspection uses: its version's definition, limited
        to `item_filter` for a follow-up check that re-checks only some items."""
        definition = self.checklist_version.definition
        if not self.item_filter:
            return definition
        keep = set(self.item_filter)
        sections = [
            {**section, "items": [item for item in section["items"] if item["key"] in keep]}
            for section in definition["sections"]
        ]
        return {**definition, "sections": [s for s in sections if s["items"]]}

    @property
    def is_embargoed(self) -> bool:
        """An unannounced inspection stays secret from the unit until check-in."""
        return self.kind == "unannounced" and self.checked_in_at is None


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("inspection_id", "item_key", name="uq_answers_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: uq_answers_item starts with it (60 rows a submission, each index costs).
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(sa.String(100))
    value: Mapped[object | None] = mapped_column(JSONType)
    na: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship(back_populates="answers")


class Finding(db.Model):
    """A finding (phát hiện), tied to a checklist item or free-standing."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str | None] = mapped_column(sa.String(100))
    severity: Mapped[str] = mapped_column(sa.String(16), default="minor")  # minor | major | critical
    description: Mapped[str] = mapped_column(sa.Text)
    unit_explanation: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")


class Attendee(db.Model):
    """A person present (thành phần tham dự): team member or unit representative."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(sa.String(8))  # team | unit
    name: Mapped[str] = mapped_column(sa.String(255))
    position: Mapped[str | None] = mapped_column(sa.String(255))

    inspection: Mapped[Inspection] = relationship(back_populates="attendees")


class InspectionRevision(db.Model):
    """A change made after submission: never in place, always with a reason."""

    __tablename__ = "inspection_revisions"
    __table_args__ = (sa.UniqueConstraint("inspection_id", "number", name="uq_inspection_revisions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"))
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # What changed: [{"item_key", "field", "old", "new"}]
    changes: Mapped[list] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class ReviewComment(db.Model):
    """A lead's comment on an item or on the whole: when returning an inspection
    (`kind` "return", resolved by the team's resubmission) or with the approval
    ("approval", a remark that asks for nothing)."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str | None] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(sa.String(16), default="return", server_default="return")

    author = relationship("User")


class Conclusion(db.Model):
    """The conclusion notice (thông báo kết luận kiểm tra)."""

    __tablename__ = "conclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id"), unique=True)
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    shortcomings: Mapped[str] = mapped_column(sa.Text, default="")
    recommendations: Mapped[str] = mapped_column(sa.Text, default="")
    # Individual responsibility (kiểm điểm trách nhiệm), when the lead writes one.
    responsibility: Mapped[str | None] = mapped_column(sa.Text)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The lead's choices for each proposed action while the conclusion is a
    # draft: {proposal key: {"group", "priority", "deadline" (ISO date)}}.
    proposal_choices: Mapped[dict | None] = mapped_column(JSONType)

    inspection = relationship("Inspection")


class Submission(db.Model):
    """One submission of an inspection from the phone, named by the client's UUID.

    The unique `uuid` is what makes a re-sent submission a no-op: the insert
    fails and the stored one is answered instead. `revision_number` is the
    InspectionRevision it created (None for a first submission).
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    revision_number: Mapped[int | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The evidence UUIDs the phone will upload after this submission.
    photo_uuids: Mapped[list | None] = mapped_column(JSONType)
    # Where each announced photo belongs, [{uuid, kind, item_key, finding_uuid}]:
    # what the lead is told when one has not arrived by the conclusion.
    photos: Mapped[list | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection = relationship("Inspection")
