"""The organisation's settings page (/admin/settings)."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import available_timezones

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms.settings import SettingsForm
from ..permissions import permission_required
from ..services.foundation import settings as org_settings

bp = Blueprint("admin_settings", __name__, url_prefix="/admin/settings")


@bp.route("", methods=["GET", "POST"])
@permission_required("settings.manage")
def index():
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        form.fill(org_settings.current())
    elif not form.validate():
        status = 422
    else:
        try:
            changes = org_settings.update(form.values(), actor=current_user)
        except org_settings.SettingsError as exc:
            db.session.rollback()
            form.show_errors(exc.errors)
            status = 422
        else:
            db.session.commit()
            if changes:
                flash(_("The settings were saved; they apply from now on."), "info")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("admin_settings.index"), 303)
    return render_template("admin/settings.html", form=form, defaults=org_settings.defaults(),
                           timezones=_zones_with_names()), status


def _zones_with_names() -> list[tuple[str, str]]:
    """Every time zone with its name and offset in the reader's language, as the picker lists
    them: Asia/Ho_Chi_Minh, "Giờ Việt Nam (UTC+07:00)"."""
    from datetime import datetime, timezone

    from flask_babel import get_locale

    # Offsets move with daylight saving: the list is made again each hour.
    return _zones_named(str(get_locale()), datetime.now(timezone.utc).strftime("%Y%m%d%H"))


@lru_cache(maxsize=8)
def _zones_named(locale: str, hour: str) -> tuple[tuple[str, str], ...]:
    from datetime import datetime

    from babel.dates import get_timezone, get_timezone_location

    now, zones = datetime.now(), []
    for code in sorted(available_timezones()):
        if code.startswith(("Etc/", "SystemV/")) or code in ("UTC", "Factory", "localtime"):
            continue
        try:
            zone = get_timezone(code)
            offset = zone.utcoffset(now) or datetime.now(zone).utcoffset()
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            name = f"{get_timezone_location(zone, locale=locale)} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"
        except (LookupError, ValueError):
            continue
        zones.append((code, name))
    return (("UTC", "UTC (UTC+00:00)"), *zones)
