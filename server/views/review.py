"""The lead's review pages: queue, review (approve / return / revise),
conclusion, and planning a follow-up check."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..forms.review import TEXT_MAX, FollowUpForm, RevisionForm, comments_form, conclusion_form
from ..models import Inspection, InspectionKind, InspectionStatus
from ..permissions import authorize, authorized_inspection, can, inspection_scope
from ..services.fieldwork import completeness, inspection_search
from ..services.review import conclusions, followups, approval as review
from ..services.evidence import files as evidence, geo
from ..services.checklists import scoring
from ..services.checklists.definition import item_index, iter_items
from ..services.reporting.report_text import measured_texts, score_words
from ..services.foundation import settings as org_settings
from ..services.foundation.settings import local_today
from ..i18n import text_for

bp = Blueprint("review", __name__, url_prefix="/review")


def get_inspection(uuid: str, action: str) -> Inspection:
    # A step that changes the inspection locks it first: two leads acting at
    # once, the second waits and is then judged on the first one's outcome.
    return authorized_inspection(action, uuid=uuid, for_update=request.method == "POST")


@bp.get("/")
@login_required
def queue():
    authorize("review.queue")
    filters = inspection_search.parse(request.args, statuses=review.QUEUE_STATUSES)
    return render_template("review/queue.html", inspections=review.review_queue(current_user, filters),
                           filters=filters, statuses=review.QUEUE_STATUSES,
                           choices=inspection_search.choices(inspection_scope(current_user))), \
        422 if filters.errors else 200


def _item_rows(inspection: Inspection) -> list[dict]:
    answers = {a.item_key: a for a in inspection.answers}
    outcomes = {i["key"]: i["outcome"] for i in (inspection.score or {}).get("items", [])}
    if not outcomes:
        try:
            result = scoring.score_inspection(inspection.definition,
                                              {k: {"value": a.value, "na": a.na} for k, a in answers.items()})
            outcomes = {i.key: i.outcome for i in result.items}
        except scoring.InvalidAnswer:
            outcomes = {}
    keep = set(inspection.item_filter) if inspection.item_filter else None
    return [
        {"section": section, "item": item, "answer": answers.get(item["key"]),
         "shown": answer_text(item, answers.get(item["key"])),
         "outcome": outcomes.get(item["key"], "unanswered"),
         "findings": [f for f in inspection.findings if f.item_key == item["key"]]}
        for section, item in iter_items(inspection.definition)
        if keep is None or item["key"] in keep
    ]


def answer_text(item: dict, answer) -> str:
    """An answer as a person reads it: labels for choices, both counts of a ratio."""
    from ..i18n import text_for

    if answer is None:
        return ""
    if answer.na:
        return _("Not applicable")
    value, kind = answer.value, item["type"]
    if value is None:
        return ""
    if kind == "pass_fail":
        return {"pass": _("Pass"), "fail": _("Fail")}.get(value, str(value))
    if kind == "yes_no":
        return {"yes": _("Yes"), "no": _("No"), True: _("Yes"), False: _("No")}.get(value, str(value))
    if kind == "ratio" and isinstance(value, dict):
        return f"{value.get('numerator')} / {value.get('denominator')}"
    if kind in ("choice", "multi_choice"):
        labels = {o["key"]: text_for(o["label"]) for o in item["options"]}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in chosen)
    return str(value)


def _evidence(inspection: Inspection, rows: list[dict]) -> dict:
    """The inspection's photos and signatures for the page, and each flag as a sentence."""
    found = evidence.inspection_evidence(inspection)
    shown = {r["item"]["key"] for r in rows}
    finding_ids = {f.id for f in inspection.findings}
    # Photos of items or findings the page does not show still belong on it.
    other = list(found.other)
    other += [p for key, photos in found.by_item.items() if key not in shown for p in photos]
    other += [p for fid, photos in found.by_finding.items() if fid not in finding_ids for p in photos]
    images = {s.uuid: s for s in found.signatures}
    signers = []
    for side, role in (("lead", _("Team lead")), ("unit", _("Unit representative"))):
        sig = (inspection.signatures or {}).get(side)
        if sig:
            signers.append({"role": role, "name": sig.get("name"), "image": images.pop(sig.get("evidence_uuid"), None),
                            "refused": bool(sig.get("refused")), "reason": sig.get("reason"),
                            "typed": bool(sig.get("typed"))})
    signers += [{"role": _("Signature"), "name": None, "image": image, "refused": False, "reason": None}
                for image in images.values()]
    return {
        "item_photos": found.by_item, "finding_photos": found.by_finding,
        "other_photos": sorted(other, key=lambda p: p.id), "signers": signers, "flagged_photos": found.flagged,
        "checkin_warnings": [geo.describe_flag(f) for f in inspection.checkin_flags or ()],
        "photo_warnings": {p.uuid: [geo.describe_flag(f) for f in p.flags] for p in found.flagged},
    }


@bp.app_template_filter("distance")
def _distance(metres: float | None) -> str:
    return "" if metres is None else geo.format_distance(metres)


def _revision_changes(inspection: Inspection, revisions) -> dict[int, list[dict]]:
    """Each revision's changes as a person reads them: the item by its text, the field by
    its name and the values as the page shows answers (Đạt → Không đạt, 18/20 (90 %))."""
    from flask_babel import format_datetime

    from ..i18n import current_language, labels
    from ..services.reporting.report_text import answer_text, answer_words

    items = {item["key"]: item for _section, item in iter_items(inspection.checklist_version.definition)}
    locale, words, names = current_language(), answer_words(), labels()
    fields, severities = names["change_field"], names["severity"]

    def shown(field: str, item: dict | None, value) -> str:
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if field == "value" and item is not None:
            return answer_text(item, value, False, locale, words) or "—"
        if field == "na":
            return names["yes_no"][bool(value)]
        if field == "finding" and isinstance(value, dict):
            severity = severities.get(value.get("severity"), "")
            return " · ".join(part for part in (severity, value.get("description") or "") if part)
        if field in ("started_at", "ended_at") and isinstance(value, str):
            try:
                return format_datetime(datetime.fromisoformat(value), "short")
            except ValueError:
                return value
        if field == "attendees" and isinstance(value, list):
            return "; ".join(", ".join(str(a.get(k)) for k in ("name", "position") if a.get(k))
                             for a in value if isinstance(a, dict)) or "—"
        if field == "signatures" and isinstance(value, dict):
            return ", ".join(str(sig.get("name")) for sig in value.values() if isinstance(sig, dict) and sig.get("name")) or "—"
        if isinstance(value, (str, int, float)):
            return str(value)
        return "—"

    out = {}
    for rev in revisions:
        rows = []
        for change in rev.changes or ():
            field = str(change.get("field") or "").split(":")[0]
            item = items.get(change.get("item_key"))
            rows.append({"item": text_for(item["text"]) if item else change.get("item_key"),
                         "field": fields.get(field, field),
                         "old": shown(field, item, change.get("old")), "new": shown(field, item, change.get("new"))})
        out[rev.number] = rows
    return out


def render_review(inspection: Inspection, *, error: str | None = None, code: int = 200, typed=None):
    """The review page; `typed`: what a refused form sent, put back in its fields."""
    rows = _item_rows(inspection)
    revisions = review.revisions(inspection)
    return render_template(
        "review/inspection.html", inspection=inspection, rows=rows, error=error, **_evidence(inspection, rows),
        typed=typed or {},
        score_words=score_words(inspection.score, inspection.checklist_version.definition),
        comments=review.comments(inspection), revisions=revisions,
        revision_changes=_revision_changes(inspection, revisions), conclusion=conclusions.get_conclusion(inspection), actions=conclusions.actions_of(inspection),
        follow_ups=followups.follow_ups_of(inspection), today=local_today(), waiting=_waiting(inspection),
        can_review=can(current_user, "inspection.review", inspection),
        can_return=can(current_user, "inspection.return", inspection),
        can_revise=can(current_user, "inspection.revise", inspection),
        can_conclude=can(current_user, "inspection.conclude", inspection),
        can_follow_up=can(current_user, "inspection.follow_up", inspection),
        default_window=(local_today() + timedelta(days=7), local_today() + timedelta(days=14)),
    ), code


def _waiting(inspection: Inspection) -> list[str]:
    """Announced photos and signatures not yet arrived, while the lead may still act on them."""
    if inspection.status not in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED):
        return []
    return completeness.missing_evidence(inspection)


@bp.get("/inspections/<uuid>")
@login_required
def inspection(uuid: str):
    return render_review(get_inspection(uuid, "inspection.review_view"))


def _refused(uuid: str, exc):
    db.session.rollback()
    return render_review(get_inspection(uuid, "inspection.review_view"), error=exc.message, code=exc.status,
                         typed=request.form)


def _said(form) -> str:
    """A refused form's messages, each after the name of its field (the review page says them above its forms)."""
    return " ".join(f"{form[name].label.text}: {m}" for name, errors in form.errors.items() for m in errors)


def _posted_comments(insp: Inspection) -> list[tuple[str | None, str]]:
    """The general comment and each item's comment typed on the review page."""
    keys = list(item_index(insp.definition))
    form = comments_form(keys)
    if not form.validate():
        raise review.ReviewError(422, _said(form))
    return [(None, form.comment.data or "")] + [(key, form[f"comment-{key}"].data or "") for key in keys]


@bp.post("/inspections/<uuid>/approve")
@login_required
def approve(uuid: str):
    insp = get_inspection(uuid, "inspection.review")
    try:
        review.approve(insp, current_user, _posted_comments(insp))  # what was typed goes with the approval
    except review.ReviewError as exc:
        return _refused(uuid, exc)
    db.session.commit()
    flash(_("The inspection was approved. You can now write the conclusion."), "info")
    return redirect(url_for("review.conclusion", uuid=uuid))


@bp.post("/inspections/<uuid>/return")
@login_required
def return_to_team(uuid: str):
    insp = get_inspection(uuid, "inspection.return")
    try:
        review.return_to_team(insp, current_user, _posted_comments(insp))
    except review.ReviewError as exc:
        return _refused(uuid, exc)
    db.session.commit()
    flash(_("The inspection was returned to the team with your comments."), "info")
    return redirect(url_for("review.queue"))


@bp.post("/inspections/<uuid>/revise")
@login_required
def revise(uuid: str):
    insp = get_inspection(uuid, "inspection.revise")
    form = RevisionForm()
    if not form.validate():
        return _refused(uuid, review.ReviewError(422, _said(form)))
    key = form.item_key.data or ""
    items = item_index(insp.definition)
    if key not in items:
        return _refused(uuid, review.ReviewError(422, _("Choose the item to change.")))
    try:
        na = form.na.data
        typed = _posted_value(items[key][1], key, form.value.data or "")
        if len(typed) > TEXT_MAX:
            raise review.ReviewError(422, _("The new answer is longer than %(max)s characters.", max=TEXT_MAX))
        value = None if na else review.parse_value(items[key][1], typed)
        review.revise_answers(insp, current_user, {key: {"value": value, "na": na, "note": form.note.data}},
                              form.reason.data or "")
    except review.ReviewError as exc:
        return _refused(uuid, exc)
    db.session.commit()
    flash(_("The change was recorded as revision %(number)s.", number=insp.revision), "info")
    return redirect(url_for("review.inspection", uuid=uuid))


def _posted_value(item: dict, key: str, fallback: str) -> str:
    """The new answer as text for the item's rules, from the item's own controls
    (value-<key>; numerator-<key> and denominator-<key> of a ratio; the ticked
    options of a multiple choice), else from a plain `value` field."""
    form = request.form
    if item["type"] == "ratio" and (f"numerator-{key}" in form or f"denominator-{key}" in form):
        numerator = form.get(f"numerator-{key}", "").strip()
        denominator = form.get(f"denominator-{key}", "").strip()
        return f"{numerator}/{denominator}" if numerator or denominator else ""
    if item["type"] == "multi_choice" and f"value-{key}" in form:
        return ",".join(form.getlist(f"value-{key}"))
    if f"value-{key}" in form:
        return form.get(f"value-{key}", "")
    return fallback


@bp.route("/inspections/<uuid>/conclusion", methods=["GET", "POST"])
@login_required
def conclusion(uuid: str):
    insp = get_inspection(uuid, "inspection.conclude")
    config = current_app.config
    today = local_today()
    locale = config["BABEL_DEFAULT_LOCALE"]  # the notice's official language
    proposals = conclusions.proposals(insp, issue_date=today, days_by_severity=org_settings.get("REMEDIATION_DAYS_BY_SEVERITY"),
                                      locale=locale)
    error, code = None, 200
    draft = conclusions.get_conclusion(insp)
    posted = conclusion_form([p.key for p in proposals])
    form = {k: getattr(draft, k, "") or "" for k in ("strengths", "shortcomings", "recommendations", "responsibility")}
    choices = conclusions.choices_of(draft)
    if request.method == "POST":
        # What the page sent is what the lead sees again if it is refused.
        form = {k: posted[k].data if posted[k].raw_data else form[k] for k in form}
        choices = {p.key: {name: posted[f"{name}-{p.key}"]._value() for name in ("group", "priority", "deadline")}
                   for p in proposals}
        try:
            chosen = _posted_choices(posted, proposals)
            if posted.submit.data == "issue":
                conclusions.issue(insp, current_user, **form, **chosen, today=today, locale=locale,
                                  days_by_severity=org_settings.get("REMEDIATION_DAYS_BY_SEVERITY"))
                db.session.commit()
                flash(_("The conclusion was issued and the remediation actions were created."), "info")
                return redirect(url_for("review.inspection", uuid=uuid))
            conclusions.save_draft(insp, current_user, **form, **chosen)
            db.session.commit()
            flash(_("The draft was saved."), "info")
            return redirect(url_for("review.conclusion", uuid=uuid))
        except conclusions.ConclusionError as exc:
            db.session.rollback()
            error, code = exc.message, exc.status
            if posted.submit.data == "issue" and _keep_as_draft(insp, form, posted, proposals):
                error = f'{error} {_("What you wrote is kept as a draft.")}'
    groups = {conclusions.group_label(n, (choices.get(p.key) or {}).get("group")) for n, p in enumerate(proposals, 1)}
    # What was measured, as the action each proposal becomes will show it (actions.show);
    # a failed pass/fail or yes/no item says nothing more than that it failed.
    items = item_index(insp.definition)
    measured = {key: text for key, text in measured_texts(insp.definition, [e for p in proposals for e in p.snapshot])
                .items() if items[key][1]["type"] not in ("pass_fail", "yes_no")}
    return render_template("review/conclusion.html", inspection=insp, proposals=proposals, form=form, choices=choices,
                           measured=measured, action_count=len(groups), error=error,
                           priorities=conclusions.PRIORITIES,
                           waiting=_waiting(insp)), code


def _keep_as_draft(insp: Inspection, form: dict, posted, proposals) -> bool:
    """A conclusion that could not be issued yet is kept as a draft, so that
    what the lead wrote is there when they come back to it."""
    try:
        conclusions.save_draft(insp, current_user, **form, **_posted_choices(posted, proposals))
    except conclusions.ConclusionError:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def _posted_choices(posted, proposals) -> dict:
    """Each proposal's group, priority and deadline from the conclusion form."""
    if not posted.validate():
        raise conclusions.ConclusionError(422, _said(posted))
    return {"groups": {p.key: posted[f"group-{p.key}"].data or "" for p in proposals},
            "priorities": {p.key: posted[f"priority-{p.key}"].data or "" for p in proposals},
            "deadlines": {p.key: posted[f"deadline-{p.key}"].data for p in proposals
                          if posted[f"deadline-{p.key}"].data is not None}}


@bp.post("/inspections/<uuid>/follow-up")
@login_required
def follow_up(uuid: str):
    insp = get_inspection(uuid, "inspection.follow_up")
    form = FollowUpForm()
    try:
        if not form.validate():
            # Both dates say the same sentence: once is enough.
            raise followups.FollowUpError(422, " ".join(dict.fromkeys(m for e in form.errors.values() for m in e)))
        kind = form.kind.data or InspectionKind.ANNOUNCED
        created = followups.create_follow_up(insp, current_user, window_start=form.window_start.data,
                                             window_end=form.window_end.data, kind=kind)
    except followups.FollowUpError as exc:
        return _refused(uuid, exc)
    db.session.commit()
    flash(_("The follow-up check was planned with %(count)s items.", count=len(created.item_filter)), "info")
    return redirect(url_for("review.inspection", uuid=uuid))
