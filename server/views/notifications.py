"""The signed-in user's notifications, and the unread count shown in the header."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..permissions import authorize
from ..services.foundation import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    authorize("notification.list")
    return render_template("notifications.html", notifications=notifications.for_user(current_user),
                           notification_title=notifications.title_of, notification_body=notifications.body_of)


@bp.post("/read")
@login_required
def mark_read():
    authorize("notification.list")
    notifications.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "info")
    return redirect(url_for("notifications.index"))


@bp.app_context_processor
def unread_notifications():
    def count() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        return notifications.unread_count(current_user)

    return {"unread_notifications": count}
