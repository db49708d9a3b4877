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
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from server.extensions import db
from server.models import Inspection
from server.models.types import utcnow
from tests.portal_world import SECRET_PLACE, SECRET_TITLE, build_world
from tests.states_world import STAFF, Case, build_states_world, expected_view

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
            converter = rule._converters[arg]
            if isinstance(converter, AnyConverter):
                choices.append(list(converter.items) if hasattr(converter, "items") else _any_values(rule, arg))
            elif isinstance(converter, IntegerConverter):
                choices.append(values["int"])
            elif isinstance(converter, UUIDConverter):
                choices.append(values["uuid"])
            else:
                choices.append(values["str"])
        for combo in combinations(rule, sorted(rule.arguments), choices):
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


def combinations(rule, names: list[str], choices: list[list]):
    """The argument values to fill a route with: every value of every argument at least once.

    Fixed choices (an any(...) converter: an evidence file's variant, a download's
    format) are crossed with everything else. Arguments filled from the world's
    identifiers are paired in order instead (the shorter list cycled): the world's
    ids and uuids name inspections, plans and files, so crossing two of them
    (a checklist key with a version number, say) only names, hundreds of times over,
    something that exists nowhere, and answers the same "not found" each time.
    """
    fixed = [i for i, name in enumerate(names) if isinstance(rule._converters[name], AnyConverter)]
    free = [i for i in range(len(names)) if i not in fixed]
    if len(free) <= 1 or not all(choices[i] for i in free):
        yield from itertools.product(*choices)
        return
    for n in range(max(len(choices[i]) for i in free)):
        paired = {i: choices[i][n % len(choices[i])] for i in free}
        for values in itertools.product(*(choices[i] for i in fixed)):
            chosen = paired | dict(zip(fixed, values, strict=True))
            yield tuple(chosen[i] for i in range(len(names)))


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


def test_the_walk_fills_every_argument_with_each_of_its_values():
    """Identifiers paired (each value at least once), fixed choices crossed with every pairing."""
    from werkzeug.routing import Map, Rule

    rule = Rule("/c/<key>/v<int:number>.<any(yaml, xlsx):kind>")
    Map([rule])
    names = sorted(rule.arguments)  # key, kind, number
    combos = list(combinations(rule, names, [["a", "b", "c"], ["yaml", "xlsx"], [1, 2]]))
    assert combos == [("a", "yaml", 1), ("a", "xlsx", 1), ("b", "yaml", 2), ("b", "xlsx", 2),
                      ("c", "yaml", 1), ("c", "xlsx", 1)]
    single = Rule("/e/<uuid:uuid>/<any(display, thumb):variant>")
    Map([single])
    assert len(list(combinations(single, sorted(single.arguments), [["u1", "u2"], ["display", "thumb"]]))) == 4


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



# --- Field by field: what each role receives of an inspection in each state ---------------------

# Keys naming an inspection's results or what they are made of. Matched as parts of a
# key, so a field added later ("section_scores", "answer_count") is covered too.
RESULT_WORDS = ("score", "percent", "maximum", "result", "band", "answer", "finding", "evidence", "photo",
                "signature", "attendee", "comment", "review")
# Routes that describe the API or the app's texts: no inspection data in them.
NOT_DATA = {"static", "api-docs.openapi_json", "fieldapp.catalogue", "fieldapp.manifest", "fieldapp.service_worker"}


def is_result_key(key: str) -> bool:
    return any(word in key.lower() for word in RESULT_WORDS)


@pytest.fixture
def states(app):
    with app.app_context():
        return build_states_world()


def state_urls(app, cases, endpoints=None) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET route (or those of `endpoints`), its arguments filled
    with every case's identifiers; routes without arguments also with a query filtering
    for what is secret. Not the PDFs: each prints its page (same template, same data),
    walked as HTML, where a leak can be searched for."""
    ints = sorted({c.id for c in cases} | {c.action_id for c in cases if c.action_id})
    inspection_uuids = [c.uuid for c in cases]
    evidence_uuids = [c.evidence_uuid for c in cases]

    def values(rule, name):
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            return _any_values(rule, name)[:1]
        if isinstance(converter, IntegerConverter):
            return ints
        return inspection_uuids + (evidence_uuids if isinstance(converter, UUIDConverter) else [])

    found = []
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint in NOT_DATA or rule.rule.endswith(".pdf")
                or (endpoints is not None and rule.endpoint not in endpoints)):
            continue
        names = sorted(rule.arguments)
        choices = [values(rule, name) for name in names]
        for combo in combinations(rule, names, choices):
            url = rule.build(dict(zip(names, combo, strict=True)), append_unknown=False)[1]
            found.append((rule.endpoint, url))
            if not names:
                found.append((rule.endpoint, url + "?status=submitted&kind=unannounced&overdue=true"))
    return found


def received(client, app, cases, endpoints=None) -> list[tuple[str, str, int, str, object]]:
    """(endpoint, url, status, body text, parsed JSON or None) of every URL of state_urls."""
    answers = []
    for endpoint, url in state_urls(app, cases, endpoints):
        with client.get(url) as response:
            text = response.get_data().decode("utf-8", errors="replace")
            answers.append((endpoint, url, response.status_code, text,
                            response.get_json() if response.is_json else None))
    assert [(url, status) for _, url, status, _, _ in answers if status >= 500] == []
    return answers


def fields_by_case(data, cases_by_uuid: dict, owner=None, found=None) -> dict:
    """{case uuid or None: keys received about it}: an object naming an inspection by `uuid`
    or `inspection_uuid` is about it, and so is everything inside it; a detail URL's whole
    answer is about the inspection the URL names (passed as `owner`)."""
    found = {} if found is None else found
    if isinstance(data, dict):
        named = cases_by_uuid.get(data.get("uuid")) or cases_by_uuid.get(data.get("inspection_uuid"))
        owner = named.uuid if named else owner
        found.setdefault(owner, set()).update(data)
        for value in data.values():
            fields_by_case(value, cases_by_uuid, owner, found)
    elif isinstance(data, list):
        for value in data:
            fields_by_case(value, cases_by_uuid, owner, found)
    return found


def field_table(answers, cases) -> dict[tuple[str, str | None], set[str]]:
    """{(endpoint, case uuid or None): every key received about that case on that route}.
    An error answer is about no case, whatever its URL names."""
    cases_by_uuid = {c.uuid: c for c in cases}
    table: dict = {}
    for endpoint, url, status, _, data in answers:
        if data is None:
            continue
        named = next((uuid for uuid in cases_by_uuid if uuid in url), None) if status < 400 else None
        for case_uuid, keys in fields_by_case(data, cases_by_uuid, owner=named).items():
            table.setdefault((endpoint, case_uuid), set()).update(keys)
    return table


def wrong_fields(who: str, table: dict, lead_table: dict, cases) -> list[tuple]:
    """The fields `who` received and should not have (or, staff, lacks) compared with the lead."""
    view = {c.uuid: expected_view(who, c) for c in cases}
    wrong = []
    for (endpoint, case_uuid), keys in table.items():
        if case_uuid is None:
            # About no inspection in particular (an error, the user): results only for those who see all.
            if who not in STAFF:
                wrong += [(who, endpoint, None, key) for key in keys if is_result_key(key)]
            continue
        lead_keys = lead_table.get((endpoint, case_uuid), set())
        allowed = {"none": set(), "outline": {k for k in lead_keys if not is_result_key(k)},
                   "full": lead_keys}[view[case_uuid]]
        wrong += [(who, endpoint, view[case_uuid], key) for key in sorted(keys - allowed)]
    if who in STAFF:  # the staff see what the lead sees, field for field
        wrong += [(who, endpoint, "missing", key) for (endpoint, case_uuid), keys in lead_table.items()
                  for key in sorted(keys - table.get((endpoint, case_uuid), set()))]
    return wrong


def test_each_role_receives_of_each_inspection_only_the_fields_its_state_allows(app, client, auth, states):
    """Across every JSON answer, for an inspection in each state, announced and unannounced:
    no field about one the role may not know of; of one it may know of but not read (its
    unit's, before the conclusion), no result, score, answer, finding or evidence field,
    anywhere; of one it may read, no field the lead does not receive (the staff: the same)."""
    auth.login("lead")  # sees every case in full: the yardstick
    lead_answers = received(client, app, states)
    lead_table = field_table(lead_answers, states)
    json_routes = {endpoint for endpoint, _, _, _, data in lead_answers if data is not None}
    assert {"inspections.InspectionList", "fieldapp_api.InspectionDetail", "actions_api.ActionList",
            "exports_api.ExportedInspections"} <= json_routes  # the walk reached the API
    wrong, named = [], []
    for who in ["admin", "viewer", "inspector", "outsider", "officer", "other_officer"]:
        auth.logout()
        auth.login(who)
        answers = received(client, app, states, json_routes)
        wrong += wrong_fields(who, field_table(answers, states), lead_table, states)
        # Nor is an inspection the role may not know of named in any JSON answer.
        named += [(who, url, c.state, c.kind, c.side) for c in states if expected_view(who, c) == "none"
                  for _, url, _, text, data in answers if data is not None and c.uuid in text and c.uuid not in url]
    assert wrong == []
    assert named == []


@pytest.mark.parametrize("who", ["officer", "other_officer"])
def test_a_unit_officer_lists_their_units_inspections_with_results_once_concluded(client, auth, states, who):
    auth.login(who)
    listed = {row["uuid"]: row for row in client.get("/api/inspections").get_json()}
    expected = {c.uuid: expected_view(who, c) for c in states if expected_view(who, c) != "none"}
    assert set(listed) == set(expected)
    for uuid, view in expected.items():
        row = listed[uuid]
        assert {"uuid", "status", "unit_name", "window_start"} <= row.keys()
        assert ("score_percent" in row and "result" in row) is (view == "full"), (uuid, row)
    assert any(listed[uuid]["result"] == "fail" for uuid, view in expected.items() if view == "full")


@pytest.mark.parametrize("who", ["officer", "other_officer"])
def test_no_page_or_file_shows_a_unit_officer_results_before_the_conclusion(app, client, auth, states, who):
    """What the API hides the pages and CSVs hide too: the findings, answer notes and photos
    of an inspection the officer may not read appear nowhere; those of a concluded one do."""
    auth.login(who)
    answers = received(client, app, states)
    shown = [(url, c.marker) for c in states if expected_view(who, c) != "full"
             for _, url, _, text, _ in answers
             if c.marker in text or (c.evidence_uuid in text and c.evidence_uuid not in url)]
    assert shown == []
    concluded = [c for c in states if expected_view(who, c) == "full"]
    assert concluded and all(any(c.marker in text for *_, text, _ in answers) for c in concluded)


def test_the_field_comparison_would_catch_a_result_field_added_later():
    """Not vacuous: a new field about an inspection its unit may only outline is caught."""
    case = Case("own", "announced", "submitted", uuid="u1")
    lead = {("inspections.InspectionList", "u1"): {"uuid", "status", "section_scores"}}
    assert wrong_fields("officer", lead, lead, [case]) == [
        ("officer", "inspections.InspectionList", "outline", "section_scores")]
    assert wrong_fields("viewer", {}, lead, [case]) == [
        ("viewer", "inspections.InspectionList", "missing", key) for key in ["section_scores", "status", "uuid"]]
