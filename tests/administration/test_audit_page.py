"""/admin/audit: the trail filtered by user, action, object and day, labelled
in the reader's language, checked for breaks, exported as CSV."""
import csv
import io
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, Role, User
from server.services.foundation import audit
from tests.factories import make_unit, make_user


@pytest.fixture
def trail(app):
    with app.app_context():
        admin = make_user(Role.ADMIN, username="admin")
        admin.locale = "en"
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Nguyễn Văn Trưởng"
        unit = make_unit(code="00004", name="Phường Ba Đình")
        mallory = make_user(Role.VIEWER, username="mallory")
        mallory.full_name = "=HYPERLINK(\"http://evil\")"
        audit.record(lead, "plan.create", None, title="Kế hoạch 1")
        audit.record(mallory, "plan.create", None, title="Kế hoạch 2")
        entry = audit.record(admin, "unit.update", unit, changes={"name": ["A", "B"]})
        entry.created_at = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
        db.session.commit()
        return {"unit": unit.id, "lead": lead.id}


@pytest.fixture
def admin(client, auth, trail):
    auth.login("admin")
    return client


def _list(page: str) -> str:
    return page.split('class="list audit-list"')[1]


def test_entries_show_labels_not_codes(admin):
    page = _list(admin.get("/admin/audit").get_data(as_text=True))
    assert "Plan created" in page and "Unit changed" in page and "Signed in" in page
    assert "plan.create" not in page and "unit.update" not in page
    assert "Unit: Phường Ba Đình" in page and ">Unit<" not in page  # the object by its name, not its row number
    assert "Nguyễn Văn Trưởng" in page


def test_labels_come_in_vietnamese_for_a_vietnamese_reader(admin):
    admin.post("/lang/vi")
    page = _list(admin.get("/admin/audit").get_data(as_text=True))
    assert "Đã lập kế hoạch" in page and "Sửa đơn vị" in page and "Plan created" not in page


@pytest.mark.parametrize("query, shown, hidden", [
    ("action=plan.create", "Plan created", "Unit changed"),
    ("object_type=Unit", "Unit changed", "Plan created"),
    ("day_from=2026-03-01&day_to=2026-03-01", "Unit changed", "Plan created"),
])
def test_filters_narrow_the_list(admin, query, shown, hidden):
    page = _list(admin.get(f"/admin/audit?{query}").get_data(as_text=True))
    assert shown in page and hidden not in page


def test_the_user_filter_narrows_to_that_user(admin, trail):
    page = _list(admin.get(f"/admin/audit?user={trail['lead']}").get_data(as_text=True))
    assert "Plan created" in page and "Unit changed" not in page


@pytest.mark.parametrize("query", ["day_from=yesterday", "user=abc", "user=999999", "action=rm+-rf"])
def test_a_bad_filter_is_a_422_with_the_message_beside_it(admin, query):
    r = admin.get(f"/admin/audit?{query}")
    assert r.status_code == 422 and "field-error" in r.get_data(as_text=True)
    assert admin.get(f"/admin/audit/audit.csv?{query}").status_code == 422


def test_the_csv_has_labels_and_cannot_run_formulas(admin):
    r = admin.get("/admin/audit/audit.csv?action=plan.create")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "Plan created" in text and "Unit changed" not in text
    users = [row[2] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert users == ["Nguyễn Văn Trưởng", "'=HYPERLINK(\"http://evil\")"]


def test_verify_says_the_chain_is_intact_then_names_an_altered_entry(app, admin):
    r = admin.post("/admin/audit/verify", follow_redirects=True)
    assert "The audit trail is intact" in r.get_data(as_text=True)
    with app.app_context():
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.action == "plan.create")
                           .values(details={"title": "forged"}))
        db.session.commit()
    page = admin.post("/admin/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert "problem" in page and "altered" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "audit.verify")) == 2


def test_only_an_administrator_reads_the_trail(app, client, auth, trail):
    auth.login("lead")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/audit.csv").status_code == 403
    assert client.post("/admin/audit/verify").status_code == 403
    with app.app_context():
        assert not db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "audit.verify"))


def test_details_read_as_labels_dates_and_numbers_not_stored_json(app, admin, trail):
    with app.app_context():
        lead = db.session.get(User, trail["lead"])
        audit.record(lead, "plan.create", None, kind="unannounced", units=["00004"], selection=None)
        audit.record(lead, "inspection.check_in", None, distance_m=38.24591218680591, flags=[])
        audit.record(lead, "plan.update", None, changes={"period_end": ["2026-12-18", "2027-01-05"]})
        audit.record(lead, "user.create", None, role="unit_officer")
        audit.record(lead, "settings.update", None, changes={
            "CHECKIN_RADIUS_M": {"from": 300, "to": 500},
            "REMEDIATION_DAYS_BY_SEVERITY": {"from": {"minor": 30}, "to": {"minor": 20}}})
        db.session.commit()
    admin.post("/lang/vi")
    page = _list(admin.get("/admin/audit").get_data(as_text=True))
    assert "<dt>Hình thức kiểm tra</dt><dd>Kiểm tra đột xuất</dd>" in page
    assert "<dd>38,25</dd>" in page and "<dd>Cán bộ đơn vị</dd>" in page
    assert "Thời gian thực hiện đến ngày: 18/12/2026 → 05/01/2027" in page
    assert "Bán kính xác nhận có mặt (mét): 300 → 500" in page
    assert "Số ngày khắc phục theo mức độ: Thấp: 30 → Thấp: 20" in page
    assert "{" not in page and "unit_officer" not in page and "unannounced" not in page
    rows = list(csv.reader(io.StringIO(admin.get("/admin/audit/audit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert any("Bán kính xác nhận có mặt (mét): 300 → 500" in cell for row in rows for cell in row), rows[-3:]
