"""The forms of a user's own account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from . import Form

# An address with one @ and a dot after it: enough to catch a slip; the mail server says the rest.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.org."))


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=1024)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class NewPasswordForm(Form):
    """Choosing a password through a one-time link."""

    new = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"),
                            validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class PreferencesForm(Form):
    locale = SelectField(_l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    email = EmailField(_l("Email for notifications"), validators=[Optional(), EMAIL, Length(max=255)],
                       render_kw={"autocomplete": "email"})
