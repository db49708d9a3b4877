"""kiemtra checklists …"""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.checklists import library as checklist_service
from ..services.checklists.definition import load_checklist_file


@click.group("checklists", help="Validate and import checklist files.")
def group():
    pass


def _paths(paths):
    return checklist_service.checklist_files(list(paths) or [current_app.config["CHECKLISTS_FOLDER"]])


@group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@with_appcontext
def validate(paths):
    """Check checklist files; print every error as `file: path: message`."""
    failed = False
    for path in _paths(paths):
        _definition, errors = load_checklist_file(path)
        for error in errors:
            click.echo(str(error), err=True)
        failed = failed or bool(errors)
        if not errors:
            click.echo(f"{path}: ok")
    sys.exit(1 if failed else 0)


@group.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@with_appcontext
def import_(paths):
    """Import checklist files (default: the checklists folder).

    Each file is imported and committed on its own: a bad file is reported and
    skipped, and the good ones are imported all the same (the exit code is 1).
    """
    failed = False
    for path in _paths(paths):
        with db.session.begin_nested():
            outcome = checklist_service.import_checklist(path)
        db.session.commit()
        if outcome.action == "invalid":
            failed = True
            for error in outcome.errors:
                click.echo(str(error), err=True)
            click.echo(f"{path}: not imported (invalid)", err=True)
        elif outcome.action == "unchanged":
            click.echo(f"{path}: {outcome.key} unchanged (version {outcome.version})")
        elif outcome.action == "created":
            click.echo(f"{path}: {outcome.key} created (version {outcome.version})")
        else:
            click.echo(f"{path}: {outcome.key} new version {outcome.version}")
    sys.exit(1 if failed else 0)
