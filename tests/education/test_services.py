"""The education services: the history is append-only and corrected only with a reason; a child at risk coming
off a school roll tells the case owner and the education lead, each once; school place applications run a
clock to their due date that their outcome meets."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import InternalError, transaction
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.education.clocks import EDUCATION_CHANGE_SUBJECT, EDUCATION_LEAD_SUBJECT, SCHOOL_PLACE_SUBJECT
from cases.education.models import EducationChange, RollLeftAlert
from cases.education.selectors import education_history
from cases.education.services import (
    education_change_record,
    school_place_application_record,
    school_place_outcome_record,
)
from cases.models import Case, CaseStatus
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, NotFound, PermissionRefused
from safeguarding.deadlines.access import access_deadline, access_subject
from safeguarding.deadlines.calendars import LONDON, end_of_working_day
from safeguarding.deadlines.delivery import recipients_for
from safeguarding.deadlines.models import Deadline, DeadlineStatus, Notification, OutboxMessage
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World
from tests.education.conftest import Edu, days_ago, deliver_all, record

# The two clocks a child at risk leaving a roll starts: the case owner's and the education lead's.
ROLL_LEFT_POLICIES = [PolicyCode.EDUCATION_ROLL_LEFT, PolicyCode.EDUCATION_ROLL_LEFT_LEAD]

pytestmark = pytest.mark.django_db


def _roll_left_messages() -> int:
    return OutboxMessage.objects.filter(deadline__policy__in=ROLL_LEFT_POLICIES).count()


def _set_risk(case: Case, risk_level: str) -> None:
    Case.objects.filter(pk=case.pk).update(risk_level=risk_level)


# --- Leaving a school roll while at risk -------------------------------------------------------------------


def test_a_child_at_high_risk_moved_to_home_education_tells_the_owner_and_the_education_lead_once(
    world: World, edu: Edu
) -> None:
    record(world, "on_roll", days=60, provider="Northbridge Academy")
    assert _roll_left_messages() == 0  # the person record said home education: joining a roll tells no one

    recorded = record(world, "elective_home_education", days=2)

    assert recorded.created and recorded.education_agency == edu.agency
    assert recorded.change.alert == RollLeftAlert.TOLD and recorded.change.previous_status == "on_roll"
    clocks = Deadline.objects.filter(policy__in=ROLL_LEFT_POLICIES)
    owner_clock = clocks.get(subject_type=EDUCATION_CHANGE_SUBJECT)
    lead_clock = clocks.get(subject_type=EDUCATION_LEAD_SUBJECT)
    assert owner_clock.case_id == world.case.pk and owner_clock.owning_agency == world.social_care
    assert lead_clock.case_id is None and lead_clock.owning_agency == edu.agency and lead_clock.owner is None
    assert owner_clock.subject_id == lead_clock.subject_id == recorded.change.pk
    # Told in words that name the child only by given name and initial (the email goes outside the service).
    assert owner_clock.subject_label == "Zephyrine Q.: off a school roll (elective home education)"
    assert _roll_left_messages() == 2
    assert deliver_all() == 2
    # The case has no allocated worker: the lead agency's duty inbox (alice) is its owner's stand-in.
    assert list(
        Notification.objects.filter(deadline=owner_clock).values_list("recipient__username", flat=True)
    ) == ["alice"]
    assert list(
        Notification.objects.filter(deadline=lead_clock).values_list("recipient__username", flat=True)
    ) == ["elena"]
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.test", "elena@example.test"]
    history = education_history(person_id=world.case.person_id)
    assert [entry.status for entry in history.entries] == ["elective_home_education", "on_roll"]
    assert history.current == recorded.change

    again = record(world, "elective_home_education", days=2)

    assert not again.created and again.change == recorded.change
    assert _roll_left_messages() == 2 and deliver_all() == 0
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2
    assert EducationChange.objects.count() == 2


def test_the_allocated_worker_is_the_case_owner_told(world: World, edu: Edu) -> None:
    worker = factories.user(world.social_care, Role.MASH_PRACTITIONER, username="wendy")
    Case.objects.filter(pk=world.case.pk).update(allocated_worker=worker)
    record(world, "on_roll", days=30)
    record(world, "missing_education", days=1)
    deliver_all()
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["elena", "wendy"]


@pytest.mark.parametrize(
    ("risk_level", "told"),
    [("very_high", True), ("high", True), ("medium", True), ("low", False), ("not_assessed", False)],
)
def test_who_is_at_risk(world: World, edu: Edu, risk_level: str, told: bool) -> None:
    _set_risk(world.case, risk_level)
    record(world, "part_time_timetable", days=30)
    change = record(world, "excluded_permanent", days=1).change
    assert (change.alert == RollLeftAlert.TOLD) is told
    assert _roll_left_messages() == (2 if told else 0)


@pytest.mark.parametrize(
    ("before", "after", "told"),
    [
        ("on_roll", "elective_home_education", True),
        ("part_time_timetable", "missing_education", True),
        ("alternative_provision", "excluded_permanent", True),
        ("excluded_fixed_term", "elective_home_education", True),  # a suspended pupil is still on roll
        ("on_roll", "excluded_fixed_term", False),
        ("on_roll", "alternative_provision", False),
        ("missing_education", "elective_home_education", False),  # already off every roll
    ],
)
def test_what_counts_as_leaving_a_roll(world: World, edu: Edu, before: str, after: str, told: bool) -> None:
    record(world, before, days=30)
    assert (record(world, after, days=1).change.alert == RollLeftAlert.TOLD) is told


def test_with_no_education_agency_the_owner_is_still_told_and_the_entry_says_the_lead_was_not(
    world: World,
) -> None:
    record(world, "on_roll", days=30)
    recorded = record(world, "elective_home_education", days=1)
    assert recorded.change.alert == RollLeftAlert.OWNER_ONLY and recorded.education_agency is None
    assert list(
        Deadline.objects.filter(policy__in=ROLL_LEFT_POLICIES).values_list("subject_type", flat=True)
    ) == [EDUCATION_CHANGE_SUBJECT]
    deliver_all()
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["alice"]


def test_while_a_follow_up_is_open_another_change_off_roll_tells_no_one_again(world: World, edu: Edu) -> None:
    record(world, "on_roll", days=30)
    first = record(world, "elective_home_education", days=5).change
    back = record(world, "on_roll", days=3, note="Back at school").change
    assert back.alert == RollLeftAlert.NONE
    again = record(world, "missing_education", days=1).change
    assert first.alert == RollLeftAlert.TOLD and again.alert == RollLeftAlert.ALREADY
    assert _roll_left_messages() == 2


def test_a_back_dated_entry_that_is_not_the_current_status_tells_no_one(world: World, edu: Edu) -> None:
    record(world, "on_roll", days=10)
    earlier = record(world, "elective_home_education", days=100).change  # before the current entry
    assert earlier.alert == RollLeftAlert.NONE
    assert education_history(person_id=world.case.person_id).current.status == "on_roll"  # type: ignore[union-attr]


def test_with_nothing_known_before_a_first_entry_tells_no_one(world: World, edu: Edu) -> None:
    child = factories.open_case(
        world.mash, given_name="Noor", family_name="Known", education_status="not_known"
    )
    assert record(world, "elective_home_education", case=child).change.alert == RollLeftAlert.NONE
    on_roll = factories.open_case(
        world.mash, given_name="Ola", family_name="Roll", education_status="on_roll"
    )
    assert record(world, "elective_home_education", case=on_roll).change.alert == RollLeftAlert.TOLD


def test_the_education_lead_sees_and_meets_their_follow_up_without_the_case(world: World, edu: Edu) -> None:
    record(world, "on_roll", days=30)
    change = record(world, "elective_home_education", days=1).change
    lead_clock = Deadline.objects.get(subject_type=EDUCATION_LEAD_SUBJECT)
    owner_clock = Deadline.objects.get(subject_type=EDUCATION_CHANGE_SUBJECT)
    seen = access_subject(edu.lead, EDUCATION_LEAD_SUBJECT, change.pk)
    assert seen.case_id is None and seen.person_ids == (world.case.person_id,)
    assert access_deadline(edu.lead, lead_clock.pk, action="meet").deadline == lead_clock
    for refused in (
        lambda: access_deadline(edu.lead, owner_clock.pk),
        lambda: access_subject(edu.lead, EDUCATION_CHANGE_SUBJECT, change.pk),
        lambda: access_subject(world.housing_officer, EDUCATION_LEAD_SUBJECT, change.pk),
    ):
        with pytest.raises(NotFound):
            refused()
    assert access_subject(world.police_officer, EDUCATION_CHANGE_SUBJECT, change.pk).case_id == world.case.pk


@pytest.mark.django_db
def test_the_education_lead_is_told_even_when_the_education_agency_has_practitioners(
    world: World, edu: Edu
) -> None:
    factories.user(edu.agency, Role.AGENCY_PRACTITIONER, username="ed")
    record(world, "on_roll", days=30)
    record(world, "elective_home_education", days=1)
    message = OutboxMessage.objects.get(deadline__subject_type=EDUCATION_LEAD_SUBJECT)
    assert [user.username for user in recipients_for(message)] == ["elena"]


# --- The history: append-only, corrected with a reason -----------------------------------------------------


def test_an_entry_is_never_updated_or_deleted(world: World) -> None:
    change = record(world, "on_roll").change
    for attempt in (
        lambda: EducationChange.objects.filter(pk=change.pk).update(status="missing_education"),
        lambda: EducationChange.objects.filter(pk=change.pk).delete(),
    ):
        with pytest.raises(InternalError), transaction.atomic():
            attempt()
    assert EducationChange.objects.get(pk=change.pk).status == "on_roll"


def test_a_correction_is_a_new_entry_with_a_reason_and_replaces_the_entry_it_corrects(world: World) -> None:
    wrong = record(world, "on_roll", days=20, provider="Northbridge Academy").change
    with pytest.raises(ValidationError) as refused:
        record(world, "on_roll", days=20, provider="Northbridge Academy", corrects=wrong)
    assert refused.value.message_dict == {
        "correction_reason": ["Enter why the entry is being corrected"],
        "status": ["The correction is the same as the entry it corrects. Change what was wrong"],
    }
    corrected = record(
        world,
        "on_roll",
        days=20,
        provider="Southfield Academy",
        corrects=wrong,
        correction_reason="Wrong school",
    ).change
    assert corrected.corrects == wrong and corrected.correction_reason == "Wrong school"
    history = education_history(person_id=world.case.person_id)
    assert len(history.entries) == 2 and history.current == corrected
    with pytest.raises(ApplicationError, match="already been corrected"):
        record(world, "on_roll", days=20, provider="Eastfield", corrects=wrong, correction_reason="Again")
    audit = AuditEvent.objects.filter(object_type="education_change", object_id=corrected.pk).get()
    assert audit.reason == "Wrong school" and audit.person_ids == [world.case.person_id]


def test_correcting_a_wrong_on_roll_entry_to_home_education_tells_the_owner(world: World, edu: Edu) -> None:
    wrong = record(world, "on_roll", days=20).change
    fixed = record(
        world,
        "elective_home_education",
        days=20,
        corrects=wrong,
        correction_reason="Deregistered, not on roll",
    ).change
    assert fixed.alert == RollLeftAlert.TOLD and fixed.previous_status == "on_roll"


def test_an_entry_of_another_child_cannot_be_corrected_here(world: World) -> None:
    other = factories.open_case(world.mash, given_name="Remi", family_name="Other")
    theirs = record(world, "on_roll", case=other).change
    with pytest.raises(ApplicationError, match="not part of this child's history"):
        record(world, "missing_education", corrects=theirs, correction_reason="Mistake")


@pytest.mark.parametrize(
    ("effective_date", "message"),
    [
        (None, "Enter the date it took effect"),
        (
            timezone.localdate() + timedelta(days=15),
            "The date it took effect must be no more than 14 days from today",
        ),
        (date(2011, 4, 1), "The date it took effect must be on or after the child's date of birth"),
        (date(1899, 12, 31), "The date it took effect must be after 1 January 1900"),
    ],
)
def test_the_date_it_took_effect_is_checked(world: World, effective_date: date | None, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        education_change_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            status="on_roll",
            effective_date=effective_date,
        )
    assert refused.value.message_dict == {"effective_date": [message]}
    assert not EducationChange.objects.exists()


def test_a_change_agreed_for_next_week_is_recorded(world: World) -> None:
    change = education_change_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        status="alternative_provision",
        effective_date=timezone.localdate() + timedelta(days=14),
    ).change
    assert change.pk is not None


def test_only_case_workers_record_and_only_on_an_open_case(world: World) -> None:
    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    with pytest.raises(PermissionRefused):
        education_change_record(
            actor=auditor,
            context=SYSTEM_CONTEXT,
            case=world.case,
            status="on_roll",
            effective_date=days_ago(1),
        )
    Case.objects.filter(pk=world.case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now(), closure_reason="Closed"
    )
    with pytest.raises(ApplicationError, match="closed"):
        record(world, "on_roll")
    assert not EducationChange.objects.exists()


# --- School place applications -----------------------------------------------------------------------------


def _apply(world: World, *, applied: date | None = None, due: date | None = None) -> object:
    return school_place_application_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        school_name="Northbridge Academy",
        applied_on=applied or days_ago(5),
        due_on=due or timezone.localdate() + timedelta(days=10),
    )


def test_an_application_runs_a_clock_to_its_due_date_that_its_outcome_meets(world: World) -> None:
    due = timezone.localdate() + timedelta(days=10)
    application = school_place_application_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        case=world.case,
        school_name="Northbridge Academy",
        applied_on=days_ago(5),
        due_on=due,
    )
    clock = Deadline.objects.get(subject_type=SCHOOL_PLACE_SUBJECT, subject_id=application.pk)
    assert clock.policy == PolicyCode.SCHOOL_PLACE_APPLICATION and clock.case_id == world.case.pk
    assert clock.due_at == end_of_working_day(due)
    assert clock.started_at.astimezone(LONDON).date() == days_ago(5)
    assert not OutboxMessage.objects.exists()  # alice recorded it herself; the case has no other owner

    decided = school_place_outcome_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        application=application,
        expected_version=1,
        outcome="offered",
        outcome_on=days_ago(1),
    )
    clock.refresh_from_db()
    assert decided.version == 2 and decided.outcome == "offered"
    assert (
        clock.status == DeadlineStatus.MET
        and clock.breached_at is None
        and clock.outcome_note == "Place offered"
    )
    with pytest.raises(ApplicationError, match="already recorded"):
        school_place_outcome_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            application=decided,
            expected_version=2,
            outcome="refused",
            outcome_on=days_ago(1),
        )


def test_an_outcome_after_the_due_date_meets_the_clock_late(world: World) -> None:
    application = _apply(world, applied=days_ago(30), due=days_ago(10))
    clock = Deadline.objects.get(subject_id=application.pk)  # type: ignore[attr-defined]
    assert clock.status == DeadlineStatus.BREACHED and clock.notified_late
    school_place_outcome_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        application=application,  # type: ignore[arg-type]
        expected_version=1,
        outcome="refused",
        outcome_on=days_ago(2),
    )
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET and clock.breached_at is not None


def test_the_case_owner_is_told_of_an_application_someone_else_records(world: World) -> None:
    worker = factories.user(world.social_care, Role.MASH_PRACTITIONER, username="wendy")
    Case.objects.filter(pk=world.case.pk).update(allocated_worker=worker)
    _apply(world)
    deliver_all()
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["wendy"]


def test_a_stale_outcome_is_refused(world: World) -> None:
    application = _apply(world)
    with pytest.raises(ConcurrentEditError):
        school_place_outcome_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            application=application,  # type: ignore[arg-type]
            expected_version=7,
            outcome="offered",
            outcome_on=days_ago(1),
        )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"school_name": " ", "applied_on": None, "due_on": None},
            {
                "school_name": ["Enter the name of the school applied to"],
                "applied_on": ["Enter the date it was applied for"],
                "due_on": ["Enter the date a decision is due by"],
            },
        ),
        (
            {"applied_on": timezone.localdate() + timedelta(days=1)},
            {"applied_on": ["The date it was applied for must be today or in the past"]},
        ),
        (
            {"applied_on": days_ago(3), "due_on": days_ago(4)},
            {"due_on": ["The date a decision is due by must be on or after the date it was applied for"]},
        ),
        (
            {"applied_on": days_ago(3), "due_on": days_ago(3) + timedelta(days=400)},
            {
                "due_on": [
                    "The date a decision is due by must be within a year of the date it was applied for"
                ]
            },
        ),
        (
            {"applied_on": date(2010, 1, 1)},
            {"applied_on": ["The date it was applied for must be on or after the child's date of birth"]},
        ),
    ],
)
def test_an_application_is_checked(
    world: World, fields: dict[str, object], errors: dict[str, list[str]]
) -> None:
    data: dict[str, object] = {
        "school_name": "Northbridge Academy",
        "applied_on": days_ago(2),
        "due_on": timezone.localdate() + timedelta(days=5),
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        school_place_application_record(actor=world.mash, context=SYSTEM_CONTEXT, case=world.case, **data)  # type: ignore[arg-type]
    assert refused.value.message_dict == errors
    assert not Deadline.objects.exists()


def test_an_outcome_is_checked(world: World) -> None:
    application = _apply(world, applied=days_ago(5))
    with pytest.raises(ValidationError) as refused:
        school_place_outcome_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            application=application,  # type: ignore[arg-type]
            expected_version=1,
            outcome="maybe",
            outcome_on=days_ago(6),
        )
    assert refused.value.message_dict == {
        "outcome": ["Select the outcome of the application"],
        "outcome_on": ["The date of the outcome must be on or after the date it was applied for"],
    }
