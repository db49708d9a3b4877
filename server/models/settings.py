"""The organisation's own settings, changed by an administrator in the app."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JSONType, UTCDateTime, utcnow


class OrganisationSetting(db.Model):
    """One setting that differs from the deployment's default (server/config.py).

    Only the differences are stored: a setting put back to its default loses
    its row, so a changed default in the config reaches it again.
    """

    __tablename__ = "organisation_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the config key, e.g. CHECKIN_RADIUS_M
    value: Mapped[object] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
