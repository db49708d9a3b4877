"""Every registered route, as every role and anonymous, checked against the
permission rules: anonymous reaches only the public routes; no answer is a
5xx; role-level pages answer exactly the roles server/permissions.py allows;
read-only users and other units' officers change nothing by posting."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from server.extensions import db
from server.models import (
    ActionEvent, Answer, Checklist, Conclusion, EvidenceFile, ExtensionRequest, Finding, Inspection, Plan, RemediationAction, ReviewComment, User,
)
from server.permissions import can
from tests.portal_world import ROLES, build_world
from tests.test_secrecy import _any_values, candidate_values

# Routes anyone may reach: sign-in, language, health, the API description, and
# the field app's shell (no user data; the app itself asks for sign-in).
PUBLIC = {"auth.login", "auth.set_language", "health.healthz", "static", "api-docs.openapi_json",
          "fieldapp.shell", "fieldapp.catalogue", "fieldapp.manifest", "fieldapp.service_worker",
          "account.reset_password"}

# Pages whose access depends on the role alone: endpoint -> the permission action.
ROLE_PAGES = {
    "dashboard.index": "dashboard.view",
    "plans.index": "plan.view",
    "plans.new": "plan.manage",
    "exports.index": "export.summary",
    "review.queue": "review.queue",
    "actions.index": "action.list",
    "portal.home": "portal.view",
    "portal.actions": "portal.view",
    "notifications.index": "notification.list",
    "main.home": "inspection.list",
    "plans.unit_search": "plan.manage",
    "admin.home": "admin.view",
    "admin_users.index": "user.manage",
    "admin_users.new": "user.manage",
    "admin_users.import_file": "user.manage",
    "admin_teams.index": "team.manage",
    "account.index": "account.manage",
    "admin_units.index": "unit.manage",
    "admin_units.new": "unit.manage",
    "admin_units.import_page": "unit.manage",
    "admin_settings.index": "settings.manage",
    "admin_audit.index": "audit.view",
    "admin_audit.export_csv": "audit.view",
    "checklists.index": "checklist.view",
    "checklists.template": "checklist.view",
    "checklists.upload": "checklist.upload",
}

# Pages about one plan that only those who may change that plan reach: endpoint -> URL argument.
PLAN_EDIT_PAGES = {"plans.edit": "plan_id", "plans.schedule": "inspection_id"}


@pytest.fixture
def world(app):
    with app.app_context():
        return build_world()


def requests_to_make(app, world) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every route, its arguments filled from the world."""
    values = candidate_values(world)
    found = []
    for rule in app.url_map.iter_rules():
        choices = []
        for arg in sorted(rule.arguments):
            converter = rule._converters[arg]
            if isinstance(converter, AnyConverter):
                choices.append(_any_values(rule, arg)[:1])
            elif isinstance(converter, IntegerConverter):
                choices.append(values["int"][:3])
            elif isinstance(converter, UUIDConverter):
                choices.append(values["uuid"][:3])
            elif arg == "filename":
                choices.append(["css/app.css"])
            else:
                choices.append(values["str"][:2])
        for combo in itertools.product(*choices):
            url = rule.build(dict(zip(sorted(rule.arguments), combo, strict=True)), append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, url, rule.endpoint))
    return found


def call(client, method, url):
    with client.open(url, method=method, data={}) as response:
        response.get_data()
        return response.status_code, response.headers.get("Location", "")


def state(app) -> tuple:
    """The domain data a read-only user's request must leave as it was (views
    and exports may still be logged in the audit trail)."""
    with app.app_context():
        counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                       for model in (Answer, ActionEvent, Conclusion, ExtensionRequest, Finding, Plan,
                                    ReviewComment))
        statuses = tuple(db.session.scalars(sa.select(Inspection.status).order_by(Inspection.id)))
        statuses += (db.session.scalar(sa.select(sa.func.count()).where(EvidenceFile.withdrawn_at.is_not(None))),)
        actions = tuple(db.session.scalars(sa.select(RemediationAction.status).order_by(RemediationAction.id)))
        return counts, statuses, actions


def test_anonymous_reaches_only_the_public_routes(app, client, world):
    for method, url, endpoint in requests_to_make(app, world):
        status, location = call(client, method, url)
        assert status < 500, (method, url)
        if endpoint in PUBLIC:
            continue
        assert status == 401 or (status == 302 and "/login" in location), (method, url, status)


@pytest.mark.parametrize("who", ROLES)
def test_every_route_answers_each_role_within_the_rules(app, client, auth, world, who):
    assert auth.login(who).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == who))
        allowed = {endpoint: can(user, action) for endpoint, action in ROLE_PAGES.items()}
    read_only = who in ("viewer", "other_officer", "outsider")
    for method, url, endpoint in requests_to_make(app, world):
        if endpoint in ("auth.logout", "auth.set_language"):
            continue  # would end or change the session being tested
        before = state(app) if method == "POST" and read_only else None
        status, location = call(client, method, url)
        assert status < 500, (who, method, url)
        if method == "GET" and endpoint in allowed:
            if allowed[endpoint]:
                assert status == 200, (who, url, status)
            else:
                # Refused, or sent to the role's own page (a unit officer's actions are in the portal).
                assert status in (403, 404) or (status == 302 and location.rstrip("/") != url.rstrip("/")), \
                    (who, url, status)
        if before is not None and endpoint != "notifications.mark_read":
            assert state(app) == before, (who, method, url, status)


@pytest.mark.parametrize("who", ROLES)
def test_the_pages_changing_a_plan_answer_exactly_those_who_may_change_it(app, client, auth, world, who):
    """plans.edit and plans.schedule, for every plan and inspection of a plan in the world:
    200 when permissions.can(user, "plan.edit", plan), else refused without saying whether it exists."""
    assert auth.login(who).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == who))
        plans = db.session.scalars(sa.select(Plan)).all()
        expected = {}
        for plan in plans:
            may = can(user, "plan.edit", plan)
            expected[f"/plans/{plan.id}/edit"] = may
            for inspection in plan.inspections:
                expected[f"/inspections/{inspection.id}/schedule"] = may
    assert {rule.endpoint for rule in app.url_map.iter_rules()} >= set(PLAN_EDIT_PAGES)
    assert any(expected.values()) is (who in ("admin", "lead"))
    answers = {url: call(client, "GET", url)[0] for url in expected}
    assert answers == {url: (200 if may else 403) for url, may in expected.items()}
    # A plan or inspection that does not exist: 404 for those who manage plans, 403 for the others.
    missing = 404 if who in ("admin", "lead") else 403
    assert call(client, "GET", "/plans/999999/edit")[0] == missing
    assert call(client, "GET", "/inspections/999999/schedule")[0] == missing


@pytest.mark.parametrize("who", ROLES)
def test_the_checklist_library_pages_answer_exactly_the_roles_allowed(app, client, auth, world, who):
    """Every page about one checklist, with a real key: read by those who may view the library;
    retiring by those who may retire; a checklist or version that does not exist is 404 for readers."""
    assert auth.login(who).status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == who))
        key = db.session.scalar(sa.select(Checklist.key).order_by(Checklist.id).limit(1))
        may_view, may_retire = can(user, "checklist.view"), can(user, "checklist.retire")
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("checklists.")}
    reads = {"checklists.show": f"/checklists/{key}", "checklists.version": f"/checklists/{key}/v1",
             "checklists.diff": f"/checklists/{key}/diff?from=1&to=1",
             "checklists.download": f"/checklists/{key}/v1.xlsx"}
    writes = {"checklists.retire": f"/checklists/{key}/retire", "checklists.reinstate": f"/checklists/{key}/reinstate"}
    # The rest are in ROLE_PAGES, or name an upload of one's own (a draft: 404 to anyone else).
    assert pages == set(reads) | set(writes) | {"checklists.index", "checklists.template", "checklists.upload",
                                                "checklists.draft", "checklists.publish", "checklists.discard"}
    for url in reads.values():
        assert call(client, "GET", url)[0] == (200 if may_view else 403), (who, url)
    assert call(client, "GET", f"/checklists/{key}/v99")[0] == (404 if may_view else 403)
    assert call(client, "GET", "/checklists/no-such-key")[0] == (404 if may_view else 403)
    for url in writes.values():
        assert call(client, "POST", url)[0] == (302 if may_retire else 403), (who, url)
    for url in ("/checklists/drafts/" + "a" * 32, "/checklists/drafts/" + "a" * 32 + "/publish"):
        assert call(client, "GET" if url.endswith("a") else "POST", url)[0] in (403, 404)
