"""The application factory, configuration and health check."""

import pytest
from sqlalchemy.exc import IntegrityError

from server import create_app
from server.extensions import db
from server.models import UnitLocation


def test_healthz_answers_ok_after_checking_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


UNREACHABLE = {
    # A folder that does not exist: SQLite cannot open the file.
    "sqlite": "sqlite:///{tmp}/missing/db.sqlite",
    # No server listens on a socket in a folder that does not exist.
    "postgresql": "postgresql+psycopg://kiemtra@/kiemtra?host={tmp}/missing",
}


@pytest.mark.parametrize("backend", UNREACHABLE)
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, backend):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
        "SQLALCHEMY_DATABASE_URI": UNREACHABLE[backend].format(tmp=tmp_path),
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"
    with app.app_context():
        db.engine.dispose()


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app()
    second = create_app()
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'kiemtra.db'}"


def test_environment_variables_override_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("KIEMTRA_CHECKIN_RADIUS_M", "500")
    monkeypatch.setenv("KIEMTRA_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'other.db'}")
    app = create_app()
    assert app.config["CHECKIN_RADIUS_M"] == 500
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("POOR_ACCURACY_M = 42\n")
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(inst))
    assert create_app().config["POOR_ACCURACY_M"] == 42


def test_a_postgresql_uri_from_the_environment_selects_postgresql_through_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("KIEMTRA_SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://kiemtra:secret@db.example/kiemtra")
    app = create_app()
    with app.app_context():
        assert (db.engine.dialect.name, db.engine.dialect.driver) == ("postgresql", "psycopg")


def test_a_postgresql_uri_in_the_instance_config_selects_postgresql(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text('SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://kiemtra@/kiemtra"\n')
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(inst))
    with create_app().app_context():
        assert db.engine.dialect.name == "postgresql"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.db'}",
    })
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_a_row_pointing_at_a_missing_parent_is_refused_by_the_database(ctx):
    db.session.add(UnitLocation(unit_id=999_999, lat=21.0, lon=105.8))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_unknown_page_gets_a_translated_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["info"]["title"] == "KiemTra API"
    assert "/api/inspections" in doc["paths"]




def test_text_the_database_cannot_store_is_a_422_not_a_500(app, client, auth):
    """PostgreSQL refuses NUL bytes and over-long strings; SQLite stores them. Either way no 500."""
    from server.extensions import db
    from server.models import Role
    from tests.factories import make_inspection, make_team, make_user

    with app.app_context():
        team = make_team()
        make_user(Role.INSPECTOR, username="nul", team=team)
        uuid = make_inspection(team=team).uuid
        db.session.commit()
    auth.login("nul")
    body = {"submission_uuid": "7d4f1b1e-8c52-4a43-9a0e-3c2b8e1f0a11",
            "answers": [{"item_key": "ghi-chu", "value": "bad\x00byte"}],
            "attendees": [{"side": "team", "name": "x" * 255, "position": "y\x00"}]}
    response = client.post(f"/api/inspections/{uuid}/submission", json=body)
    assert response.status_code in (201, 422)
    if response.status_code == 422:
        assert response.get_json()["message"]
