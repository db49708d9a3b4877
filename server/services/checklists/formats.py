"""A checklist as a file: read from YAML or XLSX (by the file's name), written back as YAML.

Both formats go through the same checks (`definition.validate_definition`), so an
upload, `kiemtra checklists validate` and `import` report the same messages.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from flask_babel import gettext as _

from .definition import ChecklistError, load_checklist_file, load_checklist_text
from .xlsx import load_checklist_workbook, read_workbook

FORMATS = ("yaml", "xlsx")
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}


def format_of(name: str) -> str | None:
    """"yaml" or "xlsx" by the file's name; None for any other file."""
    return SUFFIXES.get(Path(name or "").suffix.lower())


def load_checklist(path: str | Path) -> tuple[dict | None, list[ChecklistError]]:
    """Read and validate a checklist file, YAML or XLSX."""
    if format_of(str(path)) == "xlsx":
        return load_checklist_workbook(path)
    return load_checklist_file(path)


def read_upload(data: bytes, filename: str) -> tuple[dict | None, list[ChecklistError]]:
    """Validate an uploaded file's bytes: (definition, []) or (None, errors)."""
    kind = format_of(filename)
    if kind == "xlsx":
        return read_workbook(data, filename)
    if kind is None:
        return None, [ChecklistError(filename, "(file)", _("choose a .yaml or .xlsx file"))]
    if not data.strip():
        return None, [ChecklistError(filename, "(file)", _("the file is empty"))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [ChecklistError(filename, "(file)", _("the file is not UTF-8 text"))]
    return load_checklist_text(text, filename)


def to_yaml(definition: dict) -> str:
    """The definition as a checklist file: defaults left out, texts as written.

    Importing it again gives the same definition (and content hash)."""
    return yaml.safe_dump(compact(definition), allow_unicode=True, sort_keys=False, width=100)


def compact(definition: dict) -> dict:
    """The definition without the fields that only restate a default."""
    out = {"key": definition["key"], "title": definition["title"]}
    for name in ("description",):
        if definition.get(name) is not None:
            out[name] = definition[name]
    for name in ("applies_to", "legal_basis"):
        if definition.get(name):
            out[name] = list(definition[name])
    scoring = definition["scoring"]
    if scoring["pass_mark"] or scoring["bands"]:
        out["scoring"] = {"pass_mark": scoring["pass_mark"]}
        if scoring["bands"]:
            out["scoring"]["bands"] = [dict(b) for b in scoring["bands"]]
    out["sections"] = [_section(s) for s in definition["sections"]]
    return out


def _section(section: dict) -> dict:
    out = {"key": section["key"], "title": section["title"]}
    if section.get("description") is not None:
        out["description"] = section["description"]
    if section["weight"] != 1:
        out["weight"] = section["weight"]
    if section.get("pass_mark") is not None:
        out["pass_mark"] = section["pass_mark"]
    out["items"] = [_item(i) for i in section["items"]]
    return out


def _item(item: dict) -> dict:
    scored = item["scored"]
    out = {"key": item["key"], "type": item["type"], "text": item["text"]}
    for name in ("guidance", "legal_ref"):
        if item.get(name) is not None:
            out[name] = item[name]
    if item["points"] != (1 if scored else 0):
        out["points"] = item["points"]
    for name in ("critical", "allow_na"):
        if item[name]:
            out[name] = True
    if item["required"] != scored:
        out["required"] = item["required"]
    if item["evidence"]["photo"] != "never":
        out["evidence"] = {"photo": item["evidence"]["photo"]}
    if item.get("finding"):
        out["finding"] = {k: v for k, v in item["finding"].items() if v is not None}
    for name in ("pass_if", "numerator", "denominator", "pass_at", "pass_at_most", "unit"):
        if item.get(name) is not None:
            out[name] = item[name]
    if "scale" in item:
        out["scale"] = dict(item["scale"])
    if "options" in item:
        out["options"] = [{"key": o["key"], "label": o["label"], **({"score": o["score"]} if o["score"] else {}),
                           **({"fails": True} if o["fails"] else {})} for o in item["options"]]
    if item.get("show_if"):
        condition = item["show_if"]
        out["show_if"] = {"item": condition["item"], condition["operator"]: condition["value"]}
    return out
