"""Backup and restore round trips, on each database."""
import sqlalchemy as sa

from server.extensions import db
from server.models import Role, Unit, User
from tests.factories import make_unit, make_user


def test_backup_then_restore_brings_back_rows_and_files(app, runner, tmp_path):
    storage = app.extensions["kiemtra.storage"]
    with app.app_context():
        make_unit(code="00004", name="Phường Ba Đình")
        make_user(Role.LEAD, username="truongdoan")
        db.session.commit()
    key = storage.put(b"photo bytes", suffix=".jpg")

    result = runner.invoke(args=["backup", "--output", str(tmp_path / "bk")])
    assert result.exit_code == 0, result.output
    archive = next((tmp_path / "bk").glob("kiemtra-*.tar.gz"))

    # Disaster: rows and files gone, something new written meanwhile.
    with app.app_context():
        db.session.execute(sa.delete(User))
        db.session.execute(sa.update(Unit).values(name="Đổi tên"))
        make_user(Role.VIEWER, username="written-after-backup")
        db.session.commit()
    storage.delete(key)

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        assert db.session.scalars(sa.select(User.username)).all() == ["truongdoan"]
        assert db.session.scalar(sa.select(Unit.name)) == "Phường Ba Đình"
    with storage.open(key) as f:
        assert f.read() == b"photo bytes"


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    bogus = tmp_path / "not-a-backup.tar.gz"
    bogus.write_bytes(b"nothing here")
    result = runner.invoke(args=["restore", str(bogus), "--yes"])
    assert result.exit_code != 0
    assert "not a KiemTra backup" in result.output
