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
