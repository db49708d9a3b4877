"""Unannounced secrecy: with an embargoed inspection in the database, nothing a unit
officer can reach reveals it — until check-in, after which the normal rules apply.

The walk covers every GET route in app.url_map (so routes others add later are
covered too), filling URL parameters with the embargoed inspection's and
plan's identifiers as well as visible ones, plus a search query.
"""
import itertools
import uuid as uuidlib

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Inspection
from server.models.types import utcnow
from tests.portal_world import SECRET_PLACE, SECRET_TITLE, build_world

SKIP = {"static"}


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def candidate_values(world) -> dict:
    sides = (world["own"], world["other"])
    ints = sorted({i for s in sides for i in s.ids} | {s.embargoed_id for s in sides}
                  | {s.embargoed_plan_id for s in sides})
    uuids = [v for s in sides for v in (s.embargoed_uuid, s.embargoed_evidence, s.concluded_uuid, s.notice_uuid)]
    return {"int": ints, "uuid": uuids, "str": uuids + [str(i) for i in ints],
            "embargoed_ids": {s.embargoed_id for s in sides}, "embargoed_plan_ids": {s.embargoed_plan_id for s in sides}}


CONTROLS: dict[str, str] = {}  # URL naming an embargoed inspection or plan by id -> the same for a missing one


def urls(app, world) -> list[str]:
    values = candidate_values(world)
    found = []
    CONTROLS.clear()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        choices = []
        for arg in sorted(rule.arguments):
            converter = type(rule._converters[arg]).__name__
            if converter == "AnyConverter":
                choices.append(list(rule._converters[arg].items) if hasattr(rule._converters[arg], "items")
                               else _any_values(rule, arg))
            elif converter == "IntegerConverter":
                choices.append(values["int"])
            elif converter == "UUIDConverter":
                choices.append(values["uuid"])
            else:
                choices.append(values["str"])
        for combo in itertools.product(*choices):
            args = dict(zip(sorted(rule.arguments), combo, strict=True))
            url = rule.build(args, append_unknown=False)[1]
            found.append(url)
            # The same route for a nonexistent inspection or plan, to compare answers with.
            embargoed = {"inspection_id": values["embargoed_ids"], "plan_id": values["embargoed_plan_ids"]}
            if any(args.get(name) in ids for name, ids in embargoed.items()):
                control = {k: (999_999 if k in embargoed and v in embargoed[k] else v) for k, v in args.items()}
                CONTROLS[url] = rule.build(control, append_unknown=False)[1]
            if not rule.arguments:
                found.append(url + "?q=BIMATXQZ&search=BIMATXQZ&status=planned&kind=unannounced")
    return found


def _any_values(rule, arg) -> list[str]:
    converter = rule._converters[arg]
    # werkzeug's AnyConverter keeps its choices in its regex: (?:a|b|c)
    inner = converter.regex.split("(?:", 1)[-1].rstrip(")")
    return [v.replace("\\", "") for v in inner.split("|")]


def walk(client, app, world, only: str = "") -> dict[str, str]:
    """GET every URL (starting with `only`); the bodies as text (binary answers such as PDFs decoded leniently)."""
    bodies, statuses = {}, {}
    for url in urls(app, world):
        if not url.startswith(only):
            continue
        with client.get(url) as response:
            bodies[url] = response.get_data().decode("utf-8", errors="replace")
            statuses[url] = response.status_code
    assert [url for url, code in statuses.items() if code >= 500] == []
    walk.statuses = statuses
    return bodies


def secrets_of(side, *, unit_name: bool) -> list[str]:
    found = [side.embargoed_uuid, side.embargoed_evidence, SECRET_TITLE, SECRET_PLACE]
    return found + ([side.unit_name] if unit_name else [])


@pytest.mark.parametrize("who", ["officer", "other_officer"])
def test_no_route_a_unit_officer_reaches_reveals_an_embargoed_inspection(app, client, auth, world, who):
    auth.login(who)
    secrets = secrets_of(world["own"], unit_name=who == "other_officer")
    secrets += secrets_of(world["other"], unit_name=who == "officer")
    bodies = walk(client, app, world)
    assert len(bodies) > 40  # the walk did reach the routes
    # (An identifier the URL itself carries may be echoed back, e.g. in the language form's return path.)
    leaks = [(url, s) for url, body in bodies.items() for s in secrets if s in body and s not in url]
    assert leaks == []
    # Addressed by its identifier, an embargoed inspection (or its photo) answers exactly as an
    # identifier that exists nowhere, whatever the format (a PDF's compressed text would hide a
    # leak from the search above).
    hidden = [s for side in (world["own"], world["other"]) for s in (side.embargoed_uuid, side.embargoed_evidence)]
    differ = []
    for url, code in walk.statuses.items():
        for h in hidden:
            if h in url:
                with client.get(url.replace(h, str(uuidlib.uuid4()))) as control:
                    if control.status_code != code:
                        differ.append((url, code, control.status_code))
    for url, control_url in CONTROLS.items():
        with client.get(control_url) as control:
            if control.status_code != walk.statuses[url]:
                differ.append((url, walk.statuses[url], control.status_code))
    assert differ == []


def test_after_check_in_the_normal_rules_apply_to_the_units_officer(app, client, auth, world):
    own, other = world["own"], world["other"]
    auth.login("officer")
    assert own.embargoed_uuid not in client.get("/api/inspections").get_data(as_text=True)
    with app.app_context():
        db.session.get(Inspection, own.embargoed_id).checked_in_at = utcnow()
        db.session.commit()
    listing = client.get("/api/inspections").get_data(as_text=True)
    assert own.embargoed_uuid in listing  # their unit's checked-in inspection is now theirs to know
    assert other.embargoed_uuid not in listing
    home = client.get("/").get_data(as_text=True)
    assert own.unit_name in home
    # Its results still wait for the conclusion; other units' embargoes still hold.
    assert client.get(f"/portal/inspections/{own.embargoed_uuid}").status_code == 403
    assert client.get(f"/portal/inspections/{other.embargoed_uuid}").status_code == 404


def test_the_staff_still_see_the_embargoed_inspection(client, auth, world):
    auth.login("lead")
    assert world["own"].embargoed_uuid in client.get("/api/inspections").get_data(as_text=True)


def test_the_walk_would_catch_a_leak(app, client, auth, world):
    """The check is not vacuous: a page that names the embargoed plan is caught."""
    auth.login("officer")
    with app.app_context():
        from server.models import Notification, User

        officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
        db.session.add(Notification(user_id=officer.id, kind="test", title=SECRET_TITLE))
        db.session.commit()
    bodies = walk(client, app, world, only="/notifications")
    assert any(SECRET_TITLE in body for body in bodies.values())
