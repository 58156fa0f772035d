"""The panel pages as their users work them: the chair's meeting page, items, actions; members and outsiders."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from panels.models import Attendance, MeetingStatus, PanelAction
from panels.services import agenda_build, panel_action_agree, risk_assessment_save
from tests.conftest import World, count_queries, verified_client
from tests.form_data import date_parts
from tests.panels.conftest import Erp, child, refer, schedule

pytestmark = pytest.mark.django_db


def _meeting_with_items(world: World, erp: Erp, n: int):  # type: ignore[no-untyped-def]
    for i in range(n):
        refer(world, erp, child(world, age=13 + i % 4, given_name=f"Child{i}"))
    meeting = schedule(erp)
    items = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    for item in items:
        risk_assessment_save(
            actor=erp.sam, context=SYSTEM_CONTEXT, item=item, answers={"missing": "last_6_months"}, text={}
        )
        panel_action_agree(
            actor=erp.sam,
            context=SYSTEM_CONTEXT,
            item=item,
            description="Visit at home",
            owner_agency=world.police,
            owner=None,
            due_date=timezone.localdate() + timedelta(days=10),
        )
    return meeting, items


def test_the_chairs_meeting_page_has_a_constant_number_of_queries(world: World, erp: Erp) -> None:
    small, _ = _meeting_with_items(world, erp, 2)
    client = verified_client(erp.sam)
    few = count_queries(client, f"/panels/meetings/{small.pk}/")
    large, _ = _meeting_with_items(world, erp, 20)
    many = count_queries(client, f"/panels/meetings/{large.pk}/")
    assert few == many
    # Session, user, OTP device, roles, the user's agency (the access rule): 5. The meeting, scoped: 1. Items
    # with referral, person and assessment; attendance; actions; previous assessments: 4 (repeat history only
    # when an item is a repeat: none here). Whether the user chairs: 1. The audit row: 1. Unread notifications
    # (header): 1. The agenda form's referrals and the attendance form's agencies: 2. The session's save with its
    # savepoint: 3.
    assert many == 18, many


def test_a_member_sees_only_their_meetings_and_cannot_run_them(world: World, erp: Erp) -> None:
    meeting, items = _meeting_with_items(world, erp, 1)
    nurse = verified_client(erp.nurse)  # health: a member agency, invited
    page = nurse.get(f"/panels/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "Build agenda" not in page.content.decode()
    assert nurse.post(f"/panels/meetings/{meeting.pk}/agenda/build/").status_code == 403
    meeting.invited_agencies.remove(erp.health)
    assert nurse.get(f"/panels/meetings/{meeting.pk}/").status_code == 404
    assert nurse.get(f"/panels/items/{items[0].pk}/").status_code == 404
    stranger = verified_client(world.stranger)
    assert stranger.get(f"/panels/meetings/{meeting.pk}/").status_code == 404


def test_the_chair_runs_the_meeting_through_the_pages(world: World, erp: Erp) -> None:
    referral = refer(world, erp, child(world, age=13))
    meeting = schedule(erp, days_ahead=0, hour=0)
    chair = verified_client(erp.sam)
    assert chair.post(f"/panels/meetings/{meeting.pk}/agenda/build/").status_code == 302
    item = meeting.items.get()
    # Attendance: an observer must have signed; the error is a GOV.UK error summary, nothing saved.
    bad = chair.post(
        f"/panels/meetings/{meeting.pk}/attendance/",
        {"agency": world.police.pk, "name": "Obi Server", "kind": "observer"},
    )
    assert bad.status_code == 200
    assert "An observer must sign the confidentiality statement" in bad.content.decode()
    assert not Attendance.objects.exists()
    ok = chair.post(
        f"/panels/meetings/{meeting.pk}/attendance/",
        {"agency": world.police.pk, "name": "Obi Server", "kind": "observer", "confidentiality_signed": "on"},
    )
    assert ok.status_code == 302
    page = chair.get(f"/panels/meetings/{meeting.pk}/").content.decode()
    assert (
        "Core agencies not present: Police, Children&#x27;s social care, Health, Education, Housing" in page
    )
    # Assessment through the form: 13 with a significant indicator is high.
    response = chair.post(f"/panels/items/{item.pk}/assessment/", {"indicator_missing": "last_6_months"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assessment.level == "high"
    # An action with a due date before the meeting is refused with GOV.UK wording.
    action = {"description": "Visit", "owner_agency": world.police.pk}
    refused = chair.post(
        f"/panels/items/{item.pk}/actions/", {**action, **date_parts("due_date", date(2020, 1, 1))}
    )
    assert refused.status_code == 200 and "The due date must be after the meeting" in refused.content.decode()
    undated = chair.post(f"/panels/items/{item.pk}/actions/", action)
    assert undated.status_code == 200
    assert "Enter the date the action is due, including a day, month and year" in undated.content.decode()
    assert not PanelAction.objects.exists()
    due = timezone.localdate() + timedelta(days=7)
    agreed = chair.post(f"/panels/items/{item.pk}/actions/", {**action, **date_parts("due_date", due)})
    assert agreed.status_code == 302
    assert PanelAction.objects.get().due_date == due
    # The review date, typed as a GOV.UK date input; a date that is not real is refused in GOV.UK words.
    record = {"discussion": "Discussed.", "decision": "Refer on.", "plan_aims": "Keep Ayo in school."}
    not_real = chair.post(
        f"/panels/items/{item.pk}/", {**record, **date_parts("review_date", day="30", month="2", year="2027")}
    )
    assert not_real.status_code == 200
    assert "The review date must be a real date, for example 27 3 2026" in not_real.content.decode()
    review = timezone.localdate() + timedelta(weeks=4)
    recorded = chair.post(f"/panels/items/{item.pk}/", {**record, **date_parts("review_date", review)})
    assert recorded.status_code == 302
    item.refresh_from_db()
    assert item.review_date == review
    # Minutes: saved by htmx as the chair types, then approved and locked.
    saved = chair.post(
        f"/panels/meetings/{meeting.pk}/minutes/",
        {"minutes": "Discussed.", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "Saved at" in saved.content.decode()
    stale = chair.post(
        f"/panels/meetings/{meeting.pk}/minutes/", {"minutes": "Other.", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 409
    assert chair.post(f"/panels/meetings/{meeting.pk}/minutes/approve/").status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_LOCKED
    locked = chair.post(f"/panels/meetings/{meeting.pk}/minutes/", {"minutes": "Changed.", "version": 3})
    assert locked.status_code == 200 and "locked" in locked.content.decode()
    amend = chair.post(
        f"/panels/meetings/{meeting.pk}/minutes/amend/",
        {"minutes": "Discussed at length.", "reason": "Incomplete"},
    )
    assert amend.status_code == 302
    assert AuditEvent.objects.filter(object_type="panel_meeting", reason="Incomplete").exists()
    # The owning agency marks the action done: its clock is met.
    action = PanelAction.objects.get()
    bob = verified_client(world.police_officer)
    assert bob.post(f"/panels/actions/{action.pk}/", {"form": "done", "note": "Visited"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert referral.pk == item.referral_id


def test_pages_answer_without_errors_for_the_chair(world: World, erp: Erp) -> None:
    meeting, items = _meeting_with_items(world, erp, 2)
    chair = verified_client(erp.sam)
    action = PanelAction.objects.first()
    assert action is not None
    for url in [
        "/panels/",
        f"/panels/{erp.panel.pk}/",
        f"/panels/meetings/{meeting.pk}/",
        f"/panels/items/{items[0].pk}/",
        f"/panels/items/{items[0].pk}/assessment/",
        f"/panels/referrals/{items[0].referral_id}/",
        "/panels/actions/?scope=agency",
        f"/panels/actions/{action.pk}/",
        f"/panels/refer/{world.case.person_id}/",
    ]:
        assert chair.get(url).status_code == 200, url


def test_the_panel_page_counts_how_actions_were_closed(world: World, erp: Erp) -> None:
    from panels.services import panel_action_close

    _, _ = _meeting_with_items(world, erp, 2)
    first, second = PanelAction.objects.order_by("created_at")
    panel_action_close(actor=erp.sam, context=SYSTEM_CONTEXT, action=first, status="done")
    panel_action_close(
        actor=erp.sam, context=SYSTEM_CONTEXT, action=second, status="agency_did_not_act", note="Nothing done"
    )
    page = verified_client(erp.sam).get(f"/panels/{erp.panel.pk}/").content.decode()
    for label, count in [
        ("Open", 0),
        ("Done", 1),
        ("Closed: circumstances changed", 0),
        ("Closed: agency did not act", 1),
    ]:
        assert (
            f'<th scope="row" class="govuk-table__header">{label}</th><td class="govuk-table__cell govuk-table__cell--numeric">{count}</td>'
            in page
        )
