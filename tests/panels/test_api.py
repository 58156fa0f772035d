"""The panel API: meetings with their agenda, attendance and actions; an item's risk assessment; actions mine
and my agency's, closed by their owners; referrals to a panel. Happy paths, a 400 naming the field with nothing
saved, 404 for outsiders (and 403 for a member who may see but not run), an audit row for every read that shows
a child, and exact query counts that do not grow with the agenda."""

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.models import Case
from panels.models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    Meeting,
    PanelAction,
    PanelReferral,
    PanelReferralStatus,
    RiskAssessment,
)
from panels.services import (
    agenda_build,
    attendance_record,
    meeting_schedule,
    minutes_approve,
    minutes_save,
    panel_action_agree,
    risk_assessment_save,
)
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.organisations.models import User
from tests import factories
from tests.conftest import SENTINEL_FAMILY_NAME, World, count_queries, token_client
from tests.panels.conftest import LONDON, Erp, child, refer, schedule

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/panel-meetings/"
ACTIONS = "/api/v1/panel-actions/"
REFERRALS = "/api/v1/panel-referrals/"

# Token API request: token + user + agency in one query (tests/referrals/test_api.py).
TOKEN_API = 1
# The meeting page's data (panels.selectors.meeting_view): items with referral, person, referring agency and
# this meeting's assessment; attendance with agencies; the items' referrals' open and agreed actions; their
# previous assessments. One query each, however many items (and one more, the earlier referrals of the same
# children, when any item is a repeat referral).
MEETING_VIEW = 4


def _post(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body, default=str), content_type="application/json")


def _audits(user: User, object_type: str, action: str = "view") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, object_type=object_type, action=action))


def _due(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _listed(world: World, erp: Erp, case: Case | None = None, meeting: Meeting | None = None) -> AgendaItem:
    """`case`'s child (the sentinel by default) referred by alice and on the agenda of a meeting held today."""
    refer(world, erp, case or world.case)
    meeting = meeting or schedule(erp, days_ahead=0, hour=0)
    [item] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    return item


def _assess(erp: Erp, item: AgendaItem, **answers: str) -> RiskAssessment:
    return risk_assessment_save(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        answers=answers or {"missing": "last_6_months"},
        text={"evidence": "Missing three times since June."},
    )


def _agree(
    world: World, erp: Erp, item: AgendaItem, *, owner: User | None = None, days: int = 7
) -> PanelAction:
    return panel_action_agree(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        description="Police to check the address he was found at",
        owner_agency=world.police,
        owner=owner,
        due_date=timezone.localdate() + timedelta(days=days),
    )


def _meeting_for_social_care_and_police_only(erp: Erp, world: World) -> Meeting:
    today = timezone.localdate()
    return meeting_schedule(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        panel=erp.panel,
        scheduled_for=datetime(today.year, today.month, today.day, 0, 0, tzinfo=LONDON),
        invited_agencies=[world.social_care, world.police],
    )


# Schema


def test_the_schema_has_the_panel_endpoints_and_renders_without_warnings(world: World, tmp_path: Any) -> None:
    response = token_client(world.mash).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in {
        "/api/v1/panel-meetings/": {"get"},
        "/api/v1/panel-meetings/{meeting_id}/": {"get"},
        "/api/v1/panel-meetings/{meeting_id}/attendance/": {"post"},
        "/api/v1/panel-items/{item_id}/assessment/": {"get", "put"},
        "/api/v1/panel-items/{item_id}/actions/": {"post"},
        "/api/v1/panel-actions/": {"get"},
        "/api/v1/panel-actions/{action_id}/": {"get", "patch"},
        "/api/v1/panel-referrals/": {"post"},
    }.items():
        assert set(paths[path]) == methods, path
    # --fail-on-warn raises on any warning (an enum named twice, a field whose type it cannot tell).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


# Meetings


def test_the_meetings_list_is_paginated_and_names_no_child(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    later = schedule(erp, days_ahead=14)
    client = token_client(world.housing_officer)  # housing is a member agency: invited to both
    page = client.get(f"{MEETINGS}?limit=1").json()
    assert page["count"] == 2
    [first] = page["results"]
    assert (first["id"], first["item_count"], first["panel_name"]) == (
        str(item.meeting_id),
        1,
        "Northbridge ERP",
    )
    assert client.get(f"{MEETINGS}?limit=1&offset=1").json()["results"][0]["id"] == str(later.pk)
    assert SENTINEL_FAMILY_NAME not in json.dumps(page)
    assert not AuditEvent.objects.filter(actor=world.housing_officer).exists()
    assert token_client(world.stranger).get(MEETINGS).json()["count"] == 0


def test_the_meeting_shows_its_items_attendance_and_the_actions_agreed(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    assessment = _assess(erp, item)
    action = _agree(world, erp, item, owner=world.police_officer)
    attendance_record(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        meeting=item.meeting,
        agency=world.police,
        data={"name": "Paula Chair", "role": "Inspector", "kind": "present"},
    )
    response = token_client(world.police_officer).get(f"{MEETINGS}{item.meeting_id}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["total_minutes"]) == (str(item.meeting_id), "scheduled", 15)
    [shown] = body["items"]
    assert shown == {
        "id": str(item.pk),
        "referral": str(item.referral_id),
        "person": str(world.case.person_id),
        "place_or_group": None,
        "person_name": world.case.person.full_name,
        "group": "victims",
        "position": 1,
        "minutes_allotted": 15,
        "kind": "new",
        "is_repeat": False,
        "risk_level": assessment.level,
        "previous_risk_level": None,
        "assessment": {"score": assessment.score, "level": assessment.level, "trajectory": "new"},
        "decision": "",
        "plan_aims": "",
        "review_date": None,
        "actions_agreed": [
            {
                "id": str(action.pk),
                "description": "Police to check the address he was found at",
                "owner_agency": str(world.police.pk),
                "owner_agency_name": "Northbridge Police",
                "owner": world.police_officer.pk,
                "owner_name": str(world.police_officer),
                "due_date": _due(),
                "status": "open",
                "is_overdue": False,
                "agreed_at_item": str(item.pk),
            }
        ],
        "actions_carried": [],
    }
    [present] = body["attendance"]
    assert (present["name"], present["agency_name"], present["kind"]) == (
        "Paula Chair",
        "Northbridge Police",
        "present",
    )
    assert [a["agency_type"] for a in body["absent_core_agencies"]] == [
        "childrens_social_care",
        "health",
        "education",
        "housing",
    ]
    (audit,) = _audits(world.police_officer, "panel_meeting")
    assert (audit.object_id, audit.person_ids, audit.via) == (item.meeting_id, [world.case.person_id], "api")


def test_an_open_action_is_carried_to_the_next_meeting_with_the_risk_then(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    _assess(erp, item, missing="last_6_months", weapons="last_6_months")
    action = _agree(world, erp, item)
    minutes_save(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        meeting=item.meeting,
        minutes="Discussed.",
        expected_version=1,
    )
    minutes_approve(actor=erp.sam, context=SYSTEM_CONTEXT, meeting=item.meeting)
    later = schedule(erp, days_ahead=14)
    [review] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=later)
    body = token_client(erp.colin).get(f"{MEETINGS}{later.pk}/").json()
    [shown] = body["items"]
    assert (shown["id"], shown["kind"], shown["assessment"]) == (str(review.pk), "review", None)
    assert (shown["risk_level"], shown["previous_risk_level"]) == ("high", "high")  # 5 + 5 points
    assert [a["id"] for a in shown["actions_carried"]] == [str(action.pk)]
    assert shown["actions_agreed"] == []


def test_outsiders_and_uninvited_agencies_get_404_for_the_meeting_and_all_in_it(
    world: World, erp: Erp
) -> None:
    meeting = _meeting_for_social_care_and_police_only(erp, world)
    item = _listed(world, erp, meeting=meeting)
    _assess(erp, item)
    action = _agree(world, erp, item)
    urls = [
        f"{MEETINGS}{meeting.pk}/",
        f"/api/v1/panel-items/{item.pk}/assessment/",
        f"{ACTIONS}{action.pk}/",
        f"{MEETINGS}00000000-0000-0000-0000-000000000000/",
    ]
    for user in (world.stranger, world.housing_officer):
        client = token_client(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (user, url)
            assert response.json() == {"detail": "Not found."}
        assert client.get(MEETINGS).json()["count"] == 0
        assert client.get(f"{ACTIONS}?scope=agency").json()["count"] == 0
        assert not AuditEvent.objects.filter(actor=user).exists()
    assert token_client(world.police_officer).get(f"{MEETINGS}{meeting.pk}/").status_code == 200


# Attendance


def test_the_coordinator_records_attendance(world: World, erp: Erp) -> None:
    meeting = schedule(erp, days_ahead=0, hour=0)
    response = _post(
        token_client(erp.colin),
        f"{MEETINGS}{meeting.pk}/attendance/",
        {
            "agency": world.housing.pk,
            "name": "Charlie Officer",
            "kind": "apologies",
            "information_sent": True,
        },
    )
    assert response.status_code == 201, response.content
    attendance = Attendance.objects.get(meeting=meeting)
    assert (attendance.name, attendance.kind, attendance.information_sent) == (
        "Charlie Officer",
        "apologies",
        True,
    )
    assert response.json()["id"] == attendance.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "kind": "present"}, "agency"),
        ({"agency": "housing", "kind": "present"}, "name"),
        ({"agency": "housing", "name": "X", "kind": "asleep"}, "kind"),
        ({"agency": 999_999, "name": "X", "kind": "present"}, "agency"),
        # The service's own field error: an observer must have signed the confidentiality statement.
        ({"agency": "housing", "name": "X", "kind": "observer"}, "confidentiality_signed"),
    ],
)
def test_bad_attendance_is_400_naming_the_field_and_saves_nothing(
    world: World, erp: Erp, body: dict[str, Any], field: str
) -> None:
    meeting = schedule(erp, days_ahead=0, hour=0)
    if body.get("agency") == "housing":
        body["agency"] = world.housing.pk
    response = _post(token_client(erp.colin), f"{MEETINGS}{meeting.pk}/attendance/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Attendance.objects.exists()


def test_attendance_from_another_authority_is_400_and_members_may_not_record_it(
    world: World, erp: Erp
) -> None:
    meeting = schedule(erp, days_ahead=0, hour=0)
    url = f"{MEETINGS}{meeting.pk}/attendance/"
    other = {"agency": world.other_la_agency.pk, "name": "X", "kind": "present"}
    assert _post(token_client(erp.colin), url, other).status_code == 400
    mine = {"agency": world.police.pk, "name": "Bob", "kind": "present"}
    assert _post(token_client(world.police_officer), url, mine).status_code == 403  # invited, not running
    assert _post(token_client(world.stranger), url, mine).status_code == 404
    assert not Attendance.objects.exists()


# The risk assessment


def test_the_assessment_is_read_with_its_instrument_then_scored_and_saved(world: World, erp: Erp) -> None:
    item = _listed(world, erp, child(world, age=15))
    url = f"/api/v1/panel-items/{item.pk}/assessment/"
    before = token_client(world.police_officer).get(url).json()
    assert (before["assessed"], before["score"], before["level"]) == (False, None, None)
    assert before["instrument"]["version"] == 1
    assert "missing" in [i["code"] for i in before["instrument"]["indicators"]]
    assert "last_6_months" in [w["code"] for w in before["instrument"]["windows"]]
    (audit,) = _audits(world.police_officer, "panel_item")
    assert (audit.object_id, audit.person_ids) == (item.pk, [item.referral.person_id])

    client = token_client(erp.sam)
    body = {
        "answers": {"missing": "last_6_months", "weapons": "6_to_12_months"},
        "evidence": " Found with a knife in May. ",
        "danger_statement": "He could be seriously hurt.",
    }
    response = _post(client, url, body, method="put")
    assert response.status_code == 200, response.content
    saved = response.json()
    assert (saved["assessed"], saved["score"], saved["level"], saved["trajectory"]) == (
        True,
        6,
        "medium",
        "new",
    )
    assert saved["evidence"] == "Found with a knife in May."
    # Saved again as the discussion goes on: a text field left out keeps its value.
    again = _post(client, url, {"answers": {"missing": "last_6_months", "weapons": "last_6_months"}}, "put")
    assert (again.json()["score"], again.json()["level"]) == (10, "high")
    assert again.json()["danger_statement"] == "He could be seriously hurt."
    assert RiskAssessment.objects.get(item=item).score == 10
    item.referral.refresh_from_db()
    assert item.referral.current_risk == "high"


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({}, {"answers": ["This dictionary may not be empty."]}),
        ({"made_up": "last_6_months"}, {"answers": {"made_up": ["Not an indicator of this instrument."]}}),
        (
            {"missing": "yesterday"},
            {
                "answers": {
                    "missing": ["Select how recently 'Missing from home, care or education' was seen."]
                }
            },
        ),
        ("missing", {"answers": ['Expected a dictionary of items but got type "str".']}),
    ],
)
def test_bad_answers_are_400_naming_the_indicator_and_save_nothing(
    world: World, erp: Erp, answers: Any, error: dict[str, Any]
) -> None:
    item = _listed(world, erp)
    response = _post(
        token_client(erp.sam), f"/api/v1/panel-items/{item.pk}/assessment/", {"answers": answers}, "put"
    )
    assert response.status_code == 400
    assert response.json() == error
    assert not RiskAssessment.objects.exists()


def test_only_the_panel_assesses(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    url = f"/api/v1/panel-items/{item.pk}/assessment/"
    body = {"answers": {"missing": "last_6_months"}}
    assert _post(token_client(world.police_officer), url, body, "put").status_code == 403
    assert _post(token_client(world.stranger), url, body, "put").status_code == 404
    assert not RiskAssessment.objects.exists()


# Actions


def test_the_panel_agrees_an_action_and_its_clock_starts(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    body = {"description": "Visit the school", "owner": world.police_officer.pk, "due_date": _due()}
    response = _post(token_client(erp.paula), f"/api/v1/panel-items/{item.pk}/actions/", body)
    assert response.status_code == 201, response.content
    shown = response.json()
    # The owner's agency owns it when none is given.
    assert (shown["owner_agency"], shown["person_name"], shown["status"]) == (
        str(world.police.pk),
        world.case.person.full_name,
        "open",
    )
    clock = Deadline.objects.get(subject_type="panel_action", subject_id=shown["id"])
    assert (clock.owning_agency, clock.owner) == (world.police, world.police_officer)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"due_date": "soon"}, "due_date"),
        ({"owner_agency": 999_999}, "owner_agency"),
        # The service's field errors: due after the meeting, a named owner of the owning agency.
        ({"due_date": "today"}, "due_date"),
        ({"owner": "housing"}, "owner"),
    ],
)
def test_a_bad_action_is_400_naming_the_field_and_saves_nothing(
    world: World, erp: Erp, overrides: dict[str, Any], field: str
) -> None:
    item = _listed(world, erp)
    clocks = Deadline.objects.count()
    body = {
        "description": "Visit the school",
        "owner_agency": world.police.pk,
        "due_date": _due(),
        **overrides,
    }
    if body["due_date"] == "today":
        body["due_date"] = _due(0)
    if body.get("owner") == "housing":
        body["owner"] = world.housing_officer.pk
    response = _post(token_client(erp.paula), f"/api/v1/panel-items/{item.pk}/actions/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not PanelAction.objects.exists()
    assert Deadline.objects.count() == clocks


def test_members_may_not_agree_actions_and_outsiders_get_404(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    url = f"/api/v1/panel-items/{item.pk}/actions/"
    body = {"description": "Visit", "owner_agency": world.police.pk, "due_date": _due()}
    assert _post(token_client(world.police_officer), url, body).status_code == 403
    assert _post(token_client(world.stranger), url, body).status_code == 404
    assert not PanelAction.objects.exists()


def test_my_actions_and_my_agencys_overdue_first(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    soon = _agree(world, erp, item, owner=world.police_officer, days=3)
    later = _agree(world, erp, item, owner=world.police_officer, days=10)
    unowned = _agree(world, erp, item, days=5)
    client = token_client(world.police_officer)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        mine = client.get(ACTIONS).json()
        assert [a["id"] for a in mine["results"]] == [str(soon.pk), str(later.pk)]
        assert [a["is_overdue"] for a in mine["results"]] == [True, False]
        agency = client.get(f"{ACTIONS}?scope=agency").json()
        assert [a["id"] for a in agency["results"]] == [str(soon.pk), str(unowned.pk), str(later.pk)]
    assert client.get(f"{ACTIONS}?scope=everyone").status_code == 400
    listed = _audits(world.police_officer, "panel_action", "list")
    assert [event.person_ids for event in listed] == [[world.case.person_id]] * 2
    # Nobody's actions shown, nothing to audit.
    assert token_client(world.mash).get(ACTIONS).json()["count"] == 0
    assert not _audits(world.mash, "panel_action", "list")


def test_the_owning_agency_marks_an_action_done(world: World, erp: Erp) -> None:
    action = _agree(world, erp, _listed(world, erp))
    url = f"{ACTIONS}{action.pk}/"
    client = token_client(world.police_officer)
    shown = client.get(url).json()
    assert (shown["id"], shown["person_name"], shown["panel_name"]) == (
        str(action.pk),
        world.case.person.full_name,
        "Northbridge ERP",
    )
    (audit,) = _audits(world.police_officer, "panel_action")
    assert (audit.object_id, audit.person_ids) == (action.pk, [world.case.person_id])
    response = _post(client, url, {"status": "done", "note": "Address checked."}, "patch")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["closure_note"]) == ("done", "Address checked.")
    assert Deadline.objects.get(subject_id=action.pk).status == DeadlineStatus.MET
    # Closed once only.
    assert _post(client, url, {"status": "done"}, "patch").status_code == 400


def test_closing_an_action_is_checked_and_a_refusal_changes_nothing(world: World, erp: Erp) -> None:
    action = _agree(world, erp, _listed(world, erp))
    url = f"{ACTIONS}{action.pk}/"
    chair = token_client(erp.sam)
    for body, field in [
        ({"status": "open"}, "status"),
        ({"status": "finished"}, "status"),
        ({}, "status"),
        ({"status": "agency_did_not_act"}, "note"),  # the service's: not done needs a reason
    ]:
        response = _post(chair, url, body, "patch")
        assert response.status_code == 400, body
        assert field in response.json(), body
    # Housing was invited (it sees the action) but neither owns it nor runs the panel.
    assert _post(token_client(world.housing_officer), url, {"status": "done"}, "patch").status_code == 403
    assert _post(token_client(world.stranger), url, {"status": "done"}, "patch").status_code == 404
    action.refresh_from_db()
    assert (action.status, action.closed_at) == (ActionStatus.OPEN, None)
    assert Deadline.objects.get(subject_id=action.pk).status == DeadlineStatus.RUNNING
    response = _post(chair, url, {"status": "agency_did_not_act", "note": "No check was made."}, "patch")
    assert response.json()["status"] == "agency_did_not_act"


# Referrals to a panel


def _referral_body(world: World, erp: Erp, **overrides: Any) -> dict[str, Any]:
    return {
        "panel_id": str(erp.panel.pk),
        "person_id": str(world.case.person_id),
        "reason": "Found in a trap house two counties away.",
        "exploitation_types": ["criminal", "county_lines", "criminal"],
        "current_risk": "high",
        **overrides,
    }


def test_a_partner_refers_a_child_it_can_see(world: World, erp: Erp) -> None:
    response = _post(token_client(world.police_officer), REFERRALS, _referral_body(world, erp))
    assert response.status_code == 201, response.content
    shown = response.json()
    referral = PanelReferral.objects.get(pk=shown["id"])
    assert (referral.status, referral.referring_agency, referral.exploitation_types) == (
        PanelReferralStatus.AWAITING_LISTING,
        world.police,
        ["criminal", "county_lines"],
    )
    assert (shown["person_name"], shown["referring_agency"], shown["is_repeat"]) == (
        world.case.person.full_name,
        "Northbridge Police",
        False,
    )
    assert Deadline.objects.get(subject_id=referral.pk).owner == erp.colin
    # A second open referral of the same child is the domain's refusal, with its message.
    again = _post(token_client(world.mash), REFERRALS, _referral_body(world, erp))
    assert again.status_code == 400
    assert "already on the Northbridge ERP's list" in again.json()["detail"]
    assert PanelReferral.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"exploitation_types": []}, "exploitation_types"),
        ({"exploitation_types": ["pickpocketing"]}, "exploitation_types"),
        ({"current_risk": "not_assessed"}, "current_risk"),
        ({"panel_id": "not-a-uuid"}, "panel_id"),
        ({"person_id": None}, "person_id"),
    ],
)
def test_a_bad_referral_is_400_naming_the_field_and_saves_nothing(
    world: World, erp: Erp, overrides: dict[str, Any], field: str
) -> None:
    clocks = Deadline.objects.count()
    response = _post(token_client(world.mash), REFERRALS, _referral_body(world, erp, **overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not PanelReferral.objects.exists()
    assert Deadline.objects.count() == clocks


def test_a_child_or_panel_you_cannot_see_is_404_and_nothing_is_saved(world: World, erp: Erp) -> None:
    # Housing may refer to the authority's panels, but the sentinel's case is not shared with housing.
    assert (
        _post(token_client(world.housing_officer), REFERRALS, _referral_body(world, erp)).status_code == 404
    )
    # Another authority's MASH can see neither the panel nor the child.
    assert _post(token_client(world.stranger), REFERRALS, _referral_body(world, erp)).status_code == 404
    southmere = factories.open_case(world.stranger)
    body = _referral_body(world, erp, person_id=str(southmere.person_id))
    assert _post(token_client(world.stranger), REFERRALS, body).status_code == 404
    assert not PanelReferral.objects.exists()


# Query counts


def test_the_meeting_has_an_exact_query_count_that_does_not_grow_with_its_agenda(
    world: World, erp: Erp
) -> None:
    meeting = schedule(erp, days_ahead=0, hour=0)
    first = _listed(world, erp, meeting=meeting)
    _assess(erp, first)
    _agree(world, erp, first)
    attendance_record(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        meeting=meeting,
        agency=world.police,
        data={"name": "Paula Chair", "kind": "present"},
    )
    client = token_client(erp.colin)
    url = f"{MEETINGS}{meeting.pk}/"
    # Token; the meeting with its panel (access_meeting); meeting_view; the audit row.
    expected = TOKEN_API + 1 + MEETING_VIEW + 1
    assert count_queries(client, url) == expected
    for _ in range(3):
        item = _listed(world, erp, child(world), meeting=meeting)
        _assess(erp, item)
        _agree(world, erp, item)
        _agree(world, erp, item, owner=world.police_officer)
    attendance_record(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        meeting=meeting,
        agency=world.social_care,
        data={"name": "Sam Chair", "kind": "present"},
    )
    assert len(client.get(url).json()["items"]) == 4
    assert count_queries(client, url) == expected


def test_the_other_endpoints_have_exact_query_counts(world: World, erp: Erp) -> None:
    item = _listed(world, erp)
    _assess(erp, item)
    action = _agree(world, erp, item, owner=world.police_officer)
    client = token_client(world.police_officer)
    # Pagination count, the page (with the panel), no audit: the list names no child.
    assert count_queries(client, MEETINGS) == TOKEN_API + 2
    # Pagination count, the page (referral, panel, person, agency, owner joined), one audit row.
    assert count_queries(client, ACTIONS) == TOKEN_API + 3
    _agree(world, erp, item, owner=world.police_officer)
    assert count_queries(client, ACTIONS) == TOKEN_API + 3
    # The action with all it shows (access_action), the audit row.
    assert count_queries(client, f"{ACTIONS}{action.pk}/") == TOKEN_API + 2
    # The item (access_item), its assessment, the assessment's instrument and assessor, the audit row.
    assert count_queries(client, f"/api/v1/panel-items/{item.pk}/assessment/") == TOKEN_API + 5
