"""Sign-in, sign-out and the language switch."""
import math
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..forms.auth import SignInForm
from ..models.types import utcnow
from ..services.directory import auth as auth_service
from ..services.directory import sessions

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would help phishing.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def _wait_message(seconds: int) -> str:
    if seconds < 60:
        return ngettext("Too many failed sign-in attempts. Try again in %(num)d second.",
                        "Too many failed sign-in attempts. Try again in %(num)d seconds.", seconds)
    return _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.", minutes=-(-seconds // 60))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    error, status, headers = None, 200, {}
    if request.method == "POST" and not form.validate():
        status = 422
    elif request.method == "POST":
        config = current_app.config
        now = utcnow()
        result = auth_service.sign_in(
            form.username.data, form.password.data,
            address=request.remote_addr or "", now=now,
            throttle=auth_service.Throttle.from_config(config),
        )
        if result.user is not None:
            sessions.start(result.user, address=request.remote_addr or "",
                           user_agent=request.user_agent.string, remember=form.remember.data, now=now)
        db.session.commit()
        if result.retry_at is not None:
            seconds = max(1, math.ceil((result.retry_at - now).total_seconds()))
            error, status, headers = _wait_message(seconds), 429, {"Retry-After": str(seconds)}
        elif result.user is None:
            error, status = _("Wrong username or password."), 401
        else:
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(result.user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", form=form, error=error), status, headers


@bp.post("/logout")
@login_required
def logout():
    sessions.end(current_user.session_token, "signed_out")
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        return redirect(_safe_next(request.form.get("next")))
    session["lang"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
