"""The conclusion notice: issuing it creates the remediation actions."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from server.extensions import db
from server.models import (
    ActionStatus, Conclusion, Inspection, InspectionStatus, Notification, RemediationAction, Role, User,
)
from server.services.foundation import notifications
from server.services.review import conclusions
from tests.factories import make_team, make_unit, make_user
from tests.remediation_factories import make_submitted_inspection

DAYS = {"minor": 30, "major": 15, "critical": 7}
TODAY = date(2026, 5, 1)


@pytest.fixture
def world(ctx):
    unit = make_unit(name="Phường Kết Luận")
    lead = make_user(Role.LEAD, username="lead")
    team = make_team(members=[lead])
    officer = make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
    inspection = make_submitted_inspection(
        unit=unit, team=team, status=InspectionStatus.APPROVED,
        findings=[("bien-hieu", "major", "Biển hiệu bạc màu"), (None, "minor", "Thiếu ghế chờ"),
                  ("ghi-chu", "critical", "Thu phí sai quy định")],
    )
    db.session.commit()
    return lead, officer, inspection


def issue(inspection, lead, **kw):
    return conclusions.issue(inspection, lead, strengths="Tiếp đón niềm nở", shortcomings="Biển hiệu",
                             recommendations="Khắc phục trong 15 ngày", today=TODAY, days_by_severity=DAYS,
                             locale="vi", **kw)


def test_each_failed_item_and_each_uncovered_finding_becomes_an_action(world):
    lead, _officer, inspection = world
    _conclusion, actions = issue(inspection, lead)
    db.session.commit()
    assert inspection.status == InspectionStatus.CONCLUDED and inspection.concluded_at is not None
    by_items = {tuple(a.item_keys): a for a in actions}
    # bien-hieu failed (with its finding folded in), dung-han failed (90 % < 95 %),
    # the free finding and the finding on the unscored text item stand alone.
    assert set(by_items) == {("bien-hieu",), ("dung-han",), (), ("ghi-chu",)}
    signage = by_items[("bien-hieu",)]
    assert signage.unit_id == inspection.unit_id and signage.status == ActionStatus.OPEN
    assert signage.deadline == TODAY + timedelta(days=15)  # the item's remediation_days
    assert signage.severity == "major"
    assert [s.get("description") for s in signage.finding_snapshot][1:] == ["Biển hiệu bạc màu"]
    assert signage.finding_snapshot[0]["answer"]["value"] == "fail"
    ratio = by_items[("dung-han",)]
    assert ratio.severity == "minor" and ratio.deadline == TODAY + timedelta(days=30)  # by severity
    free = by_items[()]
    assert free.title == "Thiếu ghế chờ" and free.deadline == TODAY + timedelta(days=30)
    critical = by_items[("ghi-chu",)]
    assert critical.severity == "critical" and critical.priority == "high"
    assert critical.deadline == TODAY + timedelta(days=7)
    assert all([e.kind for e in a.events] == ["created"] for a in actions)


def test_the_finding_snapshot_does_not_change_when_the_finding_does(world):
    lead, _officer, inspection = world
    _c, actions = issue(inspection, lead)
    finding = next(f for f in inspection.findings if f.item_key is None)
    finding.description = "Đã sửa sau"
    db.session.commit()
    action = next(a for a in actions if not a.item_keys)
    db.session.refresh(action)
    assert action.finding_snapshot[0]["description"] == "Thiếu ghế chờ"


def test_the_lead_groups_several_into_one_action_with_the_earliest_deadline_and_highest_priority(world):
    lead, _officer, inspection = world
    keys = [p.key for p in conclusions.proposals(inspection, issue_date=TODAY, days_by_severity=DAYS, locale="vi")]
    item_keys = [k for k in keys if k.startswith("item:")]
    _c, actions = issue(inspection, lead, groups={k: "A" for k in item_keys},
                        priorities={item_keys[1]: "high"})
    assert len(actions) == len(keys) - 1
    grouped = next(a for a in actions if len(a.item_keys) == 2)
    assert grouped.item_keys == ["bien-hieu", "dung-han"]
    assert grouped.deadline == TODAY + timedelta(days=15) and grouped.priority == "high"
    assert grouped.severity == "major"


def test_the_lead_may_set_a_deadline_but_not_in_the_past(world):
    lead, _officer, inspection = world
    key = "item:bien-hieu"
    with pytest.raises(conclusions.ConclusionError) as err:
        issue(inspection, lead, deadlines={key: TODAY - timedelta(days=1)})
    assert err.value.status == 422
    db.session.rollback()
    inspection = db.session.get(Inspection, inspection.id)
    _c, actions = issue(inspection, lead, deadlines={key: TODAY + timedelta(days=3)})
    assert next(a for a in actions if a.item_keys == ["bien-hieu"]).deadline == TODAY + timedelta(days=3)


def test_issuing_tells_the_units_officers(world):
    lead, officer, inspection = world
    issue(inspection, lead)
    db.session.commit()
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == officer.id))
    assert note.kind == "conclusion_issued" and note.link == f"/portal/inspections/{inspection.uuid}"
    # The checklist is named in the language of whoever reads the notification.
    title = inspection.definition["title"]
    for lang in ("vi", "en"):
        with force_locale(lang):
            assert notifications.title_of(note).endswith(title[lang])
    assert title == {"vi": "Bảng kiểm nhỏ", "en": "Small checklist"}


@pytest.mark.parametrize("status", [InspectionStatus.SUBMITTED, InspectionStatus.CONCLUDED,
                                    InspectionStatus.RETURNED])
def test_only_an_approved_inspection_is_concluded(world, status):
    lead, _officer, inspection = world
    inspection.status = status
    with pytest.raises(conclusions.ConclusionError) as err:
        issue(inspection, lead)
    assert err.value.status == 409


def test_an_empty_conclusion_is_refused_and_creates_nothing(world):
    lead, _officer, inspection = world
    with pytest.raises(conclusions.ConclusionError) as err:
        conclusions.issue(inspection, lead, strengths=" ", shortcomings="", recommendations="", today=TODAY,
                          days_by_severity=DAYS, locale="vi")
    assert err.value.status == 422
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(RemediationAction.id))) == 0


def test_a_passing_inspection_without_findings_concludes_without_actions(ctx):
    lead = make_user(Role.LEAD)
    inspection = make_submitted_inspection(answers={"bien-hieu": "pass",
                                                    "dung-han": {"numerator": 99, "denominator": 100}},
                                           status=InspectionStatus.APPROVED)
    _c, actions = issue(inspection, lead)
    assert actions == [] and inspection.status == InspectionStatus.CONCLUDED


def test_the_conclusion_form_saves_a_draft_then_issues(app, client, auth):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead2")
        inspection = make_submitted_inspection(team=make_team(members=[lead]), status=InspectionStatus.APPROVED)
        db.session.commit()
        uuid, inspection_id = inspection.uuid, inspection.id
    auth.login("lead2")
    url = f"/review/inspections/{uuid}/conclusion"
    page = client.get(url).get_data(as_text=True)
    assert 'name="group-item:bien-hieu"' in page and 'name="deadline-item:dung-han"' in page
    assert client.post(url, data={"strengths": "Tốt", "submit": "draft"}).status_code == 302
    assert "Tốt" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"strengths": "Tốt", "shortcomings": "Biển", "recommendations": "Sửa",
                                      "group-item:bien-hieu": "1", "group-item:dung-han": "1",
                                      "priority-item:bien-hieu": "high", "submit": "issue"})
    assert response.status_code == 302
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        assert inspection.status == InspectionStatus.CONCLUDED
        actions = db.session.scalars(sa.select(RemediationAction)).all()
        assert len(actions) == 1 and actions[0].priority == "high"
        assert db.session.scalar(sa.select(Conclusion.issued_at)) is not None
    assert client.get(url).status_code == 403  # concluded: no second conclusion


def test_the_severity_the_inspector_chose_is_kept_over_the_checklists_default(ctx):
    lead = make_user(Role.LEAD)
    # bien-hieu's checklist default is "major, 15 days"; the inspector judged it critical.
    inspection = make_submitted_inspection(status=InspectionStatus.APPROVED,
                                           findings=[("bien-hieu", "critical", "Biển hiệu sai tên đơn vị")])
    signage = next(p for p in conclusions.proposals(inspection, issue_date=TODAY, days_by_severity=DAYS, locale="vi")
                   if p.key == "item:bien-hieu")
    assert (signage.severity, signage.days, signage.priority) == ("critical", 7, "high")
    _c, actions = issue(inspection, lead)
    action = next(a for a in actions if a.item_keys == ["bien-hieu"])
    assert action.severity == "critical" and action.deadline == TODAY + timedelta(days=7)


def test_a_finding_judged_lighter_than_the_default_takes_the_days_of_its_own_severity(ctx):
    inspection = make_submitted_inspection(status=InspectionStatus.APPROVED,
                                           findings=[("bien-hieu", "minor", "Biển hiệu hơi mờ")])
    signage = next(p for p in conclusions.proposals(inspection, issue_date=TODAY, days_by_severity=DAYS, locale="vi")
                   if p.key == "item:bien-hieu")
    assert (signage.severity, signage.days) == ("minor", 30)


@pytest.fixture
def form_world(app):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead3")
        inspection = make_submitted_inspection(
            team=make_team(members=[lead]), status=InspectionStatus.APPROVED,
            findings=[(None, "minor", "Thiếu ghế chờ"), ("ghi-chu", "critical", "Thu phí sai quy định")])
        db.session.commit()
        keys = [p.key for p in conclusions.proposals(inspection, issue_date=TODAY, days_by_severity=DAYS,
                                                       locale="vi")]
        return inspection.uuid, inspection.id, keys


TEXTS = {"strengths": "Tốt", "shortcomings": "Biển", "recommendations": "Sửa"}


def test_a_saved_draft_keeps_each_proposals_group_priority_and_deadline(app, client, auth, form_world):
    uuid, inspection_id, keys = form_world
    assert len(keys) == 4
    later = (date.today() + timedelta(days=40)).isoformat()
    auth.login("lead3")
    url = f"/review/inspections/{uuid}/conclusion"
    sent = {**TEXTS, f"group-{keys[1]}": "1", f"priority-{keys[2]}": "low", f"deadline-{keys[3]}": later,
            "submit": "draft"}
    assert client.post(url, data=sent).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert f'name="group-{keys[1]}" value="1"' in page
    assert f'name="group-{keys[2]}" value="3"' in page  # untouched: its own number
    assert f'name="deadline-{keys[3]}" value="{later}"' in page
    priority = page.split(f'name="priority-{keys[2]}"')[1].split("</select>")[0]
    assert '<option value="low" selected>' in priority
    assert 'data-count>3<' in page  # four proposals in three groups
    with app.app_context():
        stored = db.session.scalar(sa.select(Conclusion).where(Conclusion.inspection_id == inspection_id))
        assert stored.issued_at is None and stored.strengths == "Tốt"


def test_issuing_creates_exactly_the_groups_the_page_showed(app, client, auth, form_world):
    uuid, inspection_id, keys = form_world
    auth.login("lead3")
    url = f"/review/inspections/{uuid}/conclusion"
    # The second proposal joins group 1, the group the first shows; the first's
    # field was left empty, which is its own number.
    sent = {**TEXTS, f"group-{keys[0]}": "", f"group-{keys[1]}": "1", f"group-{keys[2]}": "3",
            f"group-{keys[3]}": "4", "submit": "issue"}
    assert client.post(url, data=sent).status_code == 302
    with app.app_context():
        actions = db.session.scalars(sa.select(RemediationAction).where(
            RemediationAction.inspection_id == inspection_id).order_by(RemediationAction.id)).all()
        assert len(actions) == 3
        assert actions[0].item_keys == ["bien-hieu", "dung-han"]


def test_issuing_after_a_draft_uses_the_drafts_choices_when_the_form_sends_none(app, form_world):
    _uuid, inspection_id, keys = form_world
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        lead = db.session.scalar(sa.select(User).where(User.username == "lead3"))
        conclusions.save_draft(inspection, lead, **TEXTS, groups={keys[3]: "3"},
                               priorities={keys[0]: "high"})
        _c, actions = conclusions.issue(inspection, lead, **TEXTS, today=TODAY, days_by_severity=DAYS, locale="vi")
        assert len(actions) == 3 and actions[0].priority == "high"
        assert sorted(len(a.finding_snapshot) for a in actions) == [1, 1, 2]  # the two findings as one


def test_each_proposal_shows_what_was_measured_beside_its_item(app, client, auth):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead4")
        inspection = make_submitted_inspection(team=make_team(members=[lead]), status=InspectionStatus.APPROVED,
                                               answers={"bien-hieu": "fail",
                                                        "dung-han": {"numerator": 45, "denominator": 50}})
        db.session.commit()
        uuid = inspection.uuid
    client.post("/lang/en")
    auth.login("lead4")
    page = client.get(f"/review/inspections/{uuid}/conclusion").get_data(as_text=True)
    ratio = page.split('name="group-item:dung-han"')[0].rsplit("<li", 1)[1]
    assert "measured: 45/50 (90%)" in ratio
    signage = page.split('name="group-item:bien-hieu"')[0].rsplit("<li", 1)[1]
    assert "measured" not in signage  # a failed pass/fail item: its failing says it all


def test_the_lead_writes_individual_responsibility_and_the_notice_numbers_and_prints_it(app, client, auth):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead4")
        inspection = make_submitted_inspection(team=make_team(members=[lead]), status=InspectionStatus.APPROVED)
        db.session.commit()
        uuid, inspection_id = inspection.uuid, inspection.id
    auth.login("lead4")
    url = f"/review/inspections/{uuid}/conclusion"
    said = "Đề nghị Chủ tịch UBND phường kiểm điểm cán bộ tiếp nhận"
    assert client.post(url, data={**TEXTS, "responsibility": said, "submit": "draft"}).status_code == 302
    assert said in client.get(url).get_data(as_text=True)
    assert client.post(url, data={**TEXTS, "responsibility": said, "submit": "issue"}).status_code == 302
    with app.app_context():
        from server.models import DocumentNumber

        number = db.session.scalar(sa.select(DocumentNumber).where(DocumentNumber.inspection_id == inspection_id))
        assert (number.kind, number.number, number.symbol) == ("conclusion", 1, "TB-ĐKT")
    page = " ".join(client.get(f"/inspections/{inspection_id}/conclusion").get_data(as_text=True).split())
    assert "Số: 01/TB-ĐKT" in page and "Kiểm điểm trách nhiệm" in page and said in page
    assert said in client.get(f"/review/inspections/{uuid}").get_data(as_text=True)
