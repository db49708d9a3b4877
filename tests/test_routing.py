"""Numbers too large to name any row (a mistyped or hostile URL) are answered
like any unknown record, never with a 500."""
import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.portal_world import build_world

HUGE = 10**30


def id_routes(app) -> list[tuple[str, str]]:
    """(method, URL) of every route with an `<int:…>` part, each such part a number no row can have."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        ids = {name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)}
        if ids:
            url = adapter.build(rule.endpoint, {name: _value(rule._converters.get(name)) for name in rule.arguments})
            routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def _value(converter):
    """A number no row can have for an id; a valid choice for a fixed part (a file format)."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return HUGE


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_an_id_too_large_for_any_row_is_404_on_every_route_with_an_id(app, client, auth, who):
    with app.app_context():
        build_world()
    assert auth.login(who).status_code == 302
    routes = id_routes(app)
    assert len(routes) >= 10
    for method, url in routes:
        assert client.open(url, method=method).status_code == 404, (method, url)


def test_the_exports_listing_far_past_its_last_page_is_empty_and_too_large_ids_are_422(app, client, auth):
    with app.app_context():
        build_world()
    auth.login("admin")
    response = client.get(f"/api/exports/inspections?page={HUGE}")
    assert response.status_code == 200 and response.get_json() == []
    for name in ("plan_id", "checklist_id", "unit_id"):
        response = client.get(f"/api/exports/inspections?{name}={HUGE}")
        assert response.status_code == 422 and name in response.get_json()["errors"]["query"]
