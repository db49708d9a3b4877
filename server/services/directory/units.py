"""Administrative units: their reorganisation (merge, rename, transfer) and
reading them. Importing units lives in unit_import.py."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...i18n import format_day
from ...models import (ActionEvent, ActionStatus, RemediationAction, SuccessionKind, Unit, UnitLocation,
                       UnitSuccession)
from ..evidence.geo import parse_coordinate
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
    olds = [find_unit(code) for code in codes]
    return reorganise(olds, successor, effective=effective, legal_basis=legal_basis, kind=kind, actor=actor)


def reorganise(olds: list[Unit], successor: Unit, *, effective: date, legal_basis: str | None = None,
               kind: str = SuccessionKind.MERGE, actor=None) -> MergeResult:
    """`olds` end on `effective` and `successor` takes them over (merge_units, by units)."""
    if any(old.id == successor.id for old in olds):
        raise UnitError(_("A unit cannot be merged into itself (%(code)s).", code=successor.code))
    if successor.valid_to is not None:
        raise UnitError(_("%(code)s %(name)s ended on %(date)s and cannot take over other units.",
                          code=successor.code, name=successor.name, date=format_day(successor.valid_to)))
    if successor.valid_from is not None and successor.valid_from > effective:
        raise UnitError(_("%(code)s %(name)s only exists from %(date)s.", code=successor.code,
                          name=successor.name, date=format_day(successor.valid_from)))
    _check_can_end(olds, effective)

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


def _check_can_end(olds: list[Unit], effective: date) -> None:
    for old in olds:
        if old.valid_to is not None:
            raise UnitError(_("%(code)s %(name)s already ended on %(date)s.",
                              code=old.code, name=old.name, date=format_day(old.valid_to)))
        if old.valid_from is not None and old.valid_from >= effective:
            raise UnitError(_("%(code)s %(name)s starts on %(date)s; it cannot end on or before that.",
                              code=old.code, name=old.name, date=format_day(old.valid_from)))


def rename_unit(unit: Unit, *, name: str, code: str | None = None, effective: date,
                legal_basis: str | None = None, actor=None) -> MergeResult:
    """`unit` ends on `effective`; a unit of the new name (and code, if given) takes over from that day.

    The new unit keeps the kind, parent, address and registered locations;
    old inspections keep the old name, open actions move to the new unit.
    """
    name = (name or "").strip()
    code = (code or "").strip() or unit.code
    if not name:
        raise UnitError(_("Give the new name."))
    if (name, code) == (unit.name, unit.code):
        raise UnitError(_("The new name and code are the same as the old ones."))
    _check_can_end([unit], effective)
    if code != unit.code:
        _check_code_free(code)
    successor = Unit(code=code, name=name, kind=unit.kind, parent=unit.parent, valid_from=effective,
                     address=unit.address,
                     locations=[UnitLocation(label=loc.label, lat=loc.lat, lon=loc.lon) for loc in unit.locations])
    db.session.add(successor)
    db.session.flush()
    # The units under the old one are under the new one from now on.
    for child in list(unit.children):
        if child.valid_to is None:
            child.parent = successor
    return reorganise([unit], successor, effective=effective, legal_basis=legal_basis,
                      kind=SuccessionKind.RENAME, actor=actor)


def split_unit(unit: Unit, successors: list[Unit], *, actions_to: Unit, effective: date,
               legal_basis: str | None = None, actor=None) -> MergeResult:
    """`unit` ends on `effective`, divided among `successors`; its open actions go to `actions_to`."""
    successors = list({s.id: s for s in successors}.values())
    if len(successors) < 2:
        raise UnitError(_("A unit is split into at least two units."))
    if actions_to.id not in {s.id for s in successors}:
        raise UnitError(_("The open actions go to one of the new units."))
    for successor in successors:
        if successor.id == unit.id:
            raise UnitError(_("A unit cannot be merged into itself (%(code)s).", code=unit.code))
        if successor.valid_to is not None:
            raise UnitError(_("%(code)s %(name)s ended on %(date)s and cannot take over other units.",
                              code=successor.code, name=successor.name, date=format_day(successor.valid_to)))
    _check_can_end([unit], effective)
    result = MergeResult(successor=actions_to, successions=[], moved_actions=[])
    for successor in successors:
        succession = UnitSuccession(predecessor=unit, successor=successor, kind=str(SuccessionKind.SPLIT),
                                    effective_date=effective, legal_basis=legal_basis)
        db.session.add(succession)
        result.successions.append(succession)
    unit.valid_to = effective
    result.moved_actions = _move_open_actions(unit, actions_to, SuccessionKind.SPLIT, effective, actor)
    db.session.flush()
    audit.record(actor, "unit.split", unit, into=[s.code for s in successors], actions_to=actions_to.code,
                 effective=effective.isoformat(), legal_basis=legal_basis,
                 moved_actions=[action.id for action in result.moved_actions])
    return result


def open_actions_of(units: list[Unit]) -> list[RemediationAction]:
    """The open remediation actions a reorganisation of `units` would move, oldest first."""
    if not units:
        return []
    return list(db.session.scalars(
        sa.select(RemediationAction)
        .where(RemediationAction.unit_id.in_([u.id for u in units]), RemediationAction.status.not_in(CLOSED_STATUSES))
        .order_by(RemediationAction.id)
    ))


def succession_label(kind: str) -> str:
    """How a note names a reorganisation, in the current language."""
    return {SuccessionKind.MERGE: _("merged"), SuccessionKind.SPLIT: _("split"),
            SuccessionKind.RENAME: _("renamed"), SuccessionKind.TRANSFER: _("transferred")}.get(kind, str(kind))


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
                   old=old.name, new=successor.name, kind=succession_label(kind), date=format_day(effective)),
            data={"from_unit": old.code, "to_unit": successor.code,
                  "from_unit_id": old.id, "to_unit_id": successor.id, "succession": str(kind)},
            actor_id=getattr(actor, "id", None),
        ))
    return actions


# --- Creating and editing ------------------------------------------------------

# Kinds are free (a food-safety team has restaurants, not wards) but must be
# identifiers, so that checklists' `applies_to` can name them.
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
CODE_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*\Z")


@dataclass
class UnitFields:
    """What an administrator types for a unit; codes keep their leading zeros."""
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    valid_from: date | None = None
    lat: str | float | None = None
    lon: str | float | None = None
    address: str | None = None


class UnitFieldError(UnitError):
    """A unit's fields are wrong; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def create_unit(fields: UnitFields, *, actor=None) -> Unit:
    """A new unit from `fields`; UnitFieldError (nothing written) if any is wrong."""
    clean = _check_fields(fields, unit=None)
    unit = Unit(code=clean["code"], name=clean["name"], kind=clean["kind"], parent=clean["parent"],
                valid_from=clean["valid_from"], address=clean["address"])
    if clean["lat"] is not None:
        unit.locations.append(UnitLocation(lat=clean["lat"], lon=clean["lon"]))
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", unit, code=unit.code, name=unit.name, kind=unit.kind,
                 parent=unit.parent.code if unit.parent else None)
    return unit


def update_unit(unit: Unit, fields: UnitFields, *, actor=None) -> dict:
    """Change `unit` to `fields`; returns {field: [old, new]} of what changed.

    An ended unit is history and stays as it was; a reorganisation (rename,
    merge, split) is not an edit, since old inspections keep the old name.
    """
    if unit.valid_to is not None:
        raise UnitError(_("%(code)s %(name)s ended on %(date)s; it stays as it was.",
                          code=unit.code, name=unit.name, date=format_day(unit.valid_to)))
    clean = _check_fields(fields, unit=unit)
    before = {"code": unit.code, "name": unit.name, "kind": unit.kind,
              "parent": unit.parent.code if unit.parent else None,
              "valid_from": unit.valid_from.isoformat() if unit.valid_from else None, "address": unit.address,
              "location": [unit.locations[0].lat, unit.locations[0].lon] if unit.locations else None}
    unit.code, unit.name, unit.kind, unit.parent = clean["code"], clean["name"], clean["kind"], clean["parent"]
    unit.valid_from, unit.address = clean["valid_from"], clean["address"]
    if clean["lat"] is None:
        unit.locations.clear()
    elif unit.locations:
        unit.locations[0].lat, unit.locations[0].lon = clean["lat"], clean["lon"]
    else:
        unit.locations.append(UnitLocation(lat=clean["lat"], lon=clean["lon"]))
    after = {"code": unit.code, "name": unit.name, "kind": unit.kind,
             "parent": unit.parent.code if unit.parent else None,
             "valid_from": unit.valid_from.isoformat() if unit.valid_from else None, "address": unit.address,
             "location": [clean["lat"], clean["lon"]] if clean["lat"] is not None else None}
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        db.session.flush()
        audit.record(actor, "unit.update", unit, changes=changes)
    return changes


def _check_code_free(code: str, unit: Unit | None = None) -> None:
    taken = db.session.scalar(sa.select(Unit).where(Unit.code == code, Unit.valid_to.is_(None)).limit(1))
    if taken is not None and (unit is None or taken.id != unit.id):
        raise UnitFieldError({"code": _("The code %(code)s already belongs to %(name)s.",
                                        code=code, name=taken.name)})


def _check_fields(fields: UnitFields, unit: Unit | None) -> dict:
    errors: dict[str, str] = {}
    code, name, kind = (fields.code or "").strip(), (fields.name or "").strip(), (fields.kind or "").strip()
    if not code:
        errors["code"] = _("The code is missing.")
    elif len(code) > 32 or not CODE_PATTERN.match(code):
        errors["code"] = _("A code is up to 32 letters, digits, dots, hyphens or underscores, e.g. 00004.")
    else:
        try:
            _check_code_free(code, unit)
        except UnitFieldError as exc:
            errors.update(exc.errors)
    if not name:
        errors["name"] = _("The name is missing.")
    elif len(name) > 255:
        errors["name"] = _("The name is longer than 255 characters.")
    if not kind:
        errors["kind"] = _("The kind is missing.")
    elif not KIND_PATTERN.match(kind) or len(kind) > 32:
        errors["kind"] = _("The kind %(kind)s is not valid: use lower-case letters, digits and _ "
                           "(e.g. province, ward, service_centre).", kind=kind)
    parent = None
    parent_code = (fields.parent_code or "").strip()
    if parent_code:
        parent = db.session.scalar(
            sa.select(Unit).where(Unit.code == parent_code, Unit.valid_to.is_(None)).order_by(Unit.id.desc()))
        if parent is None:
            errors["parent_code"] = _("No current unit has the code %(code)s.", code=parent_code)
        elif unit is not None and _is_under(parent, unit):
            errors["parent_code"] = _("%(name)s is under this unit (or is this unit): a unit cannot be "
                                      "under itself.", name=parent.name)
    lat = lon = None
    lat_text = "" if fields.lat is None else str(fields.lat).strip()
    lon_text = "" if fields.lon is None else str(fields.lon).strip()
    if bool(lat_text) != bool(lon_text):
        errors["lat" if not lat_text else "lon"] = _("Give both lat and lon, or neither.")
    elif lat_text:
        for axis, text in (("lat", lat_text), ("lon", lon_text)):
            try:
                value = parse_coordinate(text, axis)
            except ValueError as exc:
                errors[axis] = str(exc)
            else:
                lat, lon = (value, lon) if axis == "lat" else (lat, value)
    address = (fields.address or "").strip() or None
    if address and len(address) > 500:
        errors["address"] = _("At most %(n)s characters.", n=500)
    if errors:
        raise UnitFieldError(errors)
    return {"code": code, "name": name, "kind": kind, "parent": parent, "valid_from": fields.valid_from,
            "lat": lat, "lon": lon, "address": address}


def _is_under(candidate: Unit, unit: Unit) -> bool:
    """Is `candidate` the unit itself or one of the units under it?"""
    seen = set()
    while candidate is not None and candidate.id not in seen:
        if candidate.id == unit.id:
            return True
        seen.add(candidate.id)
        candidate = candidate.parent
    return False


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



def top_units(*, with_ended: bool = False) -> list[Unit]:
    """The units under no other (provinces, and any organisation's own top units), by name."""
    stmt = sa.select(Unit).where(Unit.parent_id.is_(None))
    if not with_ended:
        stmt = stmt.where(Unit.valid_to.is_(None))
    return list(db.session.scalars(stmt.order_by(Unit.valid_to.is_not(None), Unit.name_folded, Unit.id)))


def children_of(unit: Unit) -> tuple[list[Unit], list[Unit]]:
    """The units directly under `unit`: (current, ended), each by name."""
    rows = list(db.session.scalars(
        sa.select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name_folded, Unit.id)))
    return [u for u in rows if u.valid_to is None], [u for u in rows if u.valid_to is not None]


def ancestors(unit: Unit) -> list[Unit]:
    """The units above `unit`, the top first."""
    chain, seen = [], {unit.id}
    parent = unit.parent
    while parent is not None and parent.id not in seen:
        chain.append(parent)
        seen.add(parent.id)
        parent = parent.parent
    return chain[::-1]


def known_kinds() -> list[str]:
    """The kinds units have, for choosing one."""
    return sorted(set(db.session.scalars(sa.select(Unit.kind).distinct())))
