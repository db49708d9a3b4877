"""Fieldwork on site: checking in."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ...extensions import db
from ...models import Inspection, InspectionStatus
from ..foundation import audit
from ..evidence import geo


class FieldworkError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def check_in(
    inspection: Inspection, user, *, lat: float, lon: float, accuracy_m: float | None, at: datetime,
    radius_m: float, poor_accuracy_m: float,
) -> Inspection:
    """Record the team's arrival on site.

    Far away, poor accuracy or a mocked position are flagged for the lead,
    never refused: the inspector may stand in a basement, or the unit's
    registered location may be wrong. Checking in lifts the embargo of an
    unannounced inspection.
    """
    if inspection.status not in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS):
        raise FieldworkError(409, _("This inspection can no longer be checked in to."))
    if inspection.checked_in_at is not None:
        return inspection  # a re-sent check-in changes nothing
    locations = [(loc.lat, loc.lon) for loc in inspection.unit.locations]
    inspection.checkin_lat, inspection.checkin_lon, inspection.checkin_accuracy_m = lat, lon, accuracy_m
    inspection.checkin_distance_m = geo.nearest_distance_m((lat, lon), locations)
    inspection.checkin_flags = geo.location_flags(
        (lat, lon), accuracy_m, locations, radius_m=radius_m, poor_accuracy_m=poor_accuracy_m
    )
    inspection.checked_in_at = at
    inspection.started_at = inspection.started_at or at
    inspection.status = InspectionStatus.IN_PROGRESS
    db.session.flush()
    audit.record(user, "inspection.check_in", inspection, distance_m=inspection.checkin_distance_m,
                 flags=[f["code"] for f in inspection.checkin_flags])
    return inspection
