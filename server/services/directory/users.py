"""Users and teams."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import Role, Team, Unit, User
from ..foundation import audit


class UserError(ValueError):
    pass


def current_unit_by_code(code: str) -> Unit | None:
    """The unit that holds `code` now (the newest, if the code was reused)."""
    return db.session.scalar(
        sa.select(Unit).where(Unit.code == code, Unit.valid_to.is_(None)).order_by(Unit.id.desc())
    ) or db.session.scalar(sa.select(Unit).where(Unit.code == code).order_by(Unit.id.desc()))


def get_or_create_team(name: str) -> Team:
    team = db.session.scalar(sa.select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
    return team


def create_user(
    *, username: str, role: str, password: str, unit_code: str | None = None,
    team_name: str | None = None, full_name: str = "", email: str | None = None, actor=None,
) -> User:
    """Create a user. A unit officer must name their unit; no other role may."""
    if role not in set(Role):
        raise UserError(_("Unknown role: %(role)s.", role=role))
    if not username or not username.strip():
        raise UserError(_("A username is required."))
    if len(password) < 8:
        raise UserError(_("The password must have at least 8 characters."))
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise UserError(_("The username %(name)s is taken.", name=username))
    unit = None
    if role == Role.UNIT_OFFICER:
        if not unit_code:
            raise UserError(_("A unit officer must be bound to a unit (--unit CODE)."))
    if unit_code:
        if role != Role.UNIT_OFFICER:
            raise UserError(_("Only unit officers belong to a unit."))
        unit = current_unit_by_code(unit_code)
        if unit is None:
            raise UserError(_("No unit has the code %(code)s.", code=unit_code))
    user = User(username=username.strip(), role=role, full_name=full_name, email=email, unit=unit)
    user.set_password(password)
    if team_name:
        team = get_or_create_team(team_name)
        team.members.append(user)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, role=role)
    return user


def _active_admins() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(User.role == Role.ADMIN, User.active.is_(True)))


def _check_not_last_admin(user: User) -> None:
    # Someone must be left to administer: the last active administrator
    # cannot deactivate or demote themselves (nor be by anyone else).
    if user.role == Role.ADMIN and user.active and _active_admins() <= 1:
        raise UserError(_("%(name)s is the last active administrator; make another administrator first.",
                          name=user.username))


def search_users(*, text: str = "", role: str | None = None, unit_id: int | None = None,
                 team_id: int | None = None, active: bool | None = None, limit: int = 200) -> list[User]:
    """Users matching every given filter, by username; `text` is sought in the username, name and email."""
    stmt = sa.select(User).order_by(User.username).limit(limit)
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.username).like(like), sa.func.lower(User.full_name).like(like),
                                 sa.func.lower(User.email).like(like)))
    if role:
        stmt = stmt.where(User.role == role)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if team_id:
        stmt = stmt.where(User.teams.any(Team.id == team_id))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return list(db.session.scalars(stmt))


def update_user(user: User, *, full_name: str, role: str, email: str | None, unit_code: str | None,
                teams: list[Team], actor) -> list[str]:
    """Change a user's name, role, unit, teams and email; returns the names of what changed."""
    if role not in set(Role):
        raise UserError(_("Unknown role: %(role)s.", role=role))
    if role != user.role and user.role == Role.ADMIN:
        _check_not_last_admin(user)
    unit = None
    if role == Role.UNIT_OFFICER:
        if not unit_code:
            raise UserError(_("A unit officer must be bound to a unit."))
        unit = current_unit_by_code(unit_code)
        if unit is None:
            raise UserError(_("No unit has the code %(code)s.", code=unit_code))
    if teams and role not in (Role.LEAD, Role.INSPECTOR):
        raise UserError(_("Only team leads and inspectors belong to teams."))
    changed = {}
    for name, old, new in (("full_name", user.full_name, full_name), ("role", user.role, role),
                           ("email", user.email, email or None), ("unit", user.unit_id, unit.id if unit else None),
                           ("teams", sorted(t.id for t in user.teams), sorted(t.id for t in teams))):
        if old != new:
            changed[name] = {"from": old, "to": new}
    user.full_name, user.role, user.email, user.unit = full_name, role, email or None, unit
    for team in list(user.teams):
        if team not in teams:
            _check_team_keeps_a_member(team, leaving=user)
            if team.lead_id == user.id:
                team.lead = None
            if team.secretary_id == user.id:
                team.secretary = None
    user.teams = list(teams)
    if changed:
        audit.record(actor, "user.update", user, **changed)
    return list(changed)


def set_active(user: User, active: bool, actor) -> None:
    """Deactivate (they cannot sign in; their sessions end at their next request) or reactivate a user.

    A user is never deleted: their name stays on what they did."""
    from . import sessions

    if user.active == active:
        return
    if not active:
        _check_not_last_admin(user)
        for team in user.teams:
            _check_team_keeps_a_member(team, leaving=user)
        sessions.end_all(user, reason="deactivated")
    user.active = active
    audit.record(actor, "user.reactivate" if active else "user.deactivate", user)


def _check_team_keeps_a_member(team: Team, *, leaving: User) -> None:
    from .teams import check_keeps_a_member

    check_keeps_a_member(team, leaving=leaving)
