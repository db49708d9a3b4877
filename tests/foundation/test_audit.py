"""The audit trail is hash-chained; verify finds altered and removed entries."""
import time

import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Role
from server.services.foundation import audit
from tests.factories import make_user


def add_entries(app, n):
    with app.app_context():
        actor = make_user(Role.ADMIN)
        for i in range(n):
            audit.record(actor, "test.event", actor, number=i, text="Phường Ba Đình")
        db.session.commit()


def test_committed_entries_are_chained_in_order(app):
    add_entries(app, 3)
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))


def test_rolled_back_entries_are_never_chained(app):
    with app.app_context():
        audit.record(None, "test.rolled_back")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_verify_passes_on_an_intact_chain(app, runner):
    add_entries(app, 4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 problem(s)" in result.output


def test_verify_names_an_altered_entry(app, runner):
    add_entries(app, 4)
    with app.app_context():
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.seq == 2).values(action="test.forged"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "seq 2" in result.output and "altered" in result.output


def test_verify_names_a_removed_entry(app, runner):
    add_entries(app, 5)
    with app.app_context():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 3))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "missing" in result.output and "seq 4" in result.output


def test_verify_catches_a_rewritten_tail(app, runner):
    """Recomputing one entry's hash is not enough: the next link breaks."""
    add_entries(app, 4)
    with app.app_context():
        row = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.seq == 2))
        row.details = {"number": 99}
        row.hash = audit.entry_hash(row.prev_hash, row.seq, row)
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "seq 3" in result.output and "broken" in result.output


def test_two_racing_sealers_never_fork_the_chain(app):
    with app.app_context():
        actor = make_user(Role.ADMIN)
        db.session.commit()
        for i in range(30):
            db.session.add(AuditEvent(actor_id=actor.id, action="raw", details={"i": i}))
        db.session.commit()  # no record(): left unsealed on purpose
        import threading

        engine = db.engine
        threads = [threading.Thread(target=audit.seal_pending, args=(engine,), kwargs={"batch": 7}) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        checked, problems = audit.verify(db.session)
        assert problems == []
        assert checked == db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_with_a_seal_delay_entries_are_chained_shortly_after_in_one_seal(app):
    app.config["AUDIT_SEAL_DELAY_S"] = 0.3
    add_entries(app, 2)
    add_entries(app, 3)  # a second commit within the delay: no second seal scheduled
    with app.app_context():
        pending = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.seq.is_(None))
        assert db.session.scalar(pending) == 5  # committed, not chained yet
        deadline = time.monotonic() + 10
        while db.session.scalar(pending) and time.monotonic() < deadline:
            db.session.rollback()  # end the read transaction: see the sealer's commit
            time.sleep(0.05)
        assert db.session.scalar(pending) == 0
        rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
        _checked, problems = audit.verify(db.session)
        assert problems == []
