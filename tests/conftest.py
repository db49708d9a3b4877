"""Fixtures in the flaskr style: an app with a temporary instance folder,
a client, a CLI runner and a login helper.

Every test that uses the app runs on SQLite and, when KIEMTRA_TEST_POSTGRES=1,
also on a PostgreSQL server the run starts itself (tests/pg.py): the test ids
say which, e.g. `test_x[sqlite]`, `test_x[postgresql]`. The schema is created
once per run on each: SQLite tests get a copy of a database file made at the
start, PostgreSQL tests share one database whose tables are emptied after each.
"""
from __future__ import annotations

import os
import shutil
import signal

import jinja2
import pytest
import sqlalchemy as sa

from werkzeug.routing.rules import Rule

from server import create_app
from server.extensions import db
from tests.pg import PostgresServer

BACKENDS = ["sqlite", "postgresql"] if os.environ.get("KIEMTRA_TEST_POSTGRES") == "1" else ["sqlite"]


@pytest.fixture(scope="session")
def postgres():
    """The PostgreSQL server of this run, started on first use, stopped at the end."""
    # A SIGTERM (a CI timeout, say) interrupts the run like Ctrl-C, so the
    # server is stopped and its folder deleted; a SIGKILL only stops it.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with PostgresServer() as server:
            yield server
    finally:
        if signal.getsignal(signal.SIGTERM) is signal.default_int_handler:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


class PostgresTestDatabase:
    """One database with the models' schema, emptied between tests."""

    def __init__(self, server: PostgresServer, name: str = "kiemtra_test"):
        self.uri = server.create_database(name)
        self.engine = sa.create_engine(self.uri)
        db.metadata.create_all(self.engine)
        quote = self.engine.dialect.identifier_preparer.format_table
        with self.engine.connect() as conn:
            sequences = conn.scalars(sa.text("SELECT sequencename FROM pg_sequences")).all()
        # DELETE and setval take milliseconds where TRUNCATE … RESTART IDENTITY
        # takes ~200 ms (it makes new files for every table and index).
        self._empty = [f"DELETE FROM {quote(table)}" for table in db.metadata.sorted_tables]
        if sequences:
            self._empty.append("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences))

    def empty(self) -> None:
        with self.engine.begin() as conn:
            # A test that leaves a transaction open would make the deletes wait forever.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
            # Foreign-key triggers off: the order of the deletes does not matter.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("; ".join(self._empty))

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture(scope="session")
def postgres_test_database(postgres):
    database = PostgresTestDatabase(postgres)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file with the schema, copied for each test (faster than create_all)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "schema.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    db.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def database_uri(request, tmp_path):
    """The URI of an empty database with the schema, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    database = request.getfixturevalue("postgres_test_database")
    yield database.uri
    database.empty()


@pytest.fixture(params=BACKENDS)
def empty_database_uri(request, tmp_path):
    """The URI of a database without any table (for migrations), on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres")
    name = f"empty_{os.getpid()}_{id(tmp_path):x}"
    yield server.create_database(name)
    server.drop_database(name)


class SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled templates, kept for the whole run and shared by every app the tests make.

    Each test makes a new app, whose Jinja environment would otherwise parse and
    compile every template it renders again (tens of milliseconds a template).
    Keyed by template and source checksum, so an edited template is compiled anew.
    """

    def __init__(self):
        self._code = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[(bucket.key, bucket.checksum)] = bucket.code


TEMPLATE_CODE = SharedTemplateCode()


def _share_url_builders() -> None:
    """Every app the tests make compiles the same URL builders again: werkzeug
    generates and compiles Python code for each of the app's ~1,000 rules, two
    builders each, about half of what making an app costs. A builder is a pure
    function of the rule's text, its parsed parts and whether it appends unknown
    arguments (it reads the converters through the rule it is bound to), so one
    compiled per rule is shared by all the apps of a run. Rules with defaults
    (folded into the code at compile time) are compiled as usual."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return
    builders = {}

    def shared(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    shared.shared = True
    Rule._compile_builder = shared


_share_url_builders()


@pytest.fixture
def app(tmp_path, database_uri):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "AUDIT_SEAL_DELAY_S": 0,  # chained at each commit, so tests see it at once
            "DASHBOARD_TOTALS_DELAY_S": 0,  # likewise the dashboard's totals
        }
    )
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with models and services directly."""
    with app.app_context():
        yield


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = "password123"):
        return self._client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
