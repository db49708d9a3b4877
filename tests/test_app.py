"""The application factory, configuration and health check."""
import os

from server import create_app


def test_healthz_answers_ok_after_checking_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
        # A folder that does not exist: SQLite cannot open the file.
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}",
    })
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


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


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    from server.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


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


