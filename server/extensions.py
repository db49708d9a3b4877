"""Flask extensions, created bare and bound to the app in init_app()."""
from pathlib import Path

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
api = Api()

MIGRATIONS = Path(__file__).parent / "migrations"


def init_app(app) -> None:
    from .i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    api.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "savepoint", _sqlite_begin_before_savepoint)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while a submission is written; SQLite leaves
    # foreign keys off unless asked on every connection.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Durable at each checkpoint and safe from corruption; the usual WAL pairing.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


@event.listens_for(db.session, "do_orm_execute")
def _sqlite_lock_for_update(state) -> None:
    # SQLite has no row locks and drops FOR UPDATE; Python's sqlite3 would
    # even read outside any transaction. Two submissions of one inspection
    # then both saw it open. A read FOR UPDATE takes the database's write lock
    # instead (BEGIN IMMEDIATE): the second waits, then reads the first's work.
    if not (state.is_select and state.statement._for_update_arg is not None):
        return
    conn = state.session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_before_savepoint(conn, _name) -> None:
    # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE. A
    # SAVEPOINT sent first opens one itself, and releasing it then COMMITs, out
    # of reach of a later rollback: open a real transaction first. IMMEDIATE,
    # since savepoints are taken to write; it waits for another writer
    # (busy_timeout) instead of failing later on a stale snapshot.
    if not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
