"""Checklists as Excel workbooks (XLSX): the layout, and reading an author's workbook.

The layout follows XLSForm's habits (checklists/README.md describes it for authors):

    settings   one row per setting: key, title, description, pass_mark, applies_to,
               legal_basis (one row each), band (one row each: min in `value`, its label)
    sections   one row per section: key, title, description, weight, pass_mark
    items      one row per item, in order: section, key, type, text, …
    options    one row per option of a choice item: item, key, label, score, fails

A text column is `name` (one text for every language) or `name::vi`, `name::en`, ….
Reading turns the workbook into the same data a YAML file gives and validates it
with the same rules (`definition.validate_definition`); each error then names the
sheet and cell it comes from: `items!C14: unknown item type 'radio'; …`.
Writing a workbook (a version, or the blank template) is `xlsx_template`.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from .definition import ChecklistError, validate_definition

SETTINGS, SECTIONS, ITEMS, OPTIONS = "settings", "sections", "items", "options"
INSTRUCTIONS, EXAMPLES = "instructions", "examples"

# Columns of each sheet; a text column also comes as `name::<language>`.
SETTING_NAMES = ("key", "title", "description", "pass_mark", "applies_to", "legal_basis", "band")
SETTING_TEXTS = ("title", "description")
SECTION_COLUMNS = ("key", "title", "description", "weight", "pass_mark")
ITEM_COLUMNS = (
    "section", "key", "type", "text", "guidance", "points", "critical", "allow_na", "required", "photo",
    "severity", "remediation_days", "pass_if", "pass_at", "pass_at_most", "unit", "numerator", "denominator",
    "scale_min", "scale_max", "show_if_item", "show_if_operator", "show_if_value", "legal_ref",
)
OPTION_COLUMNS = ("item", "key", "label", "score", "fails")
TEXT_COLUMNS = {"title", "description", "text", "guidance", "legal_ref", "unit", "numerator", "denominator", "label"}
BOOLEAN_COLUMNS = {"critical", "allow_na", "required", "fails"}
NUMBER_COLUMNS = {"points", "remediation_days", "pass_at", "pass_at_most", "scale_min", "scale_max", "weight",
                  "pass_mark", "score", "value"}
KEY_COLUMNS = {"key", "section", "item", "show_if_item"}
# Item columns and where they go in the item's data.
ITEM_FIELDS = {
    "photo": ("evidence", "photo"), "severity": ("finding", "severity"),
    "remediation_days": ("finding", "remediation_days"),
    "scale_min": ("scale", "min"), "scale_max": ("scale", "max"),
}

MAX_ROWS = 5000          # per sheet; a checklist has tens of items, not thousands
LAST_ROW = 20_000        # rows below it are not read (empty rows a whole-column format leaves)
MAX_UNPACKED = 50 << 20  # bytes inside the zip: a small upload must not unpack to gigabytes
_YES = {"yes", "y", "true", "1", "x", "có", "co", "đúng", "dung"}
_NO = {"no", "n", "false", "0", "không", "khong", "sai"}
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_LANGUAGE = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# ── reading ──────────────────────────────────────────────────────────────────

@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, tuple[Any, str]]  # column name -> (value, cell reference such as C14)
    letters: dict[str, str] = field(default_factory=dict)  # column name -> its letter

    def get(self, name: str) -> Any:
        return self.cells.get(name, (None, ""))[0]

    def ref(self, name: str | None = None) -> str:
        if name is not None and name in self.cells:
            return f"{self.sheet}!{self.cells[name][1]}"
        if name is not None and name in self.letters:
            return f"{self.sheet}!{self.letters[name]}{self.number}"
        first = next(iter(self.cells.values()), (None, f"A{self.number}"))
        return f"{self.sheet}!{re.sub(r'[0-9]+', '', first[1]) or 'A'}{self.number}"


@dataclass
class _Reader:
    source: str
    errors: list[ChecklistError] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # definition path -> sheet!cell

    def error(self, where: str, message: str) -> None:
        self.errors.append(ChecklistError(self.source, where, message))


def read_workbook(data: bytes, source: str) -> tuple[dict | None, list[ChecklistError]]:
    """Read an XLSX checklist: (normalised definition, []) or (None, every error, each at its cell)."""
    reader = _Reader(source)
    book = _open(data, reader)
    if book is None:
        return None, reader.errors
    values, formulas = book
    try:
        raw = _raw_definition(values, formulas, reader)
    finally:
        values.close()
        formulas.close()
    if reader.errors or raw is None:
        return None, reader.errors
    definition, errors = validate_definition(raw, source)
    if errors:
        return None, [ChecklistError(source, _place(e.path, reader.places), e.message) for e in errors]
    return definition, []


def load_checklist_workbook(path) -> tuple[dict | None, list[ChecklistError]]:
    """Read an XLSX checklist file from disk."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_UNPACKED + 1)
    except OSError as exc:
        return None, [ChecklistError(str(path), "(file)", _("cannot read the file: %(reason)s",
                                                             reason=exc.strerror or str(exc)))]
    return read_workbook(data, str(path))


def _open(data: bytes, reader: _Reader):
    import openpyxl

    if not data or not data.strip():
        reader.error("(file)", _("the file is empty"))
        return None
    if data.startswith(_OLE_MAGIC):
        reader.error("(file)", _("the workbook is password-protected or in the old Excel 97-2003 format (.xls): "
                                 "save it as an Excel Workbook (.xlsx) without a password"))
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                reader.error("(file)", _("the workbook unpacks to more than %(mb)s MB; a checklist is far smaller",
                                         mb=MAX_UNPACKED >> 20))
                return None
    except zipfile.BadZipFile:
        reader.error("(file)", _("the file is not an Excel workbook (.xlsx); it may be damaged"))
        return None
    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, XML errors, …) for a damaged file
        reader.error("(file)", _("the workbook cannot be read; it may be damaged: open it in Excel and save it again"))
        return None
    return values, formulas


def _place(path: str, places: dict[str, str]) -> str:
    """The cell of a definition path, or of its nearest ancestor that has one."""
    while path:
        if path in places:
            return places[path]
        trimmed = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", path)
        if trimmed == path:
            break
        path = trimmed
    return places.get("", "(file)")


def _find_sheet(book, name: str):
    for title in book.sheetnames:
        if title.strip().lower() == name:
            return title
    return None


def _cell_value(value: Any, formula: Any) -> tuple[Any, bool]:
    """The value a person sees (None for blank), and whether it is a formula never computed."""
    if isinstance(formula, str) and formula.startswith("=") and value is None:
        return None, True
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
        return (value or None), False
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value), False
    return value, False


def _table(values, formulas, title: str, first_column: str, columns: Iterable[str],
           reader: _Reader) -> list[_Row] | None:
    """The sheet's rows under its header row (the first row whose first filled cell is
    `first_column`), blank rows left out; None when the sheet has no such header."""
    sheet, formula_sheet = values[title], formulas[title]
    # A sheet formatted down to Excel's last row holds a million empty rows: read no
    # further than a checklist could reach.
    rows = sheet.iter_rows(max_row=LAST_ROW)
    formula_rows = formula_sheet.iter_rows(max_row=LAST_ROW)
    header: dict[int, str] | None = None
    out: list[_Row] = []
    allowed = set(columns)
    for number, (cells, formula_cells) in enumerate(zip(rows, formula_rows, strict=False), start=1):
        formula_by_col = {col: c.value for col, c in enumerate(formula_cells, start=1)}
        if header is None:
            texts = {col: str(c.value).strip() for col, c in enumerate(cells, start=1)
                     if c.value is not None and str(c.value).strip()}
            if texts and texts[min(texts)].lower() == first_column:
                header = {}
                for col, name in texts.items():
                    base, _sep, lang = name.partition("::")
                    name = base.strip().lower() + ("::" + lang.strip() if _sep else "")
                    base = base.strip().lower()
                    letter = _letter(col)
                    if name.startswith("#"):
                        continue  # a column for the author's own notes
                    if base not in allowed or (_sep and (base not in TEXT_COLUMNS or not _LANGUAGE.fullmatch(lang.strip()))):
                        reader.error(f"{title}!{letter}{number}", _(
                            "unknown column %(name)s; columns of this sheet: %(columns)s",
                            name=repr(name), columns=", ".join(columns)))
                        continue
                    if name in header.values():
                        reader.error(f"{title}!{letter}{number}", _("column %(name)s appears twice", name=name))
                        continue
                    header[col] = name
            elif number >= 20:
                break
            continue
        row: dict[str, tuple[Any, str]] = {}
        for col, cell in enumerate(cells, start=1):
            if col not in header:
                continue
            value, uncomputed = _cell_value(cell.value, formula_by_col.get(col))
            ref = f"{_letter(col)}{number}"
            if uncomputed:
                reader.error(f"{title}!{ref}", _("the formula %(formula)s has no computed value: open the file in "
                                                 "Excel and save it again, or type the value",
                                                 formula=formula_by_col.get(col)))
                continue
            if value is not None:
                row[header[col]] = (value, ref)
        if row:
            if len(out) >= MAX_ROWS:
                reader.error(f"{title}!A{number}", _("more than %(n)s rows: a checklist is far smaller", n=MAX_ROWS))
                return out
            out.append(_Row(title, number, row, {name: _letter(col) for col, name in header.items()}))
    if header is None:
        reader.error(f"{title}!A1", _("no header row: the first row of the sheet must name its columns, "
                                      "starting with %(column)s", column=first_column))
        return None
    return out


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(col)


def _raw_definition(values, formulas, reader: _Reader) -> dict | None:
    titles = {}
    for name in (SETTINGS, SECTIONS, ITEMS, OPTIONS):
        titles[name] = _find_sheet(values, name)
    for name in (SETTINGS, SECTIONS, ITEMS):
        if titles[name] is None:
            reader.error("(file)", _("the workbook has no sheet named %(name)s (sheets found: %(found)s); "
                                     "start from the template", name=name, found=", ".join(values.sheetnames)))
    if reader.errors:
        return None
    settings = _table(values, formulas, titles[SETTINGS], "setting", ("setting", "value", "label"), reader)
    sections = _table(values, formulas, titles[SECTIONS], "key", SECTION_COLUMNS, reader)
    items = _table(values, formulas, titles[ITEMS], "section", ITEM_COLUMNS, reader)
    options = (_table(values, formulas, titles[OPTIONS], "item", OPTION_COLUMNS, reader)
               if titles[OPTIONS] is not None else [])
    if settings is None or sections is None or items is None or options is None:
        return None
    reader.places[""] = f"{titles[SETTINGS]}!A1"
    raw = _settings(settings, reader)
    raw["sections"] = _sections(sections, items, options, reader, titles)
    return raw


def _text(row: _Row, name: str, path: str, reader: _Reader) -> Any:
    """A text from `name` (one for all languages) or `name::<lang>` columns; absent when all are blank."""
    plain = row.get(name)
    languages = {column.split("::", 1)[1]: value for column, (value, _ref) in row.cells.items()
                 if column.startswith(name + "::")}
    if plain is not None and languages:
        reader.error(row.ref(name), _("write this text either in column %(plain)s or in the %(name)s::vi, "
                                      "%(name)s::en … columns, not both", plain=name, name=name))
    if languages:
        first = next(c for c in row.cells if c.startswith(name + "::"))
        reader.places[path] = row.ref(first)
        for lang in languages:
            reader.places[f"{path}.{lang}"] = row.ref(f"{name}::{lang}")
        return {lang: _as_text(value) for lang, value in languages.items()}
    if plain is not None:
        reader.places[path] = row.ref(name)
        return _as_text(plain)
    return None


def _as_text(value: Any) -> Any:
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else str(value)


def _number(value: Any) -> Any:
    """A number typed as text ("80", "2,5") is the number; anything else is left for the checks."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value.replace(",", "."))
        return int(number) if number.is_integer() and "." not in value and "," not in value else number
    return value


def _boolean(row: _Row, name: str, reader: _Reader) -> Any:
    value = row.get(name)
    if isinstance(value, bool) or value is None:
        return value
    word = str(value).strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    reader.error(row.ref(name), _("%(value)s: write yes or no", value=repr(value)))
    return None


def _key(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _settings(rows: list[_Row], reader: _Reader) -> dict:
    raw: dict[str, Any] = {}
    scoring: dict[str, Any] = {}
    texts: dict[str, dict | str] = {}
    for row in rows:
        name = str(row.get("setting") or "").strip()
        base, _sep, lang = name.partition("::")
        base = base.lower()
        value = row.get("value")
        if base not in SETTING_NAMES or (lang and base not in SETTING_TEXTS):
            reader.error(row.ref("setting"), _("unknown setting %(name)s; settings: %(names)s",
                                               name=repr(name), names=", ".join(SETTING_NAMES)))
            continue
        if base in SETTING_TEXTS:
            reader.places.setdefault(base, row.ref("value"))
            if value is None:
                continue
            if lang:
                entry = texts.setdefault(base, {})
                if not isinstance(entry, dict):
                    reader.error(row.ref("setting"), _("write this text either in one %(name)s row or in "
                                                       "%(name)s::vi, %(name)s::en … rows, not both", name=base))
                    continue
                entry[lang] = _as_text(value)
                reader.places.setdefault(base, row.ref("value"))
                reader.places[f"{base}.{lang}"] = row.ref("value")
            else:
                if base in texts:
                    reader.error(row.ref("setting"), _("write this text either in one %(name)s row or in "
                                                       "%(name)s::vi, %(name)s::en … rows, not both", name=base))
                    continue
                texts[base] = _as_text(value)
                reader.places[base] = row.ref("value")
        elif base == "key":
            reader.places["key"] = row.ref("value")
            if value is not None:
                raw["key"] = _key(value)
        elif base == "pass_mark":
            if value is not None:
                scoring["pass_mark"] = _number(value)
                reader.places["scoring.pass_mark"] = row.ref("value")
        elif base == "applies_to":
            if value is not None:
                found = raw.setdefault("applies_to", [])
                for part in re.split(r"[,;\n]", str(value)):
                    if part.strip():
                        reader.places[f"applies_to[{len(found)}]"] = row.ref("value")
                        found.append(part.strip())
        elif base == "legal_basis":
            if value is not None:
                found = raw.setdefault("legal_basis", [])
                reader.places[f"legal_basis[{len(found)}]"] = row.ref("value")
                found.append(_as_text(value))
        elif base == "band":
            if value is None and not any(c.startswith("label") for c in row.cells):
                continue  # an empty band row of the template
            bands = scoring.setdefault("bands", [])
            path = f"scoring.bands[{len(bands)}]"
            reader.places[path] = row.ref("setting")
            band: dict[str, Any] = {}
            if value is not None:
                band["min"] = _number(value)
                reader.places[f"{path}.min"] = row.ref("value")
            label = _text(row, "label", f"{path}.label", reader)
            if label is not None:
                band["label"] = label
            bands.append(band)
    raw.update(texts)
    if scoring:
        raw["scoring"] = scoring
    if "key" not in reader.places:
        reader.places["key"] = f"{rows[0].sheet}!A1" if rows else reader.places[""]
    if "title" not in raw:
        reader.places["title"] = reader.places["key"]
    return raw


def _sections(sections: list[_Row], items: list[_Row], options: list[_Row], reader: _Reader,
              titles: dict) -> list[dict]:
    out: list[dict] = []
    by_key: dict[str, dict] = {}
    reader.places["sections"] = f"{titles[SECTIONS]}!A1"
    for i, row in enumerate(sections):
        path = f"sections[{i}]"
        reader.places[path] = row.ref("key")
        section: dict[str, Any] = {}
        if row.get("key") is not None:
            section["key"] = _key(row.get("key"))
            reader.places[f"{path}.key"] = row.ref("key")
            by_key.setdefault(section["key"], section)
        for name in ("title", "description"):
            text = _text(row, name, f"{path}.{name}", reader)
            if text is not None:
                section[name] = text
        for name in ("weight", "pass_mark"):
            if row.get(name) is not None:
                section[name] = _number(row.get(name))
                reader.places[f"{path}.{name}"] = row.ref(name)
        section["items"] = []
        reader.places[f"{path}.items"] = row.ref("key")
        section["_path"] = path
        out.append(section)

    types = {_key(r.get("key")): r.get("type") for r in items}
    item_rows: dict[str, tuple[dict, str, _Row]] = {}
    current = out[0] if len(out) == 1 else None
    for row in items:
        named = _key(row.get("section"))
        if named is not None:
            current = by_key.get(named)
            if current is None:
                reader.error(row.ref("section"), _("section %(key)s is not on the sections sheet", key=repr(named)))
                continue
        elif current is None:
            reader.error(row.ref("section"), _("name the section of this item (a key from the sections sheet)"))
            continue
        path = f"{current['_path']}.items[{len(current['items'])}]"
        item = _item(row, path, types, reader)
        current["items"].append(item)
        if isinstance(item.get("key"), str):
            item_rows.setdefault(item["key"], (item, path, row))

    option_counts: dict[str, int] = {}
    for row in options:
        owner = _key(row.get("item"))
        if owner is None:
            reader.error(row.ref("item"), _("name the item this option belongs to (a key from the items sheet)"))
            continue
        if owner not in item_rows:
            reader.error(row.ref("item"), _("item %(key)s is not on the items sheet", key=repr(owner)))
            continue
        item, item_path, _item_row = item_rows[owner]
        index = option_counts.get(owner, 0)
        option_counts[owner] = index + 1
        path = f"{item_path}.options[{index}]"
        reader.places.setdefault(f"{item_path}.options", row.ref("item"))
        reader.places[path] = row.ref("key")
        option: dict[str, Any] = {}
        if row.get("key") is not None:
            option["key"] = _key(row.get("key"))
            reader.places[f"{path}.key"] = row.ref("key")
        label = _text(row, "label", f"{path}.label", reader)
        if label is not None:
            option["label"] = label
        if row.get("score") is not None:
            option["score"] = _number(row.get("score"))
            reader.places[f"{path}.score"] = row.ref("score")
        fails = _boolean(row, "fails", reader)
        if fails is not None:
            option["fails"] = fails
            reader.places[f"{path}.fails"] = row.ref("fails")
        item.setdefault("options", []).append(option)
    for section in out:
        section.pop("_path")
    return out


def _item(row: _Row, path: str, types: dict, reader: _Reader) -> dict:
    reader.places[path] = row.ref("key")
    item: dict[str, Any] = {}
    for name in ("key", "type"):
        if row.get(name) is not None:
            item[name] = _key(row.get(name)) if name == "key" else str(row.get(name)).strip().lower()
            reader.places[f"{path}.{name}"] = row.ref(name)
    for name in ("text", "guidance", "legal_ref", "unit", "numerator", "denominator"):
        text = _text(row, name, f"{path}.{name}", reader)
        if text is not None:
            item[name] = text
    for name in ("points", "pass_at", "pass_at_most", "remediation_days", "scale_min", "scale_max"):
        if row.get(name) is not None:
            _put(item, name, _number(row.get(name)), path, row, reader)
    for name in ("critical", "allow_na", "required"):
        value = _boolean(row, name, reader)
        if value is not None:
            item[name] = value
            reader.places[f"{path}.{name}"] = row.ref(name)
    for name in ("photo", "severity", "pass_if"):
        if row.get(name) is not None:
            value = row.get(name)
            _put(item, name, value.lower() if isinstance(value, str) else value, path, row, reader)
    condition = _show_if(row, path, types, reader)
    if condition is not None:
        item["show_if"] = condition
    return item


def _put(item: dict, column: str, value: Any, path: str, row: _Row, reader: _Reader) -> None:
    if column in ITEM_FIELDS:
        outer, inner = ITEM_FIELDS[column]
        item.setdefault(outer, {})[inner] = value
        reader.places.setdefault(f"{path}.{outer}", row.ref(column))
        reader.places[f"{path}.{outer}.{inner}"] = row.ref(column)
    else:
        item[column] = value
        reader.places[f"{path}.{column}"] = row.ref(column)


def _show_if(row: _Row, path: str, types: dict, reader: _Reader) -> dict | None:
    target, operator, value = (row.get(c) for c in ("show_if_item", "show_if_operator", "show_if_value"))
    if target is None and operator is None and value is None:
        return None
    where = f"{path}.show_if"
    reader.places[where] = row.ref("show_if_operator" if operator is not None else "show_if_item")
    condition: dict[str, Any] = {}
    if target is not None:
        condition["item"] = _key(target)
        reader.places[f"{where}.item"] = row.ref("show_if_item")
    operator = str(operator).strip().lower() if operator is not None else "equals"
    numeric = types.get(_key(target)) in ("count", "number", "scale")

    def one(v: Any) -> Any:
        if isinstance(v, bool):
            return "yes" if v else "no"
        v = _number(v) if numeric else v
        return str(v) if not numeric and isinstance(v, (int, float)) else v

    if value is None:
        reader.error(row.ref("show_if_item"), _("a condition needs the answer to compare with in column show_if_value"))
        return None
    if operator in ("in", "not_in"):
        parts = [p.strip() for p in str(value).split(",")] if not isinstance(value, (int, float)) else [value]
        condition[operator] = [one(p) for p in parts if p != ""]
    else:
        condition[operator] = one(value)
    reader.places[f"{where}.{operator}"] = row.ref("show_if_value")
    return condition
