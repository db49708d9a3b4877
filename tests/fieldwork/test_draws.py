"""Random draws of units: recorded with method, inputs and seed, and replayable."""
import random
from collections import Counter

import pytest

from server.extensions import db
from server.models import InspectionStatus
from server.services.fieldwork import draws
from server.services.fieldwork.plans import PlanError, draw_units
from tests.factories import make_inspection, make_unit

CODES = [f"{n:05d}" for n in range(1, 41)]


@pytest.mark.parametrize("method, inputs", [
    ("uniform", {"units": CODES, "n": 7}),
    ("stratified", {"units": CODES, "n": 2, "strata": {c: ("ward", "commune", "centre")[i % 3] for i, c in enumerate(CODES)}}),
    ("weighted", {"units": CODES, "n": 7, "weights": {c: 10 + i for i, c in enumerate(CODES)}}),
])
def test_a_draw_replays_from_its_seed(method, inputs):
    selection = draws.draw(method, inputs, seed=20261122)
    assert draws.replay(selection) == selection["drawn"]
    assert draws.verify(selection)
    # Anyone holding only the stored JSON (order of inputs shuffled) gets the same units.
    shuffled = dict(selection, inputs=dict(selection["inputs"], units=random.sample(CODES, len(CODES))))
    assert draws.replay(shuffled) == selection["drawn"]


def test_the_recorded_draw_is_fixed_by_the_seed_for_all_time():
    # A regression anchor: changing the algorithm would silently break old replays.
    selection = draws.draw("uniform", {"units": CODES, "n": 3}, seed=42)
    assert selection["drawn"] == random.Random(42).sample(sorted(CODES), 3)


def test_different_seeds_draw_different_units():
    drawn = {tuple(draws.draw("uniform", {"units": CODES, "n": 5}, seed=s)["drawn"]) for s in range(20)}
    assert len(drawn) > 15


def test_a_tampered_draw_does_not_verify():
    selection = draws.draw("uniform", {"units": CODES, "n": 5}, seed=7)
    other = next(c for c in CODES if c not in selection["drawn"])
    assert not draws.verify(dict(selection, drawn=[other, *selection["drawn"][1:]]))


def test_stratified_draw_takes_n_of_each_kind_and_a_small_stratum_whole():
    strata = {c: "ward" for c in CODES[:30]} | {c: "centre" for c in CODES[30:]} | {"99999": "special"}
    selection = draws.draw("stratified", {"units": [*CODES, "99999"], "n": 4, "strata": strata}, seed=1)
    kinds = Counter(strata[c] for c in selection["drawn"])
    assert kinds == {"ward": 4, "centre": 4, "special": 1}


def test_weighted_draw_favours_heavy_units():
    weights = {c: (1 if i < 20 else 100) for i, c in enumerate(CODES)}
    heavy = sum(1 for s in range(200) for c in draws.draw("weighted", {"units": CODES, "n": 1, "weights": weights}, seed=s)["drawn"]
                if weights[c] == 100)
    assert heavy > 180


@pytest.mark.parametrize("method, inputs, message", [
    ("uniform", {"units": CODES, "n": 41}, "cannot draw"),
    ("uniform", {"units": [], "n": 1}, "no units"),
    ("uniform", {"units": CODES, "n": 0}, "at least 1"),
    ("weighted", {"units": CODES, "n": 1, "weights": {}}, "no weight"),
    ("stratified", {"units": CODES, "n": 1, "strata": {}}, "no stratum"),
    ("lottery", {"units": CODES, "n": 1}, "unknown"),
])
def test_impossible_draws_are_refused_with_a_reason(method, inputs, message):
    with pytest.raises(draws.DrawError, match=message):
        draws.draw(method, inputs, seed=1)


def test_weights_from_past_results_favour_units_that_scored_low(ctx):
    low, high, new = make_unit(), make_unit(), make_unit()
    make_inspection(unit=low, status=InspectionStatus.APPROVED, score_percent=40.0)
    make_inspection(unit=high, status=InspectionStatus.CONCLUDED, score_percent=95.0)
    make_inspection(unit=high, status=InspectionStatus.PLANNED, score_percent=5.0)  # not done: ignored
    weights = draws.past_result_weights([low, high, new])
    assert weights == {low.code: 70, high.code: 15, new.code: 110}


def test_draw_units_records_the_weights_it_used_and_replays(ctx):
    units = [make_unit(kind="ward") for _ in range(6)] + [make_unit(kind="commune") for _ in range(4)]
    make_inspection(unit=units[0], status=InspectionStatus.APPROVED, score_percent=10.0)
    db.session.flush()
    selection, drawn = draw_units("weighted", units, 3, seed=99)
    assert selection["inputs"]["weights"][units[0].code] == 100
    assert [u.code for u in drawn] == draws.replay(selection)
    with pytest.raises(PlanError):
        draw_units("uniform", units, 11, seed=1)
