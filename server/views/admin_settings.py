"""The organisation's settings page (/admin/settings)."""
from __future__ import annotations

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
                           timezones=sorted(available_timezones())), status
