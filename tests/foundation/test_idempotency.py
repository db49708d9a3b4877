"""A duplicate client UUID is refused by a unique constraint, on SQLite and on
PostgreSQL, and insert_once() turns the refusal into the existing row — with
real concurrent connections, not a check before the insert
(server/services/foundation/idempotency.py)."""
from __future__ import annotations

import threading
import time
import uuid as uuidlib

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from server.extensions import db
from server.models import EvidenceFile, Finding, Submission
from server.services.foundation.idempotency import insert_once
from tests.factories import make_inspection

MODELS = [Submission, Finding, EvidenceFile]


def _fields(model) -> dict:
    """Valid fields for a new `model` row, with its parents committed."""
    if model is EvidenceFile:
        return {"sha256": "0" * 64, "kind": "photo", "mime_type": "image/jpeg", "size": 1234}
    inspection = make_inspection()
    db.session.commit()
    if model is Finding:
        return {"inspection_id": inspection.id, "description": "Không niêm yết mức phí, lệ phí"}
    return {"inspection_id": inspection.id}


def _count(model, uid: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.uuid == uid))


def _in_threads(app, *targets):
    """Run each target in its own thread with its own app context (session and connection)."""
    errors = []

    def run(target):
        with app.app_context():
            try:
                target()
            except BaseException as exc:  # re-raised in the test's thread
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    return threads, errors


def _join(threads, errors):
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_plain_duplicate_uuid_is_refused_by_the_database(ctx, model):
    fields = _fields(model)
    uid = str(uuidlib.uuid4())
    db.session.add(model(uuid=uid, **fields))
    db.session.commit()
    db.session.add(model(uuid=uid, **fields))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _count(model, uid) == 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_insert_once_returns_the_row_inserted_by_a_transaction_still_open_when_it_started(app, model):
    with app.app_context():
        fields = _fields(model)
    uid = str(uuidlib.uuid4())
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    results = {}

    def first():
        row, created = insert_once(model, uid, **fields)
        results["first"] = (row.id, created)
        first_inserted.set()
        assert first_may_commit.wait(10)
        db.session.commit()

    def second():
        assert first_inserted.wait(10)
        # The first row is not committed: a look-up would not see it. The
        # INSERT waits for the first transaction, then the constraint refuses it.
        row, created = insert_once(model, uid, **fields)
        results["second"] = (row.id, created)
        db.session.commit()

    threads, errors = _in_threads(app, first, second)
    assert first_inserted.wait(10) or errors
    time.sleep(0.3)  # the second thread is now waiting on the database
    first_may_commit.set()
    _join(threads, errors)

    first_id, created = results["first"]
    assert created is True
    assert results["second"] == (first_id, False)
    with app.app_context():
        assert _count(model, uid) == 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_many_racing_inserts_of_one_uuid_leave_exactly_one_row(app, model):
    with app.app_context():
        fields = _fields(model)
    uid = str(uuidlib.uuid4())
    racers = 6
    start = threading.Barrier(racers)
    results = []

    def racer():
        start.wait(10)
        row, created = insert_once(model, uid, **fields)
        db.session.commit()
        results.append((row.id, created))

    _join(*_in_threads(app, *[racer] * racers))

    assert len(results) == racers
    assert [created for _id, created in results].count(True) == 1
    assert len({row_id for row_id, _created in results}) == 1
    with app.app_context():
        assert _count(model, uid) == 1


def test_insert_once_inserts_without_looking_first(ctx):
    fields = _fields(Finding)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split()[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        insert_once(Finding, str(uuidlib.uuid4()), **fields)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert "SELECT" not in statements
    assert "INSERT" in statements


def test_a_refusal_leaves_the_callers_transaction_usable(ctx):
    fields = _fields(Finding)
    uid = str(uuidlib.uuid4())
    first, created = insert_once(Finding, uid, **fields)
    db.session.commit()
    other, _ = insert_once(Finding, str(uuidlib.uuid4()), **fields)
    again, created_again = insert_once(Finding, uid, **fields)
    db.session.commit()
    assert (created, created_again, again.id) == (True, False, first.id)
    assert _count(Finding, other.uuid) == 1


def test_rolling_back_the_callers_transaction_undoes_the_insert(ctx):
    fields = _fields(Finding)
    uid = str(uuidlib.uuid4())
    insert_once(Finding, uid, **fields)
    db.session.rollback()
    assert _count(Finding, uid) == 0


def test_other_integrity_errors_are_raised(ctx):
    uid = str(uuidlib.uuid4())
    with pytest.raises(IntegrityError):
        insert_once(Finding, uid, inspection_id=999_999, description="Không có cuộc kiểm tra này")
    db.session.rollback()
    assert _count(Finding, uid) == 0
