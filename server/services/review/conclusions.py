"""The conclusion notice (thông báo kết luận) and the remediation actions it creates.

Issuing the conclusion turns each failed item, and each finding not already
covered by a failed item, into a proposed action; the lead may group several
proposals into one action. An action's severity is the one the inspector
gave its findings (the most serious), else the checklist item's default.
Its deadline is the item's `finding.remediation_days` when the severity is
the item's own, else the configured days for the severity
(REMEDIATION_DAYS_BY_SEVERITY), counted from the day of issue by
deadlines.deadline_for — the one place that computes dates.

While the conclusion is a draft, the lead's choices for each proposal
(group, priority, deadline) are kept with it, so that the page shows them
again and issuing creates exactly the actions the page showed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...i18n import format_day
from ...models import ActionEvent, ActionStatus, Conclusion, Inspection, InspectionStatus, RemediationAction
from ...models.types import utcnow
from ..foundation import audit, notifications
from ..fieldwork import completeness
from ..checklists import scoring
from ..checklists.definition import item_index, localize
from ..remediation.deadlines import deadline_for
from ..remediation.actions import unit_officers

SEVERITY_ORDER = {"minor": 0, "major": 1, "critical": 2}
PRIORITIES = ("low", "normal", "high")
PRIORITY_BY_SEVERITY = {"minor": "normal", "major": "normal", "critical": "high"}


class ConclusionError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Proposal:
    """One proposed remediation action, before grouping."""

    key: str  # "item:<item key>" or "finding:<finding uuid>"
    title: str
    severity: str
    days: int
    deadline: date
    priority: str
    item_keys: list[str] = field(default_factory=list)
    snapshot: list[dict] = field(default_factory=list)


def get_conclusion(inspection: Inspection) -> Conclusion | None:
    return db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection.id))


def failed_item_keys(inspection: Inspection) -> list[str]:
    """Keys of the items that failed, in checklist order (scored by scoring.score_inspection)."""
    answers = {a.item_key: {"value": a.value, "na": a.na} for a in inspection.answers}
    result = scoring.score_inspection(inspection.definition, answers)
    return [item.key for item in result.items if item.outcome == "fail"]


def _finding_snapshot(finding) -> dict:
    return {"uuid": finding.uuid, "item_key": finding.item_key, "severity": finding.severity,
            "description": finding.description, "unit_explanation": finding.unit_explanation}


def _days(default: dict, severity: str, days_by_severity: dict[str, int]) -> int:
    """The item's remediation days are meant for its own severity; another severity
    (the inspector's) takes the configured days for that severity."""
    if default.get("remediation_days") and default.get("severity", severity) == severity:
        return default["remediation_days"]
    return days_by_severity[severity]


def proposals(inspection: Inspection, *, issue_date: date, days_by_severity: dict[str, int],
              locale: str) -> list[Proposal]:
    """The actions the conclusion would create, one per failed item or uncovered finding."""
    items = item_index(inspection.definition)
    answers = {a.item_key: a for a in inspection.answers}
    failed = failed_item_keys(inspection)
    result: list[Proposal] = []
    for key in failed:
        item = items[key][1]
        findings = [f for f in inspection.findings if f.item_key == key]
        default = item["finding"] or {}
        # The inspector judged what they saw: their severity wins over the checklist's default.
        severity = max((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.get(s, 0),
                       default=default.get("severity") or ("critical" if item["critical"] else "minor"))
        days = _days(default, severity, days_by_severity)
        answer = answers.get(key)
        snapshot = [{"item_key": key, "item_text": item["text"], "outcome": "fail",
                     "answer": {"value": answer.value, "na": answer.na, "note": answer.note} if answer else None,
                     "legal_ref": item["legal_ref"]}]
        snapshot += [_finding_snapshot(f) for f in findings]
        title = localize(item["text"], locale)
        if findings:
            title = f"{title}: {findings[0].description}"
        result.append(Proposal(f"item:{key}", title[:500], severity, days, deadline_for(issue_date, days),
                               PRIORITY_BY_SEVERITY.get(severity, "normal"), [key], snapshot))
    for finding in inspection.findings:
        if finding.item_key in failed:
            continue  # covered by its item's action
        item = items.get(finding.item_key, (None, None))[1] if finding.item_key else None
        days = _days((item or {}).get("finding") or {}, finding.severity, days_by_severity)
        keys = [finding.item_key] if finding.item_key else []
        result.append(Proposal(f"finding:{finding.uuid}", finding.description[:500], finding.severity, days,
                               deadline_for(issue_date, days), PRIORITY_BY_SEVERITY.get(finding.severity, "normal"),
                               keys, [_finding_snapshot(finding)]))
    return result


def group_label(proposal_number: int, typed: str | None) -> str:
    """The group a proposal belongs to: what the lead typed, else its own number
    on the page (the number the page shows in its group field)."""
    return (typed or "").strip() or str(proposal_number)


def choices_of(conclusion: Conclusion | None) -> dict[str, dict]:
    """The lead's saved choices per proposal key: {"group", "priority", "deadline"} as typed."""
    return dict((conclusion.proposal_choices or {}) if conclusion else {})


def _clean_choices(keys: list[str], groups: dict[str, str], priorities: dict[str, str],
                   deadlines: dict[str, date]) -> dict[str, dict]:
    choices: dict[str, dict] = {}
    for key in keys:
        chosen = {}
        if (groups.get(key) or "").strip():
            chosen["group"] = groups[key].strip()[:100]
        if priorities.get(key):
            if priorities[key] not in PRIORITIES:
                raise ConclusionError(422, _("Unknown priority: %(priority)s.", priority=priorities[key]))
            chosen["priority"] = priorities[key]
        if deadlines.get(key):
            chosen["deadline"] = deadlines[key].isoformat()
        if chosen:
            choices[key] = chosen
    return choices


def save_draft(inspection: Inspection, actor, *, strengths: str, shortcomings: str, recommendations: str,
               responsibility: str = "", groups: dict[str, str] | None = None, priorities: dict[str, str] | None = None,
               deadlines: dict[str, date] | None = None) -> Conclusion:
    """Keep the lead's text and their choices for each proposed action without issuing.

    `groups`, `priorities` and `deadlines` are keyed by proposal key, as in
    `issue`; when all three are None the choices saved before are kept.
    """
    if inspection.status != InspectionStatus.APPROVED:
        raise ConclusionError(409, _("A conclusion is written once the inspection is approved."))
    conclusion = get_conclusion(inspection) or Conclusion(inspection_id=inspection.id)
    conclusion.strengths, conclusion.shortcomings, conclusion.recommendations = (
        (strengths or "").strip(), (shortcomings or "").strip(), (recommendations or "").strip())
    conclusion.responsibility = (responsibility or "").strip() or None
    if not (groups is None and priorities is None and deadlines is None):
        keys = list(dict.fromkeys([*(groups or {}), *(priorities or {}), *(deadlines or {})]))
        conclusion.proposal_choices = _clean_choices(keys, groups or {}, priorities or {}, deadlines or {}) or None
    db.session.add(conclusion)
    db.session.flush()
    audit.record(actor, "conclusion.save", inspection)
    return conclusion


def plan_actions(proposals_: list[Proposal], choices: dict[str, dict], *, today: date | None = None,
                 ) -> dict[str, list[Proposal]]:
    """The actions the choices make, as {group label: its proposals}, in page order.

    Each proposal takes its chosen priority and deadline; with `today`, a
    deadline before it is refused (422).
    """
    grouped: dict[str, list[Proposal]] = {}
    for number, proposal in enumerate(proposals_, start=1):
        chosen = choices.get(proposal.key) or {}
        if chosen.get("priority") in PRIORITIES:
            proposal.priority = chosen["priority"]
        if chosen.get("deadline"):
            deadline = date.fromisoformat(chosen["deadline"])
            if today is not None and deadline < today:
                raise ConclusionError(422, _("A deadline cannot be in the past (%(date)s).",
                                             date=format_day(deadline)))
            proposal.deadline = deadline
        grouped.setdefault(group_label(number, chosen.get("group")), []).append(proposal)
    return grouped


def issue(inspection: Inspection, actor, *, strengths: str, shortcomings: str, recommendations: str,
          responsibility: str = "", today: date, days_by_severity: dict[str, int], locale: str, groups: dict[str, str] | None = None,
          priorities: dict[str, str] | None = None, deadlines: dict[str, date] | None = None,
          ) -> tuple[Conclusion, list[RemediationAction]]:
    """Issue the conclusion: the inspection becomes concluded and its actions are created.

    `groups` maps proposal keys to a group label: proposals with the same
    label become one action (severity and priority the highest, deadline the
    earliest, findings and items together); a proposal without a label is in
    the group named by its number on the page. `priorities` and `deadlines`
    override a proposal's defaults. When all three are None, the choices
    saved with the draft apply. Refused (409) while photos or signatures
    the submission announced have not arrived.
    """
    conclusion = save_draft(inspection, actor, strengths=strengths, shortcomings=shortcomings,
                            recommendations=recommendations, responsibility=responsibility, groups=groups, priorities=priorities,
                            deadlines=deadlines)
    if not (conclusion.strengths or conclusion.shortcomings or conclusion.recommendations):
        raise ConclusionError(422, _("Write the strengths, shortcomings or recommendations before issuing."))
    missing = completeness.missing_evidence(inspection)
    if missing:  # the notice and its actions would rest on evidence the server does not have
        raise ConclusionError(409, _("The conclusion cannot be issued yet: the team's phone has not sent %(missing)s. "
                                     "It can be issued once they arrive.", missing="; ".join(missing)))
    grouped = plan_actions(proposals(inspection, issue_date=today, days_by_severity=days_by_severity, locale=locale),
                           choices_of(conclusion), today=today)

    actions = [_create_action(inspection, actor, members) for members in grouped.values()]
    now = utcnow()
    conclusion.issued_at, conclusion.issued_by_id = now, getattr(actor, "id", None)
    inspection.status = InspectionStatus.CONCLUDED
    inspection.concluded_at = now
    db.session.flush()
    from ..reporting import minutes, numbers

    numbers.assign("conclusion", inspection, minutes.local_date(now))
    audit.record(actor, "conclusion.issue", inspection, actions=[a.id for a in actions])
    notifications.notify(unit_officers(inspection.unit_id), "conclusion_issued",
                         _l("Conclusion issued: %(checklist)s"),
                         params={"checklist": inspection.definition["title"]},  # in each reader's language
                         link=f"/portal/inspections/{inspection.uuid}", actor=actor)
    return conclusion, actions


def _create_action(inspection: Inspection, actor, members: list[Proposal]) -> RemediationAction:
    severity = max((p.severity for p in members), key=lambda s: SEVERITY_ORDER.get(s, 0))
    priority = max((p.priority for p in members), key=PRIORITIES.index)
    title = members[0].title if len(members) == 1 else "; ".join(p.title for p in members)
    action = RemediationAction(
        inspection_id=inspection.id, unit_id=inspection.unit_id, title=title[:2000],
        item_keys=list(dict.fromkeys(k for p in members for k in p.item_keys)),
        finding_snapshot=[s for p in members for s in p.snapshot],
        severity=severity, priority=priority, deadline=min(p.deadline for p in members),
        status=ActionStatus.OPEN,
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionEvent(action_id=action.id, kind="created", to_status=ActionStatus.OPEN,
                               actor_id=getattr(actor, "id", None),
                               data={"sources": [p.key for p in members], "deadline": action.deadline.isoformat()}))
    audit.record(actor, "action.create", action, inspection_id=inspection.id, sources=[p.key for p in members])
    return action


def actions_of(inspection: Inspection) -> list[RemediationAction]:
    return list(db.session.scalars(sa.select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id).order_by(RemediationAction.id)))
