"""Random selection of units for a plan, recorded so that anyone can replay it.

A draw is a pure function of (method, inputs, seed): `replay(selection)`
gives the same units on any machine and Python version, because

- the inputs are canonical: unit codes sorted, strata and weights keyed by code;
- the generator is `random.Random(seed)` with an integer seed, and only its
  integer methods are used (`randrange`, and `sample`, itself built on
  `randbelow`), so no floating-point sum can differ between platforms.

Methods:

- ``uniform``: ``n`` units out of ``units``, all equally likely.
- ``stratified``: ``n`` units out of each stratum (unit kind), strata in
  sorted order; a stratum smaller than ``n`` is taken whole.
- ``weighted``: ``n`` units without replacement, each draw proportional to its
  integer weight. Weights come from past results (see `past_result_weights`):
  a lower past score gives a higher weight.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict

import sqlalchemy as sa

from ...extensions import db
from ...models import Inspection, InspectionStatus

METHODS = ("uniform", "stratified", "weighted")
# Weight of a unit never scored before: as if it had scored 0 %, since nothing
# is known of it. A unit that scored 100 % keeps a weight of 10 (not 0), so
# it can still be drawn.
WEIGHT_FLOOR = 10
DONE = (InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.CONCLUDED)


class DrawError(ValueError):
    """Inputs that cannot make a draw (a user error: show the message)."""


def new_seed() -> int:
    return secrets.randbits(48)


def canonical_inputs(method: str, inputs: dict) -> dict:
    """The inputs in canonical form (sorted, de-duplicated), as stored and replayed."""
    if method not in METHODS:
        raise DrawError(f"unknown draw method {method!r}")
    units = sorted({str(code) for code in inputs.get("units") or ()})
    try:
        n = int(inputs.get("n"))
    except (TypeError, ValueError):
        raise DrawError("n must be a whole number") from None
    if n < 1:
        raise DrawError("n must be at least 1")
    if not units:
        raise DrawError("no units to draw from")
    out: dict = {"units": units, "n": n}
    if method == "stratified":
        strata = inputs.get("strata") or {}
        missing = [c for c in units if c not in strata]
        if missing:
            raise DrawError(f"no stratum for units {missing[:5]}")
        out["strata"] = {c: str(strata[c]) for c in units}
    elif method == "weighted":
        weights = inputs.get("weights") or {}
        try:
            out["weights"] = {c: int(weights[c]) for c in units}
        except KeyError as exc:
            raise DrawError(f"no weight for unit {exc.args[0]}") from None
        if any(w < 1 for w in out["weights"].values()):
            raise DrawError("weights must be whole numbers of at least 1")
    if method != "stratified" and n > len(units):
        raise DrawError(f"cannot draw {n} units out of {len(units)}")
    return out


def draw(method: str, inputs: dict, seed: int | None = None) -> dict:
    """Make a draw: the selection to store in Plan.selection ({method, inputs, seed, drawn})."""
    canonical = canonical_inputs(method, inputs)
    seed = new_seed() if seed is None else int(seed)
    selection = {"method": method, "inputs": canonical, "seed": seed}
    selection["drawn"] = replay(selection)
    return selection


def replay(selection: dict) -> list[str]:
    """The unit codes a stored selection draws, in draw order."""
    method, inputs = selection["method"], canonical_inputs(selection["method"], selection["inputs"])
    rng = random.Random(int(selection["seed"]))
    units, n = inputs["units"], inputs["n"]
    if method == "uniform":
        return rng.sample(units, n)
    if method == "stratified":
        groups: dict[str, list[str]] = defaultdict(list)
        for code in units:  # sorted, so each group is sorted too
            groups[inputs["strata"][code]].append(code)
        drawn: list[str] = []
        for stratum in sorted(groups):
            members = groups[stratum]
            drawn.extend(rng.sample(members, min(n, len(members))))
        return drawn
    # weighted, without replacement
    remaining = list(units)
    weights = [inputs["weights"][c] for c in remaining]
    drawn = []
    for _ in range(n):
        pick = rng.randrange(sum(weights))
        index = 0
        while pick >= weights[index]:
            pick -= weights[index]
            index += 1
        drawn.append(remaining.pop(index))
        weights.pop(index)
    return drawn


def verify(selection: dict) -> bool:
    """Does the stored list of drawn units match a replay of its seed?"""
    return replay(selection) == list(selection.get("drawn") or [])


def past_result_weights(units) -> dict[str, int]:
    """Integer weights by unit code: 110 − the unit's mean past percent (rounded),
    so 0 % → 110 and 100 % → 10; a unit without a scored inspection gets 110."""
    ids = {u.id: u.code for u in units}
    means = dict(db.session.execute(
        sa.select(Inspection.unit_id, sa.func.avg(Inspection.score_percent))
        .where(Inspection.unit_id.in_(list(ids)), Inspection.score_percent.is_not(None),
               Inspection.status.in_(DONE))
        .group_by(Inspection.unit_id)
    ).all()) if ids else {}
    return {code: int(round(100 + WEIGHT_FLOOR - float(means.get(uid) or 0))) for uid, code in ids.items()}


def stratum_by_kind(units) -> dict[str, str]:
    return {u.code: u.kind for u in units}
