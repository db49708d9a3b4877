"""The migrations build the schema of the models from an empty database, on
SQLite and on PostgreSQL, and take it all away again."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db


def _fresh_app(tmp_path, uri):
    return create_app({
        "TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "inst"),
        "SQLALCHEMY_DATABASE_URI": uri,
    })


def test_upgrade_from_empty_database_matches_the_models(tmp_path, empty_database_uri):
    app = _fresh_app(tmp_path, empty_database_uri)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_downgrade_to_base_removes_every_table(tmp_path, empty_database_uri):
    app = _fresh_app(tmp_path, empty_database_uri)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert tables <= {"alembic_version"}


def test_upgrade_folds_the_names_of_units_already_there(tmp_path, empty_database_uri):
    app = _fresh_app(tmp_path, empty_database_uri)
    with app.app_context():
        upgrade(revision="c193c79c11fc")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO units (code, name, kind, created_at) "
                "VALUES ('00004', 'Phường Ba Đình', 'ward', '2025-07-01 00:00:00')"
            ))
        upgrade()
        with db.engine.connect() as conn:
            folded = conn.scalar(sa.text("SELECT name_folded FROM units WHERE code = '00004'"))
        db.engine.dispose()
    assert folded == "phuong ba dinh"


def test_db_upgrade_command_migrates_the_database_named_by_the_environment(tmp_path, monkeypatch, empty_database_uri):
    monkeypatch.setenv("KIEMTRA_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("KIEMTRA_SQLALCHEMY_DATABASE_URI", empty_database_uri)
    app = create_app()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"alembic_version", "units", "inspections", "findings", "evidence_files"} <= tables
