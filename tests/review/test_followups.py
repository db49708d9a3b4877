"""Follow-up checks (phúc tra): only the items that failed, linked to the original."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Inspection, InspectionKind, InspectionStatus, Role
from server.permissions import inspection_scope
from server.services.review import followups
from server.services.checklists import scoring
from server.services.directory.units import merge_units
from tests.factories import (SMALL_CHECKLIST_SOURCE, make_checklist_version, make_team, make_unit, make_user,
                             normalised, phone_content)
from tests.remediation_factories import PASSING, make_submitted_inspection

START = date(2026, 8, 1)


@pytest.fixture
def lead(ctx):
    return make_user(Role.LEAD, username="lead")


def plan(original, lead, **kw):
    return followups.create_follow_up(original, lead, window_start=START, window_end=START + timedelta(days=3), **kw)


def test_a_follow_up_holds_only_the_failed_items_and_links_to_the_original(lead):
    original = make_submitted_inspection(status=InspectionStatus.CONCLUDED)  # bien-hieu and dung-han fail
    follow_up = plan(original, lead)
    db.session.commit()
    assert follow_up.follow_up_of_id == original.id and follow_up.follow_up_of is original
    assert follow_up.item_filter == ["bien-hieu", "dung-han"]
    assert follow_up.status == InspectionStatus.PLANNED and follow_up.checklist_version_id == original.checklist_version_id
    assert follow_up.unit_id == original.unit_id and follow_up.team_id == original.team_id
    definition = follow_up.definition
    assert [i["key"] for s in definition["sections"] for i in s["items"]] == ["bien-hieu", "dung-han"]
    # The published version is untouched.
    assert len(original.checklist_version.definition["sections"][0]["items"]) == 3
    # Scoring the follow-up counts only its items.
    result = scoring.score_inspection(definition, {"bien-hieu": {"value": "pass"},
                                                   "dung-han": {"value": {"numerator": 98, "denominator": 100}}})
    assert result.result == "pass" and result.maximum == 5


def test_an_item_with_a_finding_is_rechecked_too(lead):
    original = make_submitted_inspection(answers=PASSING, findings=[("bien-hieu", "minor", "Biển hơi mờ")],
                                         status=InspectionStatus.CONCLUDED)
    assert plan(original, lead).item_filter == ["bien-hieu"]


def test_nothing_to_recheck_or_not_concluded_is_refused(lead):
    passing = make_submitted_inspection(answers=PASSING, status=InspectionStatus.CONCLUDED)
    with pytest.raises(followups.FollowUpError) as err:
        plan(passing, lead)
    assert err.value.status == 409
    approved = make_submitted_inspection(status=InspectionStatus.APPROVED)
    with pytest.raises(followups.FollowUpError) as err:
        plan(approved, lead)
    assert err.value.status == 409
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id)).where(Inspection.follow_up_of_id.is_not(None))) == 0


def test_a_follow_up_of_a_merged_unit_goes_to_its_successor(lead):
    old, new = make_unit(code="90001", name="Xã Cũ"), make_unit(code="90002", name="Xã Mới")
    original = make_submitted_inspection(unit=old, status=InspectionStatus.CONCLUDED)
    merge_units(["90001"], "90002", effective=date(2025, 7, 1))
    follow_up = plan(original, lead)
    assert follow_up.unit_id == new.id and follow_up.unit_name_snapshot == "Xã Mới"


def test_a_follow_up_is_refused_when_the_successor_is_of_a_kind_the_checklist_does_not_apply_to(lead):
    version = make_checklist_version(normalised({**SMALL_CHECKLIST_SOURCE, "applies_to": ["service_centre"]}))
    old = make_unit(code="90011", name="Bộ phận một cửa xã Cũ", kind="service_centre")
    make_unit(code="90012", name="Xã Mới", kind="commune")
    original = make_submitted_inspection(unit=old, version=version, status=InspectionStatus.CONCLUDED)
    merge_units(["90011"], "90012", effective=date(2025, 7, 1))
    with pytest.raises(followups.FollowUpError) as err:
        plan(original, lead)
    assert err.value.status == 422 and "Xã Mới (90012, Xã)" in err.value.message
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id)).where(Inspection.follow_up_of_id.is_not(None))) == 0


def test_an_unannounced_follow_up_is_embargoed_from_the_unit_until_check_in(lead):
    original = make_submitted_inspection(status=InspectionStatus.CONCLUDED)
    officer = make_user(Role.UNIT_OFFICER, unit=original.unit)
    follow_up = plan(original, lead, kind=InspectionKind.UNANNOUNCED)
    db.session.commit()
    visible = set(db.session.scalars(sa.select(Inspection.id).where(inspection_scope(officer))))
    assert original.id in visible and follow_up.id not in visible


def test_the_lead_plans_a_follow_up_from_the_review_page(app, client, auth):
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead2")
        original = make_submitted_inspection(team=make_team(members=[lead]), status=InspectionStatus.CONCLUDED)
        db.session.commit()
        uuid, original_id = original.uuid, original.id
    client.post("/lang/en")
    auth.login("lead2")
    page = client.get(f"/review/inspections/{uuid}").get_data(as_text=True)
    assert "Plan a follow-up check" in page
    response = client.post(f"/review/inspections/{uuid}/follow-up",
                           data={"window_start": "2026-08-01", "window_end": "2026-07-01"})
    assert response.status_code == 422
    response = client.post(f"/review/inspections/{uuid}/follow-up",
                           data={"window_start": "2026-08-01", "window_end": "2026-08-03", "kind": "announced"})
    assert response.status_code == 302
    with app.app_context():
        follow_up = db.session.scalar(sa.select(Inspection).where(Inspection.follow_up_of_id == original_id))
        assert follow_up.item_filter == ["bien-hieu", "dung-han"]
        follow_uuid = follow_up.uuid
    assert follow_uuid in client.get(f"/review/inspections/{uuid}").get_data(as_text=True)


def test_a_follow_up_submitted_from_the_phone_is_scored_on_its_own_items(lead):
    import uuid

    from server.services.fieldwork import submissions

    original = make_submitted_inspection(status=InspectionStatus.CONCLUDED)
    follow_up = plan(original, lead)
    inspector = make_user(Role.INSPECTOR, team=follow_up.team)
    content = phone_content(follow_up, {"bien-hieu": "pass", "dung-han": {"numerator": 99, "denominator": 100}})
    submissions.submit(follow_up, inspector, str(uuid.uuid4()), content)
    assert follow_up.result == "pass"  # not "incomplete" for the items it does not re-check
    assert follow_up.score["maximum"] == 5
