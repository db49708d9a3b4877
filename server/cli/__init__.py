"""The `kiemtra` command: a FlaskGroup over create_app, so every
`flask --app server …` command also works as `kiemtra …`."""
import click
from flask.cli import FlaskGroup


def _create_app():
    from .. import create_app

    return create_app()


def register_commands(app) -> None:
    from . import audit, backup, checklists, dashboard, demo, evidence, units, users

    for group in (checklists.group, units.group, users.group, evidence.group, audit.group, dashboard.group,
                  demo.command):
        app.cli.add_command(group)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(backup.restore_command)
    from . import actions  # `kiemtra actions remind`

    app.cli.add_command(actions.group)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """KiemTra: inspections, checklists, units and users."""
