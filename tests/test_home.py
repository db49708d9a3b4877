"""The home page lists what each role may see, today's first."""
from datetime import date, timedelta

import pytest

from server.extensions import db
from server.models import InspectionKind, Role
from tests.factories import make_inspection, make_team, make_unit, make_user


@pytest.fixture
def seeded(app):
    with app.app_context():
        unit = make_unit(name="Trung tâm Phục vụ hành chính công phường Ba Đình")
        team = make_team()
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        make_user(Role.LEAD, username="lead", team=team)
        make_inspection(unit=make_unit(name="Phường Tương Lai"), team=team,
                        start=date.today() + timedelta(days=10))
        make_inspection(unit=unit, team=team, kind=InspectionKind.ANNOUNCED)
        make_inspection(unit=make_unit(name="Phường Bí Mật"), team=team, kind=InspectionKind.UNANNOUNCED)
        make_inspection(unit=unit, team=team, kind=InspectionKind.UNANNOUNCED,
                        start=date.today() + timedelta(days=1))
        db.session.commit()


def test_inspector_sees_todays_inspections_first_including_surprise_ones(client, auth, seeded):
    auth.login("insp")
    page = client.get("/").get_data(as_text=True)
    assert page.index("Ba Đình") < page.index("Phường Tương Lai")
    assert "Phường Bí Mật" in page
    assert "Kiểm tra đột xuất" in page


def test_unit_officer_never_sees_an_unannounced_inspection_before_check_in(client, auth, seeded):
    auth.login("officer")
    page = client.get("/").get_data(as_text=True)
    assert page.count("Ba Đình") == 1  # the announced one only
    assert "Kiểm tra đột xuất" not in page
    assert "Bí Mật" not in page
    api = client.get("/api/inspections").get_json()
    assert [i["kind"] for i in api] == ["announced"]


def test_lead_sees_counts_by_status(client, auth, seeded):
    auth.login("lead")
    page = client.get("/").get_data(as_text=True)
    assert "Đã lên lịch" in page


def test_home_in_english(client, auth, seeded):
    auth.login("insp")
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "Surprise inspection" in page and "Today" in page
