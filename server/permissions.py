"""Who may do what: the one place where access is decided.

`can(user, action, obj)` is a pure function of the user, the action and the
object, so it is unit-testable without a request. Views call `authorize()`
or decorate with `@permission_required`; list queries are narrowed with
`inspection_scope()` so that lists, counts and exports obey the same rules.

Unannounced inspections are embargoed until the team checks in: a unit
officer must not learn that one exists, so a refused look at one answers 404,
not 403.
"""
from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .extensions import db, login_manager
from .models import Inspection, InspectionKind, InspectionStatus, Plan, RemediationAction, Role, User, team_members
from .services.remediation.rules import can_on_action

STAFF = {Role.ADMIN, Role.LEAD, Role.VIEWER}

# Actions that depend on the role only.
ROLE_ACTIONS: dict[str, set[str]] = {
    "dashboard.view": {Role.ADMIN, Role.LEAD, Role.VIEWER},
    "inspection.list": {Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR, Role.UNIT_OFFICER},
    "plan.manage": {Role.ADMIN, Role.LEAD},
    "checklist.manage": {Role.ADMIN},
    # The checklist library: read by staff; leads and admins upload and publish
    # versions; retiring one (no new plans with it) is the admins'.
    "checklist.view": {Role.ADMIN, Role.LEAD, Role.VIEWER},
    "checklist.upload": {Role.ADMIN, Role.LEAD},
    "checklist.publish": {Role.ADMIN, Role.LEAD},
    "checklist.retire": {Role.ADMIN},
    "unit.manage": {Role.ADMIN},
    # The organisation's settings and the audit trail are the administrators'.
    "settings.manage": {Role.ADMIN},
    "audit.view": {Role.ADMIN},
    "user.manage": {Role.ADMIN},
    # Administration: the administrator's home, teams; every user's own account.
    "admin.view": {Role.ADMIN},
    "team.manage": {Role.ADMIN},
    "account.manage": {Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR, Role.UNIT_OFFICER},
    # Lead workspace: plans are read by viewers, written by leads;
    # summary exports (XLSX, CSV, the JSON listing) follow the dashboard.
    "plan.view": {Role.ADMIN, Role.LEAD, Role.VIEWER},
    "export.summary": {Role.ADMIN, Role.LEAD, Role.VIEWER},
    # Review and remediation: the review queue is the leads';
    # action lists are narrowed by action_scope(); the portal is the units'.
    "review.queue": {Role.LEAD},
    "action.list": {Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR},
    "portal.view": {Role.UNIT_OFFICER},
    "notification.list": {Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR, Role.UNIT_OFFICER},
}


def _in_team(user: User, team_id: int | None) -> bool:
    return team_id is not None and any(t.id == team_id for t in user.teams)


def can(user, action: str, obj=None) -> bool:
    """May `user` do `action` (to `obj`)? Anonymous users may do nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = user.role
    if action in ROLE_ACTIONS:
        return role in ROLE_ACTIONS[action]
    if isinstance(obj, Inspection):
        return _can_inspection(user, role, action, obj)
    if isinstance(obj, Plan):
        return _can_plan(user, role, action, obj)
    # Remediation actions: every `action.*` rule, including the state
    # machine's "who may make this move", is one pure table
    # (services/remediation/rules.py); this delegates to it.
    if isinstance(obj, RemediationAction):
        return can_on_action(user, role, action, obj)
    return False


# The model's embargo rule, read from a listed row as well as from an Inspection.
_embargoed = Inspection.is_embargoed.fget


def _may_view(user: User, role: str, insp) -> bool:
    """The rule of "inspection.view": `insp` is an Inspection or a listed row
    (anything with its unit_id, team_id, kind, checked_in_at and status)."""
    if role in STAFF:
        return True
    if role == Role.INSPECTOR:
        return _in_team(user, insp.team_id)
    if role == Role.UNIT_OFFICER:
        return (
            user.unit_id == insp.unit_id
            and not _embargoed(insp)
            and insp.status == InspectionStatus.CONCLUDED
        )
    return False


# What anyone who may know of an inspection may read of it in a list: that it
# exists, where, when, by whom, and its state. Everything else (score,
# percent, band, result, answers, findings, evidence, signatures, comments,
# and any field added later) is for those who may view it in full; the
# inspected unit waits for the conclusion, as its pages do.
OUTLINE_FIELDS = frozenset({
    "id", "uuid", "kind", "status", "unit_code", "unit_name", "checklist_key", "checklist_version", "team",
    "window_start", "window_end", "checked_in_at", "updated_at",
})


def redact(user, insp, data: dict) -> dict:
    """`data`, the JSON of `insp` (an Inspection or a listed row), as `user`
    may receive it: whole if they may view the inspection, else its outline.

    The one field-level rule: the list and the detail both answer through it."""
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active \
            and _may_view(user, user.role, insp):
        return data
    return {key: value for key, value in data.items() if key in OUTLINE_FIELDS}


def _can_inspection(user: User, role: str, action: str, insp: Inspection) -> bool:
    if action == "inspection.view":
        return _may_view(user, role, insp)
    if action == "inspection.view_notice":
        # The notice of an announced inspection is for the inspected unit too.
        if role == Role.UNIT_OFFICER:
            # ...once the plan's notice is published (a draft notice is not theirs yet).
            return (
                user.unit_id == insp.unit_id
                and insp.kind == InspectionKind.ANNOUNCED
                and insp.plan is not None
                and insp.plan.notice_published_at is not None
            )
        return _can_inspection(user, role, "inspection.view", insp)
    if action == "inspection.conduct":
        return (
            role in (Role.INSPECTOR, Role.LEAD)
            and _in_team(user, insp.team_id)
            and insp.status
            in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS, InspectionStatus.RETURNED)
        )
    if action == "evidence.upload":
        # Photos arrive after the inspection itself (the phone's outbox sends
        # the answers first), so a submitted inspection still takes them, and
        # an approved one those its submission announced (completeness.may_arrive).
        return (
            role in (Role.INSPECTOR, Role.LEAD)
            and _in_team(user, insp.team_id)
            and insp.status
            in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS,
                InspectionStatus.SUBMITTED, InspectionStatus.RETURNED, InspectionStatus.APPROVED)
        )
    if action == "evidence.withdraw":
        # A photo already sent is withdrawn while the lead has the inspection
        # back with the team, before the resubmission that settles it.
        return (
            role in (Role.INSPECTOR, Role.LEAD)
            and _in_team(user, insp.team_id)
            and insp.status == InspectionStatus.RETURNED
        )
    # Field app: a team member submits; whether the inspection is
    # still open for submission is the service's rule (409), since a re-sent
    # submission must still be answered after the status changed.
    if action == "inspection.submit":
        return role in (Role.INSPECTOR, Role.LEAD) and _in_team(user, insp.team_id)
    if action == "inspection.review":
        return role == Role.LEAD and insp.status == InspectionStatus.SUBMITTED
    if action == "inspection.return":
        # An approved inspection not yet concluded may still go back to the
        # team: a lost phone's photos would otherwise hold its conclusion forever.
        return role == Role.LEAD and insp.status in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)
    # Review and conclusion. The inspection page (answers, photos, findings,
    # comments, revisions) is read by every staff role; only a lead acts on
    # it, and a lead's change after submission is a revision.
    if action == "inspection.review_view":
        return role in STAFF
    if action == "inspection.revise":
        return role == Role.LEAD and insp.status in (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED)
    if action == "inspection.conclude":
        return role == Role.LEAD and insp.status == InspectionStatus.APPROVED
    if action == "inspection.follow_up":
        return role == Role.LEAD and insp.status == InspectionStatus.CONCLUDED
    return False


def _can_plan(user: User, role: str, action: str, plan: Plan) -> bool:
    if action == "plan.edit":
        # Changing a plan (its inspections' dates, teams, cancelling, deleting)
        # is for admins and the plan's lead: whoever made it or leads its team.
        # A plan that has neither (made by an admin for no team, or loaded from
        # outside) would otherwise be left to the admins alone: every lead may.
        if role == Role.ADMIN:
            return True
        if role != Role.LEAD:
            return False
        team_lead = plan.team.lead_id if plan.team is not None else None
        if user.id in (plan.created_by_id, team_lead):
            return True
        creator = plan.created_by
        return team_lead is None and (creator is None or creator.role != Role.LEAD)
    return False


def inspection_scope(user) -> sa.ColumnElement[bool]:
    """A WHERE clause selecting the inspections `user` may know to exist."""
    role = getattr(user, "role", None)
    if role in STAFF:
        return sa.true()
    if role == Role.INSPECTOR:
        teams = sa.select(team_members.c.team_id).where(team_members.c.user_id == user.id)
        return Inspection.team_id.in_(teams)
    if role == Role.UNIT_OFFICER and user.unit_id is not None:
        return sa.and_(
            Inspection.unit_id == user.unit_id,
            sa.or_(Inspection.kind != InspectionKind.UNANNOUNCED, Inspection.checked_in_at.is_not(None)),
        )
    return sa.false()


def action_scope(user) -> sa.ColumnElement[bool]:
    """A WHERE clause selecting the remediation actions `user` may see (same rule as "action.view")."""
    role = getattr(user, "role", None)
    if role in STAFF:
        return sa.true()
    if role == Role.INSPECTOR:
        teams = sa.select(team_members.c.team_id).where(team_members.c.user_id == user.id)
        return RemediationAction.inspection_id.in_(sa.select(Inspection.id).where(Inspection.team_id.in_(teams)))
    if role == Role.UNIT_OFFICER and user.unit_id is not None:
        return RemediationAction.unit_id == user.unit_id
    return sa.false()


def authorize(action: str, obj=None) -> None:
    """Abort unless the current user may do `action`.

    Answers 404 when the user may not even know that the object exists.
    """
    if not current_user.is_authenticated:
        abort(401)
    if can(current_user, action, obj):
        return
    if isinstance(obj, Inspection) and not db.session.scalar(
        sa.select(sa.literal(True)).where(Inspection.id == obj.id, inspection_scope(current_user))
    ):
        abort(404)
    if isinstance(obj, RemediationAction) and not can(current_user, "action.view", obj):
        abort(404)
    abort(403)


def authorized_inspection(action: str, *, uuid=None, id: int | None = None, for_update: bool = False,
                          options=()) -> Inspection:
    """The inspection named by `uuid` or `id`, if the current user may do
    `action` to it; otherwise 404 (or 403, see authorize).

    `for_update` reads it with a row lock held to the end of the transaction
    (PostgreSQL): the state a writer then checks cannot change under it.
    `options`: loader options for the same statement (what the caller reads next).
    """
    if uuid is not None:
        stmt = sa.select(Inspection).where(Inspection.uuid == str(uuid)).options(*options)
        # OF: only the inspection's row, not those of what `options` joins.
        inspection = db.session.scalar(stmt.with_for_update(of=Inspection) if for_update else stmt)
    elif for_update and id is not None:
        inspection = db.session.get(Inspection, id, with_for_update=True, options=options)
    else:
        inspection = db.session.get(Inspection, id) if id is not None else None
    if inspection is None:
        abort(404)
    authorize(action, inspection)
    return inspection


def permission_required(action: str):
    """Decorate a view that needs a role-level permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# What a user who must change a temporary password may still reach.
_BEFORE_PASSWORD_CHANGE = {"account.index", "account.change_password", "auth.logout", "auth.set_language", "static"}


def init_app(app) -> None:
    from datetime import timedelta

    from flask import g, redirect, request, url_for

    from .models.types import utcnow
    from .services.directory import sessions

    def _lifetimes() -> dict:
        return {"lifetime": timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"]),
                "remember_lifetime": timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])}

    @login_manager.user_loader
    def load_user(user_id: str):
        # Signed in only through an open server-side session of an active
        # user (see services/directory/sessions.py); with the teams, in the
        # same statement: most requests ask whether the user is in a team.
        found = sessions.load(user_id, utcnow(), options=[joinedload(User.teams)], **_lifetimes())
        if found is None:
            return None
        user, row = found
        g.user_session = row
        return user

    @app.before_request
    def _session_in_use():
        if not current_user.is_authenticated:
            return None
        row = g.get("user_session")
        if row is not None:
            sessions.touch(db.engine, row, utcnow())
        # A temporary password is changed before anything else is done.
        if current_user.must_change_password and request.endpoint not in _BEFORE_PASSWORD_CHANGE:
            if request.method == "GET" and not request.path.startswith("/api/"):
                return redirect(url_for("account.index"))
            abort(403)
        return None

    @login_manager.unauthorized_handler
    def unauthorized():
        abort(401)

    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)

