"""Administrative units, their registered locations and their succession."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .types import UTCDateTime, fold, utcnow


class SuccessionKind(enum.StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"


def _fold_inserted_name(context) -> str:
    # Bulk inserts (session.execute(insert(Unit), rows)) bypass the validator.
    return fold(context.get_current_parameters()["name"])


class Unit(db.Model):
    """An agency, office or administrative unit that can be inspected.

    Units are never deleted: a unit that is merged away gets `valid_to` and a
    succession link, so that old inspections stay readable.
    """

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), index=True)  # official code, leading zeros kept
    name: Mapped[str] = mapped_column(sa.String(255))
    # fold(name), what searches compare with (services/directory/search.py); set with the name.
    name_folded: Mapped[str] = mapped_column(sa.Text, default=_fold_inserted_name)
    # province, commune, ward, special_zone, department, service_centre, office, ...
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    address: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    locations: Mapped[list[UnitLocation]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="UnitLocation.id"
    )

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.name_folded = fold(name)
        return name

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"


class UnitLocation(db.Model):
    """A registered location of a unit (head office, reception point...)."""

    __tablename__ = "unit_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(sa.String(255))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)

    unit: Mapped[Unit] = relationship(back_populates="locations")


class UnitSuccession(db.Model):
    """One link of a reorganisation: predecessor became (part of) successor."""

    __tablename__ = "unit_successions"
    __table_args__ = (
        sa.UniqueConstraint("predecessor_id", "successor_id", "kind", name="uq_unit_successions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # SuccessionKind
    effective_date: Mapped[date] = mapped_column(sa.Date)
    legal_basis: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])
