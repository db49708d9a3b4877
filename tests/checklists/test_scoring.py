"""Scoring: each item type, each rule that decides a result, and properties that always hold."""
import dataclasses
import json
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.services.checklists.definition import validate_definition
from server.services.checklists.scoring import (
    InvalidAnswer,
    answer_problem,
    hidden_items,
    item_outcome,
    score_inspection,
)

CHOICE_OPTIONS = [
    {"key": "tot", "label": "Tốt", "score": 2},
    {"key": "kha", "label": "Khá", "score": 1},
    {"key": "yeu", "label": "Yếu", "score": 0},
    {"key": "khong", "label": "Không có", "fails": True},
]


def checklist(*sections, pass_mark=0, bands=()):
    """A normalised definition; each section is a list of raw items or (items, {section fields})."""
    raw_sections = []
    for i, section in enumerate(sections):
        items, extra = section if isinstance(section, tuple) else (section, {})
        raw_sections.append({"key": f"s{i}", "title": f"S{i}", "items": items, **extra})
    definition, errors = validate_definition(
        {"key": "t", "title": "T", "scoring": {"pass_mark": pass_mark, "bands": list(bands)},
         "sections": raw_sections}, "test")
    assert errors == [], [str(e) for e in errors]
    return definition


def item(key, kind, **fields):
    return {"key": key, "type": kind, **fields}


def answered(value):
    return {"value": value}


NA = {"na": True}


def one(raw_item, value, **scoring):
    """Score a one-item checklist."""
    return score_inspection(checklist([raw_item], **scoring), {raw_item["key"]: value})


def earned(result, key):
    return next(i for i in result.items if i.key == key)


# ── item types ───────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("value", "outcome", "score"), [("pass", "pass", 2), ("fail", "fail", 0)])
def test_pass_fail_earns_its_points_only_when_it_passes(value, outcome, score):
    result = one(item("a", "pass_fail", points=2), answered(value))
    assert (earned(result, "a").outcome, result.score, result.maximum) == (outcome, score, 2)


@pytest.mark.parametrize(("numerator", "denominator", "outcome"), [
    (95, 100, "pass"), (94, 100, "fail"), (19, 20, "pass"), (0, 0, "na")])
def test_ratio_passes_when_its_percent_reaches_pass_at(numerator, denominator, outcome):
    ratio = item("r", "ratio", numerator="n", denominator="d", pass_at=95, points=3)
    result = one(ratio, answered({"numerator": numerator, "denominator": denominator}))
    assert earned(result, "r").outcome == outcome
    assert result.maximum == (0 if outcome == "na" else 3)


def test_ratio_with_pass_at_most_passes_at_or_below_it():
    ratio = item("r", "ratio", numerator="n", denominator="d", pass_at_most=5)
    assert one(ratio, answered({"numerator": 1, "denominator": 20})).result == "pass"
    assert one(ratio, answered({"numerator": 2, "denominator": 20})).items[0].outcome == "fail"


@pytest.mark.parametrize(("fields", "value", "outcome"), [
    ({"pass_at_most": 0}, 0, "pass"), ({"pass_at_most": 0}, 1, "fail"),
    ({"pass_at": 3}, 3, "pass"), ({"pass_at": 3}, 2, "fail"),
    ({"pass_at": 2, "pass_at_most": 4}, 5, "fail"), ({"pass_at": 2, "pass_at_most": 4}, 4, "pass"),
])
def test_count_passes_within_its_thresholds(fields, value, outcome):
    assert one(item("c", "count", **fields), answered(value)).items[0].outcome == outcome


def test_number_is_unscored_without_a_threshold_and_scored_with_one():
    assert one(item("n", "number"), answered(12.5)).items[0].outcome == "unscored"
    assert one(item("n", "number"), answered(12.5)).maximum == 0
    assert one(item("n", "number", pass_at=10.5), answered(12.5)).items[0].outcome == "pass"


@pytest.mark.parametrize(("value", "outcome", "score"), [(4, "pass", 1), (3, "fail", 0)])
def test_scale_with_pass_at_is_pass_or_fail(value, outcome, score):
    result = one(item("s", "scale", pass_at=4), answered(value))
    assert (result.items[0].outcome, result.score) == (outcome, score)


@pytest.mark.parametrize(("value", "score"), [(1, 0), (2, 1), (4, 3), (5, 4)])
def test_scale_without_pass_at_earns_points_in_proportion(value, score):
    result = one(item("s", "scale", points=4), answered(value))
    assert (result.items[0].outcome, result.score, result.maximum) == ("pass", score, 4)


def test_scale_uses_its_own_range():
    result = one(item("s", "scale", scale={"min": 0, "max": 10}, points=5), answered(7))
    assert result.score == 3.5


@pytest.mark.parametrize(("value", "outcome", "score"), [
    ("tot", "pass", 4), ("kha", "pass", 2), ("yeu", "pass", 0), ("khong", "fail", 0)])
def test_choice_earns_its_option_score_scaled_to_the_points(value, outcome, score):
    result = one(item("c", "choice", options=CHOICE_OPTIONS, points=4), answered(value))
    assert (result.items[0].outcome, result.score, result.maximum) == (outcome, score, 4)


def test_choice_without_scores_earns_full_points_unless_the_option_fails():
    options = [{"key": "co", "label": "Có"}, {"key": "khong", "label": "Không", "fails": True}]
    assert one(item("c", "choice", options=options, points=3), answered("co")).score == 3
    assert one(item("c", "choice", options=options, points=3), answered("khong")).items[0].outcome == "fail"


@pytest.mark.parametrize(("value", "outcome", "score"), [
    (["tot", "kha"], "pass", 6), (["kha"], "pass", 2), ([], "pass", 0), (["tot", "khong"], "fail", 0)])
def test_multi_choice_earns_the_chosen_share_of_all_scores(value, outcome, score):
    result = one(item("m", "multi_choice", options=CHOICE_OPTIONS, points=6), answered(value))
    assert (result.items[0].outcome, result.score, result.maximum) == (outcome, score, 6)


@pytest.mark.parametrize(("value", "outcome"), [("yes", "pass"), ("no", "fail"), (True, "pass"), (False, "fail")])
def test_yes_no_passes_when_the_answer_matches_pass_if(value, outcome):
    assert one(item("y", "yes_no", pass_if="yes"), answered(value)).items[0].outcome == outcome


@pytest.mark.parametrize(("value", "outcome", "score"), [
    ("yes", "pass", 2), (True, "pass", 2), ("no", "fail", 0), (False, "fail", 0)])
def test_yes_no_with_points_and_no_pass_if_earns_them_on_yes(value, outcome, score):
    result = one(item("y", "yes_no", points=2), answered(value))
    assert (result.items[0].outcome, result.score, result.maximum) == (outcome, score, 2)


@pytest.mark.parametrize(("value", "outcome", "score"), [("no", "pass", 2), ("yes", "fail", 0)])
def test_yes_no_with_points_and_pass_if_no_earns_them_on_no(value, outcome, score):
    result = one(item("y", "yes_no", points=2, pass_if="no"), answered(value))
    assert (result.items[0].outcome, result.score, result.maximum) == (outcome, score, 2)


def test_yes_no_with_points_answered_na_leaves_the_maximum():
    d = checklist([item("y", "yes_no", points=2, allow_na=True), item("p", "pass_fail")])
    result = score_inspection(d, {"y": NA, "p": answered("pass")})
    assert (result.items[0].outcome, result.score, result.maximum, result.percent) == ("na", 1, 1, 100)


def test_a_no_to_a_critical_yes_no_with_points_fails_like_a_failed_critical_pass_fail():
    common = {"points": 2, "critical": True, "evidence": {"photo": "on_fail"},
              "finding": {"severity": "major", "remediation_days": 15}}
    as_yes_no = score_inspection(checklist([item("a", "yes_no", **common), item("b", "pass_fail")], pass_mark=10),
                                 {"a": answered("no"), "b": answered("pass")})
    as_pass_fail = score_inspection(checklist([item("a", "pass_fail", **common), item("b", "pass_fail")],
                                              pass_mark=10), {"a": answered("fail"), "b": answered("pass")})
    assert as_yes_no.to_dict() == as_pass_fail.to_dict()
    assert as_yes_no.decided_by == {"rule": "critical_item_failed", "item": "a", "items": ["a"]}


@pytest.mark.parametrize("kind", ["text", "date", "photo", "yes_no"])
def test_unscored_types_never_count(kind):
    result = score_inspection(checklist([item("u", kind), item("p", "pass_fail")]),
                              {"u": answered("yes"), "p": answered("pass")})
    assert result.items[0].outcome == "unscored"
    assert (result.score, result.maximum, result.percent) == (1, 1, 100)


# ── rules ────────────────────────────────────────────────────────────────────

def test_section_weight_multiplies_earned_and_possible_points():
    d = checklist(([item("a", "pass_fail", points=2), item("b", "pass_fail", points=2)], {"weight": 1.5}))
    result = score_inspection(d, {"a": answered("pass"), "b": answered("fail")})
    assert (result.score, result.maximum, result.percent) == (3, 6, 50)
    assert (earned(result, "a").earned, earned(result, "a").possible) == (3, 3)


def test_na_items_leave_the_maximum():
    d = checklist([item("a", "pass_fail", points=2, allow_na=True), item("b", "pass_fail")])
    result = score_inspection(d, {"a": NA, "b": answered("pass")})
    assert (result.items[0].outcome, result.score, result.maximum, result.percent) == ("na", 1, 1, 100)


def test_na_is_refused_on_an_item_that_does_not_allow_it():
    pf = checklist([item("a", "pass_fail")])["sections"][0]["items"][0]
    assert answer_problem(pf, NA) == "this item cannot be marked not applicable"
    with pytest.raises(InvalidAnswer) as caught:
        score_inspection(checklist([item("a", "pass_fail")]), {"a": NA})
    assert caught.value.item_key == "a"


@pytest.mark.parametrize(("raw", "value"), [
    (item("p", "pass_fail"), "ok"),
    (item("r", "ratio", numerator="n", denominator="d", pass_at=5), {"numerator": 3, "denominator": 2}),
    (item("r", "ratio", numerator="n", denominator="d", pass_at=5), {"numerator": -1, "denominator": 2}),
    (item("c", "count", pass_at_most=0), 1.5),
    (item("c", "count", pass_at_most=0), True),
    (item("n", "number", pass_at=1), "7"),
    (item("s", "scale"), 6),
    (item("c", "choice", options=CHOICE_OPTIONS), "rat-tot"),
    (item("m", "multi_choice", options=CHOICE_OPTIONS), ["tot", "tot"]),
    (item("m", "multi_choice", options=CHOICE_OPTIONS), "tot"),
    (item("y", "yes_no", pass_if="no"), "co"),
])
def test_answers_of_the_wrong_shape_are_refused(raw, value):
    definition = checklist([raw])
    assert answer_problem(definition["sections"][0]["items"][0], answered(value))
    with pytest.raises(InvalidAnswer):
        score_inspection(definition, {raw["key"]: answered(value)})


def test_unanswered_required_items_make_the_result_incomplete_and_earn_nothing():
    d = checklist([item("a", "pass_fail"), item("b", "pass_fail"), item("c", "text", required=True)],
                  pass_mark=10)
    result = score_inspection(d, {"a": answered("pass"), "b": {"value": None}})
    assert (result.result, result.score, result.maximum) == ("incomplete", 1, 2)
    assert result.decided_by == {"rule": "unanswered_required", "item": "b", "items": ["b", "c"]}
    assert result.unanswered_required == ("b", "c")
    assert [i.outcome for i in result.items] == ["pass", "unanswered", "unanswered"]


def test_unanswered_optional_items_leave_the_maximum():
    d = checklist([item("a", "pass_fail"), item("b", "pass_fail", required=False), item("c", "text")])
    result = score_inspection(d, {"a": answered("pass"), "c": answered("  ")})
    assert (result.result, result.score, result.maximum) == ("pass", 1, 1)


def test_a_failed_critical_item_fails_the_inspection_whatever_the_percent():
    d = checklist([item("a", "pass_fail", points=99), item("b", "pass_fail", critical=True),
                   item("c", "pass_fail")], pass_mark=50)
    result = score_inspection(d, {"a": answered("pass"), "b": answered("fail")})
    assert result.result == "fail"
    assert result.decided_by == {"rule": "critical_item_failed", "item": "b", "items": ["b"]}
    assert result.unanswered_required == ("c",)


def test_percent_under_the_pass_mark_fails():
    d = checklist([item("a", "pass_fail", points=3), item("b", "pass_fail")], pass_mark=80)
    result = score_inspection(d, {"a": answered("pass"), "b": answered("fail")})
    assert result.result == "fail"
    assert result.decided_by == {"rule": "below_pass_mark", "percent": 75.0, "pass_mark": 80}


def test_percent_exactly_at_the_pass_mark_passes():
    d = checklist([item("a", "pass_fail", points=4), item("b", "pass_fail")], pass_mark=80)
    result = score_inspection(d, {"a": answered("pass"), "b": answered("fail")})
    assert result.result == "pass"
    assert result.decided_by == {"rule": "pass_mark_met", "percent": 80.0, "pass_mark": 80}


def test_the_rounded_percent_shown_is_the_one_that_decides():
    d = checklist([item("a", "pass_fail", points=15999), item("b", "pass_fail", points=4001)], pass_mark=80)
    result = score_inspection(d, {"a": answered("pass"), "b": answered("fail")})  # 79.995 %
    assert (result.percent, result.result) == (80.0, "pass")


def test_a_section_under_its_own_pass_mark_fails_the_inspection():
    d = checklist(([item("a", "pass_fail", points=9)], {}),
                  ([item("b", "pass_fail"), item("c", "pass_fail")], {"pass_mark": 70}), pass_mark=50)
    result = score_inspection(d, {"a": answered("pass"), "b": answered("pass"), "c": answered("fail")})
    assert result.percent == pytest.approx(90.91)
    assert result.result == "fail"
    assert result.decided_by == {"rule": "section_below_pass_mark", "section": "s1", "percent": 50.0,
                                 "pass_mark": 70, "sections": ["s1"]}
    assert [(s.key, s.passed) for s in result.sections] == [("s0", None), ("s1", False)]


def test_nothing_to_score_passes_with_no_percent():
    d = checklist([item("a", "pass_fail", allow_na=True), item("t", "text")], pass_mark=80,
                  bands=[{"min": 0, "label": "x"}])
    result = score_inspection(d, {"a": NA})
    assert (result.percent, result.band, result.result) == (None, None, "pass")
    assert result.decided_by == {"rule": "nothing_scored"}


@pytest.mark.parametrize(("passed", "label"), [(10, "Xuất sắc"), (8, "Đạt"), (5, None)])
def test_band_is_the_highest_one_reached(passed, label):
    bands = [{"min": 90, "label": "Xuất sắc"}, {"min": 80, "label": "Đạt"}]
    d = checklist([item(f"i{n}", "pass_fail") for n in range(10)], bands=bands)
    result = score_inspection(d, {f"i{n}": answered("pass" if n < passed else "fail") for n in range(10)})
    assert (result.band or {}).get("label") == label


def test_decimal_points_add_up_exactly():
    d = checklist([item(f"i{n}", "pass_fail", points=0.1) for n in range(3)])
    result = score_inspection(d, {f"i{n}": answered("pass") for n in range(3)})
    assert (result.score, result.maximum, result.percent) == (0.3, 0.3, 100)


# ── show_if ──────────────────────────────────────────────────────────────────

def _shown(show_if, value, target=None):
    target = target or item("c", "choice", options=CHOICE_OPTIONS)
    d = checklist([target, item("p", "pass_fail", show_if=show_if)])
    answers = {} if value is None else {"c": value}
    return "p" not in hidden_items(d, answers)


@pytest.mark.parametrize(("show_if", "value", "shown"), [
    ({"item": "c", "equals": "tot"}, answered("tot"), True),
    ({"item": "c", "equals": "tot"}, answered("kha"), False),
    ({"item": "c", "not_equals": "tot"}, answered("kha"), True),
    ({"item": "c", "in": ["tot", "kha"]}, answered("kha"), True),
    ({"item": "c", "not_in": ["tot", "kha"]}, answered("kha"), False),
    ({"item": "c", "equals": "tot"}, None, False),
    ({"item": "c", "not_equals": "tot"}, None, False),
])
def test_show_if_operators(show_if, value, shown):
    assert _shown(show_if, value) is shown


def test_show_if_on_multi_choice_tests_the_chosen_options():
    target = item("c", "multi_choice", options=CHOICE_OPTIONS)
    assert _shown({"item": "c", "equals": "kha"}, answered(["tot", "kha"]), target)
    assert not _shown({"item": "c", "not_in": ["kha"]}, answered(["tot", "kha"]), target)


def test_hidden_items_are_excluded_and_hide_their_dependants():
    d = checklist([item("a", "yes_no"), item("b", "pass_fail", show_if={"item": "a", "equals": "yes"}),
                   item("c", "pass_fail", show_if={"item": "b", "equals": "fail"}), item("d", "pass_fail")])
    result = score_inspection(d, {"a": answered("no"), "b": answered("fail"), "d": answered("pass")})
    assert [i.outcome for i in result.items] == ["unscored", "hidden", "hidden", "pass"]
    assert (result.result, result.maximum) == ("pass", 1)


# ── the live view and the stored form ───────────────────────────────────────

def test_item_outcome_judges_a_single_answer():
    pf = checklist([item("a", "pass_fail", allow_na=True)])["sections"][0]["items"][0]
    assert [item_outcome(pf, a) for a in (answered("pass"), answered("fail"), NA, None, {})] == [
        "pass", "fail", "na", "unanswered", "unanswered"]


def test_answers_may_be_objects_and_unknown_keys_are_ignored():
    d = checklist([item("a", "pass_fail")])
    result = score_inspection(d, {"a": SimpleNamespace(value="pass", na=False), "gone": answered("x")})
    assert (result.result, result.score) == ("pass", 1)


def test_to_dict_is_json_and_complete():
    d = checklist([item("a", "pass_fail")], bands=[{"min": 0, "label": {"vi": "Đạt", "en": "Met"}}])
    stored = score_inspection(d, {"a": answered("pass")}).to_dict()
    assert json.loads(json.dumps(stored)) == stored
    assert stored["band"] == {"min": 0, "label": {"vi": "Đạt", "en": "Met"}}
    assert stored["sections"] == [{"key": "s0", "score": 1.0, "maximum": 1.0, "percent": 100.0,
                                   "pass_mark": None, "passed": None}]
    assert stored["items"] == [{"key": "a", "section": "s0", "outcome": "pass", "earned": 1.0, "possible": 1.0}]
    assert stored["unanswered_required"] == []


# ── properties ───────────────────────────────────────────────────────────────

points_st = st.one_of(st.integers(0, 10), st.sampled_from([0.5, 0.25, 1.5, 0.1]))
OPTIONS_ST = st.lists(
    st.builds(lambda s, f: {"label": "o", "score": s, "fails": f}, st.integers(0, 3), st.booleans()),
    min_size=2, max_size=4,
).filter(lambda opts: not all(o["fails"] for o in opts) and any(o["score"] or o["fails"] for o in opts))

ITEM_ST = st.one_of(
    st.builds(lambda p, c: {"type": "pass_fail", "points": p, "critical": c}, points_st, st.booleans()),
    st.builds(lambda p, at: {"type": "ratio", "numerator": "n", "denominator": "d", "pass_at": at, "points": p},
              points_st, st.integers(0, 100)),
    st.builds(lambda p, m: {"type": "count", "pass_at_most": m, "points": p}, points_st, st.integers(0, 3)),
    st.builds(lambda p, at: {"type": "number", "pass_at": at, "points": p}, points_st, st.integers(-5, 5)),
    st.builds(lambda p, at: {"type": "scale", "points": p, **({"pass_at": at} if at else {})},
              points_st, st.none() | st.integers(1, 5)),
    st.builds(lambda p, k, o: {"type": k, "points": p, "options": o},
              points_st, st.sampled_from(["choice", "multi_choice"]), OPTIONS_ST),
    st.builds(lambda p, y: {"type": "yes_no", "pass_if": y, "points": p}, points_st, st.sampled_from(["yes", "no"])),
    st.just({"type": "text"}),
)
WEIGHT_ST = st.sampled_from([0.5, 1, 1.5, 2, 3])


@st.composite
def definitions(draw):
    sections, n = [], 0
    for s in range(draw(st.integers(1, 3))):
        items = []
        for raw in draw(st.lists(ITEM_ST, min_size=1, max_size=4)):
            raw = {**raw, "key": f"i{n}", "allow_na": True}
            if "options" in raw:
                raw["options"] = [{**o, "key": f"o{j}"} for j, o in enumerate(raw["options"])]
            items.append(raw)
            n += 1
        extra = {"weight": draw(WEIGHT_ST)}
        if draw(st.booleans()):
            extra["pass_mark"] = draw(st.integers(0, 100))
        sections.append((items, extra))
    return checklist(*sections, pass_mark=draw(st.integers(0, 100)))


def all_items(definition):
    return [i for s in definition["sections"] for i in s["items"]]


RATIO_ST = st.integers(0, 50).flatmap(
    lambda d: st.builds(lambda n: {"numerator": n, "denominator": d}, st.integers(0, d)))
VALUE_ST = {
    "pass_fail": lambda it: st.sampled_from(["pass", "fail"]),
    "ratio": lambda it: RATIO_ST,
    "count": lambda it: st.integers(0, 6),
    "number": lambda it: st.integers(-10, 10) | st.floats(-10, 10),
    "scale": lambda it: st.integers(it["scale"]["min"], it["scale"]["max"]),
    "choice": lambda it: st.sampled_from([o["key"] for o in it["options"]]),
    "multi_choice": lambda it: st.lists(st.sampled_from([o["key"] for o in it["options"]]), unique=True),
    "yes_no": lambda it: st.sampled_from(["yes", "no"]),
    "text": lambda it: st.text(max_size=3),
}


def any_answer(draw, it):
    """A valid answer, N/A or nothing."""
    how = draw(st.sampled_from(["value", "na", "none"]))
    if how == "value":
        return answered(draw(VALUE_ST[it["type"]](it)))
    return NA if how == "na" else None


@st.composite
def answer_sets(draw, definition):
    return {it["key"]: any_answer(draw, it) for it in all_items(definition)}


def best_answer(it):
    """An answer that earns the item's full points."""
    kind = it["type"]
    if kind == "pass_fail":
        return answered("pass")
    if kind == "ratio":
        return answered({"numerator": 1, "denominator": 1})
    if kind == "count":
        return answered(0)
    if kind == "number":
        return answered(it["pass_at"])
    if kind == "scale":
        return answered(it["scale"]["max"])
    if kind == "yes_no":
        return answered(it["pass_if"])
    if kind in ("choice", "multi_choice"):
        good = [o for o in it["options"] if not o["fails"]]
        if kind == "choice":
            return answered(max(good, key=lambda o: o["score"])["key"])
        return answered([o["key"] for o in good])
    return answered("ghi chú")


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.data())
def test_score_stays_between_zero_and_the_maximum(data):
    definition = data.draw(definitions())
    answers = data.draw(answer_sets(definition))
    result = score_inspection(definition, answers)
    assert 0 <= result.score <= result.maximum
    assert result.percent is None or 0 <= result.percent <= 100
    for section in result.sections:
        assert 0 <= section.score <= section.maximum
    for it in result.items:
        assert 0 <= it.earned <= it.possible
    assert result.result in ("pass", "fail", "incomplete")


@FAST
@given(st.data())
def test_marking_an_item_na_never_lowers_the_percent_of_an_all_pass_inspection(data):
    definition = data.draw(definitions())
    items = all_items(definition)
    answers = {it["key"]: best_answer(it) for it in items}
    before = score_inspection(definition, answers)
    for key in data.draw(st.lists(st.sampled_from([it["key"] for it in items]), min_size=1, unique=True)):
        answers[key] = NA
    after = score_inspection(definition, answers)
    assert before.percent in (None, 100)
    assert after.percent is None or after.percent >= before.percent


@FAST
@given(st.data())
def test_marking_a_failed_item_na_never_lowers_the_percent(data):
    definition = data.draw(definitions())
    answers = data.draw(answer_sets(definition))
    before = score_inspection(definition, answers)
    failed = [i.key for i in before.items if i.outcome == "fail"]
    if not failed:
        return
    answers[data.draw(st.sampled_from(failed))] = NA
    after = score_inspection(definition, answers)
    assert after.percent is None or after.percent >= before.percent


@FAST
@given(st.data(), st.sampled_from([2, 3, 0.5, 2.5]))
def test_section_weight_scales_score_and_maximum_alike(data, factor):
    definition = data.draw(definitions())
    answers = data.draw(answer_sets(definition))
    before = score_inspection(definition, answers)
    index = data.draw(st.integers(0, len(definition["sections"]) - 1))
    section = definition["sections"][index]
    section["weight"] = section["weight"] * factor
    after = score_inspection(definition, answers)
    old, new = before.sections[index], after.sections[index]
    assert new.score == pytest.approx(old.score * factor, abs=1e-3)
    assert new.maximum == pytest.approx(old.maximum * factor, abs=1e-3)
    assert new.percent == old.percent
    assert after.score - new.score == pytest.approx(before.score - old.score, abs=1e-3)


@FAST
@given(st.data())
def test_a_failed_critical_item_always_fails_the_inspection(data):
    definition = data.draw(definitions())
    items = all_items(definition)
    answers = data.draw(answer_sets(definition))
    critical = data.draw(st.sampled_from([it for it in items if it["type"] == "pass_fail"] or [None]))
    if critical is None:
        return
    critical["critical"] = True
    answers[critical["key"]] = answered("fail")
    result = score_inspection(definition, answers)
    assert result.result == "fail"
    assert result.decided_by["rule"] == "critical_item_failed"


@FAST
@given(st.data())
def test_the_stored_form_holds_every_field_of_the_result(data):
    definition = data.draw(definitions())
    result = score_inspection(definition, data.draw(answer_sets(definition)))
    stored = result.to_dict()
    assert json.loads(json.dumps(stored)) == stored
    # Field by field, as dataclasses.asdict would give it (tuples as lists).
    assert json.loads(json.dumps(dataclasses.asdict(result))) == stored
