"""Follow-up checks (phúc tra): a new inspection re-checking only what failed.

Decision: the follow-up keeps the original's checklist version and stores the
items to re-check in `Inspection.item_filter`, rather than deriving a new
ChecklistVersion — versions stay what was published, and exports that merge by
item key line the follow-up up with the original. `Inspection.definition` is
the definition limited to those items, which is what the field app shows and
what is scored.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import Inspection, InspectionKind, InspectionStatus, Team, Unit, UnitSuccession
from ..foundation import audit
from ..checklists import unit_kinds
from .conclusions import failed_item_keys


class FollowUpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def items_to_recheck(original: Inspection) -> list[str]:
    """Failed items, and items a finding was recorded on, in checklist order."""
    failed = set(failed_item_keys(original)) | {f.item_key for f in original.findings if f.item_key}
    order = [i["key"] for s in original.checklist_version.definition["sections"] for i in s["items"]]
    return [key for key in order if key in failed]


def current_unit(unit: Unit) -> Unit:
    """The unit now answering for `unit`: itself, or its successor after a merger."""
    seen = {unit.id}
    while unit.valid_to is not None:
        link = db.session.scalar(sa.select(UnitSuccession).where(UnitSuccession.predecessor_id == unit.id)
                                 .order_by(UnitSuccession.effective_date.desc()).limit(1))
        if link is None or link.successor_id in seen:
            break
        unit = link.successor
        seen.add(unit.id)
    return unit


def create_follow_up(original: Inspection, actor, *, window_start: date, window_end: date,
                     kind: str = InspectionKind.ANNOUNCED, team: Team | None = None) -> Inspection:
    """Plan a follow-up check of a concluded inspection, holding only the items to re-check."""
    if original.status != InspectionStatus.CONCLUDED:
        raise FollowUpError(409, _("A follow-up check is planned from a concluded inspection."))
    if kind not in (InspectionKind.ANNOUNCED, InspectionKind.UNANNOUNCED):
        raise FollowUpError(422, _("Unknown kind of inspection: %(kind)s.", kind=kind))
    if window_end < window_start:
        raise FollowUpError(422, _("The end of the window is before its start."))
    keys = items_to_recheck(original)
    if not keys:
        raise FollowUpError(409, _("Nothing failed in this inspection: there is nothing to re-check."))
    unit = current_unit(original.unit)
    # The unit now answering may be of another kind than the one inspected (after a reorganisation).
    definition = original.checklist_version.definition
    if unit_kinds.unfit_units(definition, [unit]):
        raise FollowUpError(422, unit_kinds.unfit_units_message(definition, [unit]))
    follow_up = Inspection(
        uuid=str(uuidlib.uuid4()), plan_id=None, checklist_version_id=original.checklist_version_id,
        unit_id=unit.id, unit_code_snapshot=unit.code, unit_name_snapshot=unit.name, kind=str(kind),
        status=InspectionStatus.PLANNED, team_id=(team.id if team else original.team_id),
        window_start=window_start, window_end=window_end, place=unit.address or original.place,
        follow_up_of_id=original.id, item_filter=keys,
    )
    db.session.add(follow_up)
    db.session.flush()
    audit.record(actor, "inspection.follow_up", follow_up, original=original.id, items=keys)
    return follow_up


def follow_ups_of(original: Inspection) -> list[Inspection]:
    return list(db.session.scalars(sa.select(Inspection).where(Inspection.follow_up_of_id == original.id)
                                   .order_by(Inspection.id)))
