"""The one place that computes an inspection's score. Pure: no app, no database.

`score_inspection(definition, answers)` takes a normalised checklist definition
(see definition.py) and answers keyed by item key. An answer is a mapping
(or an object with attributes) `{"value": ..., "na": bool}`; a missing answer,
a None value or a blank string is *unanswered*. Value shapes by item type:

    pass_fail     "pass" | "fail"
    yes_no        "yes" | "no"  (True / False accepted)
    ratio         {"numerator": int >= 0, "denominator": int >= 0}, numerator <= denominator
    count         int >= 0
    number        int | float
    scale         int within the item's scale
    choice        an option key
    multi_choice  a list of distinct option keys (may be empty)
    text, date, photo   anything (never scored)

Rules (checklists/README.md explains them to authors):

- A scored item that passes earns points x section weight; one that fails earns 0.
- Partial credit: a choice earns option score / highest option score x points
  (full points when no option has a score); a multi_choice earns the sum of the
  chosen scores / the sum of all option scores x points (options that fail
  count in neither); a scale without
  pass_at earns (value - min) / (max - min) x points. These outcomes are "pass"
  unless a chosen option has `fails: true`.
- A ratio with denominator 0 counts as N/A (there was nothing to measure).
- N/A items, items hidden by show_if and unanswered optional items leave the
  maximum. Unanswered required scored items stay in the maximum and earn 0, so
  the score only rises as answers come in; they make the result "incomplete".
- show_if is true only when the item it names is visible, answered, not N/A,
  and its value matches (for multi_choice: equals = chosen, in = any chosen).
- Result, first rule that applies: a failed critical item -> "fail"; a required
  item unanswered -> "incomplete"; nothing scored -> "pass"; percent under the
  checklist pass_mark -> "fail"; a section under its own pass_mark -> "fail";
  otherwise "pass". The percent is rounded half-up to 2 decimals first, and
  that rounded figure is the one compared, so what is shown is what decided.

Arithmetic is exact (fractions); figures are rounded only on the way out
(points to 4 decimals, percents to 2), so 0 <= score <= maximum always holds.
"""
from __future__ import annotations

import copy
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _

from .definition import iter_items

OUTCOMES = ("pass", "fail", "na", "unanswered", "unscored", "hidden")


ZERO, ONE = Fraction(0), Fraction(1)


class InvalidAnswer(ValueError):
    """An answer whose value does not fit its item; validate with `answer_problem` first."""

    def __init__(self, item_key: str, message: str):
        super().__init__(f"{item_key}: {message}")
        self.item_key = item_key
        self.message = message


@dataclass(frozen=True)
class ItemScore:
    key: str
    section: str
    outcome: str  # one of OUTCOMES
    earned: float
    possible: float


@dataclass(frozen=True)
class SectionScore:
    key: str
    score: float
    maximum: float
    percent: float | None
    pass_mark: float | None
    passed: bool | None  # None: no pass mark, or nothing scored in the section


@dataclass(frozen=True)
class ScoreResult:
    score: float
    maximum: float
    percent: float | None  # None when the maximum is 0
    band: dict | None      # {"min", "label"} of the checklist band reached
    result: str            # "pass" | "fail" | "incomplete"
    decided_by: dict       # {"rule": ..., plus the figures or keys behind it}
    sections: tuple[SectionScore, ...]
    items: tuple[ItemScore, ...]
    unanswered_required: tuple[str, ...]  # visible required items still without an answer

    def to_dict(self) -> dict:
        """A JSON-able copy, as stored with the inspection (field by field: asdict's deep copy is slow)."""
        return {
            "score": self.score, "maximum": self.maximum, "percent": self.percent,
            "band": dict(self.band) if self.band is not None else None, "result": self.result,
            "decided_by": copy.deepcopy(self.decided_by),
            "sections": [{"key": s.key, "score": s.score, "maximum": s.maximum, "percent": s.percent,
                          "pass_mark": s.pass_mark, "passed": s.passed} for s in self.sections],
            "items": [{"key": i.key, "section": i.section, "outcome": i.outcome, "earned": i.earned,
                       "possible": i.possible} for i in self.items],
            "unanswered_required": list(self.unanswered_required),
        }


def score_inspection(definition: dict, answers: Mapping[str, Any] | None) -> ScoreResult:
    """Score answers against a normalised checklist definition."""
    answers = answers or {}
    hidden = hidden_items(definition, answers)
    items: list[ItemScore] = []
    sections: list[SectionScore] = []
    critical_failed: list[str] = []
    missing: list[str] = []
    total_earned = total_possible = ZERO
    for section in definition["sections"]:
        weight = _fraction(section["weight"])
        earned_in = possible_in = ZERO
        for item in section["items"]:
            key = item["key"]
            if key in hidden:
                outcome, share = "hidden", None
            else:
                outcome, share = _judge(item, answers.get(key))
            full = _fraction(item["points"]) * weight
            earned = possible = ZERO
            if outcome in ("pass", "fail"):
                possible = full
                earned = full if share == 1 else ZERO if share == 0 else full * share
            elif outcome == "unanswered" and item["required"]:
                missing.append(key)
                possible = full if item["scored"] else ZERO
            if outcome == "fail" and item["critical"]:
                critical_failed.append(key)
            earned_in += earned
            possible_in += possible
            items.append(ItemScore(key, section["key"], outcome, _points(earned), _points(possible)))
        percent = _percent(earned_in, possible_in)
        pass_mark = section["pass_mark"]
        passed = None if pass_mark is None or percent is None else percent >= _fraction(pass_mark)
        sections.append(SectionScore(section["key"], _points(earned_in), _points(possible_in),
                                     _out(percent), pass_mark, passed))
        total_earned += earned_in
        total_possible += possible_in

    percent = _percent(total_earned, total_possible)
    result, decided_by = _decide(definition["scoring"]["pass_mark"], percent, critical_failed, missing, sections)
    return ScoreResult(
        score=_points(total_earned),
        maximum=_points(total_possible),
        percent=_out(percent),
        band=_band(definition["scoring"]["bands"], percent),
        result=result,
        decided_by=decided_by,
        sections=tuple(sections),
        items=tuple(items),
        unanswered_required=tuple(missing),
    )


def item_outcome(item: dict, answer: Any) -> str:
    """pass | fail | na | unanswered | unscored for one item, ignoring show_if.

    Raises InvalidAnswer when the value does not fit the item (see `answer_problem`).
    """
    return _judge(item, answer)[0]


def hidden_items(definition: dict, answers: Mapping[str, Any]) -> frozenset[str]:
    """Keys of the items whose show_if is false for these answers."""
    hidden: set[str] = set()
    for _section, item in iter_items(definition):
        condition = item["show_if"]
        if condition and (condition["item"] in hidden or not _holds(condition, answers.get(condition["item"]))):
            hidden.add(item["key"])
    return frozenset(hidden)


def answer_problem(item: dict, answer: Any) -> str | None:
    """Why an answer's value does not fit the item (a translated message), or None."""
    value, na = _parts(answer)
    if na:
        return None if item["allow_na"] else _("this item cannot be marked not applicable")
    if _blank(value):
        return None
    kind = item["type"]
    if kind == "pass_fail" and value not in ("pass", "fail"):
        return _("the answer must be pass or fail")
    if kind == "yes_no" and _yes_no(value) not in ("yes", "no"):
        return _("the answer must be yes or no")
    if kind == "ratio":
        if not isinstance(value, Mapping) or not all(_whole(value.get(k)) for k in ("numerator", "denominator")):
            return _("the answer must give a numerator and a denominator, both whole numbers of 0 or more")
        if value["numerator"] > value["denominator"]:
            return _("the numerator must not be larger than the denominator")
    if kind == "count" and not _whole(value):
        return _("the answer must be a whole number of 0 or more")
    if kind == "number" and not _real(value):
        return _("the answer must be a number")
    if kind == "scale":
        low, high = item["scale"]["min"], item["scale"]["max"]
        if not (_integer(value) and low <= value <= high):
            return _("the answer must be a whole number from %(min)s to %(max)s", min=low, max=high)
    if kind in ("choice", "multi_choice"):
        keys = {o["key"] for o in item["options"]}
        if kind == "choice" and (not isinstance(value, str) or value not in keys):
            return _("the answer must be one of: %(options)s", options=", ".join(sorted(keys)))
        if kind == "multi_choice" and (not isinstance(value, (list, tuple))
                                       or not all(isinstance(v, str) and v in keys for v in value)
                                       or len(set(value)) != len(value)):
            return _("the answer must be a list of distinct options from: %(options)s",
                     options=", ".join(sorted(keys)))
    return None


# ── internals ────────────────────────────────────────────────────────────────

def _judge(item: dict, answer: Any) -> tuple[str, Fraction | None]:
    """(outcome, share of the item's points earned) for a visible item."""
    value, na = _parts(answer)
    problem = answer_problem(item, answer)
    if problem:
        raise InvalidAnswer(item["key"], problem)
    if na:
        return "na", None
    if _blank(value):
        return "unanswered", None
    if not item["scored"]:
        return "unscored", None
    kind = item["type"]
    if kind == "pass_fail":
        return _pass_if(value == "pass")
    if kind == "yes_no":
        return _pass_if(_yes_no(value) == item["pass_if"])
    if kind == "ratio":
        if value["denominator"] == 0:
            return "na", None  # nothing to measure
        return _pass_if(_within(item, Fraction(value["numerator"] * 100, value["denominator"])))
    if kind in ("count", "number"):
        return _pass_if(_within(item, _fraction(value)))
    if kind == "scale":
        if item["pass_at"] is not None:
            return _pass_if(_within(item, Fraction(value)))
        low, high = item["scale"]["min"], item["scale"]["max"]
        return "pass", Fraction(value - low, high - low)
    chosen = [value] if kind == "choice" else list(value)
    options = {o["key"]: o for o in item["options"]}
    if any(options[k]["fails"] for k in chosen):
        return "fail", Fraction(0)
    scores = [_fraction(o["score"]) for o in item["options"] if not o["fails"]]
    best = max(scores, default=Fraction(0)) if kind == "choice" else sum(scores)
    if best == 0:
        return "pass", Fraction(1)  # no scores given: every non-failing option earns the points
    return "pass", min(sum(_fraction(options[k]["score"]) for k in chosen) / best, Fraction(1))


def _pass_if(passed: bool) -> tuple[str, Fraction]:
    return ("pass", ONE) if passed else ("fail", ZERO)


def _within(item: dict, measured: Fraction) -> bool:
    at, at_most = item["pass_at"], item.get("pass_at_most")
    return (at is None or measured >= _fraction(at)) and (at_most is None or measured <= _fraction(at_most))


def _holds(condition: dict, answer: Any) -> bool:
    value, na = _parts(answer)
    if na or _blank(value):
        return False
    chosen = [_yes_no(v) for v in value] if isinstance(value, (list, tuple)) else [_yes_no(value)]
    wanted = condition["value"] if condition["operator"] in ("in", "not_in") else [condition["value"]]
    hit = any(c == w for c in chosen for w in wanted)
    return hit if condition["operator"] in ("equals", "in") else not hit


def _decide(pass_mark, percent, critical_failed, missing, sections) -> tuple[str, dict]:
    if critical_failed:
        return "fail", {"rule": "critical_item_failed", "item": critical_failed[0], "items": critical_failed}
    if missing:
        return "incomplete", {"rule": "unanswered_required", "item": missing[0], "items": missing}
    if percent is None:
        return "pass", {"rule": "nothing_scored"}
    figures = {"percent": _out(percent), "pass_mark": pass_mark}
    if percent < _fraction(pass_mark):
        return "fail", {"rule": "below_pass_mark", **figures}
    failing = [s for s in sections if s.passed is False]
    if failing:
        first = failing[0]
        return "fail", {"rule": "section_below_pass_mark", "section": first.key, "percent": first.percent,
                        "pass_mark": first.pass_mark, "sections": [s.key for s in failing]}
    return "pass", {"rule": "pass_mark_met", **figures}


def _band(bands: list[dict], percent: Fraction | None) -> dict | None:
    if percent is None:
        return None
    return next((dict(b) for b in bands if percent >= _fraction(b["min"])), None)


def _parts(answer: Any) -> tuple[Any, bool]:
    if answer is None:
        return None, False
    if isinstance(answer, Mapping):
        return answer.get("value"), bool(answer.get("na"))
    return getattr(answer, "value", None), bool(getattr(answer, "na", False))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _yes_no(value: Any) -> Any:
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return _integer(value) and value >= 0


def _real(value: Any) -> bool:
    """A finite number a phone can send: an integer beyond any float (10**400) is not one."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


@functools.lru_cache(maxsize=1024, typed=True)
def _fraction(number: int | float) -> Fraction:
    # Through str, so that 0.1 from YAML means one tenth, not its binary neighbour.
    # Cached: a checklist repeats a few points, weights and thresholds (Fractions are immutable).
    return Fraction(str(number)) if isinstance(number, float) else Fraction(number)


def _percent(earned: Fraction, possible: Fraction) -> Fraction | None:
    if possible == 0:
        return None
    return Fraction(math.floor(earned * 10000 / possible + Fraction(1, 2)), 100)  # half-up, 2 decimals


def _points(value: Fraction) -> float:
    if value.denominator == 1:  # most points are whole: no rounding to do
        return float(value.numerator)
    return float(round(value, 4))


def _out(value: Fraction | None) -> float | None:
    return None if value is None else float(value)
