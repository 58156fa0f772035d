"""The missing services: the return home interview clock runs from when the child was found and is closed by
an independent interview, a refusal with its reason, a decision not to hold one, or the child going missing
again, never silently; a refusal without a reason saves nothing; repeat missing follows each authority's
threshold; the risk grade keeps its history; and the Philomena profile stays with the child."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.missing.clocks import EPISODE_SUBJECT, PROFILE_SUBJECT
from cases.missing.models import MissingEpisode, PhilomenaCarerChange, RhiOutcome
from cases.missing.services import (
    ProfileDetails,
    RhiOutcomeDetails,
    missing_rhi_outcome_record,
    missing_risk_grade_record,
    missing_settings_set,
    philomena_profile_save,
)
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.deadlines.models import Deadline, DeadlineEvent, DeadlineStatus, OutboxEvent, OutboxMessage
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World
from tests.missing.conftest import record_return, report

pytestmark = pytest.mark.django_db


def _outcome(world: World, episode: MissingEpisode, **data: object) -> MissingEpisode:
    episode.refresh_from_db()
    return missing_rhi_outcome_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        expected_version=episode.version,
        data=RhiOutcomeDetails(**data),  # type: ignore[arg-type]
    )


def test_recording_the_return_starts_the_72_hour_clock_from_the_time_found(world: World) -> None:
    found_at = timezone.now() - timedelta(hours=20)
    episode = record_return(
        world,
        report(
            world,
            reported_at=timezone.now() - timedelta(hours=30),
            last_seen_at=timezone.now() - timedelta(hours=31),
        ),
        found_at=found_at,
        safe_and_well_at=None,
        safe_and_well_done=False,
    )
    clock = Deadline.objects.get(subject_type=EPISODE_SUBJECT, subject_id=episode.pk)
    assert clock.policy == PolicyCode.RETURN_HOME_INTERVIEW
    # From when the child was found, not from when it was typed in.
    assert clock.started_at == found_at
    assert clock.due_at == found_at + timedelta(hours=72)
    assert clock.case_id == world.case.pk and clock.person_id == world.case.person_id
    assert clock.owning_agency_id == world.case.lead_agency_id
    assert episode.rhi_deadline_id == clock.pk
    # The owner (or the lead agency's duty inbox) is told, once.
    assert OutboxMessage.objects.filter(deadline=clock, event=OutboxEvent.ASSIGNED).count() == 1
    assert episode.duration == found_at - episode.last_seen_at


def test_the_clock_is_met_by_an_interview_held_by_someone_independent(world: World) -> None:
    episode = record_return(world, report(world))
    held_at = timezone.now() - timedelta(minutes=5)
    with pytest.raises(ValidationError) as refused:
        _outcome(
            world,
            episode,
            outcome="held",
            outcome_at=held_at,
            held_by="Sam Reed",
            held_by_role="Missing outreach worker",
            summary="Talked about the trip.",
        )
    assert "independent" in refused.value.message_dict
    episode = _outcome(
        world,
        episode,
        outcome="held",
        outcome_at=held_at,
        held_by="Sam Reed",
        held_by_role="Missing outreach worker, Safe Steps",
        independent=True,
        summary="Went to Eastport with older boys; was given a phone.",
    )
    clock = Deadline.objects.get(pk=episode.rhi_deadline_id)
    assert clock.status == DeadlineStatus.MET and clock.met_at == held_at
    assert episode.rhi_outcome == RhiOutcome.HELD and episode.rhi_independent


def test_a_refusal_without_a_reason_is_refused_and_nothing_is_saved(world: World) -> None:
    episode = record_return(world, report(world))
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        _outcome(world, episode, outcome="refused", outcome_at=timezone.now(), reason="  ")
    assert refused.value.message_dict["reason"] == ["Enter why the child refused the interview"]
    episode.refresh_from_db()
    assert episode.rhi_outcome == "" and episode.rhi_recorded_at is None
    assert Deadline.objects.get(pk=episode.rhi_deadline_id).status == DeadlineStatus.RUNNING
    assert AuditEvent.objects.count() == audits


def test_a_refusal_with_a_reason_closes_the_clock(world: World) -> None:
    episode = record_return(world, report(world))
    refused_at = timezone.now() - timedelta(minutes=2)
    episode = _outcome(
        world,
        episode,
        outcome="refused",
        outcome_at=refused_at,
        reason="Does not want to talk to anyone from the council.",
    )
    clock = Deadline.objects.get(pk=episode.rhi_deadline_id)
    # The policy's "or a refusal recorded with a reason": met, with the reason in its note.
    assert clock.status == DeadlineStatus.MET and clock.met_at == refused_at
    assert "Does not want to talk" in clock.outcome_note
    assert episode.rhi_outcome == RhiOutcome.REFUSED
    with pytest.raises(ApplicationError):
        _outcome(
            world,
            episode,
            outcome="held",
            outcome_at=refused_at,
            held_by="x",
            held_by_role="y",
            independent=True,
            summary="z",
        )


def test_a_decision_not_to_hold_one_cancels_the_clock_with_its_reason(world: World) -> None:
    episode = record_return(world, report(world))
    episode = _outcome(
        world, episode, outcome="not_held", reason="Child moved to a secure placement out of area."
    )
    clock = Deadline.objects.get(pk=episode.rhi_deadline_id)
    assert clock.status == DeadlineStatus.CANCELLED
    event = DeadlineEvent.objects.get(deadline=clock, kind="cancelled")
    assert "secure placement" in event.reason


def test_an_interview_after_72_hours_is_met_late_as_a_breach(world: World) -> None:
    start = timezone.now() - timedelta(days=5)
    episode = record_return(
        world,
        report(world, last_seen_at=start - timedelta(hours=2), reported_at=start - timedelta(hours=1)),
        found_at=start,
        safe_and_well_at=start + timedelta(hours=1),
    )
    episode = _outcome(
        world,
        episode,
        outcome="held",
        outcome_at=start + timedelta(hours=80),
        held_by="Sam Reed",
        held_by_role="Missing outreach worker",
        independent=True,
        summary="Late.",
    )
    clock = Deadline.objects.get(pk=episode.rhi_deadline_id)
    assert clock.status == DeadlineStatus.MET and clock.breached_at == start + timedelta(hours=72)


def test_going_missing_again_closes_the_open_interview_with_the_reason(world: World) -> None:
    now = timezone.now()
    first = record_return(
        world,
        report(
            world,
            last_seen_at=now - timedelta(days=2),
            reported_at=now - timedelta(days=2) + timedelta(hours=1),
        ),
        found_at=now - timedelta(days=1),
        safe_and_well_done=False,
        safe_and_well_at=None,
    )
    second = report(world, last_seen_at=now - timedelta(hours=2), reported_at=now - timedelta(hours=1))
    first.refresh_from_db()
    assert first.rhi_outcome == RhiOutcome.MISSING_AGAIN
    assert "went missing again" in first.rhi_reason
    clock = Deadline.objects.get(pk=first.rhi_deadline_id)
    assert clock.status == DeadlineStatus.CANCELLED
    assert "went missing again" in DeadlineEvent.objects.get(deadline=clock, kind="cancelled").reason
    assert second.rhi_outcome == "" and second.found_at is None


def test_a_child_still_missing_cannot_be_reported_missing_again(world: World) -> None:
    report(world)
    with pytest.raises(ApplicationError, match="already recorded as missing"):
        report(world)


def test_the_found_time_is_checked(world: World) -> None:
    episode = report(world)
    cases = [
        (episode.reported_at - timedelta(minutes=1), "reported missing"),
        (timezone.now() + timedelta(hours=2), "now or in the past"),
        (None, "Enter the date they were found"),
    ]
    for found_at, message in cases:
        with pytest.raises(ValidationError) as refused:
            record_return(world, episode, found_at=found_at, safe_and_well_at=None, safe_and_well_done=False)
        assert message in refused.value.message_dict["found_at"][0], found_at
    episode.refresh_from_db()
    assert episode.found_at is None and episode.rhi_deadline_id is None


def test_moments_before_the_childs_birth_are_refused(world: World) -> None:
    born = world.case.person.date_of_birth
    assert born is not None
    before = timezone.make_aware(timezone.datetime(born.year - 1, 1, 1, 12, 0))
    with pytest.raises(ValidationError) as refused:
        report(world, last_seen_at=before, reported_at=before)
    assert "date of birth" in refused.value.message_dict["last_seen_at"][0]


def test_an_unbounded_list_of_indicators_is_refused(world: World) -> None:
    episode = report(world)
    with pytest.raises(ValidationError) as refused:
        record_return(world, episode, exploitation_indicators=("phones",) * 40)
    assert "no more than" in refused.value.message_dict["exploitation_indicators"][0]
    with pytest.raises(ValidationError):
        record_return(world, episode, exploitation_indicators=("not-a-sign",))


def test_repeat_missing_follows_each_authoritys_threshold(world: World) -> None:
    now = timezone.now()

    def episode(days_ago: int) -> MissingEpisode:
        start = now - timedelta(days=days_ago)
        made = report(world, last_seen_at=start - timedelta(hours=2), reported_at=start - timedelta(hours=1))
        record_return(world, made, found_at=start, safe_and_well_done=False, safe_and_well_at=None)
        made.refresh_from_db()
        return made

    assert episode(200).repeat_count == 1
    assert episode(100).repeat_count == 1  # the one before is more than 90 days earlier
    second = episode(30)
    assert second.repeat_count == 2 and not second.repeat_prompted
    third = episode(20)
    assert third.repeat_count == 3 and third.repeat_prompted  # 3 in 90 days, the default

    manager = factories.user(world.social_care, Role.MASH_MANAGER)
    with pytest.raises(PermissionRefused):
        missing_settings_set(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            local_authority=world.social_care.local_authority,
            repeat_episodes=2,
            repeat_window_days=20,
        )
    missing_settings_set(
        actor=manager,
        context=SYSTEM_CONTEXT,
        local_authority=world.social_care.local_authority,
        repeat_episodes=2,
        repeat_window_days=20,
    )
    fourth = report(
        world, last_seen_at=now - timedelta(days=2), reported_at=now - timedelta(days=2) + timedelta(hours=1)
    )
    assert fourth.repeat_count == 2 and fourth.repeat_window_days == 20 and fourth.repeat_prompted
    with pytest.raises(ValidationError):
        missing_settings_set(
            actor=manager,
            context=SYSTEM_CONTEXT,
            local_authority=world.social_care.local_authority,
            repeat_episodes=1,
            repeat_window_days=30,
        )


def test_the_risk_grade_keeps_its_history_and_the_latest_is_the_grade(world: World) -> None:
    episode = report(world, risk_grade="medium")
    later = timezone.now() - timedelta(minutes=5)
    missing_risk_grade_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        grade="high",
        assessed_at=later,
        basis="Seen getting into a car with an adult of concern.",
    )
    # A grading of an earlier moment, recorded afterwards, joins the history but is not the latest.
    missing_risk_grade_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        episode=episode,
        grade="low",
        assessed_at=episode.reported_at + timedelta(minutes=1),
        basis="Phoned her carer.",
    )
    episode.refresh_from_db()
    assert episode.risk_grade == "high"
    assert [a.grade for a in episode.risk_assessments.all()] == ["high", "low", "medium"]
    with pytest.raises(ValidationError) as refused:
        missing_risk_grade_record(
            actor=world.mash, context=SYSTEM_CONTEXT, episode=episode, grade="", assessed_at=later, basis=""
        )
    assert set(refused.value.message_dict) == {"grade", "basis"}


def test_only_the_lead_agency_records(world: World) -> None:
    with pytest.raises(PermissionRefused):
        report(world, actor=world.police_officer)
    episode = report(world)
    with pytest.raises(PermissionRefused):
        missing_risk_grade_record(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            episode=episode,
            grade="high",
            assessed_at=timezone.now(),
            basis="x",
        )


def test_a_stale_version_is_refused(world: World) -> None:
    episode = report(world)
    with pytest.raises(ConcurrentEditError):
        missing_rhi_outcome_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            episode=episode,
            expected_version=episode.version + 1,
            data=RhiOutcomeDetails(outcome="refused", reason="x"),
        )


def _profile(world: World, version: int | None, **data: object) -> object:
    details = {
        "next_review_on": timezone.localdate() + timedelta(days=180),
        "description": "Tall, short dark hair.",
        **data,
    }
    return philomena_profile_save(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        person=world.case.person,
        expected_version=version,
        data=ProfileDetails(**details),
    )  # type: ignore[arg-type]


def test_the_philomena_profile_moves_with_the_child_and_its_review_clock_restarts(world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        profile = _profile(world, None, current_carer="Ms A Carer", current_placement="Oak House")
    clock = Deadline.objects.get(subject_type=PROFILE_SUBJECT, status=DeadlineStatus.RUNNING)
    assert clock.policy == PolicyCode.PHILOMENA_REVIEW
    assert timezone.localtime(clock.due_at).date() == profile.next_review_on  # type: ignore[attr-defined]
    # The carer changes: the profile stays, and the change is in its history.
    profile = _profile(
        world, 1, current_carer="Mr B Foster", current_placement="12 Elm Road", carer_changed_on=date.today()
    )
    assert profile.pk == world.case.person.philomena_profile.pk  # type: ignore[attr-defined]
    assert list(PhilomenaCarerChange.objects.values_list("carer", flat=True)) == ["Mr B Foster", "Ms A Carer"]
    # A review meets the clock and starts the next.
    _profile(
        world,
        2,
        current_carer="Mr B Foster",
        current_placement="12 Elm Road",
        reviewed=True,
        next_review_on=timezone.localdate() + timedelta(days=100),
    )
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET
    assert Deadline.objects.filter(subject_type=PROFILE_SUBJECT, status=DeadlineStatus.RUNNING).count() == 1
    with pytest.raises(ConcurrentEditError):
        _profile(world, 2)
    with pytest.raises(ValidationError) as refused:
        _profile(world, 3, next_review_on=timezone.localdate())
    assert "future" in refused.value.message_dict["next_review_on"][0]
