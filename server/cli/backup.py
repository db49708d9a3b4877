"""kiemtra backup / kiemtra restore"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.administration import backup as backup_service


@click.command("backup")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the archive (default: instance/backups).")
@with_appcontext
def backup_command(output):
    """Archive the database and the uploaded files (.tar.gz)."""
    output = output or Path(current_app.instance_path) / "backups"
    try:
        result = backup_service.backup(db.engine, Path(current_app.config["UPLOAD_FOLDER"]), output)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {result.path} ({result.dialect} database, {result.files} uploaded files)")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive, yes):
    """Replace the database with a backup and restore its uploaded files. Stop the app first."""
    if not yes:
        click.confirm("This REPLACES all data in the database. Continue?", abort=True)
    db.session.remove()
    try:
        info = backup_service.restore(db.engine, Path(current_app.config["UPLOAD_FOLDER"]), archive)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored the {info['dialect']} backup of {info['created_at']} ({info['uploads']} uploaded files).")
