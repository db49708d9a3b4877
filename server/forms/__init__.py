"""HTML forms: one way for every form of the app (WTForms, through Flask-WTF).

A form class declares its fields, their checks and their messages. A view
builds it (`MyForm()` reads the posted data by itself), calls
`form.validate_on_submit()`, and on refusal renders the same page again with
the form and a 4xx status: every typed value stays, and each message stands
beside its field (`{% from "_form.html" import field %}` … `{{ field(form.x) }}`).
Services still decide what may be done; a form only checks what was typed.

No CSRF tokens: security.py refuses every cross-site write by Fetch Metadata,
forms and JSON alike. WTForms' own messages ("This field is required.") are
read through Flask-Babel, so they come in the user's language like every
other text (their Vietnamese is in the app's catalogue).
"""
from __future__ import annotations

from flask_babel import get_translations
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import ValidationError


class _AppTranslations:
    """WTForms asks this for its built-in messages; the app's catalogue answers."""

    # The catalogue itself, not Flask-Babel's gettext: WTForms fills in the
    # %(…)s placeholders afterwards.
    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = _AppTranslations()


class Form(FlaskForm):
    """The base of every HTML form."""

    class Meta:
        csrf = False

        def get_translations(self, form):
            return _TRANSLATIONS


class Day(DateField):
    """A date field. A date picker sends 2026-12-18; where a browser has none, a person
    types the date as they write it (18/12/2026), and a refusal shows that style beside the
    field: "Vui lòng nhập ngày theo dạng 18/12/2026." — never a pattern such as YYYY-MM-DD.
    The page shows the value back as the picker wants it (ISO). Given no validator, a date
    is required: a blank one is refused with the same sentence as a wrong one."""

    def refusal(self, typed: str) -> str:
        from ..i18n import date_example

        return gettext("Enter a date like %(example)s.", example=date_example())

    def process_formdata(self, valuelist):
        from ..i18n import parse_day

        if not valuelist:
            return
        typed = " ".join(valuelist).strip()
        if not typed:
            self.data = None
            return
        self.data = parse_day(typed)
        if self.data is None:
            raise ValueError(self.refusal(typed))

    def pre_validate(self, form):
        # A blank date, or a post with no fields at all (Flask-WTF does not read it).
        if self.data is None and not self.errors and not self.validators:
            raise ValidationError(self.refusal(""))
