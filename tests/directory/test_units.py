"""Units: Vietnam's official list, CSV imports, merges and their history."""
from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import vietnam_provinces

from server.extensions import db
from server.models import ActionEvent, ActionStatus, AuditEvent, RemediationAction, Unit, UnitSuccession
from server.services.directory import unit_import
from server.services.directory import units as unit_service
from server.services.directory.unit_import import UnitImportError
from server.services.directory.units import REFORM_DATE, UnitError

from tests.factories import make_inspection, make_unit

HEADER = "code,name,kind,parent_code,lat,lon,valid_from\n"


@pytest.fixture(autouse=True)
def english_messages(app):
    """These tests state messages in English; outside a request the default language (vi) applies."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"



def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(*where))


def _unit(code: str) -> Unit:
    return db.session.scalars(sa.select(Unit).where(Unit.code == code)).one()


def _hanoi_ward_count() -> int:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as f:
        return next(len(p["wards"]) for p in json.load(f) if p["code"] == 1)


def _write(tmp_path, text: str, name="units.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _action(inspection, unit, status=ActionStatus.OPEN) -> RemediationAction:
    action = RemediationAction(inspection=inspection, unit=unit, title="Niêm yết lại phí, lệ phí",
                               deadline=date.today() + timedelta(days=15), status=status)
    db.session.add(action)
    db.session.flush()
    return action


# --- Vietnam's official list ------------------------------------------------


def test_import_vn_loads_34_provinces_and_3321_communes_with_codes_keeping_leading_zeros(ctx):
    started = time.perf_counter()
    summary = unit_import.import_vietnam()
    db.session.commit()
    elapsed = time.perf_counter() - started

    assert _count(Unit.kind == "province") == 34
    assert _count(Unit.kind.in_(["commune", "ward", "special_zone"])) == 3321
    assert summary.created == 3355 and summary.by_kind == {
        "province": 34, "commune": 2621, "ward": 687, "special_zone": 13,
    }
    hanoi, hoan_kiem = _unit("01"), _unit("00070")
    assert (hanoi.name, hanoi.kind, hanoi.parent_id) == ("Thành phố Hà Nội", "province", None)
    assert (hoan_kiem.name, hoan_kiem.kind, hoan_kiem.parent) == ("Phường Hoàn Kiếm", "ward", hanoi)
    assert hoan_kiem.valid_from == REFORM_DATE and hoan_kiem.valid_to is None
    assert _unit("04").name == "Tỉnh Cao Bằng"  # the package names provinces bare
    # A guard against a per-row regression, not a benchmark (it takes well under a second).
    assert elapsed < 10


def test_import_vn_twice_creates_no_duplicates_and_restores_changed_names(ctx):
    unit_import.import_vietnam()
    _unit("00070").name = "Phường Cũ"
    db.session.commit()

    summary = unit_import.import_vietnam()
    db.session.commit()

    assert _count() == 3355
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 3354)
    assert _unit("00070").name == "Phường Hoàn Kiếm"


def test_import_vn_for_one_province_loads_only_it_and_its_communes(ctx):
    summary = unit_import.import_vietnam("01")

    assert summary.by_kind["province"] == 1
    assert _count() == 1 + _hanoi_ward_count()
    assert _count(Unit.parent_id != _unit("01").id, Unit.kind != "province") == 0


def test_import_vn_refuses_an_unknown_province_code(ctx):
    with pytest.raises(UnitError, match="99"):
        unit_import.import_vietnam("99")


def test_cli_import_vn_with_province_prints_counts_and_time(runner, app):
    result = runner.invoke(args=["units", "import-vn", "--province", "01"])

    assert result.exit_code == 0, result.output
    assert f"{1 + _hanoi_ward_count()} units" in result.output and " s." in result.output
    with app.app_context():
        assert _count() == 1 + _hanoi_ward_count()


def test_cli_import_vn_with_unknown_province_exits_1(runner):
    result = runner.invoke(args=["units", "import-vn", "--province", "99"])

    assert result.exit_code == 1
    assert "99" in result.stderr


# --- CSV ------------------------------------------------------------------------


def test_csv_import_creates_units_with_parents_and_locations_in_decimal_or_dms(ctx, tmp_path):
    make_unit(code="01", name="Thành phố Hà Nội", kind="province", lat=None)
    path = _write(tmp_path, "\ufeff" + HEADER + (
        "00070,Phường Hoàn Kiếm,ward,01,\"21°01'43.32\"\"N\",\"105°51'08.28\"\"E\",2025-07-01\n"
        "00070-TTPVHCC,Trung tâm Phục vụ hành chính công phường Hoàn Kiếm,service_centre,00070,"
        "21.0291,105.8510,01/07/2025\n"
        "SO-NV,Sở Nội vụ,department,01,,,\n"
    ))

    summary = unit_import.import_csv(path)

    assert (summary.created, summary.locations) == (3, 2)
    ward, centre, department = _unit("00070"), _unit("00070-TTPVHCC"), _unit("SO-NV")
    assert ward.parent.code == "01" and centre.parent is ward and department.parent.code == "01"
    assert centre.kind == "service_centre" and centre.valid_from == REFORM_DATE
    assert [(loc.lat, loc.lon) for loc in ward.locations] == [(pytest.approx(21.0287), pytest.approx(105.8523))]
    assert department.locations == [] and department.valid_from is None


def test_csv_reimport_updates_names_in_place_without_duplicates(ctx, tmp_path):
    unit_import.import_csv(_write(tmp_path, HEADER + "X1,Xã Một,commune,,10.5,106.5,\n"))
    summary = unit_import.import_csv(_write(tmp_path, HEADER + "X1,Xã Một Mới,commune,,10.6,106.5,\n"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    unit = _unit("X1")
    assert unit.name == "Xã Một Mới"
    assert [(loc.lat, loc.lon) for loc in unit.locations] == [(10.6, 106.5)]


def test_csv_with_several_bad_rows_reports_each_by_line_and_imports_nothing(ctx, tmp_path):
    path = _write(tmp_path, HEADER + (
        "A1,Phường Tốt,ward,,21.0,105.8,2025-07-01\n"  # 2: fine
        ",Không mã,ward,,,,\n"  # 3
        "A2,Sai loại,Phường,,,,\n"  # 4
        "A3,Cha lạ,ward,ZZZ,,,\n"  # 5
        "A4,Vĩ độ sai,ward,,95,105.8,\n"  # 6
        "A5,Ngày và cha sai,ward,ZZZ,,,31/02/2025\n"  # 7: two errors
        "A1,Trùng mã,ward,,,,\n"  # 8
        "A6,Cha sau,ward,A7,,,\n"  # 9
        "A7,Thiếu kinh độ,province,,21.0,,\n"  # 10
    ))

    with pytest.raises(UnitImportError) as caught:
        unit_import.import_csv(path)

    lines = [line for line, _message in caught.value.errors]
    messages = dict(caught.value.errors)
    assert lines == [3, 4, 5, 6, 7, 7, 8, 9, 10]
    assert "code is missing" in messages[3]
    assert "Phường" in messages[4]
    assert "ZZZ" in messages[5]
    assert "95" in messages[6] and "out of range" in messages[6]
    assert ["31/02/2025" in m or "ZZZ" in m for line, m in caught.value.errors if line == 7] == [True, True]
    assert "line 2" in messages[8]
    assert "line 10" in messages[9]
    assert "both lat and lon" in messages[10]
    assert _count() == 0


def test_csv_with_wrong_header_is_refused_before_any_row(ctx, tmp_path):
    path = _write(tmp_path, "code,ten,kind,lattitude\nA1,X,ward,21\n")

    with pytest.raises(UnitImportError) as caught:
        unit_import.import_csv(path)

    assert [line for line, _message in caught.value.errors] == [1, 1]
    assert "name" in caught.value.errors[0][1] and "lattitude" in caught.value.errors[1][1]


def test_csv_that_is_not_utf8_is_refused_with_its_line(ctx, tmp_path):
    path = _write(tmp_path, HEADER + "A1,Café Tây,office,,,,\n", encoding="latin-1")

    with pytest.raises(UnitImportError) as caught:
        unit_import.import_csv(path)

    assert caught.value.errors[0][0] == 2 and "UTF-8" in caught.value.errors[0][1]


def test_cli_import_csv_prints_each_error_with_file_and_line_and_exits_1(runner, app, tmp_path):
    path = _write(tmp_path, HEADER + "A1,Tốt,ward,,,,\n,Không mã,ward,,,,\nA2,Sai,ward,,200,10,\n")

    result = runner.invoke(args=["units", "import-csv", str(path)])

    assert result.exit_code == 1
    assert f"{path}:3: " in result.stderr and f"{path}:4: " in result.stderr
    assert "nothing was imported" in result.stderr
    with app.app_context():
        assert _count() == 0


def test_cli_import_csv_prints_counts(runner, app, tmp_path):
    path = _write(tmp_path, HEADER + "P1,Tỉnh Một,province,,,,\nP1-01,Xã Một,commune,P1,11.1,106.1,\n")

    result = runner.invoke(args=["units", "import-csv", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 units" in result.output and "2 created" in result.output
    with app.app_context():
        assert _unit("P1-01").parent.code == "P1"


# --- Merges -----------------------------------------------------------------------


def test_merge_records_succession_ends_old_units_and_moves_only_open_actions(ctx):
    old_a, old_b = make_unit(code="00001", name="Phường A"), make_unit(code="00002", name="Phường B")
    new = make_unit(code="00003", name="Phường Mới", valid_from=REFORM_DATE)
    inspection = make_inspection(unit=old_a)
    open_action = _action(inspection, old_a)
    in_progress = _action(inspection, old_b, ActionStatus.IN_PROGRESS)
    closed = _action(inspection, old_a, ActionStatus.CLOSED)
    cancelled = _action(inspection, old_b, ActionStatus.CANCELLED)

    result = unit_service.merge_units(["00001", "00002"], "00003", effective=REFORM_DATE,
                                      legal_basis="NQ 1656/NQ-UBTVQH15")
    db.session.commit()

    assert old_a.valid_to == REFORM_DATE and old_b.valid_to == REFORM_DATE and new.valid_to is None
    links = db.session.scalars(sa.select(UnitSuccession).order_by(UnitSuccession.id)).all()
    assert [(s.predecessor, s.successor, s.kind, s.effective_date, s.legal_basis) for s in links] == [
        (old_a, new, "merge", REFORM_DATE, "NQ 1656/NQ-UBTVQH15"),
        (old_b, new, "merge", REFORM_DATE, "NQ 1656/NQ-UBTVQH15"),
    ]
    assert set(result.moved_actions) == {open_action, in_progress}
    assert open_action.unit is new and in_progress.unit is new
    assert closed.unit is old_a and cancelled.unit is old_b and closed.events == []
    event = open_action.events[-1]
    assert event.kind == "moved_to_successor"
    assert "(merged effective 1 Jul 2025)" in event.note  # a word, not the code "merge"
    assert event.data["from_unit"] == "00001" and event.data["to_unit"] == "00003"
    audited = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.merge")).all()
    assert {e.object_id for e in audited} == {str(old_a.id), str(old_b.id)}
    assert unit_service.unit_history(new).predecessors == links
    assert [s.successor for s in unit_service.unit_history(old_a).successors] == [new]


@pytest.mark.parametrize(
    ("old", "into", "message"),
    [
        (["00001"], "00001", "into itself"),
        (["99999"], "00002", "99999"),
        (["00001"], "99999", "99999"),
        (["00009"], "00002", "already ended"),
    ],
    ids=["into-itself", "unknown-old", "unknown-successor", "already-ended"],
)
def test_merge_is_refused_with_a_clear_message(ctx, old, into, message):
    make_unit(code="00001")
    make_unit(code="00002")
    make_unit(code="00009", valid_to=date(2024, 1, 1))

    with pytest.raises(UnitError, match=message):
        unit_service.merge_units(old, into, effective=REFORM_DATE)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitSuccession)) == 0


def test_inspection_keeps_the_unit_name_it_was_inspected_under_after_rename_and_merge(ctx, tmp_path):
    unit_import.import_csv(_write(tmp_path, HEADER + "H1,Huyện Đông Anh,district,,,,\n"))
    inspection = make_inspection(unit=_unit("H1"))

    unit_import.import_csv(_write(tmp_path, HEADER + "H1,Huyện Đông Anh (cũ),district,,,,\n"))
    successor = make_unit(code="00500", name="Xã Đông Anh", kind="commune", valid_from=REFORM_DATE)
    unit_service.merge_units(["H1"], "00500", effective=REFORM_DATE)
    db.session.commit()

    assert (inspection.unit_code_snapshot, inspection.unit_name_snapshot) == ("H1", "Huyện Đông Anh")
    assert inspection.unit.name == "Huyện Đông Anh (cũ)" and inspection.unit.valid_to == REFORM_DATE
    assert unit_service.unit_history(inspection.unit).successors[0].successor is successor


def test_cli_merge_moves_actions_and_reports(runner, app):
    with app.app_context():
        old, new = make_unit(code="00001"), make_unit(code="00002", name="Phường Mới")
        _action(make_inspection(unit=old), old)
        db.session.commit()

    result = runner.invoke(args=["units", "merge", "00001", "--into", "00002", "--effective", "2025-07-01",
                                 "--legal-basis", "NQ 1656/NQ-UBTVQH15"])

    assert result.exit_code == 0, result.output
    assert "00001 → 00002" in result.output and "1 open action(s) moved" in result.output
    with app.app_context():
        assert _unit("00001").valid_to == REFORM_DATE
        event = db.session.scalars(sa.select(ActionEvent)).one()
        assert event.kind == "moved_to_successor"


def test_cli_merge_into_itself_exits_1_and_changes_nothing(runner, app):
    with app.app_context():
        make_unit(code="00001")
        db.session.commit()

    result = runner.invoke(args=["units", "merge", "00001", "--into", "00001", "--effective", "2025-07-01"])

    assert result.exit_code == 1
    assert "into itself" in result.stderr
    with app.app_context():
        assert _unit("00001").valid_to is None
