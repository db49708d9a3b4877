"""The exports page's workbook form: the filters it carries as hidden fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from . import Day, Form

_ID = [Optional(), NumberRange(min=1)]


class WorkbookForm(Form):
    period_start = Day(_l("From"), validators=[Optional()])
    period_end = Day(_l("To"), validators=[Optional()])
    plan_id = IntegerField(_l("Plan"), validators=_ID)
    checklist_id = IntegerField(_l("Checklist"), validators=_ID)
    unit_id = IntegerField(_l("Unit"), validators=_ID)
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=40)])

    def first_error(self) -> str:
        """The first refusal, named by its field (the fields are hidden, so the message goes above)."""
        name, messages = next(iter(self.errors.items()))
        return f"{self[name].label.text}: {messages[0]}"
