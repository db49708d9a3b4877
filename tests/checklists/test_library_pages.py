"""The checklist library in the browser: upload (YAML or XLSX), preview, publish,
versions and their differences, downloads, retiring; and `kiemtra checklists export`."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
import yaml

from server.extensions import db
from server.models import Checklist, ChecklistStatus, ChecklistVersion, Role, User
from server.services.checklists import formats, library
from server.services.checklists.definition import content_hash
from tests.factories import SMALL_CHECKLIST_SOURCE, make_inspection, make_team, make_unit, make_user

CHECKLISTS = Path(__file__).resolve().parents[2] / "checklists"


@pytest.fixture
def people(app):
    with app.app_context():
        for role in (Role.ADMIN, Role.LEAD, Role.VIEWER, Role.INSPECTOR):
            make_user(role, username=role)
        make_user(Role.LEAD, username="lead2")
        db.session.commit()


def upload(client, name: str, data: bytes, **kw):
    return client.post("/checklists/upload", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kw)


def small_yaml(**changes) -> bytes:
    source = yaml.safe_load(yaml.safe_dump(SMALL_CHECKLIST_SOURCE))
    for path, value in changes.items():
        target = source
        *parents, last = path.split("/")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return yaml.safe_dump(source, allow_unicode=True).encode()


def publish_upload(client, name, data) -> str:
    response = upload(client, name, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/checklists/drafts/{token}/publish").status_code == 302
    return token


def versions(app, key="small") -> list[ChecklistVersion]:
    with app.app_context():
        return list(db.session.scalars(sa.select(ChecklistVersion).join(Checklist).where(Checklist.key == key)
                                       .order_by(ChecklistVersion.number)))


def test_a_valid_upload_is_previewed_and_published_only_when_confirmed(app, client, auth, people):
    auth.login("lead")
    response = upload(client, "small.yaml", small_yaml())
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Biển hiệu" in preview and "Signage" in preview  # both languages
    assert versions(app) == []  # the preview publishes nothing
    token = response.headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/checklists/drafts/{token}/publish").status_code == 302
    assert [v.number for v in versions(app)] == [1]
    # The draft is gone once published: publishing twice adds nothing.
    assert client.post(f"/checklists/drafts/{token}/publish").status_code == 404


def test_an_invalid_upload_shows_each_message_and_publishes_nothing(app, client, auth, people):
    auth.login("lead")
    response = upload(client, "small.yaml", small_yaml(**{"sections/0/items/0/type": "radio"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "sections[0].items[0].type" in page and "radio" in page
    assert versions(app) == []


def test_an_xlsx_upload_error_names_the_cell_in_the_users_language(app, client, auth, people):
    with app.test_request_context():
        definition = formats.load_checklist(CHECKLISTS / "sipas-rut-gon.yaml")[0]
        from server.services.checklists import xlsx_template
        book = openpyxl.load_workbook(io.BytesIO(xlsx_template.write_workbook(definition)))
    book["items"]["C3"] = "radio"
    out = io.BytesIO()
    book.save(out)
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    page = upload(client, "sipas.xlsx", out.getvalue()).get_data(as_text=True)
    assert "items!C3" in page and "unknown item type" in page
    client.post("/lang/vi", data={"next": "/"})
    page = upload(client, "sipas.xlsx", out.getvalue()).get_data(as_text=True)
    assert "items!C3" in page and "không hợp lệ" in page


def test_a_file_over_the_limit_is_refused_on_the_same_page_with_413(app, client, auth, people):
    app.config["CHECKLIST_UPLOAD_MAX_BYTES"] = 1000
    auth.login("lead")
    response = upload(client, "big.yaml", b"# " + b"x" * 5000)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<form" in page and "MB" in page


@pytest.mark.parametrize("name, data", [("empty.xlsx", b""), ("notes.txt", b"hello"), ("broken.xlsx", b"PK\x03\x04xx"),
                                        ("bad.yaml", b"\xff\xfe\x00"), ("deep.yaml", b"key: [" * 50)])
def test_bad_files_get_a_message_never_a_500(app, client, auth, people, name, data):
    auth.login("lead")
    response = upload(client, name, data)
    assert response.status_code == 422
    assert versions(app) == []


def test_a_draft_belongs_to_its_uploader(app, client, auth, people):
    auth.login("lead")
    location = upload(client, "small.yaml", small_yaml()).headers["Location"]
    token = location.rsplit("/", 1)[1]
    auth.logout()
    auth.login("lead2")
    assert client.get(location).status_code == 404
    assert client.post(f"/checklists/drafts/{token}/publish").status_code == 404
    assert versions(app) == []


def test_a_changed_upload_is_a_new_version_and_the_diff_names_each_change(app, client, auth, people):
    auth.login("lead")
    publish_upload(client, "small.yaml", small_yaml())
    changed = small_yaml(**{"sections/0/items/0/points": 5, "sections/0/items/2/text": {"vi": "Ghi chú khác",
                                                                                            "en": "Other notes"}})
    source = yaml.safe_load(changed)
    items = source["sections"][0]["items"]
    items.insert(0, items.pop(1))  # dung-han moves first
    items.append({"key": "moi", "type": "pass_fail", "text": "Mới"})
    publish_upload(client, "small.yaml", yaml.safe_dump(source, allow_unicode=True).encode())
    assert [v.number for v in versions(app)] == [1, 2]
    first = versions(app)[0]
    assert first.definition["sections"][0]["items"][0]["points"] == 2  # a published version never changes
    page = client.get("/checklists/small/diff?from=1&to=2").get_data(as_text=True)
    for key, kind in (("bien-hieu", "rescored"), ("ghi-chu", "reworded"), ("moi", "added")):
        row = page.split(f'data-key="{key}"')[1].split("</li>")[0]
        assert f"change-{kind}" in row, (key, row)
    assert page.count("change-moved") == 1
    # The same file again is no new version.
    publish_upload(client, "small.yaml", yaml.safe_dump(source, allow_unicode=True).encode())
    assert len(versions(app)) == 2


def test_the_library_lists_versions_with_their_counts(app, client, auth, people):
    auth.login("lead")
    publish_upload(client, "small.yaml", small_yaml())
    with app.app_context():
        version = versions(app)[0]
        version = db.session.get(ChecklistVersion, version.id)
        make_inspection(version=version)
        make_inspection(version=version)
        db.session.commit()
    page = client.get("/checklists").get_data(as_text=True)
    row = page.split('data-key="small"')[1].split("</li>")[0]
    cells = [c.split("</td>")[0].strip() for c in row.split("<td")[1:]]
    # version, published, languages, items, maximum score (2 + 3 points), inspections
    assert cells[2].endswith("VI, EN") and cells[3].endswith(">3") and cells[4].endswith(">5")
    assert cells[5].endswith(">2")


@pytest.mark.parametrize("kind", ["yaml", "xlsx"])
def test_every_version_downloads_as_a_file_that_imports_to_the_same_checklist(app, client, auth, people, kind):
    auth.login("viewer")
    with app.app_context():
        library.import_checklist(CHECKLISTS / "mot-cua-cap-xa.yaml")
        db.session.commit()
        stored = library.current_version("mot-cua-cap-xa").definition
    response = client.get(f"/checklists/mot-cua-cap-xa/v1.{kind}")
    assert response.status_code == 200
    assert f"mot-cua-cap-xa-v1.{kind}" in response.headers["Content-Disposition"]
    with app.test_request_context():
        definition, errors = formats.read_upload(response.data, f"x.{kind}")
    assert errors == [] and content_hash(definition) == content_hash(stored)


def test_the_blank_template_downloads_for_the_library_readers(app, client, auth, people):
    auth.login("viewer")
    response = client.get("/checklists/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "instructions" in book.sheetnames and "examples" in book.sheetnames


def test_retiring_takes_a_checklist_out_of_new_plans_and_keeps_it_readable(app, client, auth, people):
    auth.login("lead")
    publish_upload(client, "small.yaml", small_yaml())
    assert client.post("/checklists/small/retire").status_code == 403  # admins retire
    auth.logout()
    auth.login("admin")
    assert client.post("/checklists/small/retire").status_code == 302
    with app.app_context():
        checklist = db.session.scalar(sa.select(Checklist).where(Checklist.key == "small"))
        assert checklist.status == ChecklistStatus.RETIRED
        checklist_id = checklist.id
        unit = make_unit()
        db.session.commit()
        unit_code = unit.code
    assert client.get("/checklists/small/v1").status_code == 200
    assert f'value="{checklist_id}"' not in client.get("/plans/new").get_data(as_text=True)
    response = client.post("/plans/new", data={"title": "T", "kind": "announced", "checklist_id": checklist_id,
                                                "period_start": "2026-12-10", "period_end": "2026-12-20",
                                                "unit_codes": unit_code})
    assert response.status_code in (400, 409, 422) and "small" in response.get_data(as_text=True)
    assert client.post("/checklists/small/reinstate").status_code == 302
    assert f'value="{checklist_id}"' in client.get("/plans/new").get_data(as_text=True)


@pytest.mark.parametrize("who, status", [("viewer", 403), ("inspector", 403)])
def test_only_leads_and_admins_upload(app, client, auth, people, who, status):
    auth.login(who)
    assert client.get("/checklists/upload").status_code == status
    assert upload(client, "small.yaml", small_yaml()).status_code == status


def test_the_cli_exports_a_version_as_yaml_and_xlsx_and_imports_xlsx(app, runner, tmp_path):
    runner.invoke(args=["checklists", "import", str(CHECKLISTS / "sipas-rut-gon.yaml")])
    out = tmp_path / "s.xlsx"
    result = runner.invoke(args=["checklists", "export", "sipas-rut-gon", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["checklists", "validate", str(out)]).exit_code == 0
    assert "unchanged (version 1)" in runner.invoke(args=["checklists", "import", str(out)]).output
    result = runner.invoke(args=["checklists", "export", "sipas-rut-gon", "--version", "1", "--format", "yaml"])
    assert result.exit_code == 0 and yaml.safe_load(result.stdout)["key"] == "sipas-rut-gon"
    assert runner.invoke(args=["checklists", "export", "sipas-rut-gon", "--version", "9",
                               "--format", "yaml"]).exit_code != 0


def test_the_cli_reports_xlsx_errors_with_their_cell(app, runner, tmp_path):
    runner.invoke(args=["checklists", "import", str(CHECKLISTS / "sipas-rut-gon.yaml")])
    out = tmp_path / "s.xlsx"
    runner.invoke(args=["checklists", "export", "sipas-rut-gon", "--format", "xlsx", "-o", str(out)])
    book = openpyxl.load_workbook(out)
    book["items"]["C2"] = "stars"
    book.save(out)
    result = runner.invoke(args=["checklists", "validate", str(out)])
    assert result.exit_code == 1 and f"{out}: items!C2: " in result.output


def test_a_new_version_of_a_retired_checklist_stays_retired_and_the_preview_says_so(app, client, auth, people):
    auth.login("admin")
    publish_upload(client, "small.yaml", small_yaml())
    client.post("/checklists/small/retire")
    location = upload(client, "small.yaml", small_yaml(**{"scoring/pass_mark": 70})).headers["Location"]
    assert "vẫn không được chọn cho kế hoạch mới" in client.get(location).get_data(as_text=True)
    client.post(location + "/publish")
    assert [v.number for v in versions(app)] == [1, 2]
    with app.app_context():
        assert db.session.scalar(sa.select(Checklist.status).where(Checklist.key == "small")) == ChecklistStatus.RETIRED


def test_an_inspection_made_with_a_retired_checklist_still_opens_on_the_phone(app, client, auth, people):
    auth.login("lead")
    publish_upload(client, "small.yaml", small_yaml())
    with app.app_context():
        lead = db.session.scalar(sa.select(User).where(User.username == "lead"))
        team = make_team(members=[lead])
        version = db.session.get(ChecklistVersion, versions(app)[0].id)
        inspection = make_inspection(version=version, team=team)
        library.retire(inspection.checklist_version.checklist, None)
        db.session.commit()
        uuid = inspection.uuid
    answer = client.get(f"/api/inspections/{uuid}")
    assert answer.status_code == 200
    assert answer.get_json()["checklist"]["key"] == "small"


def test_the_kinds_a_checklist_applies_to_are_named_in_the_readers_language(app, client, auth, people):
    auth.login("admin")
    page = client.get(upload(client, "small.yaml", small_yaml(applies_to=["service_centre", "ward"]))
                      .headers["Location"]).get_data(as_text=True)
    assert "Trung tâm Phục vụ hành chính công" in page or "Trung tâm phục vụ hành chính công" in page
    assert "service_centre" not in page.split("<main")[1].replace('value="service_centre"', "")
