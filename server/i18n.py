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
    from flask_babel import pgettext

    from .services.checklists.unit_kinds import kind_labels

    return {
        "unit_kind": kind_labels(),
        "status": {
            "planned": pgettext("inspection status", "Planned"),
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
        "action_status": {key: str(label) for key, label in ACTION_STATUS_LABELS().items()},
        "result": {"pass": _("Pass"), "fail": _("Fail"), "incomplete": _("Incomplete")},
        "outcome": {"pass": _("Pass"), "fail": _("Fail"), "na": _("Not applicable"),
                    "unanswered": _("Not answered"), "unscored": _("Not scored"), "hidden": _("Hidden")},
        "severity": {"minor": _("Minor"), "major": _("Major"), "critical": _("Critical")},
        "priority": {"low": _("Low"), "normal": _("Normal"), "high": _("High")},
        "draw_method": {
            "none": _("Listed below"),
            "uniform": _("Random draw, all equally likely"),
            "stratified": _("Random draw, N of each unit kind"),
            "weighted": _("Random draw, lower past scores more likely"),
        },
        # The summary workbook's sheets, by table name.
        "table": {"inspections": _("Inspections"), "items": _("Item results"), "findings": _("Findings"),
                  "actions": _("Actions"), "units": _("By unit")},
        # What a revision of a submitted inspection changed.
        "change_field": {"value": _("Answer"), "na": _("Not applicable"), "note": _("Note"),
                         "finding": _("Finding"), "photo_withdrawn": _("Photo withdrawn"),
                         "attendees": _("Attendees"), "signatures": _("Signatures"),
                         "started_at": _("Started"), "ended_at": _("Ended")},
        "yes_no": {True: _("yes"), False: _("no")},
    }


def ACTION_STATUS_LABELS():  # noqa: N802 (a table, read where it is defined)
    from .services.remediation.actions import STATUS_LABELS

    return STATUS_LABELS


# One way to write a date per language, with the year in four digits. Vietnamese
# writes 03/12/2026; English gets the month's name ("3 Dec 2026") so that neither
# a British nor an American reader can take the day for the month. Every named
# style (short, medium, long) is that one style; "full" adds the weekday.
DATE_STYLES = {
    "vi": {"date": "dd/MM/yyyy", "full": "EEEE, dd/MM/yyyy", "time": "HH:mm", "month": "MM/yyyy"},
    "en": {"date": "d MMM yyyy", "full": "EEEE, d MMM yyyy", "time": "HH:mm", "month": "MMM yyyy"},
}
# Vietnamese separates the percent sign (81,36 %); English does not (81.36%).
PERCENT_PATTERN = {"vi": "#,##0.##\u00a0%", "en": "#,##0.##%"}


def current_language() -> str:
    from flask_babel import get_locale

    language = str(get_locale() or "vi").split("_")[0]
    return language if language in DATE_STYLES else "en"


class OneDateStylePerLanguage(dict):
    """Flask-Babel's table of named date styles, answered in the reader's language:
    format_date(d, "short"), |dateformat('medium') and the rest all give the one style."""

    def __getitem__(self, key):
        kind, _dot, style = key.partition(".")
        if not style:
            return "medium"
        patterns = DATE_STYLES[current_language()]
        date, time = patterns["full" if style == "full" else "date"], patterns["time"]
        return {"date": date, "time": time, "datetime": f"{date} {time}"}.get(kind) or super().__getitem__(key)


def format_day(value) -> str:
    """A date (or a moment, in the organisation's time zone) in the reader's style. The formal
    date of a document ("ngày 03 tháng 12 năm 2026") is services/reporting/doc_text.day_text."""
    from datetime import datetime

    from flask_babel import format_date, to_user_timezone

    if value is None or value == "":
        return ""
    if isinstance(value, str):
        from datetime import date

        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = to_user_timezone(value).date() if value.tzinfo else value.date()
    return format_date(value, "short")


def parse_day(text: str):
    """A date as a person types it: 18/12/2026 (day first, as both languages write it here),
    18-12-2026, 18.12.2026, 2026-12-18 (what a date picker sends) or 18 Dec 2026; None if not a date."""
    from datetime import date, datetime

    text = " ".join(str(text or "").split())
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def date_example() -> str:
    """How a date is written in the reader's language, shown in a message that refuses one."""
    from datetime import date

    return format_day(date(2026, 12, 18))


def format_month(period: str) -> str:
    """A month stored as "2026-12" in the reader's style: 12/2026, Dec 2026."""
    from datetime import date

    from flask_babel import format_date

    try:
        year, month = (int(part) for part in str(period).split("-")[:2])
        return format_date(date(year, month, 1), DATE_STYLES[current_language()]["month"])
    except ValueError:
        return str(period)


def format_number(value, digits: int = 2) -> str:
    """A number in the reader's locale (1.234,5 in Vietnamese), at most `digits` decimals."""
    from flask_babel import format_decimal

    if value is None or value == "":
        return ""
    return format_decimal(value, format="#,##0" + ("." + "#" * digits if digits else ""))


def format_percent(value, digits: int = 2) -> str:
    """A percentage given as 0–100 (81.36) in the reader's locale: "81,36 %" / "81.36%"."""
    from flask_babel import format_percent as babel_percent

    if value is None or value == "":
        return ""
    pattern = PERCENT_PATTERN[current_language()].replace(".##", "." + "#" * digits if digits else "")
    return babel_percent(float(value) / 100, format=pattern)


def init_app(app) -> None:
    from .extensions import babel

    babel.date_formats = OneDateStylePerLanguage(babel.date_formats or {})
    # Filters for every template, the PDF ones included.
    app.jinja_env.filters.update(day=format_day,
                                 decimal=format_number, percent=format_percent, month=format_month)

    @app.context_processor
    def _inject():
        from flask_babel import get_locale

        return {"labels": labels(), "text_for": text_for, "current_locale": str(get_locale() or "vi")}
