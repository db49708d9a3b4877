"""/admin/units: the tree and search, creating and editing a unit, importing
(official list, CSV with preview), and merging, renaming and splitting with a
preview of the actions that move. Bad input is a 4xx that writes nothing."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import AuditEvent, RemediationAction, Role, Unit, UnitSuccession
from tests.factories import make_inspection, make_unit, make_user


@pytest.fixture
def world(app):
    with app.app_context():
        make_user(Role.ADMIN, username="admin").locale = "en"
        make_user(Role.LEAD, username="lead")
        province = make_unit(code="01", name="Thành phố Hà Nội", kind="province")
        ba_dinh = make_unit(code="00004", name="Phường Ba Đình", parent=province)
        make_unit(code="00004-TTPV", name="Trung tâm Phục vụ hành chính công phường Ba Đình",
                  kind="service_centre", parent=ba_dinh)
        make_unit(code="00070", name="Phường Hoàn Kiếm", parent=province)
        old = make_unit(code="009", name="Quận Thanh Xuân", kind="district", parent=province,
                        valid_to=date(2025, 7, 1))
        db.session.commit()
        return {"province": province.id, "ba_dinh": ba_dinh.id, "old": old.id}


@pytest.fixture
def admin(client, auth, world):
    auth.login("admin")
    return client


def _units(*where):
    return db.session.scalars(sa.select(Unit).where(*where).order_by(Unit.id)).all()


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _unit_form(**changes) -> dict:
    data = {"kind": "office", "code": "00004-VP", "name": "Văn phòng phường Ba Đình", "parent_code": "00004",
            "valid_from": "", "lat": "21.0359", "lon": "105.8340", "address": ""}
    data.update(changes)
    return data


# --- The tree and search --------------------------------------------------------


def test_the_tree_goes_province_commune_office_with_kinds_as_labels(admin, world):
    top = admin.get("/admin/units").get_data(as_text=True)
    assert "Thành phố Hà Nội" in top and "Province" in top and "Code 00004" not in top
    province = admin.get(f"/admin/units/{world['province']}").get_data(as_text=True)
    assert "Phường Ba Đình" in province and "Phường Hoàn Kiếm" in province and "Ward" in province
    commune = admin.get(f"/admin/units/{world['ba_dinh']}").get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công phường Ba Đình" in commune
    assert "Public administration service centre" in commune and "service_centre" not in commune


def test_search_ignores_accents_and_capitals_and_finds_codes(admin):
    assert "Phường Ba Đình" in admin.get("/admin/units?q=ba+dinh").get_data(as_text=True)
    assert "Phường Hoàn Kiếm" in admin.get("/admin/units?q=00070").get_data(as_text=True)


def test_an_abolished_unit_is_kept_as_history_and_cannot_be_edited(app, admin, world):
    assert "Quận Thanh Xuân" not in admin.get("/admin/units?q=thanh+xuan").get_data(as_text=True)
    found = admin.get("/admin/units?q=thanh+xuan&ended=1").get_data(as_text=True)
    assert "Quận Thanh Xuân" in found and "ended" in found
    page = admin.get(f"/admin/units/{world['old']}").get_data(as_text=True)
    assert "This unit ended on" in page
    r = admin.post(f"/admin/units/{world['old']}/edit", data=_unit_form(code="009", name="Quận Mới", parent_code="01"))
    assert r.status_code == 409
    # the refusal gives the end date as a person writes it, not 2025-07-01
    with app.app_context():
        ended = db.session.get(Unit, world["old"]).valid_to
    assert f"ended on {ended.day} {ended.strftime('%b')} {ended.year}" in r.get_data(as_text=True)
    assert ended.isoformat() not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, world["old"]).name == "Quận Thanh Xuân"


# --- Creating and editing --------------------------------------------------------


def test_a_unit_is_created_with_its_leading_zeros_location_and_an_audit_entry(app, admin):
    r = admin.post("/admin/units/new", data=_unit_form(code="00004-VP"))
    assert r.status_code == 303
    with app.app_context():
        unit = db.session.scalars(sa.select(Unit).where(Unit.code == "00004-VP")).one()
        assert (unit.kind, unit.parent.code, unit.locations[0].lat) == ("office", "00004", 21.0359)
        assert _count(AuditEvent, AuditEvent.action == "unit.create", AuditEvent.object_id == str(unit.id)) == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"code": "00070"}, "code", "already belongs to Phường Hoàn Kiếm"),
    ({"code": "0 0 4"}, "code", "A code is up to 32 letters"),
    ({"parent_code": "99999"}, "parent_code", "No current unit has the code 99999."),
    ({"lat": "91", "lon": "105"}, "lat", "90"),
    ({"lat": "21.03", "lon": ""}, "lon", "Give both lat and lon, or neither."),
    ({"name": ""}, "name", "This field is required."),
    ({"kind": "castle"}, "kind", "Not a valid choice"),
])
def test_a_bad_unit_is_refused_beside_its_field_keeping_what_was_typed(app, admin, changes, field, message):
    before = None
    with app.app_context():
        before = _count(Unit)
    r = admin.post("/admin/units/new", data=_unit_form(**changes))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert message in page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert 'value="Văn phòng phường Ba Đình"' in page or field == "name"
    with app.app_context():
        assert _count(Unit) == before


def test_a_parent_under_the_unit_itself_is_refused_as_a_loop(app, admin, world):
    r = admin.post(f"/admin/units/{world['province']}/edit",
                   data=_unit_form(kind="province", code="01", name="Thành phố Hà Nội", parent_code="00004-TTPV"))
    assert r.status_code == 422
    assert "a unit cannot be under itself" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, world["province"]).parent_id is None


def test_an_edit_is_saved_and_audited_with_what_changed(app, admin, world):
    r = admin.post(f"/admin/units/{world['ba_dinh']}/edit",
                   data=_unit_form(kind="ward", code="00004", name="Phường Ba Đình", parent_code="01",
                                   lat="21.04", lon="105.83"))
    assert r.status_code == 303
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.update")).one()
        assert entry.details["changes"]["location"] == [[21.0358, 105.8342], [21.04, 105.83]]


# --- Importing ----------------------------------------------------------------


def test_chosen_provinces_are_imported_from_the_official_list(app, admin):
    r = admin.post("/admin/units/import/vietnam", data={"provinces": ["04"]})
    assert r.status_code == 303
    with app.app_context():
        assert _count(Unit, Unit.code == "04", Unit.kind == "province") == 1
        assert _count(Unit, Unit.parent_id == _units(Unit.code == "04")[0].id) > 10
        assert _count(Unit, Unit.kind == "province", Unit.code == "08") == 0  # not chosen


def test_an_unknown_province_is_refused(app, admin):
    r = admin.post("/admin/units/import/vietnam", data={"provinces": ["77"]})
    assert r.status_code == 422
    r = admin.post("/admin/units/import/vietnam", data={})
    assert r.status_code == 422 and "Choose at least one province." in r.get_data(as_text=True)


CSV = "code,name,kind,parent_code,lat,lon\n00004-MC,Bộ phận một cửa Ba Đình,office,00004,21.03,105.83\n"


def test_a_csv_is_previewed_then_imported_on_confirmation(app, admin):
    import io

    r = admin.post("/admin/units/import/csv", data={"file": (io.BytesIO(CSV.encode()), "don-vi.csv")},
                   content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Bộ phận một cửa Ba Đình" in page and "Office" in page
    with app.app_context():
        assert _count(Unit, Unit.code == "00004-MC") == 0  # a preview writes nothing
    r = admin.post("/admin/units/import/csv", data={"csv_text": CSV, "file_name": "don-vi.csv"})
    assert r.status_code == 303
    with app.app_context():
        assert _units(Unit.code == "00004-MC")[0].parent.code == "00004"


def test_a_malformed_csv_lists_its_errors_by_line_and_imports_nothing(app, admin):
    import io

    bad = "code,name,kind,parent_code\n00004-MC,,office,00004\n00005,Phường X,Bad Kind,99999\n"
    for data in ({"file": (io.BytesIO(bad.encode()), "x.csv")}, {"csv_text": bad, "file_name": "x.csv"},
                 {"file": (io.BytesIO(b"\xff\xfe\x00garbage"), "x.csv")}, {}):
        r = admin.post("/admin/units/import/csv", data=data, content_type="multipart/form-data")
        assert r.status_code == 422, data
    page = admin.post("/admin/units/import/csv", data={"csv_text": bad}).get_data(as_text=True)
    assert "Line 2: The name is missing." in page and "Line 3:" in page
    with app.app_context():
        assert _count(Unit, Unit.code.in_(["00004-MC", "00005"])) == 0


# --- Reorganising ----------------------------------------------------------------


def test_a_merge_previews_the_actions_that_move_then_moves_them(app, admin, world):
    with app.app_context():
        inspection = make_inspection(unit=db.session.get(Unit, world["ba_dinh"]))
        action = RemediationAction(inspection=inspection, unit_id=world["ba_dinh"], title="Niêm yết lại phí",
                                   deadline=date.today() + timedelta(days=9))
        db.session.add(action)
        db.session.commit()
        action_id = action.id
    form = {"kind": "merge", "effective": "2026-01-01", "legal_basis": "NQ 1656/NQ-UBTVQH15", "into_code": "00070"}
    r = admin.post(f"/admin/units/{world['ba_dinh']}/reorganise", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Niêm yết lại phí" in page and "1 open remediation action will move" in page
    with app.app_context():
        assert db.session.get(Unit, world["ba_dinh"]).valid_to is None  # the preview changed nothing
        assert _count(UnitSuccession) == 0
    r = admin.post(f"/admin/units/{world['ba_dinh']}/reorganise", data={**form, "confirm": "1"})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(Unit, world["ba_dinh"]).valid_to == date(2026, 1, 1)
        assert db.session.get(RemediationAction, action_id).unit.code == "00070"
        assert _count(AuditEvent, AuditEvent.action == "unit.merge") == 1


def test_a_rename_makes_a_successor_that_keeps_the_children_and_location(app, admin, world):
    form = {"kind": "rename", "effective": "2026-01-01", "legal_basis": "QĐ 12", "new_name": "Phường Ba Đình Mới",
            "confirm": "1"}
    assert admin.post(f"/admin/units/{world['ba_dinh']}/reorganise", data=form).status_code == 303
    with app.app_context():
        old, new = _units(Unit.code == "00004")
        assert old.valid_to == date(2026, 1, 1) and new.name == "Phường Ba Đình Mới" and new.valid_to is None
        assert [c.code for c in new.children] == ["00004-TTPV"] and new.locations[0].lat == 21.0358
        page = admin.get(f"/admin/units/{new.id}").get_data(as_text=True)
    assert "renamed from Phường Ba Đình" in page and "QĐ 12" in page


@pytest.mark.parametrize("form, message", [
    ({"kind": "merge", "into_code": "00004"}, "cannot be merged into itself"),
    ({"kind": "merge", "into_code": "55555"}, "No current unit has the code 55555."),
    ({"kind": "merge", "into_code": "009"}, "No current unit has the code 009."),
    ({"kind": "merge", "into_code": "00070", "effective": "31/13/2025"}, "Enter a date like 18 Dec 2026."),
    ({"kind": "rename", "new_name": ""}, "Give the new name."),
    ({"kind": "rename", "new_name": "Phường X", "new_code": "00070"}, "already belongs to Phường Hoàn Kiếm"),
    ({"kind": "split", "split_codes": "00070"}, "at least two units"),
])
def test_a_bad_reorganisation_is_refused_and_changes_nothing(app, admin, world, form, message):
    data = {"effective": "2026-01-01", "legal_basis": "QĐ 1", "confirm": "1", **form}
    r = admin.post(f"/admin/units/{world['ba_dinh']}/reorganise", data=data)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, world["ba_dinh"]).valid_to is None
        assert _count(UnitSuccession) == 0 and _count(Unit) == 5


def test_a_split_sends_the_open_actions_to_the_chosen_unit(app, admin, world):
    with app.app_context():
        make_unit(code="00005", name="Phường Mới A", parent=db.session.get(Unit, world["province"]))
        inspection = make_inspection(unit=db.session.get(Unit, world["ba_dinh"]))
        db.session.add(RemediationAction(inspection=inspection, unit_id=world["ba_dinh"], title="Việc",
                                         deadline=date.today()))
        db.session.commit()
    data = {"kind": "split", "effective": "2026-01-01", "legal_basis": "QĐ 2", "split_codes": "00070, 00005",
            "actions_to_code": "00005", "confirm": "1"}
    assert admin.post(f"/admin/units/{world['ba_dinh']}/reorganise", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(sa.select(RemediationAction)).one().unit.code == "00005"
        assert _count(UnitSuccession, UnitSuccession.kind == "split") == 2


def test_only_an_administrator_reaches_the_units_pages(app, client, auth, world):
    auth.login("lead")
    for url in ("/admin/units", f"/admin/units/{world['ba_dinh']}", "/admin/units/new", "/admin/units/import"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/units/new", data=_unit_form()).status_code == 403
    with app.app_context():
        assert _count(Unit, Unit.code == "00004-VP") == 0


def test_the_import_counts_are_written_in_the_readers_locale(app, admin):
    import json

    import vietnam_provinces

    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as f:
        codes = [f"{p['code']:02d}" for p in json.load(f)]
    admin.post("/lang/vi")
    page = admin.post("/admin/units/import/vietnam", data={"provinces": codes}, follow_redirects=True)
    assert "tạo mới 3.355 đơn vị" in page.get_data(as_text=True)
