"""The kiemtra command: users, checklists and demo data."""
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from server.extensions import db
from server.models import Checklist, ChecklistVersion, Inspection, Team, Unit, User
from tests.factories import make_unit

CHECKLISTS = Path(__file__).resolve().parent.parent / "checklists"


def test_users_create_with_generated_password_prints_it_and_it_works(app, runner, client, auth):
    result = runner.invoke(args=["users", "create", "lan", "--role", "inspector", "--team", "Đoàn 1",
                                 "--generate-password"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "lan"))
        assert [t.name for t in user.teams] == ["Đoàn 1"]
    assert auth.login("lan", password).status_code == 302


def test_users_create_asks_for_the_password(app, runner):
    result = runner.invoke(args=["users", "create", "hoa", "--role", "viewer"], input="secret-pass\nsecret-pass\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "hoa")).check_password("secret-pass")


def test_unit_officer_needs_an_existing_unit(app, runner):
    result = runner.invoke(args=["users", "create", "cb", "--role", "unit_officer", "--generate-password"])
    assert result.exit_code != 0 and "unit" in result.output.lower()
    result = runner.invoke(args=["users", "create", "cb", "--role", "unit_officer", "--unit", "99999",
                                 "--generate-password"])
    assert result.exit_code != 0 and "99999" in result.output
    with app.app_context():
        make_unit(code="00004")
        db.session.commit()
    result = runner.invoke(args=["users", "create", "cb", "--role", "unit_officer", "--unit", "00004",
                                 "--generate-password"])
    assert result.exit_code == 0, result.output


def test_duplicate_username_is_refused(runner):
    assert runner.invoke(args=["users", "create", "x1", "--role", "viewer", "--generate-password"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "x1", "--role", "viewer", "--generate-password"])
    assert result.exit_code != 0 and "x1" in result.output


def test_shipped_checklists_all_validate(runner):
    result = runner.invoke(args=["checklists", "validate", str(CHECKLISTS)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") >= 4


def test_validate_reports_file_and_path_and_exits_1(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({
        "key": "bad", "title": "Bad",
        "sections": [{"key": "s", "title": "S", "items": [{"key": "a", "type": "stars", "text": "A"}]}],
    }))
    result = runner.invoke(args=["checklists", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: " in result.output and "type" in result.output and "stars" in result.output


def test_importing_the_same_file_twice_creates_no_new_version(app, runner):
    path = str(CHECKLISTS / "sipas-rut-gon.yaml")
    first = runner.invoke(args=["checklists", "import", path])
    second = runner.invoke(args=["checklists", "import", path])
    assert "created (version 1)" in first.output
    assert "unchanged (version 1)" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ChecklistVersion.id))) == 1


def test_a_changed_file_becomes_a_new_version_and_the_old_one_stays(app, runner, tmp_path):
    source = yaml.safe_load((CHECKLISTS / "sipas-rut-gon.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "sipas.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    runner.invoke(args=["checklists", "import", str(path)])
    source["scoring"]["pass_mark"] = 70
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["checklists", "import", str(path)])
    assert "new version 2" in result.output
    with app.app_context():
        checklist = db.session.scalar(sa.select(Checklist).where(Checklist.key == source["key"]))
        assert [v.number for v in checklist.versions] == [1, 2]
        assert checklist.versions[0].definition["scoring"]["pass_mark"] != 70
        assert checklist.current.definition["scoring"]["pass_mark"] == 70


def test_an_invalid_file_imports_nothing_and_exits_1(app, runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: bad\ntitle: Bad\nsections: []\n")
    good = CHECKLISTS / "sipas-rut-gon.yaml"
    result = runner.invoke(args=["checklists", "import", str(bad), str(good)])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalars(sa.select(Checklist.key)).all() == ["sipas-rut-gon"]


def test_demo_loads_once_and_reset_rebuilds(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "kiemtra-demo" in result.output
    again = runner.invoke(args=["demo"])
    assert "already has data" in again.output
    with app.app_context():
        kinds = sorted(i.kind for i in db.session.scalars(sa.select(Inspection).where(Inspection.status == "planned")))
        assert kinds == ["announced", "unannounced"]
        assert db.session.scalar(sa.select(sa.func.count(Team.id))) == 1
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == {"admin", "lead", "inspector", "unit_officer", "viewer"}
        assert all(u.locations for u in db.session.scalars(sa.select(Unit).where(Unit.kind != "province")))
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 7


def test_demo_officer_of_the_surprise_unit_sees_nothing_but_the_team_sees_both(app, runner, client, auth):
    runner.invoke(args=["demo"])
    auth.login("officer2", "kiemtra-demo")
    assert client.get("/api/inspections").get_json() == []
    auth.logout()
    auth.login("inspector", "kiemtra-demo")
    planned = [i["kind"] for i in client.get("/api/inspections").get_json() if i["status"] == "planned"]
    assert sorted(planned) == ["announced", "unannounced"]


def test_demo_officer_sees_the_published_notice_of_the_announced_inspection(app, runner, client, auth):
    runner.invoke(args=["demo"])
    auth.login("officer", "kiemtra-demo")
    listed = [i for i in client.get("/api/inspections").get_json() if i["status"] == "planned"]
    assert [i["kind"] for i in listed] == ["announced"]
    page = client.get(f"/portal/notices/{listed[0]['uuid']}")
    assert page.status_code == 200
    assert "Trụ sở Trung tâm Phục vụ hành chính công phường Ba Đình" in page.get_data(as_text=True)


@pytest.mark.parametrize("password", ["short1", "password123", "lan.nguyen2026"])
def test_a_user_created_from_the_command_line_gets_the_same_password_rules_as_my_account(app, runner, password):
    result = runner.invoke(args=["users", "create", "lan.nguyen", "--role", "admin", "--password", password])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Mật khẩu") and "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "lan.nguyen")) is None
