"""Every inspection and its documents one link away: the read-only inspection page
for admins and viewers, links to the minutes and the conclusion notice from every
list, the queue keeping returned inspections under a status filter, the search of
the queue and the home list, and what was measured beside each finding."""
from datetime import date, timedelta

import pytest

from server.extensions import db
from server.models import Conclusion, InspectionKind, InspectionStatus, Role
from server.models.types import utcnow
from tests.factories import make_checklist_version, make_team, make_unit, make_user
from tests.remediation_factories import make_action, make_submitted_inspection


@pytest.fixture
def world(app):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        make_user(Role.INSPECTOR, username="insp", team=team)
        make_user(Role.VIEWER, username="viewer")
        make_user(Role.ADMIN, username="admin")
        duyet = make_unit(name="Phường Duyệt Đình", code="26881")
        khac = make_unit(name="Xã Khác Biệt", code="26999")
        make_user(Role.UNIT_OFFICER, username="officer", unit=duyet)
        make_user(Role.UNIT_OFFICER, username="other_officer", unit=khac)
        version = make_checklist_version()
        submitted = make_submitted_inspection(unit=duyet, team=team, version=version,
                                              findings=[("dung-han", "major", "Trả hồ sơ quá hạn")])
        returned = make_submitted_inspection(unit=khac, team=team, version=version,
                                             status=InspectionStatus.RETURNED)
        concluded = make_submitted_inspection(unit=duyet, team=team, status=InspectionStatus.CONCLUDED,
                                              findings=[("dung-han", "major", "Trả hồ sơ quá hạn")])
        db.session.add(Conclusion(inspection_id=concluded.id, strengths="Tốt", issued_at=utcnow()))
        action = make_action(concluded)
        action.finding_snapshot = [{"item_key": "dung-han", "outcome": "fail",
                                    "item_text": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
                                    "answer": {"value": {"numerator": 48, "denominator": 50}, "na": False,
                                               "note": None}}]
        secret = make_submitted_inspection(unit=duyet, team=team, kind=InspectionKind.UNANNOUNCED,
                                           status=InspectionStatus.PLANNED, checked_in_at=None)
        db.session.commit()
        return {"submitted": submitted.uuid, "returned": returned.uuid, "concluded": concluded.uuid,
                "concluded_id": concluded.id, "submitted_id": submitted.id, "plan_id": submitted.plan_id,
                "action_id": action.id, "secret_id": secret.id, "secret": secret.uuid}


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["viewer", "admin"])
def test_viewer_and_admin_read_the_inspection_page_without_the_leads_controls(client, auth, world, who):
    client.post("/lang/en")
    auth.login(who)
    html = page(client, f"/review/inspections/{world['submitted']}")
    assert "Phường Duyệt Đình" in html and "Trả hồ sơ quá hạn" in html and "Location and time" in html
    assert "Read only" in html
    assert "/approve" not in html and "/return" not in html and 'name="comment' not in html and "/revise" not in html
    # Nor may they act by posting.
    assert client.post(f"/review/inspections/{world['submitted']}/approve").status_code == 403


@pytest.mark.parametrize("who, status", [("insp", 403), ("officer", 403), ("other_officer", 404)])
def test_the_inspection_page_stays_closed_to_inspectors_and_units(client, auth, world, who, status):
    auth.login(who)
    assert client.get(f"/review/inspections/{world['submitted']}").status_code == status


@pytest.mark.parametrize("who", ["viewer", "admin", "lead"])
def test_home_cards_open_the_inspection_page(client, auth, world, who):
    auth.login(who)
    html = page(client, "/")
    for key in ("submitted", "returned", "concluded"):
        assert f'href="/review/inspections/{world[key]}"' in html


def test_the_conclusion_and_minutes_are_linked_from_the_review_plan_and_queue_pages(client, auth, world):
    auth.login("lead")
    cid = world["concluded_id"]
    review = page(client, f"/review/inspections/{world['concluded']}")
    for url in (f"/inspections/{cid}/conclusion", f"/inspections/{cid}/conclusion.pdf", f"/inspections/{cid}/minutes",
                f"/inspections/{cid}/minutes.pdf"):
        assert f'href="{url}"' in review
    plan = page(client, f"/plans/{world['plan_id']}")
    assert f'href="/review/inspections/{world["submitted"]}"' in plan
    assert f'href="/inspections/{world["submitted_id"]}/minutes"' in plan
    # No conclusion link for an inspection not concluded: it would answer 404.
    assert f'/inspections/{world["submitted_id"]}/conclusion' not in plan
    queue = page(client, "/review/")
    assert f'href="/inspections/{world["submitted_id"]}/minutes"' in queue
    home = page(client, "/")
    assert f'href="/inspections/{cid}/conclusion"' in home
    # Each link leads somewhere.
    for url in (f"/inspections/{cid}/conclusion", f"/inspections/{cid}/minutes"):
        assert client.get(url).status_code == 200


def test_the_unit_finds_its_conclusion_and_minutes_in_the_portal_and_nothing_else(client, auth, world):
    cid = world["concluded_id"]
    auth.login("officer")
    for url in ("/portal/", f"/portal/inspections/{world['concluded']}", "/"):
        html = page(client, url)
        assert f'href="/inspections/{cid}/conclusion"' in html and f'href="/inspections/{cid}/minutes"' in html, url
        assert f"/inspections/{world['submitted_id']}/" not in html and f"/inspections/{world['secret_id']}/" not in html
        assert world["secret"] not in html
    assert client.get(f"/inspections/{cid}/conclusion").status_code == 200
    auth.logout()
    auth.login("other_officer")
    assert f"/inspections/{cid}/" not in page(client, "/portal/")
    assert client.get(f"/inspections/{cid}/conclusion").status_code == 404


def test_returned_inspections_stay_in_the_queue_under_their_status(client, auth, world):
    auth.login("lead")
    waiting = page(client, "/review/")
    assert world["submitted"] in waiting and world["returned"] not in waiting
    returned = page(client, "/review/?status=returned")
    assert world["returned"] in returned and world["submitted"] not in returned


@pytest.mark.parametrize("query, found", [
    ("duyet dinh", "submitted"), ("DUYỆT", "submitted"), ("26881", "submitted"), ("khac biet", None),
])
def test_the_queue_is_searched_by_unit_name_without_accents_or_by_code(client, auth, world, query, found):
    auth.login("lead")
    html = page(client, f"/review/?q={query}")
    assert (world["submitted"] in html) is (found == "submitted")
    assert world["returned"] not in html  # returned: another status, and another unit


def test_the_queue_finds_a_returned_inspection_by_unit_name(client, auth, world):
    auth.login("lead")
    html = page(client, "/review/?status=returned&q=xa+khac")
    assert world["returned"] in html


def test_the_home_list_filters_by_status_result_plan_checklist_failed_item_and_date(client, auth, world):
    auth.login("lead")
    today = date.today()
    assert world["concluded"] in page(client, "/?status=concluded")
    assert world["submitted"] not in page(client, "/?status=concluded")
    assert world["submitted"] in page(client, "/?result=fail&item=dung-han")
    assert world["submitted"] not in page(client, "/?result=pass")
    plan = page(client, f"/?plan={world['plan_id']}")
    assert world["submitted"] in plan and world["concluded"] not in plan
    assert world["submitted"] not in page(client, f"/?from={(today + timedelta(days=40)).isoformat()}")
    assert world["submitted"] in page(client, f"/?from={today.isoformat()}&to={today.isoformat()}")
    assert world["submitted"] not in page(client, "/?checklist=no-such-checklist")


def test_a_filter_that_cannot_be_read_is_named_in_the_users_language(client, auth, world):
    auth.login("lead")
    html = page(client, "/review/?from=31-12-2026", status=422)
    assert "“31-12-2026” không phải là ngày" in html
    client.post("/lang/en")
    assert "There is no status “lost” here." in page(client, "/?status=lost", status=422)


def test_a_unit_officer_cannot_learn_results_by_filtering(client, auth, world):
    auth.login("officer")
    # The submitted inspection's result is not the unit's to know: filtering by it changes nothing.
    assert page(client, "/?result=pass").count("/portal/inspections/") == page(client, "/?result=fail").count(
        "/portal/inspections/")
    home = page(client, "/")
    assert 'name="result"' not in home and 'name="item"' not in home
    # Nor the plans' titles, which may name other units.
    assert 'name="plan"' not in home


def test_what_was_found_shows_the_measured_value(client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    assert "measured: 90 / 100" in page(client, f"/review/inspections/{world['submitted']}")
    assert "measured: 48/50 (96%)" in page(client, f"/actions/{world['action_id']}")
    auth.logout()
    auth.login("officer")
    assert "measured: 90/100 (90%)" in page(client, f"/portal/inspections/{world['concluded']}")


def test_cancelling_an_action_sits_behind_more_actions(client, auth, world):
    client.post("/lang/en")
    auth.login("lead")
    html = page(client, f"/actions/{world['action_id']}")
    more = html.index('<details class="card more-actions">')
    assert "<summary>More actions</summary>" in html[more:]
    assert 'name="to" value="cancelled"' in html[more:] and 'name="to" value="cancelled"' not in html[:more]
    assert 'name="to" value="cannot_do"' not in html[:more]


def test_without_script_the_inspection_page_shows_every_answer_and_comment_box(client, auth, world):
    auth.login("lead")
    html = page(client, f"/review/inspections/{world['submitted']}")
    # The sections arrive unfolded, the filter bar hidden until the script draws it,
    # and a comment box under each answer.
    assert '<details class="answer-section" open' in html
    assert 'class="answer-filters" role="group"' in html and html.split('class="answer-filters"')[1].split(">")[0] \
        .count("hidden") == 1
    assert all(f'name="comment-{key}"' in html for key in ("bien-hieu", "dung-han", "ghi-chu"))
    assert 'src="/static/js/review-page.js"' in html


def test_home_cards_of_the_team_and_the_unit_open_what_each_may_see(app, client, auth, world):
    with app.app_context():
        from server.models import Inspection
        inspection = db.session.get(Inspection, world["submitted_id"])
        inspection.plan.notice_published_at = utcnow()
        db.session.commit()
    auth.login("insp")
    assert f'href="/app#/i/{world["submitted"]}"' in page(client, "/")
    auth.logout()
    auth.login("officer")
    html = page(client, "/")
    # The notice while the inspection is under way, the conclusion once issued; never the secret one.
    assert f'href="/portal/notices/{world["submitted"]}"' in html
    assert f'href="/portal/inspections/{world["concluded"]}"' in html
    assert world["secret"] not in html


def test_the_history_reads_as_words_not_as_escaped_json(app, client, auth, world):
    from server.models import InspectionRevision

    with app.app_context():
        db.session.add(InspectionRevision(
            inspection_id=world["submitted_id"], number=1, reason="Đã chụp lại",
            changes=[{"item_key": "ghi-chu", "field": "value", "old": "ổn", "new": "Hỏng"},
                     {"item_key": "dung-han", "field": "value", "old": {"numerator": 90, "denominator": 100},
                      "new": {"numerator": 48, "denominator": 50}},
                     {"item_key": "bien-hieu", "field": "value", "old": "fail", "new": "pass"},
                     {"item_key": "bien-hieu", "field": "finding:abc", "old": None,
                      "new": {"item_key": "bien-hieu", "severity": "major", "description": "Biển mờ"}}]))
        db.session.commit()
    client.post("/lang/en")
    auth.login("viewer")
    html = page(client, f"/review/inspections/{world['submitted']}")
    assert "<strong>Notes</strong> · Answer: ổn → Hỏng" in html
    assert "<strong>On-time rate</strong> · Answer: 90/100 (90%) → 48/50 (96%)" in html
    assert "Answer: Fail → Pass" in html
    assert "Finding: — → Major · Biển mờ" in html
    history = html.split("Revision history")[1]
    assert "\\u" not in history and "numerator" not in history and "finding:" not in history
    client.post("/lang/vi")
    html = page(client, f"/review/inspections/{world['submitted']}")
    assert "Câu trả lời: Không đạt → Đạt" in html or "Kết quả ghi nhận: Không đạt → Đạt" in html
    assert "90/100 (90\u00a0%) → 48/50 (96\u00a0%)" in html  # a Vietnamese percent: 90 %
