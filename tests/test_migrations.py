"""The migrations build the schema of the models from an empty database, on
SQLite and on PostgreSQL, and take it all away again."""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db
from server.services.reporting import totals as dashboard_totals


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


def test_upgrade_fills_the_dashboard_totals_from_the_rows_already_there(tmp_path, empty_database_uri):
    app = _fresh_app(tmp_path, empty_database_uri)
    now = datetime(2026, 10, 1, 3, tzinfo=timezone.utc)
    with app.app_context():
        upgrade(revision="e7995fe311db")
        tables = sa.MetaData()
        tables.reflect(db.engine)
        rows = {
            "units": [{"id": 1, "code": "00004", "name": "Phường Ba Đình", "name_folded": "phuong ba dinh",
                       "kind": "ward", "created_at": now}],
            "checklists": [{"id": 1, "key": "mot-cua", "created_at": now}],
            "checklist_versions": [{"id": 1, "checklist_id": 1, "number": 1, "content_hash": "0" * 64,
                                    "definition": {}, "published_at": now}],
            "inspections": [
                {"id": n, "uuid": f"00000000-0000-4000-8000-00000000000{n}", "checklist_version_id": 1, "unit_id": 1,
                 "unit_code_snapshot": "00004", "unit_name_snapshot": "Phường Ba Đình", "kind": kind,
                 "status": status, "revision": 0, "created_at": now, "updated_at": now,
                 "window_start": date(2026, 10, n), "window_end": date(2026, 10, n + 3), "submitted_at": now,
                 "score_percent": score} for n, kind, status, score in (
                    (1, "announced", "concluded", 60.0), (2, "unannounced", "approved", 80.0),
                    (3, "announced", "planned", None))],
            "failed_items": [{"inspection_id": n, "item_key": "bien-hieu", "section_key": "chung", "unit_id": 1,
                              "checklist_version_id": 1, "window_start": date(2026, 10, n), "is_repeat": n == 2}
                             for n in (1, 2)],
            "remediation_actions": [{"inspection_id": 1, "unit_id": 1, "title": "Biển hiệu", "item_keys": [],
                                     "finding_snapshot": [], "severity": "major", "priority": "normal",
                                     "deadline": date(2026, 10, 20), "status": status, "created_at": now,
                                     "closed_at": now if status == "closed" else None}
                                    for status in ("open", "closed")],
        }
        with db.engine.begin() as conn:
            for name, values in rows.items():
                conn.execute(tables.tables[name].insert(), values)
        upgrade()
        filled = {t.table.name: _rows(db.session.execute(sa.select(*(t.table.c[c] for c in (*t.keys, *t.measures)))))
                  for t in dashboard_totals.ALL}
        summed = {t.table.name: _rows(db.session.execute(t.rows())) for t in dashboard_totals.ALL}
        db.session.remove()
        db.engine.dispose()
    assert filled == summed
    assert all(filled.values())


def _rows(result) -> list[tuple]:
    return sorted((tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in result), key=repr)


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
