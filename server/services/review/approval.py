"""Reviewing a submitted inspection: approve, return with comments, revise.

A submitted inspection is never edited in place. The team changes it by
resubmitting after a return (services/fieldwork/submissions.py records the revision);
a lead changes it with `revise_answers`, which records an InspectionRevision
with the reason and every change, the same way.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Answer, Inspection, InspectionRevision, InspectionStatus, ReviewComment
from ...models.types import utcnow
from ...permissions import inspection_scope
from ..foundation import audit, notifications
from ..checklists import scoring
from ..fieldwork import inspection_search, submissions
from ..checklists.definition import item_index


class ReviewError(Exception):
    """A refused review step: `status` is the HTTP status, `message` the user's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# What the queue lists: what waits for the lead, and what went back to the team.
QUEUE_STATUSES = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.RETURNED)


def review_queue(user, filters=None) -> list[Inspection]:
    """Submitted inspections waiting for review, then approved ones waiting for a conclusion;
    with `filters` (services/fieldwork/inspection_search.py) naming a status, those of that
    status (the returned ones, back with the team, included)."""
    wanted = [filters.status] if filters is not None and filters.status else \
        [InspectionStatus.SUBMITTED, InspectionStatus.APPROVED]
    stmt = (
        sa.select(Inspection)
        .where(inspection_scope(user), Inspection.status.in_(wanted))
        .options(selectinload(Inspection.checklist_version), selectinload(Inspection.team))
        .order_by(sa.case((Inspection.status == InspectionStatus.SUBMITTED, 0), else_=1),
                  Inspection.submitted_at, Inspection.id)
    )
    if filters is not None:
        stmt = inspection_search.apply(stmt, filters)
    return list(db.session.scalars(stmt))


def _require_submitted(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ReviewError(409, _("Only a submitted inspection can be approved."))


def _team_members(inspection: Inspection) -> list:
    return list(inspection.team.members) if inspection.team else []


def _comment_rows(inspection: Inspection, actor, comments, kind: str) -> list[ReviewComment]:
    """Review comments from (item key or None, text) pairs, blank ones skipped."""
    items = item_index(inspection.definition)
    rows: list[ReviewComment] = []
    for item_key, body in comments or ():
        body = (body or "").strip()
        if not body:
            continue
        if item_key is not None and item_key not in items:
            raise ReviewError(422, _("The checklist has no item %(key)s.", key=item_key))
        rows.append(ReviewComment(inspection_id=inspection.id, item_key=item_key, body=body, kind=kind,
                                  author_id=getattr(actor, "id", None)))
    return rows


def approve(inspection: Inspection, actor, comments: list[tuple[str | None, str]] | None = None) -> Inspection:
    """The lead accepts the submission; the conclusion can then be written.

    Comments written with the approval are kept with it (they ask the team
    for nothing, so they are resolved at once) and sent to the team.
    """
    _require_submitted(inspection)
    rows = _comment_rows(inspection, actor, comments, "approval")
    now = utcnow()
    for row in rows:
        row.resolved_at = now
    db.session.add_all(rows)
    inspection.status = InspectionStatus.APPROVED
    inspection.approved_at = now
    db.session.flush()
    audit.record(actor, "inspection.approve", inspection, revision=inspection.revision,
                 **({"comments": len(rows)} if rows else {}))
    notifications.notify(_team_members(inspection), "inspection_approved", _l("Approved: %(unit)s"),
                         params={"unit": inspection.unit_name_snapshot,
                                 "comment": "\n".join(r.body for r in rows)},
                         body=_l("The lead's comment: %(comment)s") if rows else None, link="/app", actor=actor)
    return inspection


def return_to_team(inspection: Inspection, actor, comments: list[tuple[str | None, str]]) -> list[ReviewComment]:
    """Send the inspection back to the team with comments, each on an item or on the whole.

    A submitted inspection goes back, and so does an approved one whose
    conclusion is not issued yet (evidence it waits for may never come).
    """
    if inspection.status not in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED):
        raise ReviewError(409, _("Only a submitted or approved inspection, not yet concluded, can be returned."))
    rows = _comment_rows(inspection, actor, comments, "return")
    if not rows:
        raise ReviewError(422, _("Write at least one comment to tell the team what to fix."))
    db.session.add_all(rows)
    before = inspection.status
    inspection.status = InspectionStatus.RETURNED
    db.session.flush()
    audit.record(actor, "inspection.return", inspection, comments=len(rows),
                 items=sorted({r.item_key for r in rows if r.item_key}),
                 **({"after_approval": True} if before == InspectionStatus.APPROVED else {}))
    notifications.notify(_team_members(inspection), "inspection_returned", _l("Returned for changes: %(unit)s"),
                         params={"unit": inspection.unit_name_snapshot}, link=f"/app#/i/{inspection.uuid}",
                         actor=actor)
    return rows


def comments(inspection: Inspection) -> list[ReviewComment]:
    return list(db.session.scalars(sa.select(ReviewComment).where(ReviewComment.inspection_id == inspection.id)
                                   .order_by(ReviewComment.id)))


def revisions(inspection: Inspection) -> list[InspectionRevision]:
    return list(db.session.scalars(sa.select(InspectionRevision).where(
        InspectionRevision.inspection_id == inspection.id).order_by(InspectionRevision.number.desc())))


def parse_value(item: dict, text: str):
    """A typed answer value from what a person typed in a form (None when blank)."""
    text = (text or "").strip()
    if not text:
        return None
    kind = item["type"]
    try:
        if kind in ("count", "scale"):
            return int(text)
        if kind == "number":
            number = float(text.replace(",", "."))
            return int(number) if number.is_integer() else number
        if kind == "ratio":
            numerator, denominator = text.replace(" ", "").split("/")
            return {"numerator": int(numerator), "denominator": int(denominator)}
        if kind == "multi_choice":
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ReviewError(422, _("“%(text)s” is not a valid answer for this item.", text=text)) from exc
    return text


def revise_answers(inspection: Inspection, actor, changes: dict[str, dict], reason: str) -> InspectionRevision:
    """A lead's change to answers after submission, recorded as a revision with its reason.

    `changes` maps item keys to {"value", "na", "note"}. Every answer is checked
    against the checklist first; nothing is written when one does not fit.
    """
    if inspection.status not in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED):
        raise ReviewError(409, _("Answers can be revised only while the inspection is submitted or approved."))
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(422, _("Give the reason for the change."))
    items = item_index(inspection.definition)
    for key, new in changes.items():
        if key not in items:
            raise ReviewError(422, _("The checklist has no item %(key)s.", key=key))
        problem = scoring.answer_problem(items[key][1], new)
        if problem:
            raise ReviewError(422, _("%(item)s: %(problem)s", item=key, problem=problem))
    before = submissions.snapshot(inspection)
    stored = {a.item_key: a for a in inspection.answers}
    now = utcnow()
    for key, new in changes.items():
        note = (new.get("note") or "").strip() or None
        row = stored.get(key)
        if row is None:
            row = Answer(item_key=key)
            inspection.answers.append(row)
        row.value, row.na, row.note, row.answered_at = new.get("value"), bool(new.get("na")), note, now
    changed = submissions.diff(before, submissions.snapshot(inspection))
    if not changed:
        raise ReviewError(422, _("Nothing was changed."))
    inspection.revision += 1
    revision = InspectionRevision(inspection_id=inspection.id, number=inspection.revision, reason=reason,
                                  author_id=getattr(actor, "id", None), changes=changed)
    db.session.add(revision)
    submissions.store_score(inspection)  # the one way a stored score is refreshed
    db.session.flush()
    audit.record(actor, "inspection.revise", inspection, revision=inspection.revision, reason=reason,
                 items=sorted(changes))
    return revision
