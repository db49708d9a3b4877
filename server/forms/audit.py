"""The audit trail's filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from . import Day, Form


def _id_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class AuditFilterForm(Form):
    user = SelectField(_l("User"), coerce=_id_or_none, validators=[Optional()], validate_choice=True)
    action = SelectField(_l("What was done"), validators=[Optional()])
    object_type = SelectField(_l("Object"), validators=[Optional()])
    object_id = StringField(_l("Object number"), validators=[Optional(), Length(max=64)])
    day_from = Day(_l("From"), validators=[Optional()])
    day_to = Day(_l("To"), validators=[Optional()])

    def offer(self, users, actions: list[tuple[str, str]], objects: list[tuple[str, str]], everyone: str) -> None:
        self.user.choices = [("", everyone)] + [(user.id, label) for user, label in users]
        self.action.choices = [("", everyone)] + actions
        self.object_type.choices = [("", everyone)] + objects
