"""Administrative units: their reorganisation (merge, rename, transfer) and
reading them. Importing units lives in unit_import.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import ActionEvent, ActionStatus, RemediationAction, SuccessionKind, Unit, UnitSuccession
from ..foundation import audit
from .users import current_unit_by_code

# Two-tier local government (Nghị quyết 202/2025/QH15) took effect that day.
REFORM_DATE = date(2025, 7, 1)

CLOSED_STATUSES = (ActionStatus.CLOSED, ActionStatus.CANCELLED)


class UnitError(ValueError):
    """A unit operation a user asked for cannot be done; the message says why."""


@dataclass
class MergeResult:
    successor: Unit
    successions: list[UnitSuccession]
    moved_actions: list[RemediationAction]


@dataclass
class UnitHistory:
    predecessors: list[UnitSuccession]  # links where this unit is the successor
    successors: list[UnitSuccession]  # links where this unit is the predecessor


# --- Reorganisation -----------------------------------------------------------


def merge_units(
    old_codes: list[str], into_code: str, *, effective: date, legal_basis: str | None = None,
    kind: str = SuccessionKind.MERGE, actor=None,
) -> MergeResult:
    """Merge the units `old_codes` into `into_code` from `effective` on.

    Each old unit gets a succession link and ends on `effective`; its open
    remediation actions move to the successor, each with a timeline event.
    Also serves renames and transfers (one old unit, one successor).
    """
    if kind not in (SuccessionKind.MERGE, SuccessionKind.RENAME, SuccessionKind.TRANSFER):
        raise UnitError(_("Unknown kind of reorganisation: %(kind)s.", kind=kind))
    codes = list(dict.fromkeys(code.strip() for code in old_codes if code.strip()))
    if not codes:
        raise UnitError(_("Name at least one unit to merge."))
    if into_code in codes:
        raise UnitError(_("A unit cannot be merged into itself (%(code)s).", code=into_code))
    successor = find_unit(into_code)
    if successor.valid_to is not None:
        raise UnitError(_("%(code)s %(name)s ended on %(date)s and cannot take over other units.",
                          code=successor.code, name=successor.name, date=successor.valid_to.isoformat()))
    if successor.valid_from is not None and successor.valid_from > effective:
        raise UnitError(_("%(code)s %(name)s only exists from %(date)s.", code=successor.code,
                          name=successor.name, date=successor.valid_from.isoformat()))
    olds = [find_unit(code) for code in codes]
    for old in olds:
        if old.valid_to is not None:
            raise UnitError(_("%(code)s %(name)s already ended on %(date)s.",
                              code=old.code, name=old.name, date=old.valid_to.isoformat()))
        if old.valid_from is not None and old.valid_from >= effective:
            raise UnitError(_("%(code)s %(name)s starts on %(date)s; it cannot end on or before that.",
                              code=old.code, name=old.name, date=old.valid_from.isoformat()))

    result = MergeResult(successor=successor, successions=[], moved_actions=[])
    for old in olds:
        succession = UnitSuccession(predecessor=old, successor=successor, kind=str(kind),
                                    effective_date=effective, legal_basis=legal_basis)
        db.session.add(succession)
        old.valid_to = effective
        moved = _move_open_actions(old, successor, kind, effective, actor)
        db.session.flush()
        audit.record(
            actor, f"unit.{kind}", old, into=successor.code, effective=effective.isoformat(),
            legal_basis=legal_basis, moved_actions=[action.id for action in moved],
        )
        result.successions.append(succession)
        result.moved_actions.extend(moved)
    return result


def _move_open_actions(old: Unit, successor: Unit, kind: str, effective: date, actor) -> list[RemediationAction]:
    actions = list(db.session.scalars(
        sa.select(RemediationAction)
        .where(RemediationAction.unit_id == old.id, RemediationAction.status.not_in(CLOSED_STATUSES))
        .order_by(RemediationAction.id)
    ))
    for action in actions:
        action.unit = successor
        action.events.append(ActionEvent(
            kind="moved_to_successor",
            note=_("Moved from %(old)s to %(new)s (%(kind)s effective %(date)s).",
                   old=old.name, new=successor.name, kind=kind, date=effective.isoformat()),
            data={"from_unit": old.code, "to_unit": successor.code,
                  "from_unit_id": old.id, "to_unit_id": successor.id, "succession": str(kind)},
            actor_id=getattr(actor, "id", None),
        ))
    return actions


# --- Readers ------------------------------------------------------------------


def find_unit(code: str) -> Unit:
    """The unit holding `code` now (or last); UnitError if none does."""
    unit = current_unit_by_code(code.strip())
    if unit is None:
        raise UnitError(_("No unit has the code %(code)s.", code=code))
    return unit


def unit_history(unit: Unit) -> UnitHistory:
    """The succession links into and out of `unit`, oldest first."""
    def links(column):
        return list(db.session.scalars(
            sa.select(UnitSuccession).where(column == unit.id)
            .order_by(UnitSuccession.effective_date, UnitSuccession.id)
        ))

    return UnitHistory(predecessors=links(UnitSuccession.successor_id),
                       successors=links(UnitSuccession.predecessor_id))

