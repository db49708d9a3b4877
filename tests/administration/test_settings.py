"""The organisation's settings: changed on /admin/settings, checked, audited,
read on every request, so a change shows at once without a restart."""
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from server import create_app
from server.extensions import db
from server.models import AuditEvent, OrganisationSetting, Role, User
from server.services.foundation import settings as org_settings
from tests.factories import make_checklist_version, make_team, make_unit, make_user
from tests.reportdata import minutes_inspection


def _form(**changes) -> dict:
    """The settings form as it comes filled with the defaults, with `changes`."""
    data = {
        "issuing_body_parent": "ỦY BAN NHÂN DÂN TỈNH/THÀNH PHỐ", "issuing_body": "ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH",
        "issuing_place": "Hà Nội", "issuing_place_en": "Hanoi", "minutes_symbol": "BB-ĐKT", "notice_symbol": "TB-ĐKT",
        "conclusion_symbol": "TB-ĐKT", "minutes_copies": "2",
        "minutes_distribution": "Đơn vị được kiểm tra\nLưu: VT, hồ sơ kiểm tra",
        "notice_distribution": "Như trên\nThành viên Đoàn kiểm tra\nLưu: VT, hồ sơ kiểm tra",
        "conclusion_distribution": "Như trên\nThành viên Đoàn kiểm tra\nLưu: VT, hồ sơ kiểm tra",
        "signing_mode": "team", "signing_for": "", "signer_title": "", "signer_name": "",
        "checkin_radius_m": "300", "poor_accuracy_m": "100", "reminder_days_before": "7, 1",
        "days_minor": "30", "days_major": "15", "days_critical": "7", "timezone": "Asia/Ho_Chi_Minh",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin(app, client, auth):
    with app.app_context():
        make_user(Role.ADMIN, username="admin")
        make_user(Role.LEAD, username="lead")
        db.session.commit()
    auth.login("admin")
    return client


def _stored(app) -> dict:
    with app.app_context():
        return dict(db.session.execute(sa.select(OrganisationSetting.key, OrganisationSetting.value)).all())


def test_the_page_shows_the_config_values_until_changed(admin):
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert 'value="ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH"' in page and 'value="300"' in page
    # Time zones are offered by their name and offset in the reader's language.
    assert '<option value="Asia/Ho_Chi_Minh" label="Giờ Việt Nam (UTC+07:00)">' in page
    admin.post("/lang/en", data={"next": "/"})
    assert 'label="Vietnam Time (UTC+07:00)"' in admin.get("/admin/settings").get_data(as_text=True)


def test_a_change_is_stored_audited_and_read_back(app, admin):
    r = admin.post("/admin/settings", data=_form(checkin_radius_m="500", issuing_body="ĐOÀN KIỂM TRA SỐ 2"))
    assert r.status_code == 303
    assert _stored(app) == {"CHECKIN_RADIUS_M": 500, "ISSUING_BODY": "ĐOÀN KIỂM TRA SỐ 2"}
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "settings.update")).one()
        assert entry.details["changes"]["CHECKIN_RADIUS_M"] == {"from": 300, "to": 500}
    assert 'value="500"' in admin.get("/admin/settings").get_data(as_text=True)


def test_putting_a_value_back_to_its_default_lets_the_config_decide_again(app, admin):
    admin.post("/admin/settings", data=_form(checkin_radius_m="500"))
    admin.post("/admin/settings", data=_form(checkin_radius_m="300"))
    assert _stored(app) == {}


@pytest.mark.parametrize("field, value, message", [
    ("checkin_radius_m", "-5", "Enter a number from 10 to 100,000."),
    ("checkin_radius_m", "abc", "Not a valid integer value."),
    ("poor_accuracy_m", "0", "Enter a number from 1 to 10,000."),
    ("timezone", "Asia/Atlantis", "Asia/Atlantis is not a time zone"),
    ("timezone", "../../etc/passwd", "is not a time zone"),
    ("reminder_days_before", "7, soon", "Enter a whole number."),
    ("days_major", "0", "Enter a number from 1 to 3,650."),
    ("issuing_body", "   ", "This field is required."),
    ("minutes_copies", "99", "Enter a number from 1 to 20."),
])
def test_a_bad_value_is_refused_beside_its_field_keeping_what_was_typed(app, admin, field, value, message):
    admin.post("/lang/en")
    r = admin.post("/admin/settings", data=_form(issuing_place="Bắc Ninh", **{field: value}))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f'id="{field}-error"' in page and message in page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert 'value="Bắc Ninh"' in page  # the other fields keep what was typed
    assert _stored(app) == {}  # nothing written, not even the good fields
    with app.app_context():
        assert not db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "settings.update"))


def test_messages_come_in_vietnamese_for_a_vietnamese_user(admin):
    page = admin.post("/admin/settings", data=_form(checkin_radius_m="-5")).get_data(as_text=True)
    assert "Nhập một số từ 10 đến 100.000." in page


def test_only_an_administrator_reaches_the_settings(app, client, auth):
    with app.app_context():
        make_user(Role.LEAD, username="lead")
        db.session.commit()
    auth.login("lead")
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=_form(checkin_radius_m="500")).status_code == 403
    assert _stored(app) == {}


def test_a_change_on_one_server_applies_on_another_at_its_next_request(app, admin, tmp_path):
    """Two app servers on one database: no restart, no shared memory."""
    other = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")},
                        "INSTANCE_PATH": str(tmp_path / "other"), "AUDIT_SEAL_DELAY_S": 0})
    with other.app_context():
        assert org_settings.get("CHECKIN_RADIUS_M") == 300
    admin.post("/admin/settings", data=_form(checkin_radius_m="750", timezone="Asia/Bangkok"))
    with other.app_context():
        assert org_settings.get("CHECKIN_RADIUS_M") == 750
        assert org_settings.get("BABEL_DEFAULT_TIMEZONE") == "Asia/Bangkok"
        db.engine.dispose()


def test_the_phone_receives_the_check_in_limits_from_the_settings(app, admin):
    from tests.factories import make_inspection

    with app.app_context():
        inspection = make_inspection()
        uuid = inspection.uuid
        db.session.commit()
    admin.post("/admin/settings", data=_form(checkin_radius_m="450", poor_accuracy_m="60"))
    body = admin.get(f"/api/inspections/{uuid}").get_json()
    assert body["location_rules"] == {"radius_m": 450, "poor_accuracy_m": 60}


def test_the_next_minutes_pdf_shows_the_new_heading_and_place(app, admin, client, auth):
    with app.app_context():
        unit = make_unit(name="Phường Hoàn Kiếm", code="00070")
        lead = db.session.scalars(sa.select(User).where(User.username == "lead")).one()
        team = make_team(name="Đoàn kiểm tra CCHC số 3")
        team.lead = lead
        inspection_id = minutes_inspection(app, unit, team, make_checklist_version()).id
        db.session.commit()
    admin.post("/admin/settings", data=_form(issuing_body="THANH TRA TỈNH BẮC NINH", issuing_place="Bắc Ninh",
                                              minutes_symbol="BB-TTr", minutes_copies="3"))
    auth.logout()
    auth.login("lead")
    with client.get(f"/inspections/{inspection_id}/minutes.pdf") as r:
        assert r.status_code == 200
        text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages).split())
    assert "THANH TRA TỈNH BẮC NINH" in text and "ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH" not in text
    assert "Bắc Ninh, ngày" in text and "/BB-TTr" in text


def test_without_a_database_the_defaults_apply_so_an_error_page_can_still_be_shown(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/db.sqlite",
                      "BABEL_DEFAULT_TIMEZONE": "Asia/Bangkok"})
    with app.test_request_context("/"):
        assert org_settings.get("BABEL_DEFAULT_TIMEZONE") == "Asia/Bangkok"
        db.engine.dispose()
