"""Forms of a remediation action's page: asking for more time and deciding on it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from . import Day, Form

# Long enough for any real reason; a pasted document is refused beside the field.
NOTE_MAX = 5000


class ExtensionRequestForm(Form):
    new_deadline = Day(_l("New deadline"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=NOTE_MAX)], render_kw={"rows": 3})


class ExtensionDecisionForm(Form):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve the extension")),
                                                              SelectChoice("refuse", _l("Refuse"))],
                           validators=[InputRequired()])
    note = TextAreaField(_l("Note (required to refuse)"), validators=[Optional(), Length(max=NOTE_MAX)],
                         render_kw={"rows": 2})
