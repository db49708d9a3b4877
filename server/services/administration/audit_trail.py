"""Reading the audit trail: entries filtered by who, what, which object and
when, their labels in the reader's language, and a CSV of them
(services/foundation/audit.py writes and seals it; overview.verify_audit checks the chain)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...i18n import format_day, format_number
from ...models import AuditEvent, User
from ..foundation import settings as org_settings
from ..reporting.exports import Table

PAGE_SIZE = 100


def action_labels() -> dict[str, str]:
    """What each recorded action means, in the current language."""
    return {
        "action.create": _("Remediation action created"),
        "action.note": _("Note on a remediation action"),
        "action.extension_request": _("Deadline extension asked"),
        "action.extension_approved": _("Deadline extension approved"),
        "action.extension_refused": _("Deadline extension refused"),
        "action.open": _("Remediation action reopened"),
        "action.reopened": _("Remediation action reopened"),
        "action.in_progress": _("Remediation action under way"),
        "action.awaiting_verification": _("Remediation action reported done"),
        "action.closed": _("Remediation action closed"),
        "action.cannot_do": _("Remediation action marked cannot be done"),
        "action.cancelled": _("Remediation action cancelled"),
        "audit.verify": _("Audit trail checked"),
        "checklist.import": _("Checklist imported"),
        "checklist.retire": _("Checklist retired"),
        "checklist.reinstate": _("Checklist reinstated"),
        "conclusion.save": _("Conclusion draft saved"),
        "conclusion.issue": _("Conclusion issued"),
        "evidence.upload": _("Photo or file uploaded"),
        "evidence.withdraw": _("Photo withdrawn"),
        "export.workbook": _("Summary workbook exported"),
        "inspection.create": _("Inspection planned"),
        "inspection.check_in": _("Checked in on site"),
        "inspection.submit": _("Inspection submitted"),
        "inspection.resubmit": _("Inspection resubmitted"),
        "inspection.approve": _("Inspection approved"),
        "inspection.return": _("Inspection returned"),
        "inspection.revise": _("Inspection revised"),
        "inspection.reschedule": _("Inspection rescheduled"),
        "inspection.reassign": _("Inspection given to another team"),
        "inspection.cancel": _("Inspection cancelled"),
        "inspection.delete": _("Inspection deleted"),
        "inspection.follow_up": _("Follow-up inspection planned"),
        "mail.test": _("Test email sent"),
        "plan.create": _("Plan created"),
        "plan.update": _("Plan changed"),
        "plan.delete": _("Plan deleted"),
        "plan.publish_notice": _("Notice published"),
        "plan.view_embargoed": _("Confidential plan viewed"),
        "settings.update": _("Settings changed"),
        "team.create": _("Team created"),
        "team.update": _("Team changed"),
        "unit.create": _("Unit created"),
        "unit.update": _("Unit changed"),
        "unit.merge": _("Units merged"),
        "unit.split": _("Unit split"),
        "unit.rename": _("Unit renamed"),
        "unit.transfer": _("Unit transferred"),
        "units.import_vietnam": _("Units imported from the official list"),
        "units.import_csv": _("Units imported from a CSV file"),
        "user.create": _("User created"),
        "user.update": _("User changed"),
        "user.sign_in": _("Signed in"),
        "user.unlock": _("Account unlocked"),
        "user.password_change": _("Password changed"),
        "user.password_reset": _("Password reset"),
        "user.password_reset_used": _("Password reset link used"),
    }


def object_labels() -> dict[str, str]:
    """What each kind of object is called, in the current language."""
    return {
        "Inspection": _("Inspection"),
        "Plan": _("Plan"),
        "RemediationAction": _("Remediation action"),
        "EvidenceFile": _("Photo or file"),
        "Conclusion": _("Conclusion"),
        "Checklist": _("Checklist"),
        "ChecklistVersion": _("Checklist version"),
        "Unit": _("Unit"),
        "User": _("User"),
        "Team": _("Team"),
        "ExtensionRequest": _("Deadline extension"),
    }


def detail_labels() -> dict[str, str]:
    """What the keys of an entry's details mean, in the current language."""
    return {
        "changes": _("Changes"), "into": _("Into"), "effective": _("Effective date"),
        "legal_basis": _("Legal basis"), "moved_actions": _("Actions moved"), "actions_to": _("Actions went to"),
        "source": _("Source"), "province": _("Province"), "created": _("Created"), "updated": _("Updated"),
        "unchanged": _("Unchanged"), "file": _("File"), "checked": _("Entries checked"),
        "problems": _("Problems"), "first_problem": _("First problem"), "title": _("Title"), "code": _("Code"),
        "name": _("Name"), "kind": _("Kind of unit"), "parent": _("Unit above"), "username": _("Username"),
        "address": _("Address"), "reason": _("Reason"), "to": _("To"),
        "plan_id": _("Plan"), "unit_code": _("Unit code"), "inspection_id": _("Inspection"),
        "revision": _("Revision"), "key": _("Key"), "number": _("Number"), "units": _("Units"), "role": _("Role"),
        "items": _("Items"), "team": _("Team"), "result": _("Result"), "item_key": _("Item key"),
        "notice_date": _("Date of the inspection"), "new_deadline": _("New deadline"), "count": _("Count"),
        "original": _("Original"), "actions": _("Actions"), "request": _("Request"), "evidence": _("Evidence"),
        "filters": _("Filters"), "comments": _("Comments"), "window": _("Window"),
        "sessions_ended": _("Sessions ended"), "imported": _("Imported"), "distance_m": _("Distance (m)"),
        "selection": _("Selection"), "sources": _("Sources"), "kept_team": _("Team kept"),
        "purpose": _("Purpose"), "period_start": _("Period from"), "period_end": _("Period to"),
        "units_added": _("Units added"), "kept": _("Kept with their team"), "added": _("Added"),
        "was": _("Status before"), "was_locked": _("Was locked"), "where": _("Where"), "uuid": _("Identifier"),
        "hash": _("Fingerprint (SHA-256)"), "sha256": _("Fingerprint (SHA-256)"), "submission": _("Submission"),
        "flags": _("Flags"), "job": _("Export"), "event": _("Event"),
    }


# Details whose values are stored codes, with the table of labels that reads them.
_CODED = {"role": "role", "result": "result", "was": "status", "severity": "severity", "priority": "priority"}
_DAYS = {"notice_date", "effective", "new_deadline", "original", "period_start", "period_end"}


def detail_rows(details: dict | None, setting_labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """An entry's details as a person reads them: (label, text) in the reader's language —
    codes as their labels, dates and numbers in the reader's style, a change as "old → new"
    — never the stored JSON. `setting_labels` names the organisation's settings (the
    settings page's own labels) for a change of settings."""
    from ...i18n import labels as code_labels

    tables, names = code_labels(), detail_labels()
    setting_labels = setting_labels or {}

    def text(key, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return tables["yes_no"][value]
        if isinstance(value, float):
            return format_number(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(text(key, v) for v in value)
        if isinstance(value, dict):
            if set(value) == {"from", "to"}:
                return f"{text(key, value['from'])} → {text(key, value['to'])}"
            return "; ".join(f"{tables['severity'].get(k) or label(names, k)}: {text(k, v)}" for k, v in value.items())
        if isinstance(value, str):
            if key in _CODED:
                return tables[_CODED[key]].get(value, value)
            if key == "kind":
                return tables["kind"].get(value) or tables["unit_kind"].get(value) or value
            if key in _DAYS:
                return format_day(value)
        return str(value)

    def change(key, value) -> str:
        name = setting_labels.get(key) or label(names, key)
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return f"{name}: {text(key, value[0])} → {text(key, value[1])}"
        return f"{name}: {text(key, value)}"

    rows = []
    for key, value in (details or {}).items():
        if value in (None, "", [], {}):
            continue
        if key == "kind" and value in tables["kind"]:
            name = _("Kind of inspection")
        else:
            name = label(names, key)
        if key == "changes" and isinstance(value, dict):
            rows.append((name, "; ".join(change(k, v) for k, v in value.items())))
        else:
            rows.append((name, text(key, value)))
    return rows


def object_names(entries) -> dict[tuple[str, str], str]:
    """What the objects of these entries are called now (a user's name, a plan's title,
    an inspection's unit…), looked up once per kind for a page of entries."""
    from ...models import Inspection, Plan, RemediationAction, Team, Unit
    from ..remediation.actions import title_in

    kinds = {"User": (User, lambda o: o.full_name or o.username), "Plan": (Plan, lambda o: o.title),
             "Inspection": (Inspection, lambda o: o.unit_name_snapshot), "Unit": (Unit, lambda o: o.name),
             "Team": (Team, lambda o: o.name), "RemediationAction": (RemediationAction, title_in)}
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in kinds and entry.object_id and str(entry.object_id).isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    names = {}
    for kind, ids in wanted.items():
        model, name = kinds[kind]
        for obj in db.session.scalars(sa.select(model).where(model.id.in_(ids))):
            names[(kind, str(obj.id))] = name(obj)
    return names


def label(labels: dict[str, str], code: str | None) -> str:
    """A code's label; an unknown one shown readably rather than as a bare code."""
    if code is None:
        return ""
    return labels.get(code) or code.replace("_", " ").replace(".", ": ").capitalize()


@dataclass
class Filters:
    user_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    day_from: date | None = None
    day_to: date | None = None

    def conditions(self) -> list:
        tz = ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))
        where = []
        if self.user_id is not None:
            where.append(AuditEvent.actor_id == self.user_id)
        if self.action:
            where.append(AuditEvent.action == self.action)
        if self.object_type:
            where.append(AuditEvent.object_type == self.object_type)
        if self.object_id:
            where.append(AuditEvent.object_id == self.object_id)
        # Days are the organisation's calendar days.
        if self.day_from is not None:
            where.append(AuditEvent.created_at >= datetime.combine(self.day_from, time(), tz))
        if self.day_to is not None:
            where.append(AuditEvent.created_at < datetime.combine(self.day_to + timedelta(days=1), time(), tz))
        return where


def entries(filters: Filters, *, page: int = 1) -> tuple[list[AuditEvent], bool]:
    """One page of entries, newest first, and whether there are more."""
    rows = list(db.session.scalars(
        sa.select(AuditEvent).where(*filters.conditions())
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def choices() -> dict:
    """What the filters offer: the users and the actions and objects on record."""
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct()).all()
    objects = db.session.scalars(
        sa.select(AuditEvent.object_type).where(AuditEvent.object_type.is_not(None)).distinct()).all()
    users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return {"actions": sorted(set(actions) | set(action_labels())),
            "objects": sorted(set(objects) | set(object_labels())), "users": users}


def user_names() -> dict[int, str]:
    return {user_id: full_name or username for user_id, username, full_name in db.session.execute(
        sa.select(User.id, User.username, User.full_name))}


def csv_table(filters: Filters, setting_labels: dict[str, str] | None = None) -> Table:
    """The filtered entries as a table for the CSV writer, oldest first."""
    tz = ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))
    actions, objects = action_labels(), object_labels()
    names = user_names()

    def rows():
        stmt = sa.select(AuditEvent).where(*filters.conditions()).order_by(AuditEvent.created_at, AuditEvent.id)
        for entry in db.session.scalars(stmt.execution_options(yield_per=500)):
            yield [entry.seq, entry.created_at.astimezone(tz).replace(tzinfo=None),
                   names.get(entry.actor_id, "") if entry.actor_id else "",
                   label(actions, entry.action), label(objects, entry.object_type), entry.object_id or "",
                   _details_text(entry.details, setting_labels), entry.hash or ""]

    return Table(name="audit", title=_("Audit trail"),
                 header=[_("No."), _("Time"), _("User"), _("What was done"), _("Object"), _("Object id"),
                         _("Details"), _("Chain hash")], rows=rows)


def _details_text(details: dict | None, setting_labels: dict[str, str] | None = None) -> str:
    return "; ".join(f"{name}: {text}" for name, text in detail_rows(details, setting_labels))
