"""The organisation's settings: what an administrator may change in the app
(document headings and numbers, check-in limits, reminder and remediation
days, the time zone), with the deployment's config as the defaults.

Every reader goes through `get()` (or `current()`): it reads the table once
per request (cached on `flask.g`), so a change made on one app server takes
effect on every other at their next request, without a restart.
Infrastructure (database, mail server, secret key) stays in the config.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from ...extensions import db
from ...models import OrganisationSetting
from . import audit

SEVERITIES = ("minor", "major", "critical")
# Who signs the notices (see the config's SIGNING_MODE): for the team, on behalf
# of a collective body (TM.), or as a deputy of its head (KT.).
SIGNING_MODES = ("team", "TM", "KT")


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # text, optional_text, int, text_list, int_list, days_by_severity, timezone, signing_mode
    low: int = 0
    high: int = 0
    max_length: int = 255


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("ISSUING_BODY_PARENT", "text"),
    Setting("ISSUING_BODY", "text"),
    Setting("ISSUING_PLACE", "text", max_length=100),
    Setting("ISSUING_PLACE_EN", "text", max_length=100),
    Setting("MINUTES_SYMBOL", "text", max_length=32),
    Setting("NOTICE_SYMBOL", "text", max_length=32),
    Setting("CONCLUSION_SYMBOL", "text", max_length=32),
    Setting("MINUTES_COPIES", "int", low=1, high=20),
    Setting("MINUTES_DISTRIBUTION", "text_list", high=20),
    Setting("NOTICE_DISTRIBUTION", "text_list", high=20),
    Setting("CONCLUSION_DISTRIBUTION", "text_list", high=20),
    Setting("SIGNING_MODE", "signing_mode"),
    Setting("SIGNING_FOR", "optional_text", max_length=100),
    Setting("SIGNER_TITLE", "optional_text", max_length=100),
    Setting("SIGNER_NAME", "optional_text", max_length=100),
    Setting("CHECKIN_RADIUS_M", "int", low=10, high=100_000),
    Setting("POOR_ACCURACY_M", "int", low=1, high=10_000),
    Setting("REMINDER_DAYS_BEFORE", "int_list", low=1, high=365),
    Setting("REMEDIATION_DAYS_BY_SEVERITY", "days_by_severity", low=1, high=3650),
    Setting("BABEL_DEFAULT_TIMEZONE", "timezone"),
)}

_CACHE = "kiemtra_settings"


class SettingsError(ValueError):
    """Values that cannot be settings; `errors` maps each key to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


def current() -> Mapping:
    """Every setting's value now: the stored ones over the config's defaults (cached per request)."""
    cached = g.get(_CACHE)
    if cached is None:
        # A connection of its own: readers include work run after a commit,
        # whose session may emit no more SQL.
        try:
            with db.engine.connect() as conn:
                stored = dict(conn.execute(sa.select(OrganisationSetting.key, OrganisationSetting.value)).all())
        except SQLAlchemyError:
            # The database is unreachable: this request fails anyway, but its
            # error page (or /healthz's 503) needs a time zone to be shown.
            current_app.logger.warning("organisation settings unreadable; using the config's defaults")
            return defaults()
        config = current_app.config
        cached = {key: stored[key] if key in stored else config[key] for key in SETTINGS}
        setattr(g, _CACHE, cached)
    return cached


def get(key: str):
    """One setting's value now (see current())."""
    if key not in SETTINGS:
        raise KeyError(key)
    return current()[key]


def defaults() -> dict:
    config = current_app.config
    return {key: config[key] for key in SETTINGS}


def check(values: dict) -> dict:
    """The values, checked and normalised; SettingsError naming each bad one
    (by key, or "key.severity" for one of the days by severity)."""
    errors, clean = {}, {}
    for key, value in values.items():
        setting = SETTINGS.get(key)
        if setting is None:
            errors[key] = _("Unknown setting.")
            continue
        if setting.kind == "days_by_severity" and isinstance(value, Mapping) and set(value) == set(SEVERITIES):
            # One message per severity ("REMEDIATION_DAYS_BY_SEVERITY.major"), beside its own field.
            days = {}
            for severity in SEVERITIES:
                try:
                    days[severity] = _whole(value[severity], setting.low, setting.high)
                except ValueError as exc:
                    errors[f"{key}.{severity}"] = str(exc)
            clean[key] = days
            continue
        try:
            clean[key] = _check_one(setting, value)
        except ValueError as exc:
            errors[key] = str(exc)
    if clean.get("SIGNING_MODE") in ("TM", "KT"):
        # Signed for a body or its head: the block names both, never an empty line.
        for key in ("SIGNING_FOR", "SIGNER_TITLE"):
            if key in clean and not clean[key] and key not in errors:
                errors[key] = _("Required when the notices are signed for the body (TM.) or its head (KT.).")
    if errors:
        raise SettingsError(errors)
    return clean


def _whole(value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a whole number.")) from None
    if not low <= value <= high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.", low=format_decimal(low),
                           high=format_decimal(high)))
    return value


def _check_one(setting: Setting, value):
    if setting.kind == "text":
        text = str(value or "").strip()
        if not text:
            raise ValueError(_("This field is required."))
        if len(text) > setting.max_length:
            raise ValueError(_("At most %(n)s characters.", n=setting.max_length))
        return text
    if setting.kind == "optional_text":
        text = str(value or "").strip()
        if len(text) > setting.max_length:
            raise ValueError(_("At most %(n)s characters.", n=setting.max_length))
        return text
    if setting.kind == "signing_mode":
        if value not in SIGNING_MODES:
            raise ValueError(_("Choose who signs."))
        return value
    if setting.kind == "int":
        return _whole(value, setting.low, setting.high)
    if setting.kind == "text_list":
        lines = [str(line).strip() for line in value if str(line).strip()]
        if not lines:
            raise ValueError(_("Give at least one line."))
        if len(lines) > setting.high or any(len(line) > 255 for line in lines):
            raise ValueError(_("At most %(n)s lines of 255 characters.", n=setting.high))
        return lines
    if setting.kind == "int_list":
        days = sorted({_whole(day, setting.low, setting.high) for day in value}, reverse=True)
        if not days or len(days) > 10:
            raise ValueError(_("Give from one to ten numbers of days."))
        return days
    if setting.kind == "days_by_severity":  # a map of every severity is checked in check()
        raise ValueError(_("Give the days for each severity."))
    if setting.kind == "timezone":
        name = str(value or "").strip()
        if name not in available_timezones():
            raise ValueError(_("%(name)s is not a time zone; use a name such as Asia/Ho_Chi_Minh.", name=name))
        return name
    raise AssertionError(setting.kind)


def update(values: dict, *, actor) -> dict:
    """Store the settings in `values`; returns {key: (old, new)} of those that changed.

    A value equal to the config's default is not stored (its row goes), so
    the setting follows the config again. One audit entry lists the changes.
    Raises SettingsError, storing nothing, if any value is bad.
    """
    clean = check(values)
    before = dict(current())
    config_defaults = defaults()
    rows = {row.key: row for row in db.session.scalars(
        sa.select(OrganisationSetting).where(OrganisationSetting.key.in_(list(clean))))}
    changes = {}
    for key, value in clean.items():
        if value != before[key]:
            changes[key] = (before[key], value)
        row = rows.get(key)
        if value == config_defaults[key]:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(OrganisationSetting(key=key, value=value, updated_by_id=getattr(actor, "id", None)))
        elif row.value != value:
            row.value, row.updated_by_id = value, getattr(actor, "id", None)
    if changes:
        db.session.flush()
        audit.record(actor, "settings.update", None,
                     changes={key: {"from": old, "to": new} for key, (old, new) in changes.items()})
    # This request reads what it wrote (the table is read outside its transaction).
    setattr(g, _CACHE, {**before, **clean})
    return changes


def utc_now() -> datetime:
    """The clock every "today" reads (one place, so a test can stand at any hour)."""
    return datetime.now(timezone.utc)


def local_now() -> datetime:
    """Now on the organisation's wall clock (its time zone is a setting)."""
    return utc_now().astimezone(ZoneInfo(get("BABEL_DEFAULT_TIMEZONE")))


def local_today() -> date:
    """The organisation's day: what is today, due or overdue is decided where the teams work,
    not by the server's clock (at 01:15 in Hanoi it is already tomorrow there)."""
    return local_now().date()
