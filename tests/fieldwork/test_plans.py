"""Plans: creating them with their inspections, random draws, notices, and the embargo log."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from server.extensions import db
from server.models import AuditEvent, Inspection, InspectionKind, Plan, Role
from server.models.types import utcnow
from server.services.fieldwork import draws
from server.services.fieldwork import plans as plan_service
from tests.factories import (SMALL_CHECKLIST_SOURCE, make_checklist_version, make_team, make_unit, make_user,
                             normalised)

TODAY = date.today()


@pytest.fixture
def world(app):
    with app.app_context():
        version = make_checklist_version()
        team = make_team(name="Đoàn kiểm tra số 1")
        units = [make_unit(code=f"1000{i}", name=f"Phường Số {i}", kind="ward" if i < 6 else "commune")
                 for i in range(10)]
        make_user(Role.LEAD, username="lead", team=team)
        make_user(Role.VIEWER, username="viewer")
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.UNIT_OFFICER, username="officer", unit=units[0])
        make_user(Role.UNIT_OFFICER, username="other_officer", unit=units[1])
        db.session.commit()
        return {"checklist_id": version.checklist_id, "team_id": team.id}


def plan_form(world, **overrides):
    form = {"title": "Kế hoạch kiểm tra CCHC quý IV", "kind": "announced",
            "period_start": TODAY.isoformat(), "period_end": (TODAY + timedelta(days=30)).isoformat(),
            "window_start": (TODAY + timedelta(days=3)).isoformat(),
            "window_end": (TODAY + timedelta(days=5)).isoformat(),
            "checklist_id": str(world["checklist_id"]), "team_id": str(world["team_id"]),
            "method": "none", "unit_codes": "10000, 10001\n10002"}
    form.update(overrides)
    return form


def test_lead_creates_a_plan_with_one_scheduled_inspection_per_unit(client, auth, world, app):
    auth.login("lead")
    r = client.post("/plans/new", data=plan_form(world))
    assert r.status_code == 302
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan))
        inspections = db.session.scalars(sa.select(Inspection).order_by(Inspection.unit_code_snapshot)).all()
        assert [i.unit_code_snapshot for i in inspections] == ["10000", "10001", "10002"]
        assert {(i.window_start, i.window_end, i.team_id, i.kind, i.plan_id) for i in inspections} == {
            (TODAY + timedelta(days=3), TODAY + timedelta(days=5), world["team_id"], "announced", plan.id)}
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("inspection.create") == 3 and "plan.create" in actions


@pytest.mark.parametrize("overrides, message", [
    ({"title": " "}, "The plan needs a title."),
    ({"period_end": (TODAY - timedelta(days=1)).isoformat()}, "The period ends before it starts."),
    ({"window_end": (TODAY + timedelta(days=60)).isoformat()}, "is outside the plan"),
    ({"unit_codes": "10000 99999"}, "Unknown unit codes: 99999"),
    ({"unit_codes": ""}, "Choose at least one unit."),
    ({"period_start": "yesterday"}, "Period from: enter a date like 18 Dec 2026."),
    ({"method": "uniform", "n": "50"}, "cannot draw 50 units out of 10"),
])
def test_a_plan_that_cannot_be_made_is_refused_with_a_message_and_nothing_is_written(
        client, auth, world, app, overrides, message):
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    r = client.post("/plans/new", data=plan_form(world, **overrides))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


@pytest.mark.parametrize("method", ["uniform", "stratified", "weighted"])
def test_a_drawn_plan_stores_method_inputs_and_seed_and_replays(client, auth, world, app, method):
    auth.login("lead")
    r = client.post("/plans/new", data=plan_form(world, kind="unannounced", method=method, n="2", seed="777"))
    assert r.status_code == 302
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan))
        sel = plan.selection
        assert sel["method"] == method and sel["seed"] == 777
        assert sel["inputs"]["units"] == [f"1000{i}" for i in range(10)]
        assert sorted(i.unit_code_snapshot for i in plan.inspections) == sorted(sel["drawn"])
        assert draws.replay(sel) == sel["drawn"]
        assert len(sel["drawn"]) == (4 if method == "stratified" else 2)
    # The same seed and inputs, drawn again, give the same units.
    client.post("/plans/new", data=plan_form(world, kind="unannounced", method=method, n="2", seed="777"))
    with app.app_context():
        a, b = db.session.scalars(sa.select(Plan).order_by(Plan.id)).all()
        assert a.selection["drawn"] == b.selection["drawn"]
    page = client.get(f"/plans/{a.id}").get_data(as_text=True)
    assert "777" in page


def _make_plan(client, world, **overrides):
    client.post("/plans/new", data=plan_form(world, **overrides))
    return db.session.scalar(sa.select(Plan).order_by(Plan.id.desc()))


def test_unit_officer_sees_the_notice_only_once_published_and_only_for_their_unit(client, auth, world, app):
    auth.login("lead")
    with app.app_context():
        plan = _make_plan(client, world)
        own = next(i.id for i in plan.inspections if i.unit_code_snapshot == "10000")
        plan_id = plan.id
    auth.logout()
    auth.login("officer")
    assert client.get(f"/inspections/{own}/notice").status_code == 403
    auth.logout()
    auth.login("lead")
    r = client.post(f"/plans/{plan_id}/notice", data={
        "notice_date": (TODAY + timedelta(days=4)).isoformat(), "notice_place": "Hội trường UBND phường",
        "requested_documents": "Báo cáo tự đánh giá CCHC năm 2026\nSổ theo dõi hồ sơ"})
    assert r.status_code == 302
    auth.logout()
    auth.login("officer")
    page = client.get(f"/inspections/{own}/notice").get_data(as_text=True)
    assert "Hội trường UBND phường" in page and "Báo cáo tự đánh giá CCHC năm 2026" in page
    with client.get(f"/inspections/{own}/notice.pdf") as r:
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Phường Số 0" in text and "Hội trường UBND phường" in text
    auth.logout()
    auth.login("other_officer")
    assert client.get(f"/inspections/{own}/notice").status_code == 404  # not theirs to know of


def test_a_surprise_plan_has_no_notice(client, auth, world, app):
    auth.login("lead")
    with app.app_context():
        plan = _make_plan(client, world, kind="unannounced")
        plan_id, inspection_id = plan.id, plan.inspections[0].id
    r = client.post(f"/plans/{plan_id}/notice", data={"notice_date": TODAY.isoformat(), "notice_place": "X"})
    assert r.status_code == 409
    assert client.get(f"/inspections/{inspection_id}/notice").status_code == 404


def test_every_view_of_an_embargoed_plan_is_logged_until_check_in(client, auth, world, app):
    auth.login("lead")
    with app.app_context():
        plan = _make_plan(client, world, kind="unannounced")
        announced = _make_plan(client, world)
        plan_id = plan.id
    auth.logout()
    auth.login("viewer")
    client.get("/plans")
    client.get(f"/plans/{plan_id}")
    client.get(f"/plans/{announced.id}")
    with app.app_context():
        logged = db.session.execute(sa.select(AuditEvent.object_id, AuditEvent.details, AuditEvent.actor_id)
                                    .where(AuditEvent.action == "plan.view_embargoed")).all()
        assert [(o, d["where"]) for o, d, _ in logged] == [(str(plan_id), "plans.index"), (str(plan_id), "plans.show")]
        for inspection in db.session.get(Plan, plan_id).inspections:
            inspection.checked_in_at = utcnow()
        db.session.commit()
    client.get(f"/plans/{plan_id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "plan.view_embargoed")) == 2


@pytest.mark.parametrize("who, status", [("lead", 200), ("viewer", 403), ("insp", 403), ("officer", 403)])
def test_only_leads_and_admins_create_plans(client, auth, world, who, status):
    auth.login(who)
    assert client.get("/plans/new").status_code == status
    assert client.post("/plans/new", data=plan_form(world)).status_code in ((302,) if status == 200 else (403,))


def test_creating_a_plan_with_inspection_kind_unannounced_keeps_it_from_the_unit(client, auth, world, app):
    auth.login("lead")
    with app.app_context():
        plan = _make_plan(client, world, kind=InspectionKind.UNANNOUNCED.value)
        ids = [i.id for i in plan.inspections]
    auth.logout()
    auth.login("officer")
    assert client.get("/plans").status_code == 403
    for inspection_id in ids:
        assert client.get(f"/inspections/{inspection_id}/notice").status_code == 404
        assert client.get(f"/inspections/{inspection_id}/minutes").status_code == 404


def test_dashboard_and_exports_narrowed_to_an_embargoed_plan_are_logged_as_views_of_it(client, auth, world, app):
    auth.login("lead")
    with app.app_context():
        plan_id = _make_plan(client, world, kind="unannounced").id
    client.get(f"/dashboard?plan_id={plan_id}")
    with client.get(f"/exports/inspections.csv?plan_id={plan_id}") as r:
        r.get_data()
    with app.app_context():
        where = [d["where"] for d in db.session.scalars(
            sa.select(AuditEvent.details).where(AuditEvent.action == "plan.view_embargoed"))]
    assert where == ["dashboard", "exports.inspections.csv"]


CENTRE_CHECKLIST = normalised({**SMALL_CHECKLIST_SOURCE, "key": "mot-cua", "applies_to": ["service_centre"],
                               "title": {"vi": "Kiểm tra bộ phận một cửa", "en": "One-stop shop check"}})


@pytest.fixture
def centres(app, world):
    """A checklist written for service centres only, and two centres beside the wards and communes."""
    with app.app_context():
        version = make_checklist_version(CENTRE_CHECKLIST)
        for i in range(2):
            make_unit(code=f"2000{i}", name=f"Trung tâm PVHCC số {i}", kind="service_centre")
        db.session.commit()
        return {**world, "checklist_id": version.checklist_id}


@pytest.mark.parametrize("lang, expected", [
    ("en", ["One-stop shop check", "Public administration service centre", "Phường Số 1 (10001, Ward)",
            "Phường Số 7 (10007, Commune)"]),
    ("vi", ["Kiểm tra bộ phận một cửa", "Trung tâm Phục vụ hành chính công", "Phường Số 1 (10001, Phường)",
            "Phường Số 7 (10007, Xã)"]),
])
def test_planning_a_unit_the_checklist_does_not_apply_to_is_refused_on_the_form_with_everything_kept(
        client, auth, centres, app, lang, expected):
    auth.login("lead")
    client.post(f"/lang/{lang}", data={"next": "/"})
    r = client.post("/plans/new", data=plan_form(centres, title="Kế hoạch một cửa", unit_codes="20000 10001 10007"))
    assert r.status_code == 422
    page = " ".join(r.get_data(as_text=True).split())
    for text in expected:
        assert text in page, text
    assert "Trung tâm PVHCC số 0 (20000" not in page  # the centre is fine, only the others are named
    assert 'value="Kế hoạch một cửa"' in page and "20000 10001 10007" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


def test_the_plan_service_refuses_units_the_checklist_does_not_apply_to_and_accepts_its_own(ctx):
    version = make_checklist_version(CENTRE_CHECKLIST)
    ward, centre = make_unit(kind="ward", name="Phường Láng"), make_unit(kind="service_centre")
    lead = make_user(Role.LEAD)
    args = dict(title="Kế hoạch", kind="announced", period_start=TODAY, period_end=TODAY + timedelta(days=9),
                checklist=version.checklist, team=None)
    with pytest.raises(plan_service.PlanError) as refused:
        plan_service.create_plan(lead, units=[centre, ward], **args)
    assert "Phường Láng" in refused.value.message and refused.value.status == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    plan = plan_service.create_plan(lead, units=[centre], **args)
    assert [i.unit_id for i in plan.inspections] == [centre.id]


def test_a_checklist_without_applies_to_plans_any_kind_of_unit(ctx):
    version = make_checklist_version()
    units = [make_unit(kind=kind) for kind in ("ward", "service_centre", "restaurant")]
    plan = plan_service.create_plan(
        make_user(Role.LEAD), title="Kế hoạch", kind="announced", period_start=TODAY,
        period_end=TODAY + timedelta(days=9), checklist=version.checklist, team=None, units=units)
    assert len(plan.inspections) == 3


def test_a_draw_picks_only_among_the_units_the_checklist_applies_to(client, auth, centres, app):
    auth.login("lead")
    r = client.post("/plans/new", data=plan_form(centres, kind="unannounced", method="uniform", n="2", seed="5"))
    assert r.status_code == 302
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan))
        assert plan.selection["inputs"]["units"] == ["20000", "20001"]
        assert sorted(i.unit_code_snapshot for i in plan.inspections) == ["20000", "20001"]


def test_a_draw_among_kinds_the_checklist_does_not_apply_to_is_refused(client, auth, centres, app):
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    form = plan_form(centres, kind="unannounced", method="uniform", n="1", unit_kinds=["ward", "service_centre"])
    r = client.post("/plans/new", data=form)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Not of those kinds: Ward." in page and "Public administration service centre" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 0


def test_a_mistyped_plan_comes_back_with_each_message_beside_its_field_and_everything_typed_kept(client, auth, world):
    auth.login("lead")
    client.post("/lang/en", data={"next": "/"})
    r = client.post("/plans/new", data=plan_form(world, period_start="yesterday", n="ten", method="uniform"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Please correct the fields marked below." in page
    assert ('<p class="field-error" id="period_start-error">Period from: enter a date like 18 Dec 2026.</p>'
            in page)
    assert '<p class="field-error" id="n-error">Enter a whole number for Number of units to draw (N).</p>' in page
    assert 'name="n" aria-invalid="true" aria-describedby="n-error"' in page
    assert 'value="yesterday"' in page and 'value="ten"' in page and 'value="Kế hoạch kiểm tra CCHC quý IV"' in page
    assert '<option value="uniform" selected>' in page


def test_dates_typed_by_hand_are_read_as_people_write_them_and_a_wrong_one_shows_that_style(client, auth, world, app):
    # A browser without a date picker sends what was typed: day first, as both languages write it here.
    auth.login("lead")
    typed = {"window_start": (TODAY + timedelta(days=3)).strftime("%d/%m/%Y"),
             "window_end": (TODAY + timedelta(days=5)).strftime("%d.%m.%Y")}
    assert client.post("/plans/new", data=plan_form(world, **typed)).status_code == 302
    with app.app_context():
        inspection = db.session.scalars(sa.select(Inspection)).first()
        assert (inspection.window_start, inspection.window_end) == (TODAY + timedelta(days=3), TODAY + timedelta(days=5))
    client.post("/lang/vi", data={"next": "/"})
    r = client.post("/plans/new", data=plan_form(world, period_end="12/18/2026"))  # month first: no 18th month
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "vui lòng nhập ngày theo dạng 18/12/2026." in page
    assert "YYYY" not in page and 'value="12/18/2026"' in page
