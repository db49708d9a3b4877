"""kiemtra audit …"""
import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services.foundation import audit as audit_service


@click.group("audit", help="The audit trail.")
def group():
    pass


@group.command("verify")
@with_appcontext
def verify():
    """Check the audit chain; name every altered or removed entry; exit 1 if any."""
    sealed = audit_service.seal_pending(db.engine)
    if sealed:
        click.echo(f"{sealed} new entries chained before checking.")
    checked, problems = audit_service.verify(db.session)
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{checked} entries checked, {len(problems)} problem(s).")
    sys.exit(1 if problems else 0)
