"""Forms of the plan pages: a new plan, a change to it, its deletion, an inspection's
dates or cancellation, and the notice. The templates keep their hand-written inputs
(the unit picker's script and the browser tests know them by name); these classes
read and check what was typed, and `typed()` gives it back to the page."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import AnyOf, Length, Optional

from ..services.fieldwork.draws import METHODS
from . import Day, Form


class _Date(Day):
    """A plan date whose refusal names its field (the page also lists refusals above the form)."""

    def refusal(self, typed: str) -> str:
        from ..i18n import date_example

        return gettext("%(field)s: enter a date like %(example)s.", field=self.label.text, example=date_example())


class _Number(IntegerField):
    """A whole number, refused as "Enter a whole number for <its label>."."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [v.strip() for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(gettext("Enter a whole number for %(field)s.", field=self.label.text)) from None


def _many(label):
    """Values of a repeated input (checkboxes, the picker's hidden inputs); the page offers them, the view judges them."""
    return SelectMultipleField(label, validate_choice=False, validators=[Optional()])


def typed(form: Form) -> MultiDict:
    """What was typed into each field, as the page's hand-written inputs show it again."""
    values = MultiDict()
    for name, f in form._fields.items():
        if isinstance(f, SelectMultipleField):
            values.setlist(name, [str(v) for v in f.data or []])
        else:
            values[name] = f._value()
    return values


TEXT_MAX = 5000


class _PlanFields(Form):
    # A blank title is the service's to refuse ("The plan needs a title.").
    title = StringField(_l("Title"), validators=[Length(max=255)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=TEXT_MAX)])
    period_start = _Date(_l("Period from"))
    period_end = _Date(_l("Period to"))
    team_id = _Number(_l("Team"), validators=[Optional()])
    unit_ids = _many(_l("Chosen units"))
    unit_kinds = _many(_l("Unit kinds to search"))
    # The legal basis every document cites (services/reporting/minutes.py legal_basis).
    plan_number = StringField(_l("Plan number"), validators=[Optional(), Length(max=64)])
    plan_date = _Date(_l("Plan date"), validators=[Optional()])
    decision_number = StringField(_l("Number of the decision establishing the team"),
                                  validators=[Optional(), Length(max=64)])
    decision_date = _Date(_l("Decision date"), validators=[Optional()])
    decision_signer = StringField(_l("Decision signed by"), validators=[Optional(), Length(max=255)])
    # The picker's search box, kept as it was when the page comes back.
    province_id = StringField(_l("Province"), validators=[Optional(), Length(max=20)])
    unit_q = StringField(_l("Find a unit by name or code"), validators=[Optional(), Length(max=200)])


class NewPlanForm(_PlanFields):
    kind = StringField(_l("Kind"))
    window_start = _Date(_l("Visit window from (optional)"), validators=[Optional()])
    window_end = _Date(_l("Visit window to (optional)"), validators=[Optional()])
    checklist_id = _Number(_l("Checklist"), validators=[Optional()])
    method = StringField(_l("How to choose"), default="none",
                         validators=[AnyOf(("none",) + METHODS,
                                           message=_l("Unknown draw method."))])
    unit_kinds = _many(_l("Unit kinds to choose from (none: all)"))
    unit_codes = TextAreaField(_l("Unit codes (when listed)"), validators=[Optional(), Length(max=TEXT_MAX)])
    n = _Number(_l("Number of units to draw (N)"), validators=[Optional()])
    seed = _Number(_l("Seed (optional; blank draws a new one)"), validators=[Optional()])


class EditPlanForm(_PlanFields):
    pass


class DeletePlanForm(Form):
    confirm = StringField(_l("Delete this plan and its inspections"), validators=[AnyOf(
        ("yes",), message=_l("Tick the box to confirm that the plan and its inspections are deleted."))])


class ScheduleForm(Form):
    window_start = _Date(_l("Visit from"))
    window_end = _Date(_l("Visit to"))
    team_id = _Number(_l("Team"), validators=[Optional()])


class CancelInspectionForm(Form):
    # A blank reason is the service's to refuse ("Give the reason for cancelling.").
    reason = TextAreaField(_l("Reason"), validators=[Length(max=TEXT_MAX)])


class NoticeForm(Form):
    notice_date = _Date(_l("Date of the inspection"))
    notice_time = TimeField(_l("Time"), validators=[Optional()])
    self_report = TextAreaField(_l("Self-report asked of the unit"), validators=[Optional(), Length(max=TEXT_MAX)])
    notice_place = StringField(_l("Place"), validators=[Length(max=TEXT_MAX)])
    requested_documents = TextAreaField(_l("Requested documents"), validators=[Length(max=TEXT_MAX)])


LEGAL_BASIS = ("plan_number", "plan_date", "decision_number", "decision_date", "decision_signer")


def legal_basis(form: Form) -> dict:
    """The legal basis typed on a plan form, for plans.set_legal_basis."""
    return {name: getattr(form, name).data for name in LEGAL_BASIS}
