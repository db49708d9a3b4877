"""The checklist file format: what is accepted, how it is normalised, how errors read."""
import copy
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from server.extensions import db
from server.models import Checklist
from server.services.checklists.definition import (
    ITEM_TYPES,
    ChecklistError,
    content_hash,
    item_index,
    iter_items,
    load_checklist_file,
    localize,
    validate_definition,
)

CHECKLISTS = Path(__file__).resolve().parents[2] / "checklists"

# The example of BRIEF.md, with the one text that contains commas quoted: unquoted,
# YAML reads `{vi: a, b, c, en: d}` as four keys (see the test further down).
BRIEF_EXAMPLE = """\
key: mot-cua-cap-xa                 # stable, [a-z0-9-]+
title: {vi: Kiểm tra Trung tâm Phục vụ hành chính công cấp xã, en: Commune service centre inspection}
description: {vi: ..., en: ...}     # optional
applies_to: [service_centre]        # optional unit kinds
legal_basis: [NĐ 118/2025/NĐ-CP]    # optional
scoring:
  pass_mark: 80                     # percent
  bands:                            # optional, highest first
    - {min: 90, label: {vi: Xuất sắc, en: Excellent}}
    - {min: 0, label: {vi: Chưa đạt, en: Not met}}
sections:
  - key: niem-yet
    title: {vi: Niêm yết công khai TTHC, en: Public posting of procedures}
    weight: 1                       # optional, multiplies points of its items
    pass_mark: 70                   # optional section pass mark, percent
    items:
      - key: phi-le-phi
        type: pass_fail             # Đạt / Không đạt / (Không áp dụng if allow_na)
        text: {vi: "Niêm yết đúng, rõ mức phí, lệ phí", en: Fees posted correctly}
        guidance: {vi: ..., en: ...}
        points: 2
        allow_na: true
        critical: false             # a failed critical item fails the inspection
        evidence: {photo: on_fail}  # never | optional | on_fail | always
        finding: {severity: major, remediation_days: 15}
        legal_ref: NĐ 118/2025/NĐ-CP
      - key: ty-le-dung-han
        type: ratio                 # inspector enters both counts; percent is computed
        numerator: {vi: Hồ sơ đúng hạn, en: On-time dossiers}
        denominator: {vi: Hồ sơ đã giải quyết, en: Dossiers settled}
        pass_at: 95
        points: 3
      - key: vang-khong-ly-do
        type: count
        pass_at_most: 0
        points: 2
      - key: lich-su
        type: scale                 # 1..5 unless scale: {min, max} says otherwise
        pass_at: 4
      - key: hinh-thuc
        type: choice                # or multi_choice
        options:
          - {key: truc-tiep, label: {vi: Trực tiếp, en: In person}, score: 1}
          - {key: khong, label: {vi: Không, en: None}, score: 0, fails: true}
      - key: ghi-chu
        type: text                  # also: number, date, photo, yes_no
        show_if: {item: hinh-thuc, equals: truc-tiep}
"""


def base() -> dict:
    """A small valid checklist, to break one rule at a time."""
    return {
        "key": "kiem-tra",
        "title": {"vi": "Kiểm tra", "en": "Inspection"},
        "scoring": {"pass_mark": 80},
        "sections": [
            {"key": "a", "title": "A", "items": [
                {"key": "a1", "type": "pass_fail", "text": "A1"},
                {"key": "a2", "type": "choice", "text": "A2", "options": [
                    {"key": "co", "label": "Có", "score": 1},
                    {"key": "khong", "label": "Không", "fails": True},
                ]},
            ]},
            {"key": "b", "title": "B", "items": [
                {"key": "b1", "type": "ratio", "text": "B1", "numerator": "N", "denominator": "D", "pass_at": 90},
                {"key": "b2", "type": "text", "text": "B2"},
            ]},
        ],
    }


def write(tmp_path: Path, content: str | dict, name: str = "checklist.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, dict):
        content = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    path.write_text(content, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, content) -> list[ChecklistError]:
    definition, errors = load_checklist_file(write(tmp_path, content))
    assert definition is None
    return errors


def sec(d, s):
    return d["sections"][s]


def itm(d, s, i):
    return d["sections"][s]["items"][i]


# ── valid files ──────────────────────────────────────────────────────────────

def test_brief_example_normalises_with_every_default_filled_in(tmp_path):
    definition, errors = load_checklist_file(write(tmp_path, BRIEF_EXAMPLE))
    assert errors == []
    assert definition["scoring"] == {"pass_mark": 80, "bands": [
        {"min": 90, "label": {"vi": "Xuất sắc", "en": "Excellent"}},
        {"min": 0, "label": {"vi": "Chưa đạt", "en": "Not met"}},
    ]}
    section = definition["sections"][0]
    assert (section["weight"], section["pass_mark"], section["description"]) == (1, 70, None)
    items = {item["key"]: item for _s, item in iter_items(definition)}
    assert list(items) == ["phi-le-phi", "ty-le-dung-han", "vang-khong-ly-do", "lich-su", "hinh-thuc", "ghi-chu"]
    assert items["phi-le-phi"]["finding"] == {"severity": "major", "remediation_days": 15}
    assert items["phi-le-phi"]["evidence"] == {"photo": "on_fail"}
    assert items["ty-le-dung-han"]["pass_at_most"] is None
    assert items["lich-su"]["scale"] == {"min": 1, "max": 5}
    assert items["lich-su"]["points"] == 1 and items["lich-su"]["text"] == "lich-su"
    assert items["hinh-thuc"]["options"][0] == {
        "key": "truc-tiep", "label": {"vi": "Trực tiếp", "en": "In person"}, "score": 1, "fails": False}
    note = items["ghi-chu"]
    assert note["show_if"] == {"item": "hinh-thuc", "operator": "equals", "value": "truc-tiep"}
    assert (note["scored"], note["points"], note["required"], note["finding"]) == (False, 0, False, None)
    common = {"key", "type", "text", "guidance", "legal_ref", "scored", "points", "critical", "allow_na",
              "required", "evidence", "finding", "show_if"}
    assert all(common <= set(item) for item in items.values())


def test_unquoted_comma_in_a_flow_text_is_explained(tmp_path):
    broken = BRIEF_EXAMPLE.replace('"Niêm yết đúng, rõ mức phí, lệ phí"', "Niêm yết đúng, rõ mức phí, lệ phí")
    errors = errors_of(tmp_path, broken)
    assert [e.path for e in errors] == ["sections[0].items[0].text"] * 2
    assert "put the text in quotes" in errors[0].message


def test_the_example_in_the_authors_readme_is_valid(tmp_path):
    readme = (CHECKLISTS / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert load_checklist_file(write(tmp_path, example))[1] == []


@pytest.mark.parametrize("path", sorted(CHECKLISTS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_checklists_are_valid(path):
    definition, errors = load_checklist_file(path)
    assert [str(e) for e in errors] == []
    assert definition["key"] == path.stem


@pytest.mark.parametrize(("kind", "scored", "required", "points"), [
    ("text", False, False, 0), ("date", False, False, 0), ("photo", False, False, 0),
    ("number", False, False, 0), ("yes_no", False, False, 0), ("pass_fail", True, True, 1),
])
def test_items_are_scored_and_required_by_type(kind, scored, required, points):
    d = base()
    sec(d, 0)["items"][0] = {"key": "a1", "type": kind}
    definition, errors = validate_definition(d, "x.yaml")
    assert errors == []
    item = itm(definition, 0, 0)
    assert (item["scored"], item["required"], item["points"]) == (scored, required, points)


@pytest.mark.parametrize("extra", [
    {"type": "number", "pass_at": 3}, {"type": "number", "pass_at_most": 3},
    {"type": "count", "pass_at_most": 0}, {"type": "yes_no", "pass_if": "no"},
    {"type": "scale"}, {"type": "ratio", "numerator": "n", "denominator": "d", "pass_at_most": 5},
    {"type": "yes_no", "points": 2},
])
def test_thresholds_make_measurements_scored(extra):
    d = base()
    sec(d, 0)["items"][0] = {"key": "a1", **extra}
    definition, errors = validate_definition(d, "x.yaml")
    assert errors == [] and itm(definition, 0, 0)["scored"] is True


def test_a_bare_yaml_yes_is_read_as_the_answer_yes(tmp_path):
    d = base()
    d["sections"][0]["items"].append({"key": "a3", "type": "yes_no", "pass_if": True,
                                      "show_if": {"item": "a1", "equals": "pass"}})
    d["sections"][0]["items"].append({"key": "a4", "type": "text", "show_if": {"item": "a3", "in": [True]}})
    definition, errors = load_checklist_file(write(tmp_path, d))
    assert errors == []
    assert itm(definition, 0, 2)["pass_if"] == "yes"
    assert itm(definition, 0, 3)["show_if"]["value"] == ["yes"]


@pytest.mark.parametrize(("fields", "pass_if", "points"), [
    ({"points": 2}, "yes", 2), ({"points": 2, "pass_if": "no"}, "no", 2), ({"pass_if": "yes"}, "yes", 1),
    ({"points": 0}, None, 0), ({}, None, 0),
])
def test_a_yes_no_item_with_points_passes_on_yes_unless_pass_if_says_no(fields, pass_if, points):
    d = base()
    sec(d, 0)["items"][0] = {"key": "a1", "type": "yes_no", **fields}
    definition, errors = validate_definition(d, "x.yaml")
    assert errors == []
    item = itm(definition, 0, 0)
    assert (item["pass_if"], item["scored"], item["points"]) == (pass_if, pass_if is not None, points)


def test_a_critical_yes_no_item_without_points_or_pass_if_is_still_refused():
    d = base()
    sec(d, 0)["items"][0] = {"key": "a1", "type": "yes_no", "critical": True}
    _definition, errors = validate_definition(d, "x.yaml")
    assert [(e.path, e.message) for e in errors] == [
        ("sections[0].items[0].critical", "has no effect: a yes_no item is scored only with points or pass_if")]


def test_texts_are_kept_as_written_in_unicode_nfc():
    d = base()
    d["title"] = {"vi": unicodedata.normalize("NFD", "Kiểm tra"), "en": "Inspection"}
    definition, _errors = validate_definition(d, "x.yaml")
    assert definition["title"] == {"vi": unicodedata.normalize("NFC", "Kiểm tra"), "en": "Inspection"}
    assert itm(definition, 0, 0)["text"] == "A1"


def test_validation_does_not_change_its_input():
    d = base()
    before = copy.deepcopy(d)
    validate_definition(d, "x.yaml")
    assert d == before


# ── rejected files: each error names its file and its path ──────────────────

def _set(target_path, value):
    def mutate(d):
        *parents, last = target_path
        node = d
        for p in parents:
            node = node[p]
        node[last] = value
    return mutate


def _drop(target_path):
    def mutate(d):
        *parents, last = target_path
        node = d
        for p in parents:
            node = node[p]
        del node[last]
    return mutate


A1 = ("sections", 0, "items", 0)
A2 = ("sections", 0, "items", 1)
B1 = ("sections", 1, "items", 0)
B2 = ("sections", 1, "items", 1)

REJECTIONS = [
    ("unknown item type", _set((*A1, "type"), "radio"), "sections[0].items[0].type", "unknown item type 'radio'"),
    ("unknown item key", _set((*A1, "colour"), "red"), "sections[0].items[0].colour", "allowed keys: key, type"),
    ("unknown top-level key", _set(("version",), 2), "version", "unknown key 'version'"),
    ("unknown section key", _set(("sections", 0, "colour"), 1), "sections[0].colour", "unknown key"),
    ("unknown option key", _set((*A2, "options", 0, "colour"), 1), "sections[0].items[1].options[0].colour",
     "allowed keys: key, label, score, fails"),
    ("duplicate item key in another section", _set((*B2, "key"), "a1"), "sections[1].items[1].key",
     "duplicate item key a1 (first used at sections[0].items[0])"),
    ("duplicate section key", _set(("sections", 1, "key"), "a"), "sections[1].key", "duplicate section key a"),
    ("show_if naming a missing item", _set((*B2, "show_if"), {"item": "zz", "equals": "pass"}),
     "sections[1].items[1].show_if.item", "zz, which does not exist"),
    ("show_if naming itself", _set((*B2, "show_if"), {"item": "b2", "equals": "x"}),
     "sections[1].items[1].show_if.item", "cannot depend on itself"),
    ("show_if naming a later item", _set((*A1, "show_if"), {"item": "a2", "equals": "co"}),
     "sections[0].items[0].show_if.item", "a2, which comes later"),
    ("show_if with an unknown operator", _set((*B2, "show_if"), {"item": "a2", "greater_than": 1}),
     "sections[1].items[1].show_if.greater_than", "unknown show_if operator"),
    ("show_if with two operators", _set((*B2, "show_if"), {"item": "a2", "equals": "co", "in": ["co"]}),
     "sections[1].items[1].show_if", "exactly one operator"),
    ("show_if comparing with an unknown option", _set((*B2, "show_if"), {"item": "a2", "equals": "maybe"}),
     "sections[1].items[1].show_if.equals", "possible: co, khong"),
    ("show_if testing a text item", _set((*B2, "show_if"), {"item": "b1", "equals": 3}),
     "sections[1].items[1].show_if.item", "cannot test a ratio item"),
    ("ratio without denominator", _drop((*B1, "denominator")), "sections[1].items[0].denominator",
     "a ratio item needs denominator"),
    ("ratio without numerator", _drop((*B1, "numerator")), "sections[1].items[0].numerator", "needs numerator"),
    ("choice without options", _drop((*A2, "options")), "sections[0].items[1].options", "needs options"),
    ("choice with no option", _set((*A2, "options"), []), "sections[0].items[1].options", "must not be empty"),
    ("duplicate option key", _set((*A2, "options", 1, "key"), "co"), "sections[0].items[1].options[1].key",
     "duplicate option key co"),
    ("options that all fail", _set((*A2, "options", 0, "fails"), True), "sections[0].items[1].options",
     "can never pass"),
    ("text that is a number", _set((*A1, "text"), 5), "sections[0].items[0].text", "string or a map of language"),
    ("text that is a list", _set(("title",), ["a", "b"]), "title", "string or a map of language"),
    ("empty text", _set((*A1, "text"), "  "), "sections[0].items[0].text", "must not be empty"),
    ("empty text in one language", _set(("title", "en"), ""), "title.en", "non-empty string"),
    ("language map with a bad code", _set(("title", "Vietnamese"), "x"), "title.Vietnamese", "not a language code"),
    ("missing checklist title", _drop(("title",)), "title", "required key is missing"),
    ("missing item type", _drop((*A1, "type")), "sections[0].items[0].type", "required key is missing"),
    ("missing item key", _drop((*A1, "key")), "sections[0].items[0].key", "required key is missing"),
    ("key with capitals", _set(("key",), "Kiem_Tra"), "key", "not a valid key"),
    ("item key with a space", _set((*A1, "key"), "a 1"), "sections[0].items[0].key", "not a valid key"),
    ("negative points", _set((*A1, "points"), -1), "sections[0].items[0].points", "at least 0"),
    ("points that are text", _set((*A1, "points"), "two"), "sections[0].items[0].points", "must be a number"),
    ("checklist pass mark over 100", _set(("scoring", "pass_mark"), 120), "scoring.pass_mark", "between 0 and 100"),
    ("section pass mark below 0", _set(("sections", 0, "pass_mark"), -5), "sections[0].pass_mark", "between 0"),
    ("zero weight", _set(("sections", 0, "weight"), 0), "sections[0].weight", "greater than 0"),
    ("unknown photo evidence rule", _set((*A1, "evidence"), {"photo": "sometimes"}),
     "sections[0].items[0].evidence.photo", "never, optional, on_fail, always"),
    ("unknown finding severity", _set((*A1, "finding"), {"severity": "huge"}),
     "sections[0].items[0].finding.severity", "minor, major, critical"),
    ("finding without severity", _set((*A1, "finding"), {"remediation_days": 5}),
     "sections[0].items[0].finding.severity", "required key is missing"),
    ("fractional remediation days", _set((*A1, "finding"), {"severity": "minor", "remediation_days": 1.5}),
     "sections[0].items[0].finding.remediation_days", "whole number"),
    ("zero remediation days", _set((*A1, "finding"), {"severity": "minor", "remediation_days": 0}),
     "sections[0].items[0].finding.remediation_days", "greater than 0"),
    ("bands not highest first", _set(("scoring", "bands"), [{"min": 50, "label": "x"}, {"min": 90, "label": "y"}]),
     "scoring.bands[1].min", "highest first"),
    ("band without label", _set(("scoring", "bands"), [{"min": 50}]), "scoring.bands[0].label", "missing"),
    ("pass_at on a text item", _set((*B2, "pass_at"), 3), "sections[1].items[1].pass_at",
     "pass_at does not apply to text items"),
    ("options on a pass_fail item", _set((*A1, "options"), []), "sections[0].items[0].options", "does not apply"),
    ("ratio pass_at over 100", _set((*B1, "pass_at"), 101), "sections[1].items[0].pass_at", "between 0 and 100"),
    ("pass_at_most below pass_at", _set((*B1, "pass_at_most"), 50), "sections[1].items[0].pass_at_most",
     "can never pass"),
    ("points on an unscored item", _set((*B2, "points"), 2), "sections[1].items[1].points", "never scored"),
    ("critical on an unscored item", _set((*B2, "critical"), True), "sections[1].items[1].critical", "no effect"),
    ("allow_na that is not a boolean", _set((*A1, "allow_na"), "sometimes"), "sections[0].items[0].allow_na",
     "true or false"),
    ("no sections", _set(("sections",), []), "sections", "must not be empty"),
    ("a section without items", _set(("sections", 1, "items"), []), "sections[1].items", "must not be empty"),
    ("a section that is not a mapping", _set(("sections", 1), "b"), "sections[1]", "must be a mapping"),
    ("scale with min not below max", _set(A1, {"key": "a1", "type": "scale", "scale": {"min": 5, "max": 5}}),
     "sections[0].items[0].scale", "must be below max"),
    ("scale pass_at outside the scale", _set(A1, {"key": "a1", "type": "scale", "pass_at": 6}),
     "sections[0].items[0].pass_at", "between 1 and 5"),
    ("yes_no pass_if neither yes nor no", _set(A1, {"key": "a1", "type": "yes_no", "pass_if": "maybe"}),
     "sections[0].items[0].pass_if", "yes, no"),
]


@pytest.mark.parametrize(("mutate", "path", "message"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_invalid_checklist_is_rejected_with_file_and_path(tmp_path, mutate, path, message):
    d = base()
    mutate(d)
    errors = errors_of(tmp_path, d)
    file = str(tmp_path / "checklist.yaml")
    matching = [e for e in errors if e.path == path]
    assert matching, [str(e) for e in errors]
    assert any(message in e.message for e in matching), [str(e) for e in matching]
    assert str(matching[0]).startswith(f"{file}: {path}: ")
    assert all(e.file == file for e in errors)


def test_every_error_is_reported_in_one_pass(tmp_path):
    d = base()
    d["key"] = "Bad Key"
    itm(d, 0, 0)["type"] = "radio"
    itm(d, 1, 0).pop("denominator")
    itm(d, 1, 1)["show_if"] = {"item": "missing", "equals": 1}
    d["scoring"]["pass_mark"] = 200
    paths = {e.path for e in errors_of(tmp_path, d)}
    assert paths == {"key", "sections[0].items[0].type", "sections[1].items[0].denominator",
                     "sections[1].items[1].show_if.item", "scoring.pass_mark"}


def test_validate_definition_returns_none_and_errors_named_after_the_source():
    d = base()
    itm(d, 0, 0)["type"] = "radio"
    definition, errors = validate_definition(d, "from-api")
    assert definition is None
    assert [str(e) for e in errors] == [
        "from-api: sections[0].items[0].type: unknown item type 'radio'; known types: " + ", ".join(ITEM_TYPES)]


def test_errors_are_in_file_order_with_their_line(tmp_path):
    text = "key: k\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n      - key: i\n        type: radio\n"
    text = "extra: 1\n" + text
    errors = errors_of(tmp_path, text)
    assert [(e.line, e.path) for e in errors] == [(1, "extra"), (9, "sections[0].items[0].type")]


def test_a_key_repeated_in_one_yaml_mapping_is_an_error(tmp_path):
    text = ("key: k\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n"
            "      - {key: i, type: pass_fail, points: 1, points: 3}\n")
    errors = errors_of(tmp_path, text)
    assert [(e.path, e.line) for e in errors] == [("sections[0].items[0].points", 7)]
    assert "appears twice" in errors[0].message


def test_an_unquoted_yes_as_option_key_gets_a_hint(tmp_path):
    d = base()
    itm(d, 0, 1)["options"][0]["key"] = True
    errors = errors_of(tmp_path, d)
    assert errors[0].path == "sections[0].items[1].options[0].key"
    assert "quote it" in errors[0].message


ONE_OPTION = ("key: k\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n"
              "      - key: c\n        type: choice\n        options:\n          - key: co\n")


@pytest.mark.parametrize("word", ["Yes", "yes", "NO", "on", "Off", "TRUE", "false"])
def test_a_bare_yaml_boolean_where_a_text_is_expected_says_quote_it(tmp_path, word):
    errors = errors_of(tmp_path, ONE_OPTION + f"            label: {word}\n")
    assert [(e.path, e.line) for e in errors] == [("sections[0].items[0].options[0].label", 11)]
    assert errors[0].message.endswith("(YAML reads a bare yes/no/on/off as true/false: quote it)")


@pytest.mark.parametrize("word", ["null", "Null", "~"])
def test_a_bare_yaml_null_where_a_text_is_expected_says_quote_it(tmp_path, word):
    errors = errors_of(tmp_path, ONE_OPTION + f"            label: {word}\n")
    assert [e.path for e in errors] == ["sections[0].items[0].options[0].label"]
    assert errors[0].message.endswith("(YAML reads a bare null or ~ as no value: quote it)")


def test_a_text_left_empty_is_called_empty_without_a_quoting_hint(tmp_path):
    errors = errors_of(tmp_path, ONE_OPTION + "            label:\n")
    assert [(e.path, e.message) for e in errors] == [("sections[0].items[0].options[0].label", "must not be empty")]


@pytest.mark.parametrize(("where", "path"), [
    ("title: {vi: Có, en: Yes}", "title.en"), ("title: {vi: ~}", "title.vi"),
    ("title: T\nlegal_basis: [Off]", "legal_basis[0]"), ("title: T\nlegal_basis: [null]", "legal_basis[0]"),
])
def test_texts_inside_language_maps_and_lists_get_the_quoting_hint_too(tmp_path, where, path):
    text = ONE_OPTION.replace("title: T", where, 1) + "            label: Có\n"
    errors = errors_of(tmp_path, text)
    assert [e.path for e in errors] == [path]
    assert errors[0].message.endswith(": quote it)")


@pytest.mark.parametrize(("nesting", "line", "column"), [
    ("title: " + "[" * 1000 + "]" * 1000, 2, 39),
    ("title: " + "{a: " * 1000 + "1" + "}" * 1000, 2, 132),
    ("title:\n" + "".join(" " * i + "-\n" for i in range(0, 2000, 2)) + " " * 2000 + "- a", 34, 63),
])
def test_a_file_nested_far_deeper_than_a_checklist_is_refused_with_a_message(tmp_path, nesting, line, column):
    errors = errors_of(tmp_path, "key: k\n" + nesting + "\n")
    assert [(e.path, e.line, e.message) for e in errors] == [("(file)", line, (
        f"lists and mappings are nested more than 32 levels deep at line {line}, column {column}; "
        "a checklist never needs that many"))]
    assert str(errors[0]).startswith(str(tmp_path / "checklist.yaml") + ": (file): ")


def test_a_yaml_syntax_error_points_at_where_the_problem_starts(tmp_path):
    text = 'key: k\ntitle: "Kiểm tra\nsections:\n  - key: s\n    title: S\n'
    errors = errors_of(tmp_path, text)
    assert [(e.path, e.line, e.message) for e in errors] == [(
        "(file)", 6, "YAML syntax error at line 6, column 1: found unexpected end of stream; "
        "it starts at line 2, column 8 (while scanning a quoted scalar)")]


@pytest.mark.parametrize(("content", "message"), [
    ("- just\n- a list\n", "must be a mapping"),
    ("plain words\n", "must be a mapping"),
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("key: k\ntitle: [unclosed\n", "YAML syntax error at line 3"),
    ("key: k\n---\nkey: j\n", "YAML syntax error"),
])
def test_a_file_that_is_not_a_checklist_mapping_is_rejected(tmp_path, content, message):
    errors = errors_of(tmp_path, content)
    assert len(errors) == 1
    assert errors[0].path == "(file)" and message in errors[0].message
    assert str(errors[0]).startswith(str(tmp_path / "checklist.yaml") + ": (file): ")


def test_a_file_that_is_not_utf8_or_missing_is_rejected(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Kiểm tra".encode("utf-16"))
    assert load_checklist_file(path)[1][0].message == "the file is not UTF-8 text"
    definition, errors = load_checklist_file(tmp_path / "nowhere.yaml")
    assert definition is None and errors[0].path == "(file)" and "cannot read" in errors[0].message


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump(base(), allow_unicode=True).encode("utf-8"))
    assert load_checklist_file(path)[1] == []


# ── hash and helpers ─────────────────────────────────────────────────────────

def test_content_hash_is_stable_under_key_reordering(tmp_path):
    d = base()
    reordered = {k: d[k] for k in reversed(list(d))}
    reordered["sections"] = [{k: s[k] for k in reversed(list(s))} for s in d["sections"]]
    first, _e = load_checklist_file(write(tmp_path, d, "a.yaml"))
    second, _e = load_checklist_file(write(tmp_path, reordered, "b.yaml"))
    assert content_hash(first) == content_hash(second)
    assert len(content_hash(first)) == 64


def test_content_hash_treats_whole_floats_like_ints_but_sees_real_changes():
    d = base()
    same = base()
    itm(same, 0, 0)["points"] = 1.0
    changed = base()
    itm(changed, 0, 0)["points"] = 2
    h = [content_hash(validate_definition(x, "x")[0]) for x in (d, same, changed)]
    assert h[0] == h[1] != h[2]


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("Chỉ một", "en", "Chỉ một"),
    ({"vi": "Có", "en": "Yes"}, "en", "Yes"),
    ({"vi": "Có", "en": "Yes"}, "en_GB", "Yes"),
    ({"vi": "Có", "en": "Yes"}, "fr", "Có"),
    ({"en": "Yes", "fr": "Oui"}, "de", "Yes"),
    (None, "vi", ""),
])
def test_localize_picks_locale_then_fallback_then_first(text, locale, expected):
    assert localize(text, locale) == expected


def test_item_index_finds_each_item_with_its_section():
    definition, _errors = validate_definition(base(), "x")
    index = item_index(definition)
    assert list(index) == ["a1", "a2", "b1", "b2"]
    section, item = index["b1"]
    assert section["key"] == "b" and item["type"] == "ratio"


# ── the kiemtra checklists command ───────────────────────────────────────────

DEEP = "key: k\ntitle: " + "[" * 1000 + "]" * 1000 + "\n"
YES_NO_WITH_POINTS = ("key: co-khong\ntitle: T\nsections:\n  - key: s\n    title: S\n    items:\n"
                      "      - {key: wifi, type: yes_no, points: 2, critical: true}\n")


def test_one_bad_file_never_stops_the_import_of_the_good_ones(app, runner, tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "a-sipas.yaml").write_bytes((CHECKLISTS / "sipas-rut-gon.yaml").read_bytes())
    deep = write(folder, DEEP, "b-deep.yaml")
    write(folder, YES_NO_WITH_POINTS, "c-co-khong.yaml")
    result = runner.invoke(args=["checklists", "import", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{deep}: (file): danh sách và nhóm khóa lồng nhau sâu quá 32 cấp tại dòng 2, cột 39" in result.output
    assert "created (version 1)" in result.output
    with app.app_context():
        keys = db.session.scalars(sa.select(Checklist.key).order_by(Checklist.key)).all()
        assert keys == ["co-khong", "sipas-rut-gon"]
        wifi = item_index(db.session.scalar(sa.select(Checklist).where(Checklist.key == "co-khong"))
                          .current.definition)["wifi"][1]
        assert (wifi["pass_if"], wifi["scored"], wifi["points"]) == ("yes", True, 2)
    validate = runner.invoke(args=["checklists", "validate", str(folder)])
    assert validate.exit_code == 1
    assert validate.output.count(": ok") == 2 and f"{deep}: (file): " in validate.output


CLI_MESSAGES = [
    (DEEP, "danh sách và nhóm khóa lồng nhau sâu quá 32 cấp tại dòng 2, cột 39",
     "lists and mappings are nested more than 32 levels deep at line 2, column 39"),
    (ONE_OPTION + "            label: Yes\n",
     "options[0].label: phải là một chuỗi ký tự hoặc một nhóm mã ngôn ngữ – chuỗi ký tự, ví dụ {vi: ..., en: ...} "
     "(YAML hiểu yes/no/on/off không có dấu nháy là true/false: vui lòng đặt trong dấu nháy)",
     "options[0].label: must be a string or a map of language code to string, e.g. {vi: ..., en: ...} "
     "(YAML reads a bare yes/no/on/off as true/false: quote it)"),
    (ONE_OPTION + "            label: ~\n",
     "(YAML hiểu null hoặc ~ không có dấu nháy là không có giá trị: vui lòng đặt trong dấu nháy)",
     "(YAML reads a bare null or ~ as no value: quote it)"),
    ('key: k\ntitle: "Kiểm tra\nsections: []\n',
     "lỗi cú pháp YAML tại dòng 4, cột 1: found unexpected end of stream; chỗ bắt đầu: dòng 2, cột 8 "
     "(while scanning a quoted scalar)",
     "YAML syntax error at line 4, column 1: found unexpected end of stream; it starts at line 2, column 8 "
     "(while scanning a quoted scalar)"),
]


@pytest.mark.parametrize(("content", "vietnamese", "english"), CLI_MESSAGES,
                         ids=["deep", "bare-yes", "bare-null", "unterminated-string"])
def test_validate_explains_in_vietnamese_and_in_english_when_configured(app, runner, tmp_path,
                                                                       content, vietnamese, english):
    path = write(tmp_path, content)
    result = runner.invoke(args=["checklists", "validate", str(path)])
    assert result.exit_code == 1 and f"{path}: " in result.output
    assert vietnamese in result.output
    app.config["BABEL_DEFAULT_LOCALE"] = "en"  # what KIEMTRA_BABEL_DEFAULT_LOCALE=en sets
    result = runner.invoke(args=["checklists", "validate", str(path)])
    assert result.exit_code == 1 and english in result.output
