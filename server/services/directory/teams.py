"""Inspection teams: create, rename, members and the team lead."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...models import Inspection, InspectionStatus, Role, Team, User
from ..foundation import audit
from .users import UserError

class TeamNameError(UserError):
    """The team's name is missing or taken."""


# An inspection a team has started and not yet handed over for review.
_IN_PROGRESS = (InspectionStatus.IN_PROGRESS, InspectionStatus.RETURNED)
MEMBER_ROLES = (Role.LEAD, Role.INSPECTOR)


def inspections_in_progress(team: Team) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)
                             .where(Inspection.team_id == team.id, Inspection.status.in_(_IN_PROGRESS)))


def check_keeps_a_member(team: Team, *, leaving: User) -> None:
    """A team with inspections in progress must keep at least one active member to finish them."""
    others = [m for m in team.members if m.id != leaving.id and m.active]
    if not others and inspections_in_progress(team):
        raise UserError(_("The team %(team)s has inspections in progress and would have no member left.",
                          team=team.name))


def _check_name(name: str, team: Team | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise TeamNameError(_("A team needs a name."))
    # Compared in Python: SQLite's lower() leaves Vietnamese capitals (Đ, Ư...) as they are.
    taken = next((id_ for id_, other in db.session.execute(sa.select(Team.id, Team.name))
                  if other.casefold() == name.casefold()), None)
    if taken is not None and (team is None or taken != team.id):
        raise TeamNameError(_("A team named %(name)s already exists.", name=name))
    return name


def create_team(name: str, actor) -> Team:
    team = Team(name=_check_name(name))
    db.session.add(team)
    db.session.flush()
    audit.record(actor, "team.create", team, name=team.name)
    return team


def update_team(team: Team, *, name: str, members: list[User], lead: User | None, actor,
                secretary: User | None = None) -> list[str]:
    """Rename a team, set its members (leads and inspectors), its lead and its
    secretary (each one of the members; the lead chairs, the secretary takes the minutes)."""
    name = _check_name(name, team)
    for user in members:
        if user.role not in MEMBER_ROLES or not user.active:
            raise UserError(_("%(name)s cannot be a team member: only active team leads and inspectors can.",
                              name=user.full_name or user.username))
    if lead is not None and lead not in members:
        raise UserError(_("The team lead must be one of its members."))
    if secretary is not None and secretary not in members:
        raise UserError(_("The secretary must be one of the team's members."))
    if team.members and not members and inspections_in_progress(team):
        raise UserError(_("The team %(team)s has inspections in progress and would have no member left.",
                          team=team.name))
    changed = {}
    if name != team.name:
        changed["name"] = {"from": team.name, "to": name}
    before, after = sorted(u.id for u in team.members), sorted(u.id for u in members)
    if before != after:
        changed["members"] = {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after))}
    if team.lead_id != (lead.id if lead else None):
        changed["lead"] = {"from": team.lead_id, "to": lead.id if lead else None}
    if team.secretary_id != (secretary.id if secretary else None):
        changed["secretary"] = {"from": team.secretary_id, "to": secretary.id if secretary else None}
    team.name, team.members, team.lead, team.secretary = name, list(members), lead, secretary
    if changed:
        audit.record(actor, "team.update", team, **changed)
    return list(changed)


def all_teams() -> list[Team]:
    return list(db.session.scalars(sa.select(Team).order_by(Team.name)))


def candidates() -> list[User]:
    """Who may be a team member: active leads and inspectors."""
    return list(db.session.scalars(sa.select(User).where(User.role.in_(MEMBER_ROLES), User.active.is_(True))
                                   .order_by(User.full_name, User.username)))
