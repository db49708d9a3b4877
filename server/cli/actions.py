"""`kiemtra actions …`: remediation actions from the command line (cron)."""
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from ..services.foundation.mail import MailSettings, base_url_problem
from ..services.foundation import settings as org_settings
from ..services.remediation.reminders import send_reminders
from ..services.foundation.settings import local_today


@click.group("actions")
def group():
    """Remediation actions."""


@group.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to compute reminders for (YYYY-MM-DD; default: today).")
@with_appcontext
def remind(today):
    """Send deadline reminders (in the app, and by email when MAIL_SERVER is set); each only once."""
    config = current_app.config
    problem = base_url_problem(config)
    if problem:
        raise click.ClickException(problem)
    result = send_reminders(
        today=today.date() if today else local_today(), days_before=list(org_settings.get("REMINDER_DAYS_BEFORE")),
        mail=MailSettings.from_config(config), base_url=config.get("BASE_URL") or "",
    )
    click.echo(f"reminders: {result.notified} notified, {result.emailed} emailed, "
               f"{len(result.email_failures)} email failures")
    if result.email_failures:
        raise SystemExit(1)
