"""kiemtra dashboard …"""
import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.reporting import totals as dashboard_totals, item_results


@click.group("dashboard", help="The dashboard's stored figures.")
def group():
    pass


@group.command("rebuild")
@with_appcontext
def rebuild():
    """Refill the failed items and every stored total from the inspections and actions.

    Needed after changing BABEL_DEFAULT_TIMEZONE (lateness is judged in it), after
    loading rows outside the app, or on a database upgraded through the migration
    that added failed_items without filling it. Safe to run at any time.
    """
    failures = item_results.rebuild_all()
    dashboard_totals.rebuild_all()
    db.session.commit()
    click.echo(f"{failures} failed items and every dashboard total rebuilt.")
