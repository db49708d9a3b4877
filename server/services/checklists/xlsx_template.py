"""Writing checklists as Excel workbooks: a published version, or the blank template
with its instructions (in the user's language), drop-down lists and examples.

The layout is described in `xlsx` (which reads it back) and in checklists/README.md.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from .schema import ITEM_TYPES, PHOTO_EVIDENCE, SEVERITIES, SHOW_IF_OPERATORS
from .xlsx import EXAMPLES, INSTRUCTIONS, ITEM_COLUMNS, ITEMS, OPTION_COLUMNS, OPTIONS, SECTIONS, SETTINGS, TEXT_COLUMNS

WIDTHS = {"key": 22, "section": 18, "item": 22, "type": 14, "setting": 18, "value": 40}
TEXT_WIDTH, OTHER_WIDTH = 42, 13
LIST_ROWS = 300  # rows that get the drop-down lists in a new workbook


def languages_of(definition: dict | None) -> list[str]:
    """The languages the definition's texts use, Vietnamese and English first."""
    found: dict[str, None] = {"vi": None, "en": None}
    if definition is not None:
        for text in _texts(definition):
            if isinstance(text, dict):
                found.update(dict.fromkeys(text))
    return list(found)


def _texts(definition: dict):
    yield definition["title"]
    yield definition.get("description")
    for band in definition["scoring"]["bands"]:
        yield band["label"]
    for section in definition["sections"]:
        yield section["title"]
        yield section.get("description")
        for item in section["items"]:
            for name in ("text", "guidance", "legal_ref", "unit", "numerator", "denominator"):
                yield item.get(name)
            for option in item.get("options") or ():
                yield option["label"]


def write_workbook(definition: dict | None, *, examples: Iterable[dict] = ()) -> bytes:
    """The workbook of `definition` (None: a blank template), with the instructions in
    the current language, drop-down lists, and `examples` (definitions) on a sheet of their own."""
    from openpyxl import Workbook

    languages = languages_of(definition)
    book = Workbook()
    examples = list(examples)
    _instructions(book.active, with_examples=bool(examples))
    settings = book.create_sheet(SETTINGS)
    sections = book.create_sheet(SECTIONS)
    items = book.create_sheet(ITEMS)
    options = book.create_sheet(OPTIONS)
    setting_header = ["setting", "value", *_text_columns("label", definition, languages, "bands")]
    _header(settings, setting_header)
    section_header = ["key", *_text_columns("title", definition, languages, "sections"),
                      *_text_columns("description", definition, languages, "sections"), "weight", "pass_mark"]
    _header(sections, section_header)
    item_header = _item_header(definition, languages)
    _header(items, item_header)
    option_header = ["item", "key", *_text_columns("label", definition, languages, "options"), "score", "fails"]
    _header(options, option_header)
    if definition is not None:
        for row in _setting_rows(definition):
            _append(settings, setting_header, row)
        for section in definition["sections"]:
            _append(sections, section_header, _flatten(section, ("key", "title", "description", "weight", "pass_mark")))
            for item in section["items"]:
                _append(items, item_header, _item_row(section, item))
                for option in item.get("options") or ():
                    _append(options, option_header, {"item": item["key"], **_flatten(option, OPTION_COLUMNS[1:])})
    else:
        for name in ("key", "title::vi", "title::en", "description::vi", "description::en", "pass_mark",
                     "applies_to", "legal_basis", "band"):
            settings.append([name])
    _lists(settings, setting_header, sections, section_header, items, item_header, options, option_header)
    if examples:
        _examples(book.create_sheet(EXAMPLES), examples, languages)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_columns(name: str, definition: dict | None, languages: list[str], where: str) -> list[str]:
    """`name::vi`, `name::en`, …, and plain `name` when a text of that column is one string."""
    plain = False
    if definition is not None:
        plain = any(isinstance(t, str) for t in _column_texts(definition, name, where))
    return ([name] if plain else []) + [f"{name}::{lang}" for lang in languages]


def _column_texts(definition: dict, name: str, where: str):
    if where == "bands":
        yield from (b["label"] for b in definition["scoring"]["bands"])
    elif where == "sections":
        yield from (s.get(name) for s in definition["sections"])
    elif where == "options":
        yield from (o["label"] for _s in definition["sections"] for i in _s["items"] for o in i.get("options") or ())
    else:
        yield from (i.get(name) for s in definition["sections"] for i in s["items"])


def _item_header(definition: dict | None, languages: list[str]) -> list[str]:
    header = []
    for column in ITEM_COLUMNS:
        header.extend(_text_columns(column, definition, languages, "items") if column in TEXT_COLUMNS else [column])
    return header


def _flatten(obj: dict, names: Iterable[str]) -> dict:
    row: dict[str, Any] = {}
    for name in names:
        value = obj.get(name)
        if isinstance(value, dict):
            for lang, text in value.items():
                row[f"{name}::{lang}"] = text
        elif isinstance(value, bool):
            row[name] = "yes" if value else "no"
        elif value is not None:
            row[name] = value
    return row


def _setting_rows(definition: dict) -> list[dict]:
    rows: list[dict] = [{"setting": "key", "value": definition["key"]}]
    for name in ("title", "description"):
        text = definition.get(name)
        if isinstance(text, dict):
            rows.extend({"setting": f"{name}::{lang}", "value": value} for lang, value in text.items())
        elif text is not None:
            rows.append({"setting": name, "value": text})
    rows.append({"setting": "pass_mark", "value": definition["scoring"]["pass_mark"]})
    if definition["applies_to"]:
        rows.append({"setting": "applies_to", "value": ", ".join(definition["applies_to"])})
    rows.extend({"setting": "legal_basis", "value": entry} for entry in definition["legal_basis"])
    for band in definition["scoring"]["bands"]:
        rows.append({"setting": "band", "value": band["min"], **_flatten(band, ("label",))})
    return rows


def _item_row(section: dict, item: dict) -> dict:
    row = {"section": section["key"],
           **_flatten(item, ("key", "type", "text", "guidance", "points", "critical", "allow_na", "required",
                             "pass_if", "pass_at", "pass_at_most", "unit", "numerator", "denominator", "legal_ref"))}
    row["photo"] = item["evidence"]["photo"]
    if item.get("finding"):
        row["severity"] = item["finding"]["severity"]
        row["remediation_days"] = item["finding"]["remediation_days"]
    if item.get("scale"):
        row["scale_min"], row["scale_max"] = item["scale"]["min"], item["scale"]["max"]
    condition = item.get("show_if")
    if condition:
        row["show_if_item"], row["show_if_operator"] = condition["item"], condition["operator"]
        value = condition["value"]
        row["show_if_value"] = ", ".join(str(v) for v in value) if isinstance(value, list) else value
    return row


def _append(sheet, header: list[str], row: dict) -> None:
    sheet.append([row.get(name) for name in header])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # a text, not a formula
        if isinstance(cell.value, str) and "\n" in cell.value:
            from openpyxl.styles import Alignment
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _header(sheet, header: list[str]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(header)
    hints = _column_hints()
    for i, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B3D91")
        base = name.split("::")[0]
        if base in hints:
            cell.comment = Comment(hints[base], "KiemTra", width=300, height=110)
        width = WIDTHS.get(base, TEXT_WIDTH if base in TEXT_COLUMNS else OTHER_WIDTH)
        sheet.column_dimensions[get_column_letter(i)].width = max(width, len(name) + 2)
    sheet.freeze_panes = "A2"


def _lists(settings, setting_header, sections, section_header, items, item_header, options, option_header) -> None:
    """Drop-down lists (data validation) on the columns with a fixed set of values."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    yes_no = '"yes,no"'
    lists = {
        "type": '"' + ",".join(ITEM_TYPES) + '"', "severity": '"' + ",".join(SEVERITIES) + '"',
        "photo": '"' + ",".join(PHOTO_EVIDENCE) + '"', "pass_if": yes_no,
        "show_if_operator": '"' + ",".join(SHOW_IF_OPERATORS) + '"',
        "critical": yes_no, "allow_na": yes_no, "required": yes_no, "fails": yes_no,
        "setting": '"' + ",".join(("key", "title::vi", "title::en", "description::vi", "description::en",
                                   "pass_mark", "applies_to", "legal_basis", "band")) + '"',
    }
    for sheet, header in ((items, item_header), (options, option_header), (settings, setting_header)):
        last = max(sheet.max_row + LIST_ROWS, LIST_ROWS)
        for i, name in enumerate(header, start=1):
            if name not in lists:
                continue
            letter = get_column_letter(i)
            check = DataValidation(type="list", formula1=lists[name], allow_blank=True, showErrorMessage=True,
                                   errorTitle=_("Not in the list"),
                                   error=_("Choose a value from the list."))
            # The setting column takes other names too (title::fr): a warning, not a refusal.
            check.errorStyle = "warning" if name == "setting" else "stop"
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")


def _column_hints() -> dict[str, str]:
    return {
        "setting": _("One setting per row: key, title::vi, title::en, pass_mark, applies_to, legal_basis, band."),
        "value": _("The setting's value. For a band: the lowest percent of the band."),
        "key": _("A stable key: lowercase letters a-z, digits and hyphens. Keep it when you reword; "
                 "exports merge versions by key."),
        "section": _("The key of the item's section (from the sections sheet)."),
        "type": _("pass_fail, yes_no, ratio, count, number, scale, choice, multi_choice, text, date or photo."),
        "text": _("The question the inspector answers."),
        "guidance": _("Help for the inspector (optional)."),
        "points": _("Points the item earns when it passes (scored items only)."),
        "critical": _("yes: a failed answer fails the whole inspection."),
        "allow_na": _("yes: the inspector may answer 'not applicable'."),
        "required": _("yes: an answer is needed to complete the inspection."),
        "photo": _("When a photo is asked for: never, optional, on_fail or always."),
        "severity": _("The severity of a finding when the item fails: minor, major or critical."),
        "remediation_days": _("Days allowed to remedy a failed item."),
        "pass_if": _("yes_no items: the answer that passes."),
        "pass_at": _("Passes at this value or above (percent for ratio items)."),
        "pass_at_most": _("Passes at this value or below (percent for ratio items)."),
        "show_if_item": _("Show this item only when the answer to this earlier item…"),
        "show_if_operator": _("…equals, not_equals, in or not_in…"),
        "show_if_value": _("…this value (several: separated by commas)."),
        "weight": _("Multiplies the points of the section's items (default 1)."),
        "pass_mark": _("Percent the checklist (or section) must reach to pass."),
        "item": _("The key of the choice item this option belongs to."),
        "label": _("The option as the inspector sees it."),
        "score": _("Points the option earns (partial credit)."),
        "fails": _("yes: choosing this option fails the item."),
    }


def _instructions(sheet, *, with_examples: bool) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.title = INSTRUCTIONS
    lines = [
        (_("How to write a checklist in this workbook"), True),
        (_("One checklist per workbook. Fill the sheets settings, sections, items and options "
           "(options only for choice items). Keep the first row of each sheet: it names the columns."), False),
        (_("settings: one row per setting. key (lowercase a-z, 0-9 and hyphens), title::vi and title::en, "
           "pass_mark (percent), applies_to (unit kinds, separated by commas), legal_basis (one row each), "
           "band (one row each, highest first: the lowest percent in value, the name in label::vi and label::en)."),
         False),
        (_("sections: one row per section, in order. Its key, its title in each language, weight and pass_mark "
           "are optional."), False),
        (_("items: one row per item, in the order the inspector sees them. section names the section's key. "
           "Columns with a drop-down list take only the values in the list."), False),
        (_("options: one row per option of a choice or multi_choice item; item names the item's key."), False),
        (_("Texts: write each language in its own column (text::vi, text::en). A column whose name starts "
           "with # is ignored: use it for your notes."), False),
        (_("Keys: keep an item's key when you reword it, and give it a new key when it starts to mean "
           "something else — results are compared across versions by key."), False),
        (_("Upload the workbook on the Checklists page: it is checked, every problem is shown with its sheet "
           "and cell (e.g. items!C14), and a valid checklist is shown as the phone will show it before you "
           "publish it."), False),
    ]
    if with_examples:
        lines.append((_("The examples sheet shows the checklists that come with KiemTra, row by row as on the "
                        "items sheet."), False))
    sheet.column_dimensions["A"].width = 110
    for text, bold in lines:
        sheet.append([text])
        cell = sheet.cell(row=sheet.max_row, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=14)


def _examples(sheet, examples: list[dict], languages: list[str]) -> None:
    from openpyxl.styles import Font

    header = ["checklist", *_item_header(None, languages)]
    _header(sheet, header)
    for definition in examples:
        sheet.append([definition["key"]])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for section in definition["sections"]:
            for item in section["items"]:
                row = {"checklist": definition["key"], **_item_row(section, item)}
                for name in list(row):
                    value = row[name]
                    if name in TEXT_COLUMNS and isinstance(value, str):
                        row[f"{name}::vi"] = row.pop(name)
                _append(sheet, header, row)
