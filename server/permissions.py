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

from .extensions import db, login_manager
from .models import Inspection, InspectionKind, InspectionStatus, Role, User, team_members

STAFF = {Role.ADMIN, Role.LEAD, Role.VIEWER}

# Actions that depend on the role only.
ROLE_ACTIONS: dict[str, set[str]] = {
    "dashboard.view": {Role.ADMIN, Role.LEAD, Role.VIEWER},
    "inspection.list": {Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR, Role.UNIT_OFFICER},
    "plan.manage": {Role.ADMIN, Role.LEAD},
    "checklist.manage": {Role.ADMIN},
    "unit.manage": {Role.ADMIN},
    "user.manage": {Role.ADMIN},
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
    return False


def _can_inspection(user: User, role: str, action: str, insp: Inspection) -> bool:
    if action == "inspection.view":
        if role in STAFF:
            return True
        if role == Role.INSPECTOR:
            return _in_team(user, insp.team_id)
        if role == Role.UNIT_OFFICER:
            return (
                user.unit_id == insp.unit_id
                and not insp.is_embargoed
                and insp.status == InspectionStatus.CONCLUDED
            )
        return False
    if action == "inspection.view_notice":
        # The notice of an announced inspection is for the inspected unit too.
        if role == Role.UNIT_OFFICER:
            return user.unit_id == insp.unit_id and insp.kind == InspectionKind.ANNOUNCED
        return _can_inspection(user, role, "inspection.view", insp)
    if action == "inspection.conduct":
        return (
            role in (Role.INSPECTOR, Role.LEAD)
            and _in_team(user, insp.team_id)
            and insp.status
            in (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS, InspectionStatus.RETURNED)
        )
    if action == "inspection.review":
        return role == Role.LEAD and insp.status == InspectionStatus.SUBMITTED
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
    abort(403)


def permission_required(action: str):
    """Decorate a view that needs a role-level permission."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(action)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def init_app(app) -> None:
    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    @login_manager.unauthorized_handler
    def unauthorized():
        abort(401)

    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)

