"""The phone's checklist rules (static/js/form.js) say what the server's
scoring module says: the same validation message for every answer, and the
same items hidden by show_if."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from server.services.checklists import scoring
from server.services.checklists.definition import item_index
from tests.fieldwork_data import FIELD_CHECKLIST
from tests.factories import normalised

pytestmark = pytest.mark.browser

CASES = [
    ("bien-hieu", {"value": "pass"}), ("bien-hieu", {"value": "maybe"}), ("bien-hieu", {"na": True}),
    ("bien-hieu", {"value": ""}), ("wifi", {"value": "no"}), ("wifi", {"value": 1}), ("wifi", {"na": True}),
    ("dung-han", {"value": {"numerator": 3, "denominator": 4}}), ("dung-han", {"value": {"numerator": 5, "denominator": 4}}),
    ("dung-han", {"value": {"numerator": 1.5, "denominator": 4}}), ("dung-han", {"value": 7}),
    ("dung-han", {"value": {"numerator": -1, "denominator": 4}}),
    ("vang", {"value": 0}), ("vang", {"value": -2}), ("vang", {"value": 2.5}), ("vang", {"value": "3"}),
    ("hai-long", {"value": 3}), ("hai-long", {"value": 0}), ("hai-long", {"value": 6}), ("hai-long", {"value": 4.5}),
    ("hinh-thuc", {"value": "truc-tiep"}), ("hinh-thuc", {"value": "qua-mang"}), ("hinh-thuc", {"value": ["truc-tiep"]}),
    ("kenh", {"value": []}), ("kenh", {"value": ["hom-thu"]}), ("kenh", {"value": ["hom-thu", "hom-thu"]}),
    ("kenh", {"value": "hom-thu"}), ("kenh", {"value": ["thu-dien-tu"]}),
    ("so-lieu", {"value": 1.25}), ("so-lieu", {"value": "nhiều"}), ("ngay", {"value": "2026-11-20"}),
]

SHOW_IF = normalised({
    "key": "show-if", "title": "show_if", "sections": [{"key": "s", "title": "S", "items": [
        {"key": "a", "type": "multi_choice", "options": [{"key": "x", "label": "X"}, {"key": "y", "label": "Y"}]},
        {"key": "b", "type": "text", "show_if": {"item": "a", "equals": "x"}},
        {"key": "c", "type": "count"},
        {"key": "d", "type": "text", "show_if": {"item": "c", "not_in": [0, 1]}},
        {"key": "e", "type": "yes_no", "show_if": {"item": "c", "not_equals": 2}},
        {"key": "f", "type": "text", "show_if": {"item": "e", "equals": "yes"}},
    ]}],
})
ANSWER_SETS = [
    {}, {"a": {"value": ["x"]}}, {"a": {"value": ["y"]}, "c": {"value": 0}}, {"c": {"value": 5}},
    {"c": {"value": 3}, "e": {"value": True}}, {"c": {"value": 2}, "e": {"value": "yes"}},
    {"c": {"na": True}}, {"a": {"value": []}, "c": {"value": 1}, "e": {"value": "no"}},
]

JS = """async ([cases, checklists, answerSets]) => {
  const i18n = await import('/static/js/i18n.js');
  const form = await import('/static/js/form.js');
  await i18n.loadMessages();
  const index = Object.fromEntries(checklists[0].sections.flatMap((s) => s.items).map((i) => [i.key, i]));
  return {
    problems: cases.map(([key, answer]) => form.answerProblem(index[key], answer)),
    hidden: answerSets.map((answers) => [...form.hiddenItems(checklists[1], answers)].sort()),
  };
}"""


def test_the_phone_validates_and_hides_items_exactly_as_the_server_does(app, live_server, browser_page):
    page = browser_page(locale="en")
    page.goto("/healthz")
    page.evaluate("fetch('/lang/en', {method: 'POST'})")
    got = page.evaluate(JS, [CASES, [FIELD_CHECKLIST, SHOW_IF], ANSWER_SETS])
    items = item_index(FIELD_CHECKLIST)
    with app.test_request_context(), force_locale("en"):
        expected = [scoring.answer_problem(items[key][1], answer) for key, answer in CASES]
    assert dict(zip(map(str, CASES), got["problems"])) == dict(zip(map(str, CASES), expected))
    assert got["hidden"] == [sorted(scoring.hidden_items(SHOW_IF, answers)) for answers in ANSWER_SETS]


YES_NO = normalised({
    "key": "co-khong", "title": "Có / Không", "sections": [{"key": "s", "title": "S", "items": [
        {"key": "points-only", "type": "yes_no", "points": 2, "allow_na": True, "evidence": {"photo": "on_fail"}},
        {"key": "pass-if-no", "type": "yes_no", "points": 2, "pass_if": "no", "evidence": {"photo": "on_fail"}},
        {"key": "recorded", "type": "yes_no", "evidence": {"photo": "on_fail"}},
    ]}],
})
YES_NO_ANSWERS = [{"value": "yes"}, {"value": "no"}, {"value": True}, {"value": False}, {"value": ""}]

JUDGE_JS = """async ([checklist, answers]) => {
  const form = await import('/static/js/form.js');
  const items = checklist.sections.flatMap((s) => s.items);
  return items.map((item) => answers.map((a) => [form.outcome(item, a), form.photoNeeded(item, a)]));
}"""


def test_the_phone_judges_yes_no_items_and_asks_for_on_fail_photos_as_the_server_does(live_server, browser_page):
    page = browser_page()
    page.goto("/healthz")
    got = page.evaluate(JUDGE_JS, [YES_NO, YES_NO_ANSWERS])
    outcomes = [[scoring.item_outcome(item, a) for a in YES_NO_ANSWERS] for item in YES_NO["sections"][0]["items"]]
    assert got == [[[outcome, outcome == "fail"] for outcome in row] for row in outcomes]
    assert [row[1][0] for row in got] == ["fail", "pass", "unscored"]  # "no" fails only where yes earns the points
