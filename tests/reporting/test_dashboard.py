"""The dashboard's figures, computed by the database, under every filter."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import FailedItem, InspectionKind, InspectionStatus, RemediationAction, Role
from server.services.reporting import dashboard, item_results
from server.services.reporting.dashboard import Filters
from tests.factories import make_checklist_version, make_plan, make_unit, make_user
from tests.factories import make_inspection as _make_inspection
from tests.reportdata import finish

TODAY = date(2026, 11, 22)
D = date(2026, 10, 1)


def make_inspection(**kw):
    return _make_inspection(start=kw.pop("start", D), **kw)


def done(inspection, bien_hieu="pass", on_time=(19, 20), *, late=False):
    """Finish an inspection; it was submitted within its window unless late."""
    end = inspection.window_end
    moment = datetime(end.year, end.month, end.day, 16, 59, tzinfo=timezone.utc)  # 23:59 in Hà Nội
    finish(inspection, {"bien-hieu": bien_hieu, "dung-han": {"numerator": on_time[0], "denominator": on_time[1]}},
           submitted_at=moment + (timedelta(minutes=2) if late else timedelta()))
    return inspection


@pytest.fixture
def world(ctx):
    version = make_checklist_version()
    a, b, c = make_unit(name="Phường An"), make_unit(name="Phường Bình"), make_unit(name="Phường Cường")
    w = {"version": version, "a": a, "b": b, "c": c}
    # Phường An: announced 100 %, unannounced 60 % and 0 % (bien-hieu failed twice: a repeat).
    w["a1"] = done(make_inspection(unit=a, version=version))
    w["a2"] = done(make_inspection(unit=a, version=version, kind=InspectionKind.UNANNOUNCED), "fail")
    w["a3"] = done(make_inspection(unit=a, version=version, kind=InspectionKind.UNANNOUNCED, start=D + timedelta(days=40)),
                   "fail", (1, 2), late=True)
    # Phường Bình: one done at 60 %, one missed (window over, never done), one not yet due.
    w["b1"] = done(make_inspection(unit=b, version=version), "fail")
    w["b2"] = make_inspection(unit=b, version=version)
    w["b3"] = make_inspection(unit=b, version=version, start=TODAY + timedelta(days=1))
    # Another checklist at Phường Cường.
    other = make_checklist_version(key="khac")
    w["c1"] = done(make_inspection(unit=c, version=other), "fail", (0, 5))
    cancelled = make_inspection(unit=c, version=version)
    cancelled.status = InspectionStatus.CANCELLED
    db.session.commit()  # the dashboard reads what is committed
    return w


def test_coverage_counts_planned_done_late_and_missed(world):
    cov = dashboard.coverage(Filters(), TODAY)
    assert cov["total"] == {"planned": 7, "done": 5, "late": 1, "missed": 1, "open": 1}
    assert [(m["period"], m["planned"], m["done"], m["late"]) for m in cov["months"]] == [
        ("2026-10", 5, 4, 0), ("2026-11", 2, 1, 1)]


def test_a_submission_before_midnight_local_time_is_not_late(world):
    # a1 was submitted at 23:59 in Hà Nội on its last day (16:59 UTC): on time.
    assert dashboard.coverage(Filters(unit_id=world["a"].id), TODAY)["total"]["late"] == 1  # a3 only


def test_scores_by_period_and_lowest_units(world):
    s = dashboard.scores(Filters(checklist_id=world["version"].checklist_id))
    assert [(p["period"], p["mean"], p["n"]) for p in s["by_period"]] == [("2026-10", 73.3, 3), ("2026-11", 0.0, 1)]
    assert [(u["unit"], u["mean"], u["n"]) for u in s["lowest_units"]] == [("Phường An", 53.3, 3), ("Phường Bình", 60.0, 1)]


def test_gap_between_announced_and_unannounced_scores_of_the_same_units(world):
    gap = dashboard.announced_gap(Filters())
    assert gap["units"] == 1  # only Phường An was inspected both ways
    assert (gap["announced"], gap["unannounced"], gap["gap"]) == (100.0, 30.0, 70.0)
    assert gap["largest"][0]["unit"] == "Phường An"


def test_most_failed_items_and_repeat_findings(world):
    failed = dashboard.most_failed_items(Filters(), "en")
    assert [(i["key"], i["text"], i["fails"]) for i in failed["items"]] == [
        ("bien-hieu", "Signage", 4), ("dung-han", "On-time rate", 2)]
    assert failed["done"] == 5
    repeats = dashboard.repeat_findings(Filters(), "vi")
    assert (repeats["pairs"], repeats["units"]) == (1, 1)
    assert repeats["top"] == [{"unit": "Phường An", "item": "Biển hiệu", "times": 2}]


def test_failed_items_follow_a_rescored_inspection(world):
    a2 = world["a2"]
    a2.answers.clear()
    db.session.flush()
    done(a2, "pass")
    keys = db.session.scalars(sa.select(FailedItem.item_key).where(FailedItem.inspection_id == a2.id)).all()
    assert keys == []
    db.session.commit()
    assert dashboard.repeat_findings(Filters(), "vi")["pairs"] == 0
    # And the table can be rebuilt from the stored scores alone.
    before = db.session.execute(sa.select(FailedItem.inspection_id, FailedItem.item_key).order_by(FailedItem.id)).all()
    assert item_results.rebuild_all() == len(before)


def test_actions_open_overdue_and_closed_on_time_by_unit(world):
    def action(unit, deadline, status="open", closed_at=None):
        db.session.add(RemediationAction(inspection_id=world["a2"].id, unit_id=unit.id, title="x", deadline=deadline,
                                         status=status, closed_at=closed_at))
    a, b = world["a"], world["b"]
    action(a, TODAY + timedelta(days=3))
    action(a, TODAY - timedelta(days=1))
    action(a, TODAY - timedelta(days=1), "in_progress")
    action(b, date(2026, 11, 10), "closed", datetime(2026, 11, 10, 16, 0, tzinfo=timezone.utc))  # 23:00 local
    action(b, date(2026, 11, 10), "closed", datetime(2026, 11, 10, 17, 30, tzinfo=timezone.utc))  # next day local
    action(b, date(2026, 11, 1), "cancelled")
    db.session.commit()
    acts = dashboard.actions_by_unit(Filters(), TODAY)
    assert acts["total"] == {"open": 1, "overdue": 2, "on_time": 1, "late": 1}
    assert [(r["unit"], r["overdue"], r["open"], r["on_time"], r["late"]) for r in acts["units"]] == [
        ("Phường An", 2, 1, 0, 0), ("Phường Bình", 0, 0, 1, 1)]
    assert dashboard.actions_by_unit(Filters(unit_id=b.id), TODAY)["total"]["overdue"] == 0


@pytest.mark.parametrize("filters, planned", [
    (lambda w: Filters(unit_id=w["b"].id), 3),
    (lambda w: Filters(checklist_id=w["version"].checklist_id), 6),
    (lambda w: Filters(plan_id=w["a1"].plan_id), 1),
    (lambda w: Filters(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30)), 2),
])
def test_every_chart_obeys_the_filters(world, filters, planned):
    data = dashboard.summary(filters(world), today=TODAY, locale="vi")
    assert data["coverage"]["total"]["planned"] == planned


def test_dashboard_page_draws_its_charts_inline_without_scripts(client, auth, app):
    with app.app_context():
        make_user(Role.VIEWER, username="viewer")
        version = make_checklist_version()
        plan = make_plan(version=version)
        inspection = done(_make_inspection(unit=make_unit(name="Phường Đống Đa"), version=version, plan=plan), "fail")
        month = inspection.window_start
        db.session.commit()
    auth.login("viewer")
    client.post("/lang/en", data={"next": "/"})
    page = client.get("/dashboard").get_data(as_text=True)
    # Charts drawn without script: the page's only script is the date fields' helper.
    assert page.count("<svg") >= 4
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="/static/js/date-echo.js">']
    assert "Signage" in page and "Phường Đống Đa" in page
    # Months and percents as the reader writes them: Dec 2026 and 47.5%; 12/2026 and 47,5 % in Vietnamese.
    assert f">{month.strftime('%b')} {month.year}<" in page and not re.search(r">\d\d-\d\d<", page)
    assert re.search(r"\d% \(n=1\)", page)
    client.post("/lang/vi", data={"next": "/"})
    page = client.get("/dashboard").get_data(as_text=True)
    assert f">{month.month:02d}/{month.year}<" in page and re.search(r"\d\u00a0% \(n=1\)", page)
    client.post("/lang/en", data={"next": "/"})
    refused = client.get("/dashboard?period_start=soon")
    # the filter is named as the page labels it, not by its parameter
    assert refused.status_code == 400
    assert "Period from: enter a date like 18 Dec 2026." in refused.get_data(as_text=True)
    assert client.get("/dashboard?unit=nope").status_code == 400


def test_an_empty_dashboard_says_there_is_nothing_yet_rather_than_counting_zeros(client, auth, app):
    with app.app_context():
        make_user(Role.VIEWER, username="viewer")
        db.session.commit()
    auth.login("viewer")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Chưa có nội dung nào Không đạt lặp lại tại cùng một đơn vị." in page
    assert "0 nội dung" not in page and "ở 0 đơn vị" not in page and "trên 0 cuộc" not in page
