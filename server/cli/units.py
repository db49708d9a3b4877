"""kiemtra units …"""
import time

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..models import SuccessionKind
from ..services.directory import unit_import
from ..services.directory import units as unit_service


@click.group("units", help="Import and reorganise administrative units.")
def group():
    pass


def _echo_summary(summary, elapsed: float | None = None) -> None:
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.by_kind.items()))
    line = (f"{summary.total} units ({kinds}): {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged")
    if summary.locations:
        line += f"; {summary.locations} locations"
    if elapsed is not None:
        line += f" in {elapsed:.2f} s"
    click.echo(line + ".")


@group.command("import-vn")
@click.option("--province", "province_code", metavar="CODE", help="Only this province (e.g. 01 for Hà Nội).")
@with_appcontext
def import_vn(province_code):
    """Import Vietnam's provinces and communes from the vietnam-provinces package."""
    started = time.perf_counter()
    try:
        summary = unit_import.import_vietnam(province_code)
    except unit_service.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    _echo_summary(summary, time.perf_counter() - started)


@group.command("import-csv")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_csv(path):
    """Import units from a CSV file (code, name, kind, parent_code, lat, lon, valid_from, address).

    A file with any error imports nothing; every error is printed as FILE:LINE: message.
    """
    try:
        summary = unit_import.import_csv(path)
    except unit_import.UnitImportError as exc:
        db.session.rollback()
        for line, message in exc.errors:
            click.echo(f"{path}:{line}: {message}", err=True)
        raise click.ClickException(f"{path}: {len(exc.errors)} error(s); nothing was imported.") from exc
    except unit_service.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    _echo_summary(summary)


@group.command("merge")
@click.argument("old_codes", metavar="OLD...", nargs=-1, required=True)
@click.option("--into", "into_code", required=True, metavar="NEW", help="Code of the successor unit.")
@click.option("--effective", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date from which the old units no longer exist (YYYY-MM-DD).")
@click.option("--legal-basis", default=None, help="The decision or resolution, e.g. NQ 1656/NQ-UBTVQH15.")
@click.option("--kind", default=SuccessionKind.MERGE.value, show_default=True,
              type=click.Choice([SuccessionKind.MERGE.value, SuccessionKind.RENAME.value,
                                 SuccessionKind.TRANSFER.value]))
@with_appcontext
def merge(old_codes, into_code, effective, legal_basis, kind):
    """Merge units OLD... into NEW: old units end, their open actions move to NEW."""
    try:
        result = unit_service.merge_units(
            list(old_codes), into_code, effective=effective.date(), legal_basis=legal_basis, kind=kind
        )
    except unit_service.UnitError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    successor = result.successor
    click.echo(
        f"{', '.join(link.predecessor.code for link in result.successions)} → {successor.code} "
        f"{successor.name} from {effective.date().isoformat()} ({kind}); "
        f"{len(result.moved_actions)} open action(s) moved."
    )
