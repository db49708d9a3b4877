"""Inspection teams, administered: create, rename, members and the team lead."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms.admin import TeamForm, TeamMembersForm
from ..models import Team, User
from ..permissions import permission_required
from ..services.directory import teams as team_service
from ..services.directory.users import UserError

bp = Blueprint("admin_teams", __name__, url_prefix="/admin/teams")


@bp.route("", methods=["GET", "POST"])
@permission_required("team.manage")
def index():
    form = TeamForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                team = team_service.create_team(form.name.data, current_user)
            except UserError as exc:
                db.session.rollback()
                form.name.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("The team %(name)s is created; add its members.", name=team.name), "info")
                return redirect(url_for("admin_teams.edit", team_id=team.id))
        status = 422
    teams = team_service.all_teams()
    busy = {team.id: team_service.inspections_in_progress(team) for team in teams}
    return render_template("admin/teams.html", form=form, teams=teams, busy=busy), status


def _choices(form: TeamMembersForm, team: Team) -> None:
    people = team_service.candidates()
    # Members no longer eligible (deactivated, another role) still show, to be removed.
    people += [m for m in team.members if m not in people]
    from ..i18n import labels

    roles = labels()["role"]
    form.members.choices = [(u.id, f"{u.full_name or u.username} ({u.username}, {roles.get(u.role, u.role)})")
                            for u in people]
    form.lead.choices = [(0, _("No team lead"))] + [(u.id, u.full_name or u.username) for u in people]
    form.secretary.choices = [(0, _("No secretary"))] + [(u.id, u.full_name or u.username) for u in people]


@bp.route("/<int:team_id>", methods=["GET", "POST"])
@permission_required("team.manage")
def edit(team_id: int):
    team = db.session.get(Team, team_id) if team_id < 2**31 else None
    if team is None:
        abort(404)
    if request.method == "GET":
        form = TeamMembersForm(formdata=None, name=team.name, members=[m.id for m in team.members],
                               lead=team.lead_id or 0, secretary=team.secretary_id or 0)
        _choices(form, team)
        return _render(team, form)
    form = TeamMembersForm()
    _choices(form, team)
    if not form.validate():
        return _render(team, form, 422)
    members = list(db.session.scalars(sa.select(User).where(User.id.in_(form.members.data or []))))
    lead = db.session.get(User, form.lead.data) if form.lead.data else None
    secretary = db.session.get(User, form.secretary.data) if form.secretary.data else None
    try:
        changed = team_service.update_team(team, name=form.name.data, members=members, lead=lead,
                                           secretary=secretary, actor=current_user)
    except UserError as exc:
        db.session.rollback()
        message = str(exc)
        target = form.name if isinstance(exc, team_service.TeamNameError) \
            else form.lead if lead is not None and lead not in members \
            else form.secretary if secretary is not None and secretary not in members else form.members
        target.errors = list(target.errors) + [message]
        return _render(team, form, 422)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "info")
    return redirect(url_for("admin_teams.edit", team_id=team.id))


def _render(team: Team, form: TeamMembersForm, status: int = 200):
    return render_template("admin/team_form.html", team=team, form=form,
                           busy=team_service.inspections_in_progress(team)), status
