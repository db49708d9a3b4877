"""Language and time zone selection. Vietnamese first, English second."""
from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Vietnamese is the default, whatever the browser says: the teams'
    # phones are often set to English while the team works in Vietnamese.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    # The organisation's time zone is a setting an administrator may change.
    from .services.foundation import settings

    return settings.get("BABEL_DEFAULT_TIMEZONE")


def text_for(text, locale: str | None = None) -> str:
    """A checklist text (plain string or {lang: string}) in the current language."""
    from flask_babel import get_locale

    from .services.checklists.definition import localize

    return localize(text, locale or str(get_locale() or "vi"))



def labels() -> dict[str, dict[str, str]]:
    """Human labels for stored codes, in the current language."""
    from flask_babel import gettext as _

    from .services.checklists.unit_kinds import kind_labels

    return {
        "unit_kind": kind_labels(),
        "status": {
            "planned": _("Planned"),
            "in_progress": _("In progress"),
            "submitted": _("Submitted"),
            "returned": _("Returned"),
            "approved": _("Approved"),
            "concluded": _("Concluded"),
            "cancelled": _("Cancelled"),
        },
        "kind": {
            "announced": _("Planned inspection"),
            "unannounced": _("Surprise inspection"),
        },
        "role": {
            "admin": _("Administrator"),
            "lead": _("Team lead"),
            "inspector": _("Inspector"),
            "unit_officer": _("Unit officer"),
            "viewer": _("Viewer"),
        },
    }


def init_app(app) -> None:
    @app.context_processor
    def _inject():
        from flask_babel import get_locale

        return {"labels": labels(), "text_for": text_for, "current_locale": str(get_locale() or "vi")}
