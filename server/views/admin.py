"""The administrator's home: counts, what needs attention, and the way to each administration page."""
from __future__ import annotations

import smtplib
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms.admin import TestEmailForm, UnlockForm
from ..models.types import utcnow
from ..permissions import permission_required
from ..services.administration import overview
from ..services.directory import auth as auth_service
from ..services.foundation import audit, mail
from .admin_audit import verify_and_report

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config)


def _render_home(email_form: TestEmailForm | None = None, status: int = 200):
    config = current_app.config
    settings = _mail_settings()
    if email_form is None:
        email_form = TestEmailForm(formdata=None, to=current_user.email or "")
    return render_template(
        "admin/home.html",
        counts=overview.counts(),
        attention=overview.attention(current_app.extensions["kiemtra.storage"],
                                     auth_service.Throttle.from_config(config), utcnow()),
        audit_state=overview.audit_state(),
        backup=overview.last_backup(Path(current_app.instance_path) / "backups"),
        mail_enabled=settings.enabled,
        email_form=email_form,
        job_started=overview.job_started,
    ), status


@bp.get("")
@permission_required("admin.view")
def home():
    return _render_home()


@bp.post("/audit-chain/verify")
@permission_required("admin.view")
def verify_audit():
    verify_and_report()
    return redirect(url_for("admin.home"))


@bp.post("/test-email")
@permission_required("admin.view")
def test_email():
    settings = _mail_settings()
    if not settings.enabled:
        flash(_("Email is not configured (MAIL_SERVER)."), "error")
        return redirect(url_for("admin.home")), 303
    form = TestEmailForm()
    if not form.validate():
        return _render_home(form, 422)
    try:
        mail.send_mail(settings, form.to.data, _("KiemTra test message"),
                       _("This test message shows that KiemTra can send email."))
    except (smtplib.SMTPException, OSError) as exc:
        current_app.logger.warning("Test email to %s failed: %s", form.to.data, exc)
        flash(_("The test message could not be sent: %(error)s", error=str(exc)), "error")
    else:
        audit.record(current_user, "mail.test", None, to=form.to.data)
        db.session.commit()
        flash(_("A test message was sent to %(address)s.", address=form.to.data), "info")
    return redirect(url_for("admin.home"))


@bp.app_template_filter("number")
def number_filter(value, format: str | None = None) -> str:
    """A number in the user's locale (1.234,5 in Vietnamese, 1,234.5 in English)."""
    from flask_babel import format_decimal

    return format_decimal(value, format=format)


@bp.post("/unlock")
@permission_required("user.manage")
def unlock():
    form = UnlockForm()
    username = (form.username.data or "").strip()
    if not form.validate() or not username:
        flash(_("Name the account to unlock."), "error")
        return redirect(url_for("admin.home")), 303
    auth_service.unlock(username, current_user, utcnow(), auth_service.Throttle.from_config(current_app.config))
    db.session.commit()
    flash(_("The account %(name)s can sign in again.", name=username), "info")
    back = form.next.data or ""
    # Only back to an administration page: never an open redirect.
    return redirect(back if back.startswith("/admin") and not back.startswith("//") else url_for("admin.home"))
