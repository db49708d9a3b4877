"""kiemtra users …"""
import secrets

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Role, User
from ..services.directory import passwords
from ..services.directory import users as user_service


@click.group("users", help="Manage users.")
def group():
    pass


@group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--unit", "unit_code", help="Official code of the unit (unit officers).")
@click.option("--team", "team_name", help="Team to join (created if missing).")
@click.option("--name", "full_name", default="", help="Full name.")
@click.option("--email", default=None)
@click.option("--generate-password", is_flag=True, help="Generate a password and print it.")
@click.password_option(prompt_required=False, help="The password (asked for if not given).")
@with_appcontext
def create(username, role, unit_code, team_name, full_name, email, generate_password, password):
    """Create a user; asks for the password unless --generate-password."""
    if generate_password:
        password = secrets.token_urlsafe(12)
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not generate_password:  # the same rules as My account
        found = passwords.problems(password, User(username=username, full_name=full_name))
        if found:
            raise click.ClickException(" ".join(found))
    try:
        user = user_service.create_user(
            username=username, role=role, password=password, unit_code=unit_code,
            team_name=team_name, full_name=full_name, email=email,
        )
    except user_service.UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created user {user.username} ({user.role}).")
    if generate_password:
        click.echo(f"Password: {password}")
