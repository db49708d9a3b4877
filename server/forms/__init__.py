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
from flask_wtf import FlaskForm


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

