"""kiemtra demo"""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.administration import demo as demo_service


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete ALL data and rebuild the demo.")
@with_appcontext
def command(reset):
    """Load the demo data (once), or rebuild it with --reset."""
    if demo_service.has_data() and not reset:
        click.echo("The database already has data; demo not loaded (use --reset to rebuild it).")
        return
    if reset:
        demo_service.wipe()
    try:
        summary = demo_service.build(current_app.config["CHECKLISTS_FOLDER"])
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Demo data loaded: {summary['units']} units, {len(summary['inspections'])} inspections.")
    click.echo(f"Demo logins (password for all: {demo_service.DEMO_PASSWORD}):")
    for username in summary["users"]:
        click.echo(f"  {username}")
