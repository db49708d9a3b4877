"""Summary exports (XLSX, CSV, JSON listing) and who may reach the lead workspace at all."""
import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from server.extensions import db
from server.models import (Answer, Conclusion, Finding, Inspection, InspectionKind, InspectionStatus,
                           RemediationAction, Role)
from tests.factories import make_checklist_version, make_inspection, make_plan, make_team, make_unit, make_user
from tests.reportdata import add_finding, finish

D = date(2026, 10, 1)


@pytest.fixture
def world(app):
    with app.app_context():
        team = make_team()
        unit, other = make_unit(name="Phường Ba Đình", code="00004"), make_unit(name="=Phường Công Thức", code="00005")
        make_user(Role.LEAD, username="lead", team=team)
        make_user(Role.ADMIN, username="admin")
        make_user(Role.VIEWER, username="viewer")
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        v1 = make_checklist_version()
        # Version 2 of the same checklist: an item added; rows merge by item key.
        definition = dict(v1.definition)
        section = dict(definition["sections"][0])
        section["items"] = [*section["items"], {**section["items"][0], "key": "wifi", "text": {"vi": "Wi-Fi", "en": "Wi-Fi"}}]
        definition["sections"] = [section]
        from server.models import ChecklistVersion

        v2 = ChecklistVersion(checklist_id=v1.checklist_id, number=2, content_hash="f" * 64, definition=definition)
        db.session.add(v2)
        db.session.flush()
        plan = make_plan(version=v1, team=team)
        ids = {}
        ids["concluded"] = finish(make_inspection(unit=unit, version=v1, plan=plan, team=team, start=D),
                                  {"bien-hieu": "fail", "dung-han": {"numerator": 19, "denominator": 20}},
                                  status=InspectionStatus.CONCLUDED).id
        add_finding(db.session.get(Inspection, ids["concluded"]), "Biển hiệu bị che khuất",
                    item_key="bien-hieu", explanation="Sẽ thay trong tháng")
        ids["approved"] = finish(make_inspection(unit=other, version=v2, plan=plan, team=team, start=D),
                                 {"bien-hieu": "pass", "dung-han": {"numerator": 20, "denominator": 20}, "wifi": "pass"}).id
        ids["surprise"] = make_inspection(unit=unit, version=v1, team=team, kind=InspectionKind.UNANNOUNCED,
                                          start=D + timedelta(days=5)).id
        db.session.add(RemediationAction(inspection_id=ids["concluded"], unit_id=unit.id, title="Thay biển hiệu",
                                         deadline=date(2026, 10, 20), status="closed",
                                         closed_at=datetime(2026, 10, 19, 3, 0, tzinfo=timezone.utc)))
        db.session.add(RemediationAction(inspection_id=ids["concluded"], unit_id=unit.id, title="Niêm yết lại",
                                         deadline=date.today() + timedelta(days=30)))
        db.session.add(Conclusion(inspection_id=ids["concluded"], strengths="Tốt", issued_at=datetime.now(timezone.utc)))
        db.session.commit()
        return ids


def build_workbook(client):
    r = client.post("/exports/workbook", data={})
    assert r.status_code == 303
    job_page = r.headers["Location"]
    page = client.get(job_page).get_data(as_text=True)
    assert "kiemtra-summary.xlsx" in page
    with client.get(job_page.rstrip("/") + "/kiemtra-summary.xlsx") as r:
        assert r.status_code == 200
        return load_workbook(io.BytesIO(r.data), read_only=False)


@pytest.fixture
def inline_jobs(app):
    app.config["EXPORT_JOBS_INLINE"] = True


def test_workbook_opens_with_openpyxl_and_its_numbers_match_the_database(client, auth, world, app, inline_jobs):
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    wb = build_workbook(client)
    assert wb.sheetnames == ["Inspections", "Item results", "Findings", "Actions", "By unit"]
    rows = list(wb["Inspections"].iter_rows(values_only=True))
    header, body = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(body) == set(world.values())
    with app.app_context():
        for inspection in db.session.scalars(sa.select(Inspection)):
            row = body[inspection.id]
            assert row["Percent"] == inspection.score_percent
            assert row["Score"] == (inspection.score or {}).get("score")
            assert row["Unit"] == inspection.unit_name_snapshot and row["Unit code"] == inspection.unit_code_snapshot
            assert row["Version"] == inspection.checklist_version.number
            assert row["Window from"].date() == inspection.window_start
    assert body[world["concluded"]]["Result"] == "Fail" and body[world["approved"]]["Result"] == "Pass"
    items = list(wb["Item results"].iter_rows(values_only=True))
    by_key = {(r[0], r[6]): r for r in items[1:]}
    assert by_key[(world["concluded"], "bien-hieu")][9] == "Fail"  # the label; its code in its own column
    assert dict(zip(items[0], by_key[(world["concluded"], "bien-hieu")]))["Outcome code"] == "fail"
    assert by_key[(world["concluded"], "dung-han")][8] == "19/20 (95%)"
    assert by_key[(world["approved"], "wifi")][4] == 2  # version 2's extra item, same columns
    assert ("Biển hiệu bị che khuất" in [r[6] for r in wb["Findings"].iter_rows(values_only=True)])
    actions = {r[4]: r for r in wb["Actions"].iter_rows(min_row=2, values_only=True)}
    assert actions["Thay biển hiệu"][11] == "yes" and actions["Niêm yết lại"][10] == "no"
    units = {r[0]: r for r in wb["By unit"].iter_rows(min_row=2, values_only=True)}
    assert units["00004"][2:4] == (2, 1) and units["00004"][4] == 60.0 and units["00004"][9] == 1
    # Numbers are stored as numbers, never as text.
    assert all(isinstance(v, (int, float)) for v in units["00004"][2:] if v is not None)
    wb.close()


def test_workbook_reads_as_words_in_the_readers_language_with_codes_for_machines(client, auth, world, inline_jobs):
    auth.login("lead")
    wb = build_workbook(client)  # Vietnamese, the default
    assert wb.sheetnames == ["Cuộc kiểm tra", "Kết quả từng nội dung", "Phát hiện", "Yêu cầu khắc phục", "Theo đơn vị"]
    sheets = [wb[name] for name in wb.sheetnames]
    inspections = list(sheets[0].iter_rows(values_only=True))
    header = inspections[0]
    rows = [dict(zip(header, row)) for row in inspections[1:]]
    concluded = next(r for r in rows if r[header[0]] == world["concluded"])
    codes = {"announced", "unannounced", "planned", "submitted", "approved", "concluded", "pass", "fail"}
    # The readable columns hold labels; the codes stand only in the trailing code columns.
    readable = [v for k, v in concluded.items() if isinstance(v, str) and "mã" not in k.lower()]
    assert not codes & set(readable), readable
    assert concluded[header[-1]] == "fail" and concluded[header[-3]] == "announced"
    assert "Không đạt" in readable
    # The checklist is named by its title, not its key.
    assert concluded[header[3]] != concluded[header[-4]]
    for sheet in sheets:
        # a filter over the whole sheet, columns sized to their content
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        widths = [sheet.column_dimensions[sheet.cell(1, c).column_letter].width for c in range(1, sheet.max_column + 1)]
        assert len(set(widths)) > 1 and all(8 <= w <= 60 for w in widths)
    longest = max(len(r[2]) for r in inspections[1:])  # the unit's name
    assert sheets[0].column_dimensions["C"].width >= longest
    # dates in the Vietnamese way
    assert sheets[0]["H2"].number_format == "dd/mm/yyyy"
    wb.close()


def test_workbook_page_names_its_sheets_in_words(client, auth, world, inline_jobs):
    auth.login("lead")
    job_page = client.post("/exports/workbook", data={}).headers["Location"]
    page = client.get(job_page).get_data(as_text=True)
    assert "inspections:" not in page and "items:" not in page and "Cuộc kiểm tra: 3" in page
    client.post("/lang/en", data={"next": "/"})
    page = client.get(job_page).get_data(as_text=True)
    assert "Inspections: 3" in page and "Item results:" in page and "By unit: 2" in page


def test_csv_streams_utf8_with_bom_and_never_makes_formulas(client, auth, world, app):
    auth.login("viewer")
    with client.get("/exports/inspections.csv") as r:
        assert r.status_code == 200 and r.is_streamed
        raw = r.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = {row[2] for row in rows[1:]}
    assert "Phường Ba Đình" in names and "'=Phường Công Thức" in names
    with client.get("/exports/items.csv?unit=00005") as r:
        rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 + 4 and {row[0] for row in rows[1:]} == {str(world["approved"])}


def test_json_listing_pages_through_inspections_modified_since(client, auth, world, app):
    auth.login("admin")
    r = client.get("/api/exports/inspections?page_size=2")
    assert r.status_code == 200
    assert len(r.get_json()) == 2 and '"total": 3' in r.headers["X-Pagination"]
    with app.app_context():
        later = datetime(2030, 1, 1, tzinfo=timezone.utc)
        inspection = db.session.get(Inspection, world["approved"])
        inspection.updated_at = later
        db.session.commit()
    changed = client.get("/api/exports/inspections?modified_since=2029-12-31T00:00:00%2B07:00").get_json()
    assert [i["id"] for i in changed] == [world["approved"]]
    assert changed[0]["score_percent"] == 100.0 and changed[0]["checklist_version"] == 2
    assert client.get("/api/exports/inspections?modified_since=yesterday").status_code == 422


# ── Access: a unit officer reaches nothing here beyond their own unit's concluded inspections ──

STAFF_ONLY = [  # one CSV per kind of table query is enough: the five share a route
    "/plans", "/plans/new", "/plans/{plan}", "/dashboard", "/exports", "/exports/inspections.csv",
    "/exports/actions.csv", "/api/exports/inspections",
]
PER_INSPECTION = ["/inspections/{id}/minutes", "/inspections/{id}/minutes.pdf", "/inspections/{id}/conclusion",
                  "/inspections/{id}/conclusion.pdf"]


def _url(template, world, which="concluded"):
    with_plan = template.replace("{plan}", "1")
    return with_plan.replace("{id}", str(world[which]))


@pytest.mark.parametrize("route", STAFF_ONLY)
@pytest.mark.parametrize("who, status", [("officer", 403), ("insp", 403), ("viewer", 200), ("lead", 200)])
def test_lead_workspace_pages_are_for_staff_only(client, auth, world, route, who, status):
    if route == "/plans/new" and who == "viewer":
        status = 403  # viewers read plans, they do not make them
    auth.login(who)
    with client.get(_url(route, world)) as r:
        assert r.status_code == status


@pytest.mark.parametrize("route", PER_INSPECTION)
@pytest.mark.parametrize("which, status", [("concluded", 200), ("approved", 404), ("surprise", 404)])
def test_unit_officer_gets_documents_of_their_own_units_concluded_inspections_only(
        client, auth, world, route, which, status):
    auth.login("officer")
    with client.get(_url(route, world, which)) as r:
        assert r.status_code == status


def test_unit_officer_cannot_reach_another_users_export_job(client, auth, world, app, inline_jobs):
    auth.login("lead")
    job_page = client.post("/exports/workbook", data={}).headers["Location"]
    auth.logout()
    auth.login("viewer")
    assert client.get(job_page).status_code == 404
    auth.logout()
    auth.login("officer")
    assert client.get(job_page).status_code == 403
    assert client.post("/exports/workbook", data={}).status_code == 403


def test_a_workbook_with_a_mistyped_filter_is_refused_with_a_message_naming_it(client, auth, world, inline_jobs):
    auth.login("lead")
    r = client.post("/exports/workbook", data={"period_start": "2026-13-01"})
    assert r.status_code == 400
    assert "Từ: Vui lòng nhập ngày theo dạng 18/12/2026." in r.get_data(as_text=True)  # the field, then what is wrong
    r = client.post("/exports/workbook", data={"plan_id": "abc"})
    assert r.status_code == 400
    assert "Kế hoạch: Vui lòng nhập một số nguyên." in r.get_data(as_text=True)
    assert client.post("/exports/workbook", data={"period_start": "2026-01-01"}).status_code == 303
