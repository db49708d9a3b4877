"""Users, administered: search, create, edit, deactivate and reactivate, unlock, reset a password, import."""
from __future__ import annotations

import json
import smtplib

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms.admin import ImportConfirmForm, ImportForm, NewUserForm, ResetForm, UserFilterForm, UserForm
from ..models import Role, Team, User
from ..models.types import utcnow
from ..permissions import authorize, permission_required
from ..services.directory import auth as auth_service
from ..services.directory import passwords, user_import
from ..services.directory import users as user_service
from ..services.directory.teams import all_teams
from ..services.foundation import mail

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


def _role_choices(blank: str | None = None) -> list[tuple[str, str]]:
    from ..i18n import labels

    names = labels()["role"]
    # The most common role first, the most powerful last: a new user is not an administrator by oversight.
    order = (Role.INSPECTOR, Role.LEAD, Role.UNIT_OFFICER, Role.VIEWER, Role.ADMIN)
    choices = [(role.value, names[role.value]) for role in order]
    return [("", blank)] + choices if blank is not None else choices


def _team_choices() -> list[tuple[int, str]]:
    return [(team.id, team.name) for team in all_teams()]


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id) if user_id < 2**31 else None
    if user is None:
        abort(404)
    return user


@bp.get("")
@permission_required("user.manage")
def index():
    form = UserFilterForm(request.args)
    form.role.choices = _role_choices(_("All roles"))
    form.team.choices = [("", _("All teams"))] + [(str(i), n) for i, n in _team_choices()]
    form.active.choices = [("", _("Any status")), ("1", _("Active")), ("0", _("Deactivated"))]
    status = 200
    found = []
    if not form.validate():
        status = 422
    else:
        unit_id = None
        if form.unit.data:
            unit = user_service.current_unit_by_code(form.unit.data.strip())
            unit_id = unit.id if unit else -1
        found = user_service.search_users(
            text=form.q.data or "", role=form.role.data or None,
            team_id=int(form.team.data) if form.team.data else None, unit_id=unit_id,
            active={"1": True, "0": False}.get(form.active.data))
    locked = {name for name, _until in auth_service.locked_accounts(
        utcnow(), auth_service.Throttle.from_config(current_app.config))}
    return render_template("admin/users.html", form=form, users=found, locked=locked), status


def _edit_choices(form: UserForm) -> None:
    form.role.choices = _role_choices()
    form.teams.choices = _team_choices()


def _teams_from(ids: list[int]) -> list[Team]:
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Team).where(Team.id.in_(ids))))


@bp.route("/new", methods=["GET", "POST"])
@permission_required("user.manage")
def new():
    form = NewUserForm()
    _edit_choices(form)
    if request.method == "GET":
        return render_template("admin/user_form.html", form=form, user=None)
    if not form.validate():
        return render_template("admin/user_form.html", form=form, user=None), 422
    try:
        user = user_service.create_user(
            username=form.username.data.strip(), role=form.role.data, password=passwords.temporary_password(),
            unit_code=(form.unit.data or "").strip() or None, full_name=form.full_name.data.strip(),
            email=(form.email.data or "").strip() or None, actor=current_user)
        user_service.update_user(user, full_name=user.full_name, role=user.role, email=user.email,
                                 unit_code=(form.unit.data or "").strip() or None,
                                 teams=_teams_from(form.teams.data), actor=current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        _message_beside(form, str(exc))
        return render_template("admin/user_form.html", form=form, user=None), 422
    return _hand_over(user, form.handover.data, created=True)


def _message_beside(form, message: str) -> None:
    """Put a service's refusal beside the field it is about (by the words it uses), else on the form."""
    lowered = message.lower()
    for name, words in (("username", ("username", "tên đăng nhập")), ("unit", ("unit", "đơn vị")),
                        ("teams", ("team", "đoàn")), ("role", ("role", "vai trò", "administrator", "quản trị"))):
        if name in form and any(word in lowered for word in words):
            form[name].errors = list(form[name].errors) + [message]
            return
    form.form_errors.append(message)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@permission_required("user.manage")
def edit(user_id: int):
    user = _user_or_404(user_id)
    if request.method == "GET":
        form = UserForm(formdata=None, full_name=user.full_name, role=user.role, email=user.email or "",
                        unit=user.unit.code if user.unit else "", teams=[t.id for t in user.teams])
        _edit_choices(form)
        return _render_edit(user, form)
    form = UserForm()
    _edit_choices(form)
    if not form.validate():
        return _render_edit(user, form, 422)
    try:
        changed = user_service.update_user(
            user, full_name=form.full_name.data.strip(), role=form.role.data,
            email=(form.email.data or "").strip() or None, unit_code=(form.unit.data or "").strip() or None,
            teams=_teams_from(form.teams.data), actor=current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        _message_beside(form, str(exc))
        return _render_edit(user, form, 422)
    db.session.commit()
    flash(_("Saved.") if changed else _("Nothing was changed."), "info")
    return redirect(url_for("admin_users.edit", user_id=user.id))


def _render_edit(user: User, form: UserForm, status: int = 200):
    locked = any(name == user.username.lower() for name, _until in auth_service.locked_accounts(
        utcnow(), auth_service.Throttle.from_config(current_app.config)))
    return render_template("admin/user_form.html", form=form, user=user, reset_form=ResetForm(formdata=None),
                           locked=locked), status


@bp.post("/<int:user_id>/deactivate")
@permission_required("user.manage")
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/reactivate")
@permission_required("user.manage")
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    try:
        user_service.set_active(user, active, current_user)
    except user_service.UserError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_edit(user, _filled_form(user), 409)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.username) if active else
          _("%(name)s is deactivated: they cannot sign in, and their sessions are ended.", name=user.username), "info")
    return redirect(url_for("admin_users.edit", user_id=user.id))


def _filled_form(user: User) -> UserForm:
    form = UserForm(formdata=None, full_name=user.full_name, role=user.role, email=user.email or "",
                    unit=user.unit.code if user.unit else "", teams=[t.id for t in user.teams])
    _edit_choices(form)
    return form


@bp.post("/<int:user_id>/unlock")
@permission_required("user.manage")
def unlock(user_id: int):
    user = _user_or_404(user_id)
    auth_service.unlock(user.username, current_user, utcnow(), auth_service.Throttle.from_config(current_app.config))
    db.session.commit()
    flash(_("The account %(name)s can sign in again.", name=user.username), "info")
    return redirect(url_for("admin_users.edit", user_id=user.id))


@bp.post("/<int:user_id>/reset")
@permission_required("user.manage")
def reset(user_id: int):
    user = _user_or_404(user_id)
    form = ResetForm()
    if not form.validate():
        return _render_edit(user, _filled_form(user), 422)
    if not user.active:
        flash(_("Reactivate %(name)s first.", name=user.username), "error")
        return _render_edit(user, _filled_form(user), 409)
    if user.id == current_user.id:
        # One's own password is changed on My account, with the current one.
        flash(_("Change your own password on My account."), "error")
        return _render_edit(user, _filled_form(user), 409)
    return _hand_over(user, form.handover.data)


def _hand_over(user: User, how: str, *, created: bool = False):
    """Give `user` a temporary password or a one-time link, shown once to the administrator."""
    password = link = None
    emailed = False
    if how == "link":
        token = passwords.create_reset_link(user, current_user, utcnow())
        link = url_for("account.reset_password", token=token, _external=True)
    else:
        password = passwords.set_temporary(user, current_user)
    db.session.commit()
    settings = mail.MailSettings.from_config(current_app.config)
    if link and settings.enabled and user.email:
        try:
            mail.send_mail(settings, user.email, _("Choose your KiemTra password"),
                           _("Open this link to choose your password (valid %(hours)d hours, once):\n\n%(link)s",
                             hours=passwords.RESET_LINK_HOURS, link=link))
            emailed = True
        except (smtplib.SMTPException, OSError) as exc:
            current_app.logger.warning("Password link to %s not sent: %s", user.email, exc)
    return render_template("admin/handover.html", user=user, password=password, link=link, emailed=emailed,
                           created=created, hours=passwords.RESET_LINK_HOURS)


@bp.route("/import", methods=["GET", "POST"])
@permission_required("user.manage")
def import_file():
    form = ImportForm()
    if request.method == "GET":
        return render_template("admin/user_import.html", form=form, parsed=None)
    if not form.validate():
        return render_template("admin/user_import.html", form=form, parsed=None), 422
    upload = form.file.data
    try:
        table = user_import.read_table(upload.filename, upload.read(user_import.MAX_BYTES + 1))
    except user_import.ImportFileError as exc:
        form.file.errors = [str(exc)]
        return render_template("admin/user_import.html", form=form, parsed=None), 422
    parsed = user_import.parse(table)
    status = 422 if parsed.problems else 200
    return render_template("admin/user_import.html", form=form, parsed=parsed, filename=upload.filename,
                           new_teams=user_import.new_teams(parsed.rows) if not parsed.problems else [],
                           payload=json.dumps([_table_row(r) for r in parsed.rows], ensure_ascii=False)), status


def _table_row(row: dict) -> list[str]:
    return [row["username"], row["full_name"], row["role"], row["unit_code"], ";".join(row["teams"]), row["email"]]


@bp.post("/import/confirm")
@permission_required("user.manage")
def import_confirm():
    # The previewed rows come back and are checked again: nothing is trusted
    # from the page, and whatever changed since the preview is caught.
    try:
        rows = json.loads(ImportConfirmForm().rows.data or "")
        if not isinstance(rows, list) or not all(isinstance(r, list) and all(isinstance(c, str) for c in r)
                                                 for r in rows):
            raise ValueError
    except ValueError:
        flash(_("Send the file again."), "error")
        return render_template("admin/user_import.html", form=ImportForm(formdata=None), parsed=None), 422
    parsed = user_import.parse([list(user_import.COLUMNS)] + rows)
    if parsed.problems:
        return render_template("admin/user_import.html", form=ImportForm(formdata=None), parsed=parsed,
                               filename=None, new_teams=[], payload=""), 422
    created = user_import.import_users(parsed.rows, current_user)
    db.session.commit()
    return render_template("admin/import_done.html", created=created)
