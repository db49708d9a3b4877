"""Forms of the lead's review pages: comments with a decision, a revision of an answer,
a follow-up check and the conclusion. The page names some fields after the checklist's
items (comment-<item>, group-<proposal>, …), so those forms are built for one inspection.
The templates keep their hand-written inputs (the browser tests know them by name)."""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from . import Day, Form

TEXT_MAX = 10000  # a general comment or a conclusion's section: pages of text, never a pasted book
LINE_MAX = 500


class _Date(Day):
    """A date whose refusal is this form's own sentence (`message(text typed)`)."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def refusal(self, typed: str) -> str:
        return self.message(typed)


def comments_form(item_keys) -> Form:
    """The general comment and one comment per item, as the review page sends them."""

    class CommentsForm(Form):
        comment = TextAreaField(_l("General comment for the team"), validators=[Length(max=TEXT_MAX)])

    for key in item_keys:
        setattr(CommentsForm, f"comment-{key}", TextAreaField(_l("Comment for the team"),
                                                              validators=[Length(max=TEXT_MAX)]))
    return CommentsForm()


class RevisionForm(Form):
    # Which item is the view's to judge against the checklist ("Choose the item to change.").
    item_key = StringField(_l("Item"), validators=[Length(max=LINE_MAX)])
    value = StringField(_l("New answer"), validators=[Length(max=LINE_MAX)])
    na = BooleanField(_l("Not applicable"))
    note = StringField(_l("Note"), validators=[Length(max=TEXT_MAX)])
    # A blank reason is the service's to refuse ("Give the reason for the change.").
    reason = TextAreaField(_l("Reason for the change"), validators=[Length(max=TEXT_MAX)])


def _no_dates(text: str) -> str:
    return gettext("Give the dates of the follow-up check.")


def _not_a_date(text: str) -> str:
    from ..i18n import date_example

    return gettext("“%(text)s” is not a date: write it like %(example)s.", text=text, example=date_example())


class FollowUpForm(Form):
    window_start = _Date(_l("From"), message=_no_dates)
    window_end = _Date(_l("To"), message=_no_dates)
    # The kinds are the service's to judge ("Unknown kind of inspection").
    kind = StringField(_l("Kind"), validators=[Length(max=40)])


def conclusion_form(proposal_keys) -> Form:
    """The conclusion's three sections and, per proposed action, its group, priority and deadline."""

    class ConclusionForm(Form):
        strengths = TextAreaField(_l("Strengths"), validators=[Length(max=TEXT_MAX)])
        shortcomings = TextAreaField(_l("Shortcomings"), validators=[Length(max=TEXT_MAX)])
        recommendations = TextAreaField(_l("Recommendations"), validators=[Length(max=TEXT_MAX)])
        responsibility = TextAreaField(_l("Individual responsibility (optional)"), validators=[Length(max=TEXT_MAX)])
        submit = StringField(_l("Submit"), validators=[Length(max=20)])

    for key in proposal_keys:
        setattr(ConclusionForm, f"group-{key}", StringField(_l("Group"), validators=[Length(max=100)]))
        setattr(ConclusionForm, f"priority-{key}", StringField(_l("Priority"), validators=[Length(max=40)]))
        setattr(ConclusionForm, f"deadline-{key}", _Date(_l("Deadline"), validators=[Optional()],
                                                         message=_not_a_date))
    return ConclusionForm()

