"""Submitting an inspection from the phone: the only code that writes its
answers, findings, attendees and signatures.

A submission is named by the phone's `submission_uuid`. The unique constraint
on Submission.uuid decides whether it is new: a re-send of the same
submission answers the stored one and changes nothing. Every answer is checked
against the inspection's checklist version (scoring.answer_problem), and the
whole for completeness (completeness.submission_problems: photos the items ask
for, signatures), before anything is written. A resubmission after a return never edits in place: it
records an InspectionRevision with the reason and every change.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import (
    Answer, Attendee, EvidenceFile, Finding, Inspection, InspectionRevision, InspectionStatus,
    ReviewComment, Role, Submission,
)
from ...models.types import utcnow
from ..foundation import audit, idempotency, notifications
from . import completeness
from ..checklists import scoring
from ..checklists.definition import SEVERITIES, item_index

SUBMITTABLE = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS, InspectionStatus.RETURNED)


class SubmissionError(Exception):
    """A refused submission: `status` is the HTTP status; `problems` lists
    {"item_key", "message"} for the answers that do not fit the checklist."""

    def __init__(self, status: int, message: str, problems: list[dict] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems or []


@dataclass
class SubmittedContent:
    """What the phone sends; plain data, already shape-checked by the API schema."""

    answers: list[dict] = field(default_factory=list)      # {item_key, value, na, note}
    findings: list[dict] = field(default_factory=list)     # {uuid, item_key, severity, description}
    attendees: list[dict] = field(default_factory=list)    # {side, name, position}
    signatures: dict | None = None                         # {"lead": {...}, "unit": {...}}
    started_at: datetime | None = None
    ended_at: datetime | None = None
    photos: list[dict] = field(default_factory=list)       # {uuid, kind, item_key, finding_uuid}, to follow
    photo_uuids: list[str] = field(default_factory=list)   # to follow, place not said: count for no item


def find_submission(uuid: str) -> Submission | None:
    return db.session.scalar(sa.select(Submission).where(Submission.uuid == str(uuid)))


def submit(inspection: Inspection, actor, submission_uuid: str, content: SubmittedContent,
           reason: str | None = None, *, locked: bool = False) -> tuple[Submission, bool]:
    """Submit (or, after a return, resubmit) an inspection; returns (submission, created).

    `locked`: the caller read the inspection FOR UPDATE in this transaction
    (permissions.authorized_inspection), so it is not read again.

    Raises SubmissionError: 409 when the inspection is not open for
    submission or the UUID belongs to another inspection, 422 when an answer
    or field does not fit or something required is missing (nothing is written).
    """
    submission_uuid = str(submission_uuid)
    if not locked:  # two phones of the team submitting at once: the second waits here, then sees "submitted"
        db.session.refresh(inspection, with_for_update=True)
    try:
        resubmitting, reason, scored = _open_for(inspection, content, reason)
    except SubmissionError:
        # A re-send of a stored submission is answered with it, whatever has
        # changed since (submitted, returned, ...). Looked up only here: a new
        # submission is told apart by the insert below, not by a read first.
        existing = find_submission(submission_uuid)
        if existing is None:
            raise
        return _same_submission(existing, inspection), False

    row, created = idempotency.insert_once(
        Submission, submission_uuid, inspection_id=inspection.id, submitted_by_id=getattr(actor, "id", None),
        photo_uuids=completeness.announced_uuids(content.photos, content.photo_uuids, content.signatures) or None,
        photos=content.photos or None)
    if not created:  # already stored (sent twice at once, or re-sent while still open): the constraint decided
        return _same_submission(row, inspection), False

    before = snapshot(inspection) if resubmitting else None
    answers = _apply(inspection, actor, content)
    now = utcnow()
    if resubmitting:
        changes = diff(before, snapshot(inspection)) + _withdrawals_since(inspection, inspection.submitted_at)
        inspection.revision += 1
        row.revision_number = inspection.revision
        db.session.add(InspectionRevision(inspection_id=inspection.id, number=inspection.revision, reason=reason,
                                          author_id=getattr(actor, "id", None), changes=changes))
        db.session.execute(sa.update(ReviewComment)
                           .where(ReviewComment.inspection_id == inspection.id, ReviewComment.resolved_at.is_(None))
                           .values(resolved_at=now))
    store_score(inspection, answers, scored)
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = now
    inspection.submitted_by_id = getattr(actor, "id", None)
    db.session.flush()
    from ..reporting import minutes, numbers

    # Signed on site and handed in: the minutes are issued, with their number.
    numbers.assign("minutes", inspection, minutes.minutes_issue_day(inspection))
    audit.record(actor, "inspection.resubmit" if resubmitting else "inspection.submit", inspection,
                 submission=submission_uuid, revision=inspection.revision, result=inspection.result,
                 **({"reason": reason} if resubmitting else {}))
    _tell_leads(inspection, actor, resubmitting)
    return row, True


def _tell_leads(inspection: Inspection, actor, resubmitting: bool) -> None:
    """The plan's leads (whoever made it, the lead of its team) learn that
    there is something to review, with a link to the inspection's page."""
    plan = inspection.plan
    leads = []
    if plan is not None:
        if plan.created_by is not None and plan.created_by.role == Role.LEAD:
            leads.append(plan.created_by)
        if plan.team is not None and plan.team.lead is not None:
            leads.append(plan.team.lead)
    title = _l("Resubmitted for review: %(unit)s") if resubmitting else _l("Submitted for review: %(unit)s")
    notifications.notify(leads, "inspection_resubmitted" if resubmitting else "inspection_submitted", title,
                         params={"unit": inspection.unit_name_snapshot},
                         link=f"/review/inspections/{inspection.uuid}", actor=actor)


def _open_for(inspection: Inspection, content: SubmittedContent,
              reason: str | None) -> tuple[bool, str | None, scoring.ScoreResult]:
    """Whether this is a resubmission, its reason, and the content's score;
    raises SubmissionError when the inspection is not open for this content."""
    if inspection.status not in SUBMITTABLE:
        raise SubmissionError(409, _("This inspection was already submitted and can no longer be changed "
                                     "from the phone."))
    resubmitting = inspection.status == InspectionStatus.RETURNED
    reason = (reason or "").strip() or None
    if resubmitting and reason is None:
        raise SubmissionError(422, _("Give the reason for the changes when resubmitting."),
                              [{"item_key": None, "message": _("a reason is required")}])
    return resubmitting, reason, _check(inspection, content)


def _withdrawals_since(inspection: Inspection, since: datetime | None) -> list[dict]:
    """The photos the team withdrew since the last submission, as revision changes."""
    rows = db.session.scalars(sa.select(EvidenceFile).where(
        EvidenceFile.inspection_id == inspection.id, EvidenceFile.withdrawn_at.is_not(None),
        *([EvidenceFile.withdrawn_at > since] if since else [])).order_by(EvidenceFile.id))
    return [{"item_key": row.item_key, "field": "photo_withdrawn", "old": row.uuid, "new": None} for row in rows]


def held_evidence_uuids(inspection: Inspection) -> list[str]:
    """The evidence UUIDs the server holds for the inspection (photos and signatures)."""
    return sorted(db.session.scalars(sa.select(EvidenceFile.uuid).where(EvidenceFile.inspection_id == inspection.id)))


def expected_photo_uuids(inspection: Inspection) -> list[str]:
    """The evidence UUIDs the latest submission announced."""
    latest = db.session.scalar(sa.select(Submission).where(Submission.inspection_id == inspection.id)
                               .order_by(Submission.id.desc()).limit(1))
    return list(latest.photo_uuids or []) if latest else []


def _same_submission(existing: Submission, inspection: Inspection) -> Submission:
    if existing.inspection_id != inspection.id:
        raise SubmissionError(409, _("This submission identifier was already used for another inspection. "
                                     "Nothing was changed."))
    return existing


# ── validation ───────────────────────────────────────────────────────────────

def _check(inspection: Inspection, content: SubmittedContent) -> scoring.ScoreResult:
    """Refuse content that does not fit the checklist or is incomplete; returns its score."""
    definition = inspection.definition
    items = item_index(definition)
    problems: list[dict] = []
    seen: set[str] = set()
    for answer in content.answers:
        key = answer["item_key"]
        if key not in items:
            problems.append({"item_key": key, "message": _("the checklist has no item %(key)s", key=key)})
            continue
        if key in seen:
            problems.append({"item_key": key, "message": _("the item is answered twice")})
            continue
        seen.add(key)
        message = scoring.answer_problem(items[key][1], answer)
        if message:
            problems.append({"item_key": key, "message": message})
    finding_uuids: set[str] = set()
    for finding in content.findings:
        key = finding.get("item_key")
        if key is not None and key not in items:
            problems.append({"item_key": key, "message": _("the checklist has no item %(key)s", key=key)})
        if finding["severity"] not in SEVERITIES:
            problems.append({"item_key": key, "message": _("unknown severity %(severity)s",
                                                           severity=finding["severity"])})
        if finding["uuid"] in finding_uuids:
            problems.append({"item_key": key, "message": _("the finding is sent twice")})
        finding_uuids.add(finding["uuid"])
    for photo in content.photos:
        key = photo.get("item_key")
        if key is not None and key not in items:
            problems.append({"item_key": key, "message": _("the checklist has no item %(key)s", key=key)})
    if content.started_at and content.ended_at and content.ended_at < content.started_at:
        problems.append({"item_key": None, "message": _("the end time is before the start time")})
    if problems:
        raise SubmissionError(422, _("Some answers do not fit the checklist. Nothing was saved."), problems)
    answers = {a["item_key"]: a for a in content.answers}
    scored = scoring.score_inspection(definition, answers)
    lacking = completeness.submission_problems(inspection, {i.key: i.outcome for i in scored.items}, answers,
                                               content.photos, content.signatures)
    if lacking:
        raise SubmissionError(422, _("The inspection is not complete, nothing was saved: %(missing)s.",
                                     missing="; ".join(p["message"] for p in lacking)), lacking)
    others = db.session.scalars(sa.select(Finding.uuid).where(
        Finding.uuid.in_(finding_uuids), Finding.inspection_id != inspection.id)).all() if finding_uuids else []
    if others:
        raise SubmissionError(409, _("A finding identifier was already used in another inspection. "
                                     "Nothing was changed."))
    return scored


# ── writing ──────────────────────────────────────────────────────────────────

def _apply(inspection: Inspection, actor, content: SubmittedContent) -> dict[str, dict]:
    """Write what the phone sent; returns the answers now stored, {item_key: {value, na}}."""
    if inspection.submitted_at is None:
        return _apply_first(inspection, actor, content)
    answers = _write_answers(inspection, content.answers)
    findings = {f.uuid: f for f in inspection.findings}
    sent_findings = {f["uuid"]: f for f in content.findings}
    for uuid, finding in list(findings.items()):
        if uuid not in sent_findings:
            # Its photos stay evidence of the inspection, no longer of the finding.
            db.session.execute(sa.update(EvidenceFile).where(EvidenceFile.finding_id == finding.id)
                               .values(finding_id=None))
            inspection.findings.remove(finding)
    for uuid, new in sent_findings.items():
        row = findings.get(uuid)
        if row is None:
            row = Finding(uuid=uuid, created_by_id=getattr(actor, "id", None))
            inspection.findings.append(row)
        row.item_key, row.severity, row.description = new.get("item_key"), new["severity"], new["description"].strip()

    wanted = [(a["side"], a["name"].strip(), (a.get("position") or "").strip() or None) for a in content.attendees]
    if [(a.side, a.name, a.position) for a in inspection.attendees] != wanted:
        inspection.attendees.clear()
        inspection.attendees.extend(Attendee(side=s, name=n, position=p) for s, n, p in wanted)

    _set_fields(inspection, content)
    return answers


def _apply_first(inspection: Inspection, actor, content: SubmittedContent) -> dict[str, dict]:
    """The first submission: nothing is stored yet (only this module writes answers,
    findings and attendees, and only by submitting), so nothing is read back."""
    answers = _write_answers(inspection, content.answers, stored={})
    db.session.add_all(
        Finding(inspection_id=inspection.id, uuid=f["uuid"], item_key=f.get("item_key"), severity=f["severity"],
                description=f["description"].strip(), created_by_id=getattr(actor, "id", None))
        for f in content.findings)
    db.session.add_all(
        Attendee(inspection_id=inspection.id, side=a["side"], name=a["name"].strip(),
                 position=(a.get("position") or "").strip() or None)
        for a in content.attendees)
    _set_fields(inspection, content)
    return answers


def _set_fields(inspection: Inspection, content: SubmittedContent) -> None:
    inspection.signatures = content.signatures or None
    if content.started_at is not None:
        inspection.started_at = content.started_at
    if content.ended_at is not None:
        inspection.ended_at = content.ended_at


def _write_answers(inspection: Inspection, sent_answers: list[dict], stored: dict | None = None) -> dict[str, dict]:
    """Make the stored answers those sent, touching only the rows that change.

    Core statements, not ORM objects: a submission carries dozens of answers
    and this is the hot path of every submission (benchmarks/load.py).
    """
    table, now = Answer.__table__, utcnow()
    if stored is None:
        stored = {row.item_key: row for row in db.session.execute(
            sa.select(table.c.id, table.c.item_key, table.c.value, table.c.na, table.c.note)
            .where(table.c.inspection_id == inspection.id))}
    sent = {}
    for answer in sent_answers:
        sent[answer["item_key"]] = (answer.get("value"), bool(answer.get("na")),
                                    (answer.get("note") or "").strip() or None)
    gone = [row.id for key, row in stored.items() if key not in sent]
    new = [{"inspection_id": inspection.id, "item_key": key, "value": value, "na": na, "note": note,
            "answered_at": now} for key, (value, na, note) in sent.items() if key not in stored]
    changed = [{"answer_id": stored[key].id, "value": value, "na": na, "note": note}
               for key, (value, na, note) in sent.items()
               if key in stored and (stored[key].value, stored[key].na, stored[key].note) != (value, na, note)]
    if gone:
        db.session.execute(sa.delete(table).where(table.c.id.in_(gone)))
    if new:
        _insert_answers(inspection.id, now, new)
    if changed:
        db.session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("answer_id"))
            .values(value=sa.bindparam("value"), na=sa.bindparam("na"), note=sa.bindparam("note"), answered_at=now),
            changed)
    if gone or new or changed:
        db.session.expire(inspection, ["answers"])  # the ORM collection, if loaded, is stale now
    return {key: {"value": value, "na": na} for key, (value, na, _note) in sent.items()}


# PostgreSQL: the answers as six arrays, unnested into rows by the server. One
# short statement, converted and prepared once per connection, where a
# multi-row VALUES list is a new statement of 360 parameters each time, which
# psycopg converts anew: this halves the CPU the insert costs.
_UNNEST_ANSWERS = sa.text(
    "INSERT INTO answers (inspection_id, item_key, value, na, note, answered_at) "
    "SELECT :inspection_id, a.item_key, CAST(a.value AS jsonb), a.na, a.note, :answered_at "
    "FROM unnest(CAST(:item_keys AS varchar[]), CAST(:answer_values AS text[]), CAST(:nas AS boolean[]), "
    "CAST(:notes AS text[])) AS a(item_key, value, na, note)")


def _insert_answers(inspection_id: int, now: datetime, rows: list[dict]) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_UNNEST_ANSWERS, {
            "inspection_id": inspection_id, "answered_at": now, "item_keys": [r["item_key"] for r in rows],
            # As the JSON column stores them: None is SQL NULL (JSONType, none_as_null).
            "answer_values": [None if r["value"] is None else json.dumps(r["value"]) for r in rows],
            "nas": [r["na"] for r in rows], "notes": [r["note"] for r in rows]})
    else:  # RETURNING makes SQLAlchemy send one multi-row INSERT, not one per answer
        db.session.execute(sa.insert(Answer.__table__).returning(Answer.__table__.c.id), rows)


def store_score(inspection: Inspection, answers: dict[str, dict] | None = None,
                result: scoring.ScoreResult | None = None) -> None:
    """Score the inspection's answers ({item_key: {value, na}}; read from the database when not
    given), or store `result`, their score already computed."""
    if result is None:
        if answers is None:
            answers = {a.item_key: {"value": a.value, "na": a.na} for a in inspection.answers}
        result = scoring.score_inspection(inspection.definition, answers)
    inspection.score = result.to_dict()
    inspection.score_percent = result.percent
    inspection.result = result.result


# ── revisions ────────────────────────────────────────────────────────────────

def snapshot(inspection: Inspection) -> dict[str, Any]:
    """The submitted content of an inspection as comparable plain data."""
    return {
        "answers": {a.item_key: {"value": a.value, "na": a.na, "note": a.note} for a in inspection.answers},
        "findings": {f.uuid: {"item_key": f.item_key, "severity": f.severity, "description": f.description}
                     for f in inspection.findings},
        "attendees": [{"side": a.side, "name": a.name, "position": a.position} for a in inspection.attendees],
        "signatures": inspection.signatures,
        "started_at": _utc_iso(inspection.started_at),
        "ended_at": _utc_iso(inspection.ended_at),
    }


def _utc_iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def diff(old: dict, new: dict) -> list[dict]:
    """Changes between two snapshots as [{item_key, field, old, new}]."""
    changes: list[dict] = []
    for key in sorted(old["answers"].keys() | new["answers"].keys()):
        a, b = old["answers"].get(key, {}), new["answers"].get(key, {})
        for name in ("value", "na", "note"):
            if a.get(name) != b.get(name):
                changes.append({"item_key": key, "field": name, "old": a.get(name), "new": b.get(name)})
    for uuid in sorted(old["findings"].keys() | new["findings"].keys()):
        a, b = old["findings"].get(uuid), new["findings"].get(uuid)
        if a != b:
            changes.append({"item_key": (b or a)["item_key"], "field": f"finding:{uuid}", "old": a, "new": b})
    for name in ("attendees", "signatures", "started_at", "ended_at"):
        if old[name] != new[name]:
            changes.append({"item_key": None, "field": name, "old": old[name], "new": new[name]})
    return changes


def field_copy(inspection: Inspection) -> dict[str, Any]:
    """What the phone needs beyond the inspection's own columns (read only)."""
    evidence = list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.inspection_id == inspection.id)
                                       .order_by(EvidenceFile.id)))
    finding_uuids = {f.id: f.uuid for f in inspection.findings}
    held = [{"uuid": e.uuid, "kind": e.kind, "item_key": e.item_key, "finding_uuid": finding_uuids.get(e.finding_id),
             "withdrawn_at": e.withdrawn_at} for e in evidence]
    findings = [{"uuid": f.uuid, "item_key": f.item_key, "severity": f.severity, "description": f.description,
                 "photo_uuids": [e.uuid for e in evidence if e.finding_id == f.id]} for f in inspection.findings]
    comments = list(db.session.scalars(sa.select(ReviewComment).where(ReviewComment.inspection_id == inspection.id)
                                       .order_by(ReviewComment.id)))
    return {"evidence": held, "evidence_uuids": sorted(e.uuid for e in evidence), "findings": findings,
            "review_comments": comments, "expected_photo_uuids": expected_photo_uuids(inspection)}
