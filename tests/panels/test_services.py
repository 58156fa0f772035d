"""The panel's workflows through its services: referral to panel, agenda, risk assessment, actions that
carry forward, minutes that lock."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from panels.models import ActionStatus, ItemKind, MeetingStatus, PanelReferral, PanelReferralStatus
from panels.risk import DEFAULT_INSTRUMENT, risk_score
from panels.services import (
    agenda_build,
    agenda_item_plan_send,
    agenda_item_record,
    minutes_amend,
    minutes_approve,
    minutes_save,
    panel_action_agree,
    panel_action_close,
    panel_referral_close,
    risk_assessment_save,
)
from referrals.models import MashDecision, Referral
from referrals.services import mash_decision_record, referral_create
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.models import Deadline, DeadlineStatus, OutboxEvent, OutboxMessage
from tests import factories
from tests.conftest import World
from tests.panels.conftest import Erp, child, refer, schedule
from tests.referrals.conftest import referral_data

pytestmark = pytest.mark.django_db


def test_a_referral_lands_in_the_queue_with_a_listing_clock_and_the_coordinator_is_told(
    world: World, erp: Erp
) -> None:
    referral = refer(world, erp, world.case)
    assert referral.status == PanelReferralStatus.AWAITING_LISTING
    assert not referral.is_repeat
    clock = Deadline.objects.get(subject_type="panel_referral", subject_id=referral.pk)
    assert (clock.policy, clock.owner, clock.status) == ("panel_listing", erp.colin, DeadlineStatus.RUNNING)
    assert OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED).count() == 1


def test_a_second_open_referral_is_refused_and_one_after_closure_is_a_repeat(world: World, erp: Erp) -> None:
    first = refer(world, erp, world.case)
    with pytest.raises(ApplicationError, match="already on the Northbridge ERP's list"):
        refer(world, erp, world.case)
    panel_referral_close(actor=erp.sam, context=SYSTEM_CONTEXT, referral=first, outcome="Risk reduced")
    again = refer(world, erp, world.case)
    assert again.is_repeat


def test_bad_referral_data_is_refused_field_by_field(world: World, erp: Erp) -> None:
    with pytest.raises(ValidationError) as raised:
        refer(world, erp, world.case, reason=" ", exploitation_types=[], current_risk="huge")
    assert raised.value.message_dict == {
        "reason": ["Enter the reason for the referral"],
        "exploitation_types": ["Select at least one type of exploitation"],
        "current_risk": ["Select the current level of risk"],
    }


def test_the_agenda_is_built_from_the_queue_and_listing_meets_the_clock(world: World, erp: Erp) -> None:
    referral = refer(world, erp, world.case)
    meeting = schedule(erp)
    [item] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    assert item.kind == ItemKind.NEW
    referral.refresh_from_db()
    assert referral.status == PanelReferralStatus.LISTED
    assert Deadline.objects.get(subject_id=referral.pk).status == DeadlineStatus.MET
    assert agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting) == []


def test_only_the_chairs_and_coordinator_build_the_agenda(world: World, erp: Erp) -> None:
    refer(world, erp, world.case)
    meeting = schedule(erp)
    with pytest.raises(PermissionRefused):
        agenda_build(actor=world.housing_officer, context=SYSTEM_CONTEXT, meeting=meeting)


def test_any_significant_indicator_makes_a_13_year_old_high_risk() -> None:
    answers = {"missing": "last_6_months"}  # 5 points: medium by score
    assert risk_score(DEFAULT_INSTRUMENT, answers, age=15).level == "medium"
    young = risk_score(DEFAULT_INSTRUMENT, answers, age=13)
    assert (young.level, young.raised_for_age) == ("high", True)
    # Recency windows: a significant indicator 6-12 months ago counts 1; a lesser one in 6 months, 2.
    assert (
        risk_score(DEFAULT_INSTRUMENT, {"missing": "6_to_12_months", "online": "last_6_months"}, 15).score
        == 3
    )


def test_an_unknown_indicator_is_refused() -> None:
    with pytest.raises(ApplicationError):
        risk_score(DEFAULT_INSTRUMENT, {"made_up": "last_6_months"}, 15)


def test_the_assessment_sets_the_risk_and_its_trajectory(world: World, erp: Erp) -> None:
    case = child(world, age=13)
    referral = refer(world, erp, case, current_risk="medium")
    meeting = schedule(erp)
    [item] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    assessment = risk_assessment_save(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        answers={"missing": "last_6_months", "gifts_money": "last_6_months"},
        text={"evidence": "Three missing episodes since June.", "professional_judgement": "Escalating."},
    )
    assert (assessment.score, assessment.level, assessment.trajectory) == (7, "high", "new")
    assert assessment.age_at_assessment == 13
    referral.refresh_from_db()
    assert referral.current_risk == "high"


def _meeting_with_actions(world: World, erp: Erp):  # type: ignore[no-untyped-def]
    refer(world, erp, world.case)
    meeting = schedule(erp, days_ahead=0, hour=0)
    [item] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    due = timezone.localdate() + timedelta(days=7)
    done = panel_action_agree(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        description="Safety plan with mother",
        owner_agency=world.social_care,
        owner=world.mash,
        due_date=due,
    )
    undone = panel_action_agree(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        description="Housing to assess a move",
        owner_agency=world.housing,
        owner=None,
        due_date=due,
    )
    return meeting, item, done, undone


def test_actions_are_clocks_and_the_owner_marks_done(world: World, erp: Erp) -> None:
    _, _, done, undone = _meeting_with_actions(world, erp)
    clock = Deadline.objects.get(subject_type="panel_action", subject_id=done.pk)
    assert (clock.policy, clock.owning_agency, clock.owner) == ("panel_action", world.social_care, world.mash)
    with pytest.raises(PermissionRefused):
        panel_action_close(actor=world.police_officer, context=SYSTEM_CONTEXT, action=done, status="done")
    panel_action_close(actor=world.mash, context=SYSTEM_CONTEXT, action=done, status="done", note="Agreed")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET
    # "Agency did not act" is the panel's call, with a reason.
    with pytest.raises(PermissionRefused):
        panel_action_close(
            actor=world.housing_officer,
            context=SYSTEM_CONTEXT,
            action=undone,
            status="agency_did_not_act",
            note="x",
        )
    with pytest.raises(ValidationError):
        panel_action_close(actor=erp.sam, context=SYSTEM_CONTEXT, action=undone, status="agency_did_not_act")


def test_an_open_action_brings_its_child_back_to_the_next_agenda(world: World, erp: Erp) -> None:
    meeting, item, done, undone = _meeting_with_actions(world, erp)
    panel_action_close(actor=world.mash, context=SYSTEM_CONTEXT, action=done, status="done")
    minutes_save(
        actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting, minutes="Discussed.", expected_version=1
    )
    minutes_approve(actor=erp.sam, context=SYSTEM_CONTEXT, meeting=meeting)
    later = schedule(erp, days_ahead=14)
    [back] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=later)
    assert (back.referral_id, back.kind) == (item.referral_id, ItemKind.REVIEW)
    closed = panel_action_close(
        actor=erp.paula,
        context=SYSTEM_CONTEXT,
        action=undone,
        status="agency_did_not_act",
        note="No assessment was started.",
        meeting=later,
    )
    assert (closed.status, closed.closed_at_meeting) == (ActionStatus.AGENCY_DID_NOT_ACT, later)
    assert Deadline.objects.get(subject_id=undone.pk).status == DeadlineStatus.CANCELLED


def test_locked_minutes_refuse_edits_and_take_an_audited_amendment(world: World, erp: Erp) -> None:
    meeting, item, _, _ = _meeting_with_actions(world, erp)
    agenda_item_record(
        actor=erp.colin,
        context=SYSTEM_CONTEXT,
        item=item,
        data={
            "plan_aims": "Keep him safe at school.",
            "review_date": timezone.localdate() + timedelta(weeks=4),
        },
    )
    meeting = minutes_save(
        actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting, minutes="Draft.", expected_version=1
    )
    with pytest.raises(ApplicationError, match="Someone else saved"):
        minutes_save(
            actor=erp.sam, context=SYSTEM_CONTEXT, meeting=meeting, minutes="Stale", expected_version=1
        )
    with pytest.raises(PermissionRefused):
        minutes_approve(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)  # coordinator, not a chair
    meeting = minutes_approve(actor=erp.sam, context=SYSTEM_CONTEXT, meeting=meeting)
    assert meeting.status == MeetingStatus.MINUTES_LOCKED
    with pytest.raises(ApplicationError, match="locked"):
        minutes_save(actor=erp.sam, context=SYSTEM_CONTEXT, meeting=meeting, minutes="x", expected_version=2)
    with pytest.raises(ApplicationError, match="locked"):
        agenda_item_record(actor=erp.sam, context=SYSTEM_CONTEXT, item=item, data={"decision": "changed"})
    amendment = minutes_amend(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        meeting=meeting,
        minutes="Draft, corrected.",
        reason="Housing's apology was left out.",
    )
    assert (amendment.minutes_before, amendment.minutes_after) == ("Draft.", "Draft, corrected.")
    assert AuditEvent.objects.filter(
        object_type="panel_meeting", object_id=meeting.pk, reason="Housing's apology was left out."
    ).exists()
    # Approval started the two-working-day clock for the plan; sending the plan meets it.
    plan_clock = Deadline.objects.get(subject_type="panel_item", subject_id=item.pk)
    assert (plan_clock.policy, plan_clock.status) == ("panel_plan", DeadlineStatus.RUNNING)
    agenda_item_plan_send(actor=erp.colin, context=SYSTEM_CONTEXT, item=item)
    plan_clock.refresh_from_db()
    assert plan_clock.status == DeadlineStatus.MET


def _mash_referral(world: World) -> Referral:
    return referral_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data=referral_data(),
        idempotency_key="erp-decision",
        new_person_data=factories.person_data(given_name="Kai", family_name="Referral"),
    )


def test_a_mash_decision_to_refer_to_the_erp_lands_in_its_queue(world: World, erp: Erp) -> None:
    referral = _mash_referral(world)
    mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="erp",
        rationale="Linked to a line.",
    )
    [queued] = PanelReferral.objects.filter(panel=erp.panel)
    assert (queued.source, queued.source_type, queued.source_id) == ("mash_decision", "referral", referral.pk)
    assert (queued.person_id, queued.reason, queued.exploitation_types) == (
        referral.person_id,
        "Linked to a line.",
        ["criminal"],
    )
    assert queued.case_id is not None and queued.case_id == Referral.objects.get(pk=referral.pk).case_id


def test_without_a_panel_the_erp_decision_is_refused_and_nothing_is_saved(world: World) -> None:
    referral = _mash_referral(world)
    with pytest.raises(ApplicationError, match="No Exploitation and Risk Panel is set up"):
        mash_decision_record(
            actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, outcome="erp", rationale="x"
        )
    assert not MashDecision.objects.exists()
