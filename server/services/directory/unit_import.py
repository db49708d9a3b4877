"""Importing administrative units: Vietnam's official list (the
`vietnam-provinces` package) and CSV files of any organisation's units."""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _

from ...extensions import db
from ...i18n import date_example, parse_day
from ...models import Unit, UnitLocation
from ..foundation import audit
from ..evidence.geo import parse_coordinate
from .units import REFORM_DATE, UnitError
from .users import current_unit_by_code

VIETNAM_KINDS = {
    "tỉnh": "province",
    "thành phố trung ương": "province",
    "xã": "commune",
    "phường": "ward",
    "đặc khu": "special_zone",
}

CSV_REQUIRED = ("code", "name", "kind")
CSV_OPTIONAL = ("parent_code", "lat", "lon", "valid_from", "address")
# Kinds are free (a food-safety team has restaurants, not wards) but must be
# identifiers, so that checklists' `applies_to` can name them.
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")


class UnitImportError(UnitError):
    """An import file has errors; `errors` lists every (line, message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("\n".join(f"{line}: {message}" for line, message in errors))


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locations: int = 0
    by_kind: Counter = field(default_factory=Counter)  # units seen in the source, per kind

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- Vietnam's official list ------------------------------------------------


def import_vietnam(province_code: str | None = None, *, actor=None) -> ImportSummary:
    """Load the 34 provinces and 3,321 communes of the `vietnam-provinces` package.

    A unit is identified by its code and `valid_from` = the reform date, so
    re-running updates names (and kinds, parents) and creates no duplicates.
    """
    provinces = _vietnam_provinces()
    if province_code is not None:
        wanted = province_code.strip().zfill(2)
        provinces = [p for p in provinces if f"{p['code']:02d}" == wanted]
        if not provinces:
            raise UnitError(_("No province has the code %(code)s in the official list.", code=province_code))
    summary = ImportSummary()
    province_rows = [
        {"code": f"{p['code']:02d}", "name": _province_name(p), "kind": "province", "parent_code": None}
        for p in provinces
    ]
    commune_rows = [
        {"code": f"{w['code']:05d}", "name": w["name"], "kind": _vietnam_kind(w["division_type"]),
         "parent_code": f"{p['code']:02d}"}
        for p in provinces
        for w in p["wards"]
    ]
    codes = [row["code"] for row in province_rows + commune_rows]
    existing = {
        unit.code: unit
        for unit in db.session.scalars(
            sa.select(Unit).where(Unit.valid_from == REFORM_DATE, Unit.code.in_(codes))
        )
    }
    _upsert_reform_units(province_rows, existing, {}, summary)
    province_ids = dict(
        db.session.execute(
            sa.select(Unit.code, Unit.id).where(
                Unit.valid_from == REFORM_DATE, Unit.code.in_([row["code"] for row in province_rows])
            )
        ).all()
    )
    _upsert_reform_units(commune_rows, existing, province_ids, summary)
    db.session.flush()
    audit.record(
        actor, "units.import_vietnam", None,
        source=f"vietnam-provinces {metadata.version('vietnam-provinces')}", province=province_code,
        created=summary.created, updated=summary.updated, unchanged=summary.unchanged,
    )
    return summary


def _upsert_reform_units(rows: list[dict], existing: dict[str, Unit], parent_ids: dict[str, int],
                         summary: ImportSummary) -> None:
    """Update the units that exist, insert the others in one bulk statement."""
    new_rows = []
    for row in rows:
        summary.by_kind[row["kind"]] += 1
        values = {"name": row["name"], "kind": row["kind"], "parent_id": parent_ids.get(row["parent_code"])}
        unit = existing.get(row["code"])
        if unit is None:
            new_rows.append({"code": row["code"], "valid_from": REFORM_DATE, **values})
        elif any(getattr(unit, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            summary.updated += 1
        else:
            summary.unchanged += 1
    if new_rows:
        db.session.execute(sa.insert(Unit), new_rows)
    summary.created += len(new_rows)


def _vietnam_provinces() -> list[dict]:
    import vietnam_provinces

    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as f:
        return json.load(f)


def _province_name(province: dict) -> str:
    # The package names cities "Thành phố Hà Nội" but provinces bare ("Cao Bằng").
    name = province["name"]
    if province["division_type"] == "tỉnh" and not name.lower().startswith("tỉnh "):
        return f"Tỉnh {name}"
    return name


def _vietnam_kind(division_type: str) -> str:
    try:
        return VIETNAM_KINDS[division_type]
    except KeyError:
        raise UnitError(_("Unknown division type in the official list: %(type)s.", type=division_type)) from None


# --- CSV files ----------------------------------------------------------------


@dataclass
class _CsvRow:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str | None
    lat: float | None
    lon: float | None
    valid_from: date | None
    address: str | None


def import_csv(path, *, actor=None, name: str | None = None) -> ImportSummary:
    """Import units from a CSV file; a file with any error imports nothing.

    Columns: code, name, kind, and optionally parent_code, lat, lon,
    valid_from, address. A unit already stored with the same code and
    valid_from is updated; lat/lon set its first registered location.
    """
    rows = read_units_csv(path)
    summary = ImportSummary()
    codes = [row.code for row in rows]
    existing = {
        (unit.code, unit.valid_from): unit
        for unit in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))
    }
    in_file: dict[str, Unit] = {}
    stored_parents: dict[str, Unit | None] = {}
    for row in rows:
        summary.by_kind[row.kind] += 1
        parent = None
        if row.parent_code:
            parent = in_file.get(row.parent_code)
            if parent is None:
                if row.parent_code not in stored_parents:
                    stored_parents[row.parent_code] = current_unit_by_code(row.parent_code)
                parent = stored_parents[row.parent_code]
        unit = existing.get((row.code, row.valid_from))
        is_new = unit is None
        if is_new:
            unit = Unit(code=row.code, valid_from=row.valid_from)
            db.session.add(unit)
            changed = True
        else:
            changed = (unit.name, unit.kind) != (row.name, row.kind) or unit.parent is not parent
        unit.name, unit.kind, unit.parent = row.name, row.kind, parent
        if row.address and row.address != unit.address:
            unit.address, changed = row.address, True
        if row.lat is not None:
            if not unit.locations:
                unit.locations.append(UnitLocation(lat=row.lat, lon=row.lon))
                changed = True
            elif (unit.locations[0].lat, unit.locations[0].lon) != (row.lat, row.lon):
                unit.locations[0].lat, unit.locations[0].lon = row.lat, row.lon
                changed = True
            summary.locations += 1
        if is_new:
            summary.created += 1
        elif changed:
            summary.updated += 1
        else:
            summary.unchanged += 1
        in_file[row.code] = unit
    db.session.flush()
    audit.record(
        actor, "units.import_csv", None, file=name or Path(path).name,
        created=summary.created, updated=summary.updated, unchanged=summary.unchanged,
    )
    return summary


def read_units_csv(path) -> list[_CsvRow]:
    """Read and check a units CSV file; raise UnitImportError listing every bad row."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UnitImportError([(line, _("The file is not UTF-8 text; save it as CSV UTF-8."))]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(reader, [])]
    errors = _header_errors(header)
    if errors:
        raise UnitImportError(errors)

    rows: list[_CsvRow] = []
    first_line: dict[str, int] = {}
    all_lines: dict[str, int] = {}
    pending_parents: list[tuple[int, str]] = []
    start = reader.line_num + 1
    parsed: list[tuple[int, dict]] = []
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            errors.append((line, _("This row has %(found)d fields but the header has %(expected)d.",
                                   found=len(values), expected=len(header))))
            continue
        record = {column: value.strip() for column, value in zip(header, values)}
        parsed.append((line, record))
        if record.get("code"):
            all_lines.setdefault(record["code"], line)

    for line, record in parsed:
        row, row_errors = _check_row(line, record)
        errors.extend((line, message) for message in row_errors)
        code, parent_code = record.get("code"), record.get("parent_code")
        if code in first_line:
            errors.append((line, _("The code %(code)s is already on line %(line)d.",
                                   code=code, line=first_line[code])))
            row = None
        elif code:
            first_line[code] = line
        if parent_code == code and code:
            errors.append((line, _("A unit cannot be its own parent (%(code)s).", code=code)))
        elif parent_code and parent_code not in first_line:
            # A parent on an earlier line is fine even if that line has errors (reported there).
            pending_parents.append((line, parent_code))
        if row is not None:
            rows.append(row)

    for line, parent_code in pending_parents:
        if current_unit_by_code(parent_code) is not None:
            continue
        parent_line = all_lines.get(parent_code)
        if parent_line is not None:
            errors.append((line, _("The parent %(code)s is only defined later, on line %(later)d; "
                                   "list parents before their children.", code=parent_code,
                                   later=parent_line)))
        else:
            errors.append((line, _("No unit has the parent code %(code)s, in the database or earlier "
                                   "in the file.", code=parent_code)))
    if errors:
        raise UnitImportError(sorted(errors, key=lambda error: error[0]))
    return rows


def _header_errors(header: list[str]) -> list[tuple[int, str]]:
    known = CSV_REQUIRED + CSV_OPTIONAL
    errors = []
    missing = [column for column in CSV_REQUIRED if column not in header]
    if missing:
        errors.append((1, _("The header lacks the column(s) %(columns)s.", columns=", ".join(missing))))
    unknown = [column for column in header if column not in known]
    if unknown:
        errors.append((1, _("Unknown column(s) %(columns)s; the columns are %(known)s.",
                            columns=", ".join(unknown), known=", ".join(known))))
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        errors.append((1, _("The column(s) %(columns)s appear more than once.", columns=", ".join(duplicated))))
    return errors


def _check_row(line: int, record: dict) -> tuple[_CsvRow | None, list[str]]:
    errors = []
    code, name, kind = record.get("code", ""), record.get("name", ""), record.get("kind", "")
    if not code:
        errors.append(_("The code is missing."))
    elif len(code) > 32:
        errors.append(_("The code %(code)s is longer than 32 characters.", code=code))
    if not name:
        errors.append(_("The name is missing."))
    elif len(name) > 255:
        errors.append(_("The name is longer than 255 characters."))
    if not kind:
        errors.append(_("The kind is missing."))
    elif not KIND_PATTERN.match(kind) or len(kind) > 32:
        errors.append(_("The kind %(kind)s is not valid: use lower-case letters, digits and _ "
                        "(e.g. province, ward, service_centre).", kind=kind))
    lat_text, lon_text = record.get("lat", ""), record.get("lon", "")
    lat = lon = None
    if bool(lat_text) != bool(lon_text):
        errors.append(_("Give both lat and lon, or neither."))
    elif lat_text:
        lat, lat_error = _coordinate(lat_text, "lat")
        lon, lon_error = _coordinate(lon_text, "lon")
        errors.extend(error for error in (lat_error, lon_error) if error)
    valid_from = None
    if record.get("valid_from"):
        valid_from = parse_day(record["valid_from"])
        if valid_from is None:
            errors.append(_("Column valid_from: “%(value)s” is not a date; write it like %(example)s.",
                            value=record["valid_from"], example=date_example()))
    if errors:
        return None, errors
    return _CsvRow(line, code, name, kind, record.get("parent_code") or None, lat, lon, valid_from,
                   record.get("address") or None), []


def _coordinate(text: str, axis: str) -> tuple[float | None, str | None]:
    """Parse a latitude or longitude (decimal or DMS); (value, None) or (None, error message)."""
    try:
        return parse_coordinate(text, axis), None
    except ValueError as exc:
        return None, str(exc)

