"""Kinds of unit as people read them, and which units a checklist applies to.

Kinds are free identifiers (a food-safety team has restaurants, not wards);
the ones Vietnamese public administration uses have labels, any other kind
is shown as it is written. A checklist's `applies_to` lists the kinds it was
written for; without it, it applies to every kind.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_locale
from flask_babel import gettext as _

from .definition import localize

# How many units a refusal names before it says how many more there are.
NAMED_AT_MOST = 10


def kind_labels() -> dict[str, str]:
    """Labels of the well-known kinds, in the current language."""
    return {
        "province": _("Province"),
        "commune": _("Commune"),
        "ward": _("Ward"),
        "special_zone": _("Special zone"),
        # Abolished on 1 July 2025; former districts stay as history.
        "district": _("District (former)"),
        "department": _("Department"),
        "service_centre": _("Public administration service centre"),
        "office": _("Office"),
    }


def kind_label(kind: str, labels: dict[str, str] | None = None) -> str:
    return (labels or kind_labels()).get(kind, kind)


def applicable_kinds(definition: dict) -> list[str]:
    """The kinds a checklist applies to; empty when it applies to every kind."""
    return list(definition.get("applies_to") or ())


def unfit_units(definition: dict, units: Iterable) -> list:
    """The units (of these) whose kind the checklist does not apply to."""
    kinds = applicable_kinds(definition)
    if not kinds:
        return []
    return [u for u in units if u.kind not in kinds]


def unfit_units_message(definition: dict, units: list) -> str:
    """Why these units cannot be inspected with the checklist, naming them and the kinds it applies to."""
    labels = kind_labels()
    named = ", ".join(f"{u.name} ({u.code}, {kind_label(u.kind, labels)})" for u in units[:NAMED_AT_MOST])
    if len(units) > NAMED_AT_MOST:
        named += " " + _("and %(n)s more", n=len(units) - NAMED_AT_MOST)
    return _refusal(definition, named)


def unfit_kinds_message(definition: dict, kinds: list[str]) -> str:
    """Why units of these kinds cannot be drawn for the checklist."""
    labels = kind_labels()
    return _refusal(definition, ", ".join(kind_label(k, labels) for k in kinds))


def _refusal(definition: dict, unfit: str) -> str:
    labels = kind_labels()
    return _("The checklist “%(checklist)s” applies only to these kinds of unit: %(kinds)s. "
             "Not of those kinds: %(unfit)s.",
             checklist=localize(definition.get("title"), str(get_locale() or "vi")),
             kinds=", ".join(kind_label(k, labels) for k in applicable_kinds(definition)), unfit=unfit)
