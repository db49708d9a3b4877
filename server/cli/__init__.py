"""The `kiemtra` command: a FlaskGroup over create_app, so every
`flask --app server …` command also works as `kiemtra …`."""
import click
from flask.cli import FlaskGroup


def _create_app():
    from .. import create_app

    return create_app()


def register_commands(app) -> None:
    from . import checklists, demo, units, users

    for group in (checklists.group, units.group, users.group, demo.command):
        app.cli.add_command(group)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """KiemTra: inspections, checklists, units and users."""
