"""Every signed-in user's own account: password, language, email, sessions; and choosing a password by a one-time link."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from ..extensions import db
from ..forms.account import NewPasswordForm, PasswordForm, PreferencesForm
from ..models.types import utcnow
from ..permissions import permission_required
from ..services.directory import passwords, sessions
from ..services.foundation import audit

bp = Blueprint("account", __name__)


def _lifetimes() -> dict:
    config = current_app.config
    return {"lifetime": timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"]),
            "remember_lifetime": timedelta(seconds=config["REMEMBER_COOKIE_DURATION"])}


def _render(password_form=None, preferences_form=None, status: int = 200):
    return render_template(
        "account.html",
        password_form=password_form or PasswordForm(formdata=None),
        preferences_form=preferences_form or PreferencesForm(
            formdata=None, locale=current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
            email=current_user.email or ""),
        open_sessions=sessions.open_sessions(current_user, utcnow(), **_lifetimes()),
        this_token=current_user.session_token,
    ), status


@bp.get("/account")
@permission_required("account.manage")
def index():
    if current_user.must_change_password:
        flash(_("You signed in with a temporary password: choose your own to go on."), "info")
    return _render()


@bp.post("/account/password")
@permission_required("account.manage")
def change_password():
    form = PasswordForm()
    if not form.validate():
        return _render(password_form=form, status=422)
    try:
        ended = passwords.change_own(current_user, form.current.data, form.new.data,
                                     keep_token=current_user.session_token)
    except passwords.PasswordError as exc:
        target = form.current if not current_user.check_password(form.current.data) else form.new
        target.errors.append(str(exc))
        return _render(password_form=form, status=422)
    db.session.commit()
    flash(_("Your password is changed.") + (" " + _("Your other sessions were signed out.") if ended else ""), "info")
    return redirect(url_for("account.index"))


@bp.post("/account/preferences")
@permission_required("account.manage")
def preferences():
    form = PreferencesForm()
    if not form.validate():
        return _render(preferences_form=form, status=422)
    changed = {}
    if form.locale.data != current_user.locale:
        changed["locale"] = form.locale.data
    email = (form.email.data or "").strip() or None
    if email != current_user.email:
        changed["email"] = email
    current_user.locale, current_user.email = form.locale.data, email
    session["lang"] = form.locale.data
    if changed:
        audit.record(current_user, "account.update", current_user, **changed)
    db.session.commit()
    flash(_("Your preferences are saved."), "info")
    return redirect(url_for("account.index"))


@bp.post("/account/sessions/others/end")
@permission_required("account.manage")
def end_other_sessions():
    ended = sessions.end_all(current_user, reason="signed_out_elsewhere", keep_token=current_user.session_token)
    audit.record(current_user, "account.sessions_end", current_user, count=ended)
    db.session.commit()
    flash(_("Your other sessions are signed out."), "info")
    return redirect(url_for("account.index"))


@bp.post("/account/sessions/<int:session_id>/end")
@permission_required("account.manage")
def end_session(session_id: int):
    if session_id >= 2**31 or not sessions.end_one(current_user, session_id, reason="signed_out_elsewhere",
                                                   keep_token=current_user.session_token):
        abort(404)
    audit.record(current_user, "account.sessions_end", current_user, count=1)
    db.session.commit()
    flash(_("That session is signed out."), "info")
    return redirect(url_for("account.index"))


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a one-time link (signed out, or signed in as anyone)."""
    now = utcnow()
    reset = passwords.find_reset(token, now)
    if reset is None:
        return render_template("password_reset.html", form=None), 404
    form = NewPasswordForm()
    if request.method == "POST":
        if form.validate():
            try:
                passwords.use_reset(reset, form.new.data, now)
            except passwords.PasswordError as exc:
                form.new.errors.append(str(exc))
            else:
                db.session.commit()
                if current_user.is_authenticated:
                    logout_user()
                flash(_("Your password is set. Sign in with it."), "info")
                return redirect(url_for("auth.login"))
        return render_template("password_reset.html", form=form, user=reset.user), 422
    return render_template("password_reset.html", form=form, user=reset.user)


@bp.app_template_filter("device")
def device_filter(user_agent: str) -> str:
    """A browser and system a person recognises, from a User-Agent string."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                           ("Chrome/", "Chrome"), ("Safari/", "Safari")) if key in ua), None)
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux")) if key in ua),
                  None)
    if browser or system:
        return " · ".join(part for part in (browser, system) if part)
    return _("Unknown browser")
