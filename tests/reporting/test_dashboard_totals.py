"""The dashboard's stored totals (services/reporting/totals.py) stay equal to
the sums of the rows they total through every change a service makes, and the
dashboard shows the same figures from them as from the rows themselves."""
import threading
import time
import uuid as uuidlib
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import (ActionStatus, ActionTotal, CoverageTotal, FailedItem, Inspection, InspectionKind, InspectionStatus,
                           PendingTotal, RemediationAction, Role)
from server.services.review import conclusions, approval as review
from server.services.reporting import dashboard, totals as dashboard_totals, totals_upkeep
from server.services.remediation import actions as remediation
from server.services.fieldwork import submissions
from server.services.directory import units as unit_service
from server.services.reporting.dashboard import Filters
from tests.factories import (make_checklist_version, make_inspection, make_plan, make_team, make_unit, make_user,
                             phone_content, photos_arrive)

FAILING = {"bien-hieu": "fail", "dung-han": {"numerator": 90, "denominator": 100}}
PASSING = {"bien-hieu": "pass", "dung-han": {"numerator": 99, "denominator": 100}}
OCTOBER = date(2026, 10, 1)


def stored(totals) -> list[tuple]:
    columns = [totals.table.c[name] for name in (*totals.keys, *totals.measures)]
    return _comparable(db.session.execute(sa.select(*columns)))


def summed(totals) -> list[tuple]:
    return _comparable(db.session.execute(totals.rows()))


def _comparable(rows) -> list[tuple]:
    return sorted((tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows), key=repr)


def assert_in_step() -> None:
    for totals in dashboard_totals.ALL:
        assert stored(totals) == summed(totals), totals.table.name


@pytest.fixture
def world(ctx):
    unit, successor = make_unit(name="Phường Một"), make_unit(name="Phường Hợp Nhất")
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    team.lead = lead
    version = make_checklist_version()
    plan = make_plan(version=version, team=team)
    w = {"unit": unit, "successor": successor, "lead": lead, "team": team, "version": version, "plan": plan,
         "officer": make_user(Role.UNIT_OFFICER, username="officer", unit=unit)}
    w["first"] = make_inspection(unit=unit, team=team, plan=plan, version=version, start=OCTOBER)
    w["second"] = make_inspection(unit=unit, team=team, plan=plan, version=version, start=OCTOBER + timedelta(days=20))
    db.session.commit()
    return w


def submit(inspection, actor, answers: dict, reason=None) -> None:
    submissions.submit(inspection, actor, str(uuidlib.uuid4()), phone_content(inspection, answers), reason=reason)
    db.session.commit()


def conclude(w, inspection) -> list[RemediationAction]:
    photos_arrive(inspection)
    review.approve(inspection, w["lead"])
    _conclusion, actions = conclusions.issue(
        inspection, w["lead"], strengths="Tiếp đón tốt", shortcomings="Biển hiệu", recommendations="Khắc phục",
        today=date.today(), days_by_severity={"minor": 30, "major": 15, "critical": 7}, locale="vi")
    db.session.commit()
    return actions


def test_planned_inspections_and_their_submissions_are_counted(world):
    assert_in_step()
    assert dashboard.coverage(Filters(), date.today())["total"]["planned"] == 2
    submit(world["first"], world["lead"], FAILING)
    assert_in_step()
    submit(world["second"], world["lead"], FAILING)
    assert_in_step()
    assert dashboard.coverage(Filters(), date.today())["total"]["done"] == 2
    repeats = dashboard.repeat_findings(Filters(), "en")
    assert (repeats["pairs"], repeats["units"]) == (2, 1)  # both items failed again at the same unit


def test_a_resubmission_after_a_return_replaces_the_counted_failures(world):
    first = world["first"]
    submit(first, world["lead"], FAILING)
    review.return_to_team(first, world["lead"], [(None, "Chụp lại biển hiệu")])
    db.session.commit()
    assert_in_step()
    submit(first, world["lead"], PASSING, reason="Đã sửa biển hiệu")
    assert_in_step()
    assert dashboard.most_failed_items(Filters(), "en")["items"] == []


def test_a_leads_revision_approval_and_conclusion_are_counted(world):
    first = world["first"]
    submit(first, world["lead"], FAILING)
    review.revise_answers(first, world["lead"], {"bien-hieu": {"value": "pass"}}, "Nhập nhầm")
    db.session.commit()
    assert_in_step()
    actions = conclude(world, first)
    assert_in_step()
    assert dashboard.actions_by_unit(Filters(), date.today())["total"]["open"] == len(actions) > 0


def test_remediation_moves_and_extensions_are_counted(world):
    submit(world["first"], world["lead"], FAILING)
    first, second = conclude(world, world["first"])[:2]
    remediation.move(first, world["lead"], ActionStatus.CANCELLED, note="Đơn vị đã sáp nhập bộ phận")
    request = remediation.request_extension(second, world["officer"], reason="Chờ kinh phí",
                                            new_deadline=second.deadline + timedelta(days=30), today=date.today())
    remediation.decide_extension(request, world["lead"], approve=True)
    db.session.commit()
    assert_in_step()
    # Closed at 23:30 in Hà Nội on the deadline: on time.
    end = second.deadline
    second.status, second.closed_at = ActionStatus.CLOSED, datetime(end.year, end.month, end.day, 16, 30,
                                                                    tzinfo=timezone.utc)
    db.session.commit()
    assert_in_step()
    assert dashboard.actions_by_unit(Filters(), date.today())["total"]["on_time"] == 1


def test_cancelling_unscheduling_and_moving_an_inspection_to_another_plan(world):
    first, second = world["first"], world["second"]
    submit(first, world["lead"], FAILING)
    conclude(world, first)
    first.status = InspectionStatus.CANCELLED
    db.session.commit()
    assert_in_step()
    assert dashboard.coverage(Filters(), date.today())["total"]["planned"] == 1
    other_plan = make_plan(version=world["version"], team=world["team"], kind=InspectionKind.UNANNOUNCED)
    first.plan, first.window_start = other_plan, OCTOBER + timedelta(days=40)  # its actions follow the plan
    second.window_start = second.window_end = None  # not scheduled after all
    db.session.commit()
    assert_in_step()
    assert db.session.scalar(sa.select(sa.func.sum(ActionTotal.open)).where(ActionTotal.plan_id == other_plan.id))


def test_changes_the_session_has_not_loaded_are_followed_from_the_database(world):
    first = world["first"]
    submit(first, world["lead"], FAILING)
    # After a commit nothing is loaded: the old window and unit are not in the session.
    first.window_start = OCTOBER + timedelta(days=60)
    db.session.flush()
    first.unit = world["successor"]
    db.session.commit()
    assert_in_step()


def test_a_unit_merger_moves_the_open_actions_to_the_successor(world):
    submit(world["first"], world["lead"], FAILING)
    actions = conclude(world, world["first"])
    unit_service.merge_units([world["unit"].code], world["successor"].code, effective=date.today())
    db.session.commit()
    assert_in_step()
    moved = dashboard.actions_by_unit(Filters(unit_id=world["successor"].id), date.today())["total"]
    assert moved["open"] + moved["overdue"] == len(actions)


def test_rebuilding_gives_the_rows_kept_in_step(world):
    submit(world["first"], world["lead"], FAILING)
    conclude(world, world["first"])
    kept = {totals.table.name: stored(totals) for totals in dashboard_totals.ALL}
    dashboard_totals.rebuild_all()
    assert {totals.table.name: stored(totals) for totals in dashboard_totals.ALL} == kept


def test_a_failure_repeats_the_one_scheduled_before_it_whatever_order_they_arrive_in(world):
    def repeats() -> dict:
        rows = db.session.execute(sa.select(FailedItem.inspection_id, FailedItem.is_repeat)
                                  .where(FailedItem.item_key == "bien-hieu")).all()
        return {("first" if i == world["first"].id else "second"): flag for i, flag in rows}

    submit(world["second"], world["lead"], FAILING)  # the later window arrives first
    assert repeats() == {"second": False}
    submit(world["first"], world["lead"], FAILING)
    assert repeats() == {"first": False, "second": True}
    review.return_to_team(world["first"], world["lead"], [(None, "Chụp lại biển hiệu")])
    db.session.commit()
    submit(world["first"], world["lead"], PASSING, reason="Đã có biển hiệu")
    assert repeats() == {"second": False}
    assert_in_step()


def test_the_rebuild_command_refills_failures_and_totals_lost_by_an_upgrade(world, runner):
    submit(world["first"], world["lead"], FAILING)
    submit(world["second"], world["lead"], FAILING)
    kept = {totals.table.name: stored(totals) for totals in dashboard_totals.ALL}
    # A database upgraded through the migration that added failed_items without filling it.
    db.session.execute(sa.delete(FailedItem))
    for totals in dashboard_totals.ALL:
        db.session.execute(sa.delete(totals.table))
    db.session.commit()
    assert dashboard.repeat_findings(Filters(), "vi")["pairs"] == 0
    result = runner.invoke(args=["dashboard", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "4 failed items" in result.output  # two items failed in each
    assert {totals.table.name: stored(totals) for totals in dashboard_totals.ALL} == kept
    assert dashboard.repeat_findings(Filters(), "vi")["pairs"] == 2  # both items failed again


def pending() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PendingTotal))


def test_a_change_is_summed_soon_after_its_commit_and_always_before_the_dashboard_reads(world, app):
    app.config["DASHBOARD_TOTALS_DELAY_S"] = 0.5
    submit(world["first"], world["lead"], FAILING)
    # Committed, not yet summed: the submission only noted its groups.
    assert pending() > 0
    assert stored(dashboard_totals.COVERAGE) != summed(dashboard_totals.COVERAGE)
    # The dashboard sums them before it reads.
    assert dashboard.coverage(Filters(), date.today())["total"]["done"] == 1
    assert pending() == 0
    assert_in_step()
    # Left alone, the process sums the next change within the delay.
    submit(world["second"], world["lead"], PASSING)
    assert pending() > 0
    deadline = time.monotonic() + 10
    while pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pending() == 0
    assert_in_step()
    assert db.session.scalar(sa.select(sa.func.sum(CoverageTotal.done))) == 2


def test_two_submissions_for_one_unit_at_once_are_both_counted(app, monkeypatch):
    """PostgreSQL: the unit's lock orders their failures, the catch-up's lock
    their sums; SQLite: its one writer at a time does."""
    with app.app_context():
        unit, version = make_unit(), make_checklist_version()
        plan = make_plan(version=version)
        ids = [make_inspection(unit=unit, plan=plan, version=version, start=OCTOBER).id for _ in range(2)]
        db.session.commit()
    # Each recomputation is slowed down, so that the two would overlap without their locks.
    refresh = totals_upkeep.refresh
    monkeypatch.setattr(totals_upkeep, "refresh", lambda *args: (time.sleep(0.2), refresh(*args)))
    errors = []

    def submit_one(inspection_id):
        with app.app_context():
            try:
                submit(db.session.get(Inspection, inspection_id), None, FAILING)
            except BaseException as exc:  # re-raised in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit_one, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    with app.app_context():
        assert_in_step()
        assert dashboard.coverage(Filters(), date.today())["total"]["done"] == 2


@pytest.fixture
def mixed(ctx):
    """Two checklists, two plans, both kinds, done, late, missed and open
    inspections, repeats, and actions open, overdue, closed on time and late."""
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    units = [make_unit(name=f"Phường {name}") for name in ("An", "Bình", "Cường")]
    versions = [make_checklist_version(), make_checklist_version(key="khac")]
    plans = [make_plan(version=versions[0], team=team),
             make_plan(version=versions[1], team=team, kind=InspectionKind.UNANNOUNCED)]
    today = date.today()
    for n in range(12):
        inspection = make_inspection(unit=units[n % 3], plan=plans[n % 2], version=versions[n % 2],
                                     start=OCTOBER + timedelta(days=11 * n), kind=plans[n % 2].kind)
        if n % 4 != 3:  # one in four never done: missed or not yet due
            submit(inspection, lead, FAILING if n % 3 else PASSING)
            inspection.submitted_at = datetime.combine(inspection.window_end + timedelta(days=n % 2), datetime.min.time(),
                                                       tzinfo=timezone.utc)  # every other one late
        for k, status in enumerate((ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.CLOSED)):
            deadline = today + timedelta(days=10 * (n - 6 + k))
            db.session.add(RemediationAction(
                inspection_id=inspection.id, unit_id=units[(n + k) % 3].id, title="Khắc phục", deadline=deadline,
                status=status, closed_at=datetime.combine(deadline + timedelta(days=n % 3 - 1), datetime.min.time(),
                                                          tzinfo=timezone.utc) if k == 2 else None))
    db.session.commit()
    return {"units": units, "versions": versions, "plans": plans}


FILTERS = {
    "none": lambda m: Filters(),
    "period": lambda m: Filters(period_start=OCTOBER + timedelta(days=20), period_end=OCTOBER + timedelta(days=80)),
    "plan": lambda m: Filters(plan_id=m["plans"][1].id),
    "checklist": lambda m: Filters(checklist_id=m["versions"][0].checklist_id),
    "unit": lambda m: Filters(unit_id=m["units"][1].id),
    "plan and period": lambda m: Filters(plan_id=m["plans"][0].id, period_start=OCTOBER + timedelta(days=30)),
    "checklist and unit": lambda m: Filters(checklist_id=m["versions"][1].checklist_id, unit_id=m["units"][0].id),
}


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS.keys())
def test_the_figures_are_the_same_from_the_totals_as_from_the_rows(mixed, filters, monkeypatch):
    f = filters(mixed)
    assert_in_step()
    from_totals = dashboard.summary(f, today=date.today(), locale="vi")
    monkeypatch.setattr(dashboard, "_source", lambda totals, _f: totals.facts().subquery())
    assert dashboard.summary(f, today=date.today(), locale="vi") == from_totals
    assert from_totals["coverage"]["total"]["planned"] > 0
