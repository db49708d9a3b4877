"""kiemtra checklists …"""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.checklists import library as checklist_service
from ..services.checklists import formats, xlsx_template
from ..services.checklists.formats import load_checklist


@click.group("checklists", help="Validate, import and export checklist files (YAML or XLSX).")
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
        _definition, errors = load_checklist(path)
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


@group.command("export")
@click.argument("key")
@click.option("--version", "number", type=int, default=None, help="Version number (default: the latest).")
@click.option("--format", "kind", type=click.Choice(formats.FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output for YAML; KEY-vN.xlsx for XLSX).")
@with_appcontext
def export(key, number, kind, output):
    """Write a published version of checklist KEY as YAML or XLSX."""
    checklist = checklist_service.get_checklist(key)
    if checklist is None or not checklist.versions:
        raise click.ClickException(f"no checklist with key {key!r}")
    version = checklist.current if number is None else checklist_service.get_version(key, number)
    if version is None:
        known = ", ".join(str(v.number) for v in checklist.versions)
        raise click.ClickException(f"{key} has no version {number} (versions: {known})")
    if kind == "yaml":
        text = formats.to_yaml(version.definition)
        if output is None:
            click.echo(text, nl=False)
            return
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        output = output or f"{key}-v{version.number}.xlsx"
        with open(output, "wb") as f:
            f.write(xlsx_template.write_workbook(version.definition))
    click.echo(f"{output}: {key} version {version.number}", err=True)
