"""Checklists as Excel workbooks: every checklist survives YAML → XLSX → YAML; a
workbook as people leave it (blank rows, numbers as text, merged cells, formulas,
spaces, renamed sheets, empty, locked or broken files) is read or refused with a
message naming its sheet and cell."""
from __future__ import annotations

import importlib
import time
from contextlib import contextmanager
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flask import session
from flask_babel import refresh
from hypothesis import HealthCheck, given, settings

from server.services.checklists import formats, xlsx, xlsx_template
from server.services.checklists.definition import content_hash, load_checklist_text, validate_definition
from tests.checklists.test_scoring import definitions

CHECKLISTS = Path(__file__).resolve().parents[2] / "checklists"
# Modules of the test suite that hold checklists at module level.
TEST_MODULES = ("tests.factories", "tests.fieldwork_data", "tests.checklists.test_checklist_format",
                "tests.fieldwork.test_submission_completeness", "tests.browser.test_form_rules")


def every_test_checklist() -> list[tuple[str, dict]]:
    """Each shipped checklist, and each checklist the tests define at module level (dicts and YAML texts)."""
    found = []
    for path in sorted(CHECKLISTS.glob("*.yaml")):
        definition, errors = formats.load_checklist(path)
        assert not errors, errors
        found.append((path.name, definition))
    for name in TEST_MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, dict) and "sections" in value:
                normalised = all("scored" in i for s in value["sections"] for i in s.get("items", ()))
                definition, errors = validate_definition(formats.compact(value) if normalised else value, attr)
            elif isinstance(value, str) and "sections:" in value:
                definition, errors = load_checklist_text(value, attr)
            else:
                continue
            if not errors:
                found.append((f"{name}.{attr}", definition))
    return found


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


def round_trip(definition: dict) -> tuple[dict | None, list]:
    data = xlsx_template.write_workbook(definition)
    read, errors = xlsx.read_workbook(data, "x.xlsx")
    if errors:
        return None, errors
    back, errors = formats.read_upload(formats.to_yaml(read).encode(), "x.yaml")
    return back, errors


def test_the_round_trip_covers_the_shipped_and_the_tests_checklists(request_ctx):
    names = [name for name, _definition in every_test_checklist()]
    assert len([n for n in names if n.endswith(".yaml")]) == 4
    assert {"tests.factories.SMALL_CHECKLIST", "tests.fieldwork_data.FIELD_CHECKLIST",
            "tests.checklists.test_checklist_format.BRIEF_EXAMPLE"} <= set(names)


@pytest.mark.parametrize("name, definition", every_test_checklist(), ids=lambda v: v if isinstance(v, str) else "")
def test_yaml_to_xlsx_to_yaml_gives_the_same_checklist(request_ctx, name, definition):
    back, errors = round_trip(definition)
    assert errors == []
    assert back == definition
    assert content_hash(back) == content_hash(definition)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(definition=definitions())
def test_any_scored_checklist_survives_the_round_trip(request_ctx, definition):
    back, errors = round_trip(definition)
    assert errors == []
    assert content_hash(back) == content_hash(definition)


# ── a workbook as a person fills it ─────────────────────────────────────────

def small_workbook() -> openpyxl.Workbook:
    """The template, filled by hand with a two-item checklist."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template.write_workbook(None)))
    settings_sheet = book["settings"]
    for row in settings_sheet.iter_rows(min_row=2):
        name = row[0].value
        row[1].value = {"key": "ve-sinh", "title::vi": "Vệ sinh bếp", "title::en": "Kitchen hygiene",
                        "pass_mark": 80}.get(name)
    book["sections"].append(["bep", "Bếp", "Kitchen"])
    items = book["items"]
    header = [c.value for c in items[1]]
    for values in ({"section": "bep", "key": "san-sach", "type": "pass_fail", "text::vi": "Sàn sạch",
                    "text::en": "Clean floor", "points": 2, "critical": "yes"},
                   {"section": "bep", "key": "nhiet-do", "type": "number", "text::vi": "Nhiệt độ tủ lạnh",
                    "text::en": "Fridge temperature", "pass_at_most": 5}):
        items.append([values.get(h) for h in header])
    return book


def to_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(book_or_bytes) -> tuple[dict | None, list[str]]:
    data = book_or_bytes if isinstance(book_or_bytes, bytes) else to_bytes(book_or_bytes)
    definition, errors = xlsx.read_workbook(data, "hand.xlsx")
    return definition, [f"{e.path}: {e.message}" for e in errors]


def cell_of(book, sheet: str, column: str, row: int):
    header = [c.value for c in book[sheet][1]]
    return book[sheet].cell(row=row, column=header.index(column) + 1)


def test_a_filled_template_reads_as_the_checklist_the_person_meant(request_ctx):
    definition, errors = read(small_workbook())
    assert errors == []
    assert definition["title"] == {"vi": "Vệ sinh bếp", "en": "Kitchen hygiene"}
    floor, fridge = definition["sections"][0]["items"]
    assert (floor["points"], floor["critical"], fridge["pass_at_most"]) == (2, True, 5)


def test_each_error_names_its_sheet_and_cell(request_ctx):
    book = small_workbook()
    cell_of(book, "items", "type", 3).value = "radio"
    cell_of(book, "items", "points", 2).value = "two"
    _definition, errors = read(book)
    type_cell = cell_of(book, "items", "type", 3).coordinate
    points_cell = cell_of(book, "items", "points", 2).coordinate
    assert any(e.startswith(f"items!{type_cell}: ") and "radio" in e for e in errors), errors
    assert any(e.startswith(f"items!{points_cell}: ") for e in errors), errors


def test_a_message_is_in_the_users_language(app):
    with app.test_request_context():
        book = small_workbook()
        cell_of(book, "items", "type", 3).value = "radio"
        data = to_bytes(book)
    for lang, words in (("vi", "loại nội dung 'radio' không hợp lệ"), ("en", "unknown item type")):
        with in_language(app, lang):
            _definition, errors = read(data)
            assert any(words in e for e in errors), (lang, errors)


@contextmanager
def in_language(app, lang: str):
    """A request in `lang`, as chosen with the language switch."""
    with app.test_request_context():
        session["lang"] = lang
        refresh()
        yield


def test_trailing_empty_rows_numbers_as_text_and_spaces_are_read_as_meant(request_ctx):
    book = small_workbook()
    cell_of(book, "items", "points", 2).value = " 2 "
    cell_of(book, "items", "pass_at_most", 3).value = "5,5"
    cell_of(book, "items", "key", 2).value = "  san-sach  "
    for row in range(4, 40):
        cell_of(book, "items", "text::vi", row).value = "   "
    definition, errors = read(book)
    assert errors == []
    floor, fridge = definition["sections"][0]["items"]
    assert (floor["key"], floor["points"], fridge["pass_at_most"]) == ("san-sach", 2, 5.5)


def test_a_merged_title_row_above_the_header_and_a_computed_formula_are_fine(request_ctx):
    book = small_workbook()
    sheet = book["items"]
    sheet.insert_rows(1)
    sheet["A1"] = "Bảng kiểm vệ sinh"
    sheet.merge_cells("A1:E1")
    data = to_bytes(book)
    definition, errors = read(data)
    assert errors == []
    assert len(definition["sections"][0]["items"]) == 2


def test_a_formula_without_a_computed_value_is_named_at_its_cell(request_ctx):
    book = small_workbook()
    cell_of(book, "items", "points", 2).value = "=1+1"
    _definition, errors = read(book)
    where = cell_of(book, "items", "points", 2).coordinate
    assert any(e.startswith(f"items!{where}: ") and "=1+1" in e for e in errors), errors


def test_a_formula_with_its_computed_value_is_read_as_that_value(request_ctx):
    book = small_workbook()
    cell = cell_of(book, "items", "points", 2)
    cell.value = "=1+1"
    data = to_bytes(book)
    # What Excel stores: the formula and the value it computed.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet_part = next(n for n in parts if n.startswith("xl/worksheets/") and b"1+1" in parts[n])
    parts[sheet_part] = parts[sheet_part].replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>3</v>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    definition, errors = read(out.getvalue())
    assert errors == []
    assert definition["sections"][0]["items"][0]["points"] == 3


def test_a_renamed_sheet_is_refused_naming_the_sheets_found(request_ctx):
    book = small_workbook()
    book["items"].title = "Câu hỏi"
    _definition, errors = read(book)
    assert len(errors) == 1 and "items" in errors[0] and "Câu hỏi" in errors[0]


def test_sheet_names_ignore_case_and_spaces(request_ctx):
    book = small_workbook()
    book["items"].title = " Items "
    definition, errors = read(book)
    assert errors == [] and definition is not None


def test_an_unknown_column_is_named_at_its_header_cell(request_ctx):
    book = small_workbook()
    sheet = book["items"]
    sheet.cell(row=1, column=sheet.max_column + 1).value = "txt::vi"
    _definition, errors = read(book)
    assert any("txt::vi" in e and e.startswith("items!") and "1: " in e for e in errors), errors


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password"),
    (b"PK\x03\x04 not really a zip", "not an Excel workbook"),
    (b"hello, I am a text file", "not an Excel workbook"),
])
def test_an_empty_locked_or_broken_file_is_refused_with_a_message(app, data, words):
    with in_language(app, "en"):
        definition, errors = xlsx.read_workbook(data, "bad.xlsx")
    assert definition is None
    assert len(errors) == 1 and errors[0].path == "(file)" and words in errors[0].message


def test_a_zip_that_is_not_a_workbook_is_refused(request_ctx):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    definition, errors = read(out.getvalue())
    assert definition is None and len(errors) == 1


def test_an_option_naming_a_missing_item_is_named_at_its_cell(request_ctx):
    book = small_workbook()
    book["options"].append(["khong-co", "a", "A", "A"])
    _definition, errors = read(book)
    assert any(e.startswith("options!A2: ") and "khong-co" in e for e in errors), errors


def test_the_template_has_instructions_drop_downs_widths_and_the_shipped_examples(request_ctx):
    examples = [formats.load_checklist(p)[0] for p in sorted(CHECKLISTS.glob("*.yaml"))]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template.write_workbook(None, examples=examples)))
    assert book.sheetnames == ["instructions", "settings", "sections", "items", "options", "examples"]
    assert book["instructions"]["A1"].value and book["instructions"].column_dimensions["A"].width >= 80
    items = book["items"]
    header = [c.value for c in items[1]]
    assert header[:4] == ["section", "key", "type", "text::vi"]
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in items.data_validations.dataValidation}
    letter = lambda name: openpyxl.utils.get_column_letter(header.index(name) + 1)  # noqa: E731
    assert "pass_fail" in lists[letter("type")] and "critical" in lists[letter("severity")]
    assert lists[letter("critical")] == '"yes,no"'
    assert items.column_dimensions[letter("text::vi")].width >= 40
    assert items.freeze_panes == "A2"
    shown = {row[0].value for row in book["examples"].iter_rows(min_row=2)}
    assert {e["key"] for e in examples} <= shown


def test_a_sheet_formatted_down_to_excels_last_row_is_read_quickly(request_ctx):
    book = small_workbook()
    sheet = book["items"]
    for row in range(4, 60_000, 7):
        sheet.cell(row=row, column=1).number_format = "@"  # a whole-column format leaves styled empty rows
    sheet.cell(row=1_048_576, column=1).number_format = "@"
    started = time.perf_counter()
    definition, errors = read(book)
    assert errors == [] and len(definition["sections"][0]["items"]) == 2
    assert time.perf_counter() - started < 10
