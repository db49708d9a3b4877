"""An action made from a failed checklist item is titled in the reader's language."""
import pytest

from server.extensions import db
from server.models import Role, User
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_action


@pytest.fixture
def actions(app):
    with app.app_context():
        unit = make_unit(name="Phường Tiêu Đề")
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        from_item = make_action(unit=unit, team=team, title="Biển hiệu")  # as the conclusion titles it
        written = make_action(unit=unit, team=team, title="Cửa kính bị vỡ")  # titled otherwise: kept
        db.session.commit()
        return from_item.id, written.id


@pytest.mark.parametrize("locale, expected, absent", [("en", "Signage", "Biển hiệu"), ("vi", "Biển hiệu", "Signage")])
def test_an_action_from_a_checklist_item_is_titled_in_the_readers_language(
        app, client, auth, actions, locale, expected, absent):
    from_item, written = actions
    with app.app_context():
        db.session.query(User).filter_by(username="officer").update({"locale": locale})
        db.session.commit()
    auth.login("officer")
    page = client.get(f"/actions/{from_item}").get_data(as_text=True)
    assert f"<h1>{expected}</h1>" in page and absent not in page
    listing = client.get("/portal/actions").get_data(as_text=True)
    assert expected in listing and absent not in listing
    assert "<h1>Cửa kính bị vỡ</h1>" in client.get(f"/actions/{written}").get_data(as_text=True)


def test_the_api_gives_the_action_title_in_the_callers_language(app, client, auth, actions):
    from_item, _written = actions
    with app.app_context():
        db.session.query(User).filter_by(username="officer").update({"locale": "en"})
        db.session.commit()
    auth.login("officer")
    assert client.get(f"/api/actions/{from_item}").get_json()["title"] == "Signage"
    assert {a["id"]: a["title"] for a in client.get("/api/actions").get_json()}[from_item] == "Signage"
