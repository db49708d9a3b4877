"""kiemtra evidence …"""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..services.evidence import files as evidence_service


@click.group("evidence", help="Evidence files (photos, signatures).")
def group():
    pass


@group.command("check")
@with_appcontext
def check():
    """Report rows whose file is missing and files without a row; exit 1 if any."""
    report = evidence_service.check_consistency(current_app.extensions["kiemtra.storage"])
    for uuid, key in report.missing_files:
        click.echo(f"missing file: evidence {uuid} points at {key}, which is not in storage")
    for key in report.orphan_files:
        click.echo(f"orphan file: {key} has no evidence row")
    click.echo(
        f"{len(report.missing_files)} missing file(s), {len(report.orphan_files)} orphan file(s)"
    )
    sys.exit(0 if report.ok else 1)
