"""Forms of the administration pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms.fields.choices import SelectChoice
from wtforms import EmailField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from wtforms.widgets import CheckboxInput, ListWidget

from . import Form
from .account import EMAIL


# A choice of several as a list of checkboxes: easier on a phone than a multiple select.
_CHECKBOXES = {"widget": ListWidget(prefix_label=False), "option_widget": CheckboxInput(),
               "render_kw": {"class": "checks"}}


class TestEmailForm(Form):
    to = EmailField(_l("Send to"), validators=[InputRequired(), EMAIL, Length(max=255)],
                    render_kw={"autocomplete": "email"})


USERNAME = Regexp(r"^[A-Za-z0-9._-]{2,64}$",
                  message=_l("A username has 2 to 64 letters, digits, dots, dashes or underscores."))


class UserFilterForm(Form):
    """The users list's search and filters (read from the query string)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()])
    team = SelectField(_l("Team"), validators=[Optional()])
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=40)])
    active = SelectField(_l("Status"), validators=[Optional()])


class UserForm(Form):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=255)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=40)])
    teams = SelectMultipleField(_l("Teams"), coerce=int, validators=[Optional()], **_CHECKBOXES)
    email = EmailField(_l("Email"), validators=[Optional(), EMAIL, Length(max=255)])


class NewUserForm(UserForm):
    username = StringField(_l("Username"), validators=[InputRequired(), USERNAME],
                           render_kw={"autocapitalize": "none", "autocomplete": "off"})
    handover = SelectField(_l("First sign-in"), validators=[InputRequired()], choices=[
        SelectChoice("temporary", _l("A temporary password, to change at the first sign-in")),
        SelectChoice("link", _l("A one-time link to choose a password")),
    ], default="temporary")


class ResetForm(Form):
    handover = SelectField(_l("How"), validators=[InputRequired()], choices=[
        SelectChoice("link", _l("A one-time link to choose a password")),
        SelectChoice("temporary", _l("A temporary password, to change at the next sign-in")),
    ], default="link")


class ImportForm(Form):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired()])


class TeamForm(Form):
    name = StringField(_l("Team name"), validators=[InputRequired(), Length(max=255)])


class TeamMembersForm(TeamForm):
    members = SelectMultipleField(_l("Members"), coerce=int, validators=[Optional()], **_CHECKBOXES)
    lead = SelectField(_l("Team lead"), coerce=int, validators=[Optional()])
    secretary = SelectField(_l("Secretary (takes the minutes)"), coerce=int, validators=[Optional()])


class UnlockForm(Form):
    """The administrator home's button unlocking an account (its fields are hidden)."""

    username = HiddenField(_l("Username"), validators=[InputRequired(), Length(max=64)])
    next = HiddenField(validators=[Optional(), Length(max=2000)])


class ImportConfirmForm(Form):
    """The previewed rows of a user import, sent back as JSON to be checked again."""

    rows = HiddenField(validators=[InputRequired()])
