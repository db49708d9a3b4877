"""The column types behave the same on SQLite and PostgreSQL (server/models/types.py)."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Answer, AuditEvent
from tests.factories import make_inspection

HANOI = timezone(timedelta(hours=7))


def _reloaded(obj):
    """The row as read back from the database, not from the session's memory."""
    db.session.commit()
    key = (type(obj), obj.id)
    db.session.expunge_all()
    return db.session.get(*key)


@pytest.mark.parametrize("value", [
    {"tên": "Phường Ba Đình", "ghi chú": None, "lồng": {"danh sách": ["Đạt", "Không đạt", None], "có": True}},
    ["Niêm yết", 2, 2.5, -3, 10**15, None, False, {"khóa": "giá trị"}],
    {"điểm": 0.1, "tối đa": 100, "phần trăm": 66.66666666666667, "âm": -0.5},
    "Không áp dụng",
    42,
    3.25,
    True,
    [],
    {},
], ids=["nested-vietnamese", "mixed-list", "numbers", "string", "int", "float", "bool", "empty-list", "empty-object"])
def test_json_values_come_back_equal(ctx, value):
    answer = Answer(inspection=make_inspection(), item_key="muc", value=value)
    db.session.add(answer)
    assert _reloaded(answer).value == value


def test_json_keeps_vietnamese_text_exactly_as_written(ctx):
    text = "Trung tâm Phục vụ hành chính công — “một cửa” ĐẮK LẮK ữ ỹ ậ"
    event = AuditEvent(action="test", details={"nội dung": text})
    db.session.add(event)
    assert _reloaded(event).details == {"nội dung": text}


def test_json_none_is_sql_null_and_found_by_is_none(ctx):
    inspection = make_inspection()
    db.session.add_all([
        Answer(inspection=inspection, item_key="trong", value=None),
        Answer(inspection=inspection, item_key="co", value={"a": None}),
    ])
    db.session.commit()
    empty = db.session.scalars(sa.select(Answer.item_key).where(Answer.value.is_(None))).all()
    assert empty == ["trong"]


def test_aware_datetimes_come_back_as_the_same_instant_in_utc(ctx):
    moment = datetime(2025, 7, 1, 8, 30, 15, 123456, tzinfo=HANOI)
    event = AuditEvent(action="test", created_at=moment)
    db.session.add(event)
    back = _reloaded(event).created_at
    assert back == moment
    assert back.utcoffset() == timedelta(0)
    assert back == datetime(2025, 7, 1, 1, 30, 15, 123456, tzinfo=timezone.utc)


def test_aware_datetimes_compare_in_queries_across_zones(ctx):
    db.session.add_all([
        AuditEvent(action="early", created_at=datetime(2025, 7, 1, 6, 0, tzinfo=HANOI)),  # 23:00 UTC the day before
        AuditEvent(action="late", created_at=datetime(2025, 7, 1, 8, 0, tzinfo=HANOI)),  # 01:00 UTC
    ])
    db.session.commit()
    since = datetime(2025, 7, 1, 0, 0, tzinfo=timezone.utc)
    found = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.created_at >= since)).all()
    assert found == ["late"]


def test_a_naive_datetime_is_refused(ctx):
    db.session.add(AuditEvent(action="test", created_at=datetime(2025, 7, 1, 8, 0)))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
