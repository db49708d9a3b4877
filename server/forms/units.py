"""Forms of the units pages: a unit, an import, a reorganisation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from . import Day, Form


class UnitForm(Form):
    kind = SelectField(_l("Kind of unit"), validators=[InputRequired()])
    code = StringField(_l("Official code"), validators=[InputRequired(), Length(max=32)],
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=255)])
    parent_code = StringField(_l("Code of the unit above"), validators=[Optional(), Length(max=32)],
                              render_kw={"autocapitalize": "none", "spellcheck": "false", "list": "unit-codes"})
    valid_from = Day(_l("Exists from"), validators=[Optional()])
    lat = StringField(_l("Latitude"), validators=[Optional(), Length(max=40)], render_kw={"inputmode": "decimal"})
    lon = StringField(_l("Longitude"), validators=[Optional(), Length(max=40)], render_kw={"inputmode": "decimal"})
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VietnamImportForm(Form):
    provinces = _Checkboxes(_l("Provinces"), validators=[InputRequired(_l("Choose at least one province."))])


class CsvUploadForm(Form):
    file = FileField(_l("CSV file"))
    # After the preview: the file's text and name, sent again to import it.
    csv_text = HiddenField()
    file_name = HiddenField()


REORGANISATIONS = ("merge", "rename", "split")


class ReorganiseForm(Form):
    kind = SelectField(_l("What happens"), validators=[InputRequired()])
    effective = Day(_l("Effective date"), validators=[InputRequired()])
    legal_basis = StringField(_l("Legal basis"), validators=[InputRequired(), Length(max=255)])
    # Merge: this unit (and others) into an existing unit.
    into_code = StringField(_l("Code of the unit that takes over"), validators=[Optional(), Length(max=32)],
                            render_kw={"list": "unit-codes", "autocapitalize": "none"})
    also_codes = StringField(_l("Codes of other units merged with it"), validators=[Optional(), Length(max=2000)],
                             render_kw={"autocapitalize": "none"})
    # Rename: a new name (and code).
    new_name = StringField(_l("New name"), validators=[Optional(), Length(max=255)])
    new_code = StringField(_l("New code (if it changes)"), validators=[Optional(), Length(max=32)],
                           render_kw={"autocapitalize": "none"})
    # Split: into existing units; the open actions go to one of them.
    split_codes = StringField(_l("Codes of the new units"), validators=[Optional(), Length(max=2000)],
                              render_kw={"autocapitalize": "none"})
    actions_to_code = StringField(_l("Code of the unit that takes the open actions"),
                                  validators=[Optional(), Length(max=32)], render_kw={"autocapitalize": "none"})
    confirm = HiddenField()
