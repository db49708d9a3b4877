"""The units pages (/admin/units): the tree, search, a unit's page and
history, creating and editing, importing, and reorganising (merge, rename, split)."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..extensions import db
from ..forms.units import REORGANISATIONS, CsvUploadForm, ReorganiseForm, UnitForm, VietnamImportForm
from ..models import Unit
from ..models.types import MAX_ROW_ID
from ..permissions import permission_required
from ..services.checklists.unit_kinds import kind_labels
from ..services.directory import search, unit_import
from ..services.directory import units as unit_service
from ..services.foundation.settings import local_today

bp = Blueprint("admin_units", __name__, url_prefix="/admin/units")

# A CSV file larger than this is refused before it is read (tens of thousands of units).
MAX_CSV_BYTES = 5 * 1024 * 1024


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id) if 0 < unit_id <= MAX_ROW_ID else None
    if unit is None:
        abort(404)
    return unit


def _kind_choices(current: str | None = None) -> list[tuple[str, str]]:
    labels = kind_labels()
    kinds = list(labels) + [k for k in unit_service.known_kinds() if k not in labels]
    if current and current not in kinds:
        kinds.append(current)
    return [(kind, labels.get(kind, kind)) for kind in kinds]


@bp.get("")
@permission_required("unit.manage")
def index():
    query = (request.args.get("q") or "").strip()[:100]
    with_ended = request.args.get("ended") == "1"
    found = search.search_units(query, limit=100) if query else None
    if found is not None and not with_ended:
        found = [u for u in found if u.valid_to is None]
    return render_template("admin/units/index.html", query=query, found=found, with_ended=with_ended,
                           tops=None if query else unit_service.top_units(with_ended=with_ended),
                           kind_labels=kind_labels())


@bp.get("/<int:unit_id>")
@permission_required("unit.manage")
def show(unit_id: int):
    unit = _unit(unit_id)
    current, ended = unit_service.children_of(unit)
    return render_template("admin/units/show.html", unit=unit, ancestors=unit_service.ancestors(unit),
                           children=current, ended_children=ended, history=unit_service.unit_history(unit),
                           open_actions=unit_service.open_actions_of([unit]), kind_labels=kind_labels())


def _fields(form: UnitForm) -> unit_service.UnitFields:
    return unit_service.UnitFields(code=form.code.data, name=form.name.data, kind=form.kind.data,
                                   parent_code=form.parent_code.data, valid_from=form.valid_from.data,
                                   lat=form.lat.data, lon=form.lon.data, address=form.address.data)


def _show_field_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]


@bp.route("/new", methods=["GET", "POST"])
@permission_required("unit.manage")
def new():
    form = UnitForm()
    if request.method == "GET":
        form.parent_code.data = (request.args.get("parent") or "")[:32]
    form.kind.choices = _kind_choices()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                unit = unit_service.create_unit(_fields(form), actor=current_user)
            except unit_service.UnitFieldError as exc:
                db.session.rollback()
                _show_field_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(_("The unit %(name)s was created.", name=unit.name), "info")
                return redirect(url_for("admin_units.show", unit_id=unit.id), 303)
    return render_template("admin/units/form.html", form=form, unit=None), status


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
@permission_required("unit.manage")
def edit(unit_id: int):
    unit = _unit(unit_id)
    if request.method == "GET":
        location = unit.locations[0] if unit.locations else None
        form = UnitForm(formdata=None, code=unit.code, name=unit.name, kind=unit.kind,
                        parent_code=unit.parent.code if unit.parent else "", valid_from=unit.valid_from,
                        lat=str(location.lat) if location else "", lon=str(location.lon) if location else "",
                        address=unit.address or "")
    else:
        form = UnitForm()
    form.kind.choices = _kind_choices(unit.kind)
    status = 200
    error = None
    if unit.valid_to is not None:
        error = _("%(code)s %(name)s ended on %(date)s; it stays as it was.", code=unit.code, name=unit.name,
                  date=format_date(unit.valid_to, "short"))
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        status = 422
        if form.validate():
            try:
                changes = unit_service.update_unit(unit, _fields(form), actor=current_user)
            except unit_service.UnitFieldError as exc:
                db.session.rollback()
                _show_field_errors(form, exc.errors)
            else:
                db.session.commit()
                flash(_("The unit was saved.") if changes else _("Nothing was changed."), "info")
                return redirect(url_for("admin_units.show", unit_id=unit.id), 303)
    return render_template("admin/units/form.html", form=form, unit=unit, error=error), status


# --- Importing ----------------------------------------------------------------


def _province_choices() -> list[tuple[str, str]]:
    return [(f"{p['code']:02d}", unit_import._province_name(p)) for p in unit_import._vietnam_provinces()]


def _render_import(vietnam_form=None, csv_form=None, preview=None, errors=None, status=200):
    vietnam_form = vietnam_form or VietnamImportForm(formdata=None)
    vietnam_form.provinces.choices = _province_choices()
    return render_template("admin/units/import.html", vietnam_form=vietnam_form,
                           csv_form=csv_form or CsvUploadForm(formdata=None), preview=preview,
                           errors=errors or [], kind_labels=kind_labels()), status


@bp.get("/import")
@permission_required("unit.manage")
def import_page():
    return _render_import()


@bp.post("/import/vietnam")
@permission_required("unit.manage")
def import_vietnam():
    form = VietnamImportForm()
    form.provinces.choices = _province_choices()
    if not form.validate():
        return _render_import(vietnam_form=form, status=422)
    created = updated = 0
    for code in form.provinces.data:
        summary = unit_import.import_vietnam(code, actor=current_user)
        created, updated = created + summary.created, updated + summary.updated
    db.session.commit()
    flash(_("Imported from the official list: %(created)s units created, %(updated)s updated.",
            created=format_decimal(created), updated=format_decimal(updated)), "info")
    return redirect(url_for("admin_units.index"), 303)


@bp.post("/import/csv")
@permission_required("unit.manage")
def import_csv():
    """Without `csv_text`: read the uploaded file and show a preview. With it: import."""
    form = CsvUploadForm()
    upload = form.file.data
    if form.csv_text.data:
        raw, name = form.csv_text.data.encode("utf-8"), (form.file_name.data or "units.csv")[:255]
        confirm = True
    elif upload is not None and getattr(upload, "filename", ""):
        raw, name = upload.read(MAX_CSV_BYTES + 1), Path(upload.filename).name[:255]
        confirm = False
    else:
        form.file.errors = [_("Choose a CSV file.")]
        return _render_import(csv_form=form, status=422)
    if len(raw) > MAX_CSV_BYTES:
        form.file.errors = [_("The file is larger than %(n)s MB.", n=MAX_CSV_BYTES // (1024 * 1024))]
        return _render_import(csv_form=form, status=413)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units.csv"
        path.write_bytes(raw)
        try:
            if confirm:
                summary = unit_import.import_csv(path, actor=current_user, name=name)
            else:
                rows = unit_import.read_units_csv(path)
        except unit_import.UnitImportError as exc:
            db.session.rollback()
            form.file.errors = [ngettext("The file has %(num)d error; nothing was imported.",
                                         "The file has %(num)d errors; nothing was imported.", len(exc.errors))]
            return _render_import(csv_form=form, errors=exc.errors, status=422)
    if confirm:
        db.session.commit()
        flash(_("Imported from %(file)s: %(created)s units created, %(updated)s updated, %(unchanged)s unchanged.",
                file=name, created=format_decimal(summary.created), updated=format_decimal(summary.updated),
                unchanged=format_decimal(summary.unchanged)), "info")
        return redirect(url_for("admin_units.index"), 303)
    form.csv_text.data, form.file_name.data = raw.decode("utf-8-sig"), name
    return _render_import(csv_form=form, preview=rows)


# --- Reorganising ---------------------------------------------------------------


def _codes(text: str | None) -> list[str]:
    return [code for code in (part.strip() for part in (text or "").replace(";", ",").split(",")) if code]


def _find(form, field_name: str, code: str) -> Unit | None:
    unit = unit_service.current_unit_by_code(code)
    if unit is None or unit.valid_to is not None:
        getattr(form, field_name).errors.append(_("No current unit has the code %(code)s.", code=code))
        return None
    return unit


def _plan(form: ReorganiseForm, unit: Unit):
    """What the form asks for: (the units that end, a function doing it), or None with errors beside the fields."""
    kind, effective, basis = form.kind.data, form.effective.data, form.legal_basis.data.strip()
    if kind == "merge":
        if not form.into_code.data:
            form.into_code.errors.append(_("Give the code of the unit that takes over."))
            return None
        successor = _find(form, "into_code", form.into_code.data.strip())
        others = [_find(form, "also_codes", code) for code in _codes(form.also_codes.data)]
        if successor is None or None in others:
            return None
        olds = [unit, *[o for o in others if o.id != unit.id]]
        return olds, lambda: unit_service.reorganise(olds, successor, effective=effective, legal_basis=basis,
                                                     actor=current_user)
    if kind == "rename":
        if not (form.new_name.data or "").strip():
            form.new_name.errors.append(_("Give the new name."))
            return None
        return [unit], lambda: unit_service.rename_unit(unit, name=form.new_name.data, code=form.new_code.data,
                                                        effective=effective, legal_basis=basis, actor=current_user)
    codes = _codes(form.split_codes.data)
    if len(codes) < 2:
        form.split_codes.errors.append(_("A unit is split into at least two units."))
        return None
    successors = [_find(form, "split_codes", code) for code in codes]
    target_code = (form.actions_to_code.data or "").strip() or codes[0]
    actions_to = _find(form, "actions_to_code", target_code)
    if None in successors or actions_to is None:
        return None
    return [unit], lambda: unit_service.split_unit(unit, successors, actions_to=actions_to, effective=effective,
                                                   legal_basis=basis, actor=current_user)


@bp.route("/<int:unit_id>/reorganise", methods=["GET", "POST"])
@permission_required("unit.manage")
def reorganise(unit_id: int):
    unit = _unit(unit_id)
    form = ReorganiseForm()
    form.kind.choices = [("merge", _("Merged into another unit")), ("rename", _("Renamed")),
                         ("split", _("Split into several units"))]
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in REORGANISATIONS else "merge"
        form.effective.data = local_today()
    status, error, preview = 200, None, None
    if unit.valid_to is not None:
        error = _("%(code)s %(name)s ended on %(date)s; it stays as it was.", code=unit.code, name=unit.name,
                  date=format_date(unit.valid_to, "short"))
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        status = 422
        plan = _plan(form, unit) if form.validate() else None
        if plan is not None:
            olds, apply = plan
            # Tried inside a savepoint first: a preview says what will fail before anyone confirms.
            savepoint = db.session.begin_nested()
            try:
                apply()
            except unit_service.UnitError as exc:
                error = str(exc)
            finally:
                savepoint.rollback()
            if error is None and form.confirm.data == "1":
                try:
                    result = apply()
                except unit_service.UnitError as exc:  # changed since the preview
                    db.session.rollback()
                    error = str(exc)
                else:
                    db.session.commit()
                    flash(ngettext("Done; %(num)d open action moved to %(name)s.",
                                   "Done; %(num)d open actions moved to %(name)s.", len(result.moved_actions),
                                   name=result.successor.name), "info")
                    return redirect(url_for("admin_units.show", unit_id=result.successor.id), 303)
            elif error is None:
                status, preview = 200, unit_service.open_actions_of(olds)
                form.confirm.data = "1"
    if status == 422 or error:
        form.confirm.data = ""
    return render_template("admin/units/reorganise.html", unit=unit, form=form, error=error,
                           preview=preview, kind_labels=kind_labels()), status
