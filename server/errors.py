"""Error answers: JSON for the API and scripts, a page for people.

Every error a user can cause gets a message in their language and its 4xx
code; an unexpected error is logged, rolled back, and answered 500.
"""
from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import api, db
from .upload_forms import limit_megabytes


def default_message(code: int) -> str:
    messages = {
        400: _("The request is not valid."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to do this."),
        404: _("The page or record was not found."),
        405: _("This action is not allowed here."),
        409: _("This conflicts with what is already stored."),
        413: _("The upload is too large: at most %(size)s MB can be sent at once.", size=limit_megabytes()),
        415: _("This file type is not accepted."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Please wait and try again."),
    }
    return messages.get(code, _("Something went wrong on the server. Please try again."))


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def handle_http_exception(error: HTTPException):
    db.session.rollback()
    code = error.code or 500
    if wants_json():
        if request.path.startswith("/api/") and getattr(error, "data", None):
            return api.handle_http_exception(error)  # marshmallow field errors
        message = getattr(error, "kiemtra_message", None) or default_message(code)
        return jsonify(code=code, status=error.name, message=message), code
    if code == 401:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    message = getattr(error, "kiemtra_message", None) or default_message(code)
    return render_template("error.html", code=code, message=message), code


def handle_unexpected(error: Exception):
    db.session.rollback()  # first: the messages below may need the database (the user's language)
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if _is_rejected_value(error):
        # PostgreSQL refuses text longer than its column or holding a NUL
        # byte where SQLite stores it: the user's input, not a server fault.
        return handle_http_exception(user_error(422, _("A field is too long or contains characters that "
                                                       "cannot be stored. Nothing was saved.")))
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def _is_rejected_value(error: Exception) -> bool:
    from sqlalchemy.exc import DataError, StatementError

    return isinstance(error, DataError) or (
        isinstance(error, StatementError) and isinstance(error.orig, ValueError) and "NUL" in str(error.orig)
    )


def user_error(code: int, message: str) -> HTTPException:
    """An HTTP error carrying a message for the user, e.g. raise user_error(409, _("…"))."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code](description=message)
    exc.kiemtra_message = message
    return exc


def init_app(app) -> None:
    # Registered after flask-smorest's own handler, so ours wins and defers
    # to it only for the API's field-level validation errors.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
