"""The organisation's settings form (services/foundation/settings.py checks the values)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from . import Form

# Form field -> setting key (or (key, part) for the days by severity).
FIELDS = {
    "issuing_body_parent": "ISSUING_BODY_PARENT",
    "issuing_body": "ISSUING_BODY",
    "issuing_place": "ISSUING_PLACE",
    "issuing_place_en": "ISSUING_PLACE_EN",
    "minutes_symbol": "MINUTES_SYMBOL",
    "notice_symbol": "NOTICE_SYMBOL",
    "conclusion_symbol": "CONCLUSION_SYMBOL",
    "minutes_copies": "MINUTES_COPIES",
    "minutes_distribution": "MINUTES_DISTRIBUTION",
    "notice_distribution": "NOTICE_DISTRIBUTION",
    "conclusion_distribution": "CONCLUSION_DISTRIBUTION",
    "signing_mode": "SIGNING_MODE",
    "signing_for": "SIGNING_FOR",
    "signer_title": "SIGNER_TITLE",
    "signer_name": "SIGNER_NAME",
    "checkin_radius_m": "CHECKIN_RADIUS_M",
    "poor_accuracy_m": "POOR_ACCURACY_M",
    "reminder_days_before": "REMINDER_DAYS_BEFORE",
    "days_minor": ("REMEDIATION_DAYS_BY_SEVERITY", "minor"),
    "days_major": ("REMEDIATION_DAYS_BY_SEVERITY", "major"),
    "days_critical": ("REMEDIATION_DAYS_BY_SEVERITY", "critical"),
    "timezone": "BABEL_DEFAULT_TIMEZONE",
}


class SettingsForm(Form):
    issuing_body_parent = StringField(_l("Parent body (first heading line)"), validators=[InputRequired()])
    issuing_body = StringField(_l("Issuing body (second heading line)"), validators=[InputRequired()])
    issuing_place = StringField(_l("Place on the date line"), validators=[InputRequired()])
    issuing_place_en = StringField(_l("Place on the date line of English documents"), validators=[InputRequired()])
    minutes_symbol = StringField(_l("Number symbol of the minutes"), validators=[InputRequired()])
    notice_symbol = StringField(_l("Number symbol of the notices"), validators=[InputRequired()])
    conclusion_symbol = StringField(_l("Number symbol of the conclusions"), validators=[InputRequired()])
    minutes_copies = IntegerField(_l("Copies of the minutes"), validators=[InputRequired()],
                                  render_kw={"inputmode": "numeric"})
    minutes_distribution = TextAreaField(_l("Recipients (one per line)"), validators=[InputRequired()],
                                         render_kw={"rows": 4})
    notice_distribution = TextAreaField(_l("Recipients of the inspection notice (one per line)"),
                                        validators=[InputRequired()], render_kw={"rows": 4})
    conclusion_distribution = TextAreaField(_l("Recipients of the conclusion notice (one per line)"),
                                            validators=[InputRequired()], render_kw={"rows": 4})
    signing_mode = SelectField(_l("Who signs the notices"), choices=[
        SelectChoice("team", _l("The team: TM. ĐOÀN KIỂM TRA / TRƯỞNG ĐOÀN (the team lead)")),
        SelectChoice("TM", _l("On behalf of the body: TM. …")),
        SelectChoice("KT", _l("For the head, as deputy: KT. …"))], validate_choice=False, validators=[InputRequired()])
    signing_for = StringField(_l("After TM. or KT."), validators=[Optional()])
    signer_title = StringField(_l("Signer's title"), validators=[Optional()])
    signer_name = StringField(_l("Signer's name"), validators=[Optional()])
    checkin_radius_m = IntegerField(_l("Check-in radius (metres)"), validators=[InputRequired()],
                                    render_kw={"inputmode": "numeric"})
    poor_accuracy_m = IntegerField(_l("Accuracy limit (metres)"), validators=[InputRequired()],
                                   render_kw={"inputmode": "numeric"})
    reminder_days_before = StringField(_l("Reminder days before a deadline"), validators=[InputRequired()])
    days_minor = IntegerField(_l("Minor"), validators=[InputRequired()], render_kw={"inputmode": "numeric"})
    days_major = IntegerField(_l("Major"), validators=[InputRequired()], render_kw={"inputmode": "numeric"})
    days_critical = IntegerField(_l("Critical"), validators=[InputRequired()], render_kw={"inputmode": "numeric"})
    timezone = StringField(_l("Time zone"), validators=[InputRequired()],
                           render_kw={"list": "timezones", "autocapitalize": "none", "spellcheck": "false"})

    def fill(self, values: dict) -> None:
        """Show the settings' current values (a GET)."""
        for name, key in FIELDS.items():
            if isinstance(key, tuple):
                value = values[key[0]][key[1]]
            else:
                value = values[key]
            if isinstance(key, str) and key.endswith("_DISTRIBUTION"):
                value = "\n".join(value)
            elif key == "REMINDER_DAYS_BEFORE":
                value = ", ".join(str(day) for day in value)
            getattr(self, name).data = value

    def values(self) -> dict:
        """The typed values by setting key, for the service to check."""
        out: dict = {}
        for name, key in FIELDS.items():
            data = getattr(self, name).data
            if isinstance(key, tuple):
                out.setdefault(key[0], {})[key[1]] = data
            elif key.endswith("_DISTRIBUTION"):
                out[key] = (data or "").splitlines()
            elif key == "REMINDER_DAYS_BEFORE":
                out[key] = [part for part in (data or "").replace(";", ",").split(",") if part.strip()]
            else:
                out[key] = data
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put the service's messages beside their fields."""
        for name, key in FIELDS.items():
            key = ".".join(key) if isinstance(key, tuple) else key
            if key in errors:
                field = getattr(self, name)
                field.errors = [*field.errors, errors[key]]


def setting_labels() -> dict[str, str]:
    """Each setting key as this page names it, in the reader's language (the audit trail
    shows a change of settings with these names)."""
    from flask_babel import gettext

    out = {key: str(getattr(SettingsForm, name).args[0]) for name, key in FIELDS.items() if isinstance(key, str)}
    out["REMEDIATION_DAYS_BY_SEVERITY"] = gettext("Days to remediate, by severity")
    return out
