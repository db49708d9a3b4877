"""What a plan gives its documents: the legal basis typed on the plan form, the
notice's time and self-report, and the notice refused once its date has passed."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from server.extensions import db
from server.models import DocumentNumber, Plan
from server.services.reporting.minutes import local_date
from server.models.types import utcnow
from tests.fieldwork.test_plans import plan_form, world  # noqa: F401  (the fixture)

def _today(app):
    with app.app_context():
        return local_date(utcnow())


LEGAL = {"plan_number": "15/KH-UBND", "plan_date": "2026-11-02", "decision_number": "123/QĐ-UBND",
         "decision_date": "2026-11-03", "decision_signer": "Chủ tịch UBND thành phố"}


def _latest_plan(app) -> dict:
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).order_by(Plan.id.desc()))
        return {"id": plan.id, "inspections": [i.id for i in plan.inspections],
                **{k: getattr(plan, k) for k in LEGAL}}


def test_the_legal_basis_typed_on_the_plan_is_kept_and_printed(client, auth, world, app):  # noqa: F811
    auth.login("lead")
    assert client.post("/plans/new", data=plan_form(world, **LEGAL)).status_code == 302
    plan = _latest_plan(app)
    assert plan["plan_number"] == "15/KH-UBND" and plan["decision_signer"] == "Chủ tịch UBND thành phố"
    assert plan["decision_date"].isoformat() == "2026-11-03"
    edit = client.get(f"/plans/{plan['id']}/edit").get_data(as_text=True)
    assert 'value="123/QĐ-UBND"' in edit and 'value="2026-11-02"' in edit
    # A mistyped date is refused beside its field, everything typed kept.
    r = client.post(f"/plans/{plan['id']}/edit", data={**plan_form(world), **LEGAL, "decision_date": "3/11",
                                                       "decision_number": "124/QĐ-UBND"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="decision_date-error"' in page
    assert 'value="124/QĐ-UBND"' in page and 'value="3/11"' in page
    assert _latest_plan(app)["decision_number"] == "123/QĐ-UBND"
    # The notice cites them.
    today = _today(app)
    assert client.post(f"/plans/{plan['id']}/notice", data={
        "notice_date": (today + timedelta(days=4)).isoformat(), "notice_time": "08:30",
        "notice_place": "Hội trường", "self_report": "Báo cáo tự kiểm tra CCHC năm 2026"}).status_code == 302
    page = client.get(f"/inspections/{plan['inspections'][0]}/notice").get_data(as_text=True)
    assert "Căn cứ Kế hoạch số 15/KH-UBND ngày 02 tháng 11 năm 2026" in page
    assert "Căn cứ Quyết định số 123/QĐ-UBND ngày 03 tháng 11 năm 2026 của Chủ tịch UBND thành phố" in page
    assert "Từ 08 giờ 30 phút" in page and "Báo cáo tự kiểm tra CCHC năm 2026" in page
    assert "Chủ tịch UBND thành phố (để báo cáo);" in page


def test_publishing_gives_each_inspection_its_notice_number(client, auth, world, app):  # noqa: F811
    auth.login("lead")
    client.post("/plans/new", data=plan_form(world))
    plan = _latest_plan(app)
    today = _today(app)
    client.post(f"/plans/{plan['id']}/notice", data={"notice_date": today.isoformat(), "notice_place": "Hội trường"})
    with app.app_context():
        rows = db.session.scalars(sa.select(DocumentNumber).order_by(DocumentNumber.number)).all()
        assert [(r.kind, r.number, r.symbol) for r in rows] == [("notice", n, "TB-ĐKT") for n in (1, 2, 3)]
        assert sorted(r.inspection_id for r in rows) == sorted(plan["inspections"])
    # Updating the notice keeps the numbers it was given.
    client.post(f"/plans/{plan['id']}/notice", data={"notice_date": today.isoformat(), "notice_place": "Phòng họp"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentNumber)) == 3


def test_a_notice_is_refused_after_the_inspection_date_with_everything_typed_kept(client, auth, world, app):  # noqa: F811
    auth.login("lead")
    client.post("/plans/new", data=plan_form(world))
    plan = _latest_plan(app)
    yesterday = _today(app) - timedelta(days=1)
    r = client.post(f"/plans/{plan['id']}/notice", data={
        "notice_date": yesterday.isoformat(), "notice_time": "14:00", "notice_place": "Hội trường tầng 2",
        "requested_documents": "Sổ theo dõi", "self_report": "Báo cáo quý IV"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "không thể ban hành thông báo sau ngày đó" in page
    for typed in (f'value="{yesterday.isoformat()}"', 'value="14:00"', 'value="Hội trường tầng 2"', "Sổ theo dõi",
                  "Báo cáo quý IV"):
        assert typed in page, typed
    with app.app_context():
        assert db.session.get(Plan, plan["id"]).notice_published_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentNumber)) == 0
