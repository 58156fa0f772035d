from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from referrals.models import DrmItem, InformationRequest, Referral
from referrals.selectors import information_answers_visible_to
from referrals.services import (
    custody_booking_create,
    information_request_answer,
    information_share_record,
    mash_decision_record,
    referral_rate,
    urgent_contact_record,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.errors import DeadlineError
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import AgencyType
from safeguarding.people.models import Person
from tests import factories
from tests.referrals.conftest import Front, new_referral, referral_data


@pytest.mark.django_db
def test_referral_starts_the_mash_decision_clock_from_receipt(front: Front) -> None:
    received = timezone.now() - timedelta(minutes=30)
    referral = new_referral(front, received_at=received)
    clock = Deadline.objects.get(subject_id=referral.pk, policy="mash_decision")
    assert clock.started_at == received and clock.status == "running"


@pytest.mark.django_db
def test_double_submit_creates_one_referral(front: Front) -> None:
    first = new_referral(front, key="same")
    second = new_referral(front, key="same")
    assert first.pk == second.pk
    assert Referral.objects.count() == 1
    assert Person.objects.filter(family_name="Referral").count() == 1


@pytest.mark.django_db
def test_bad_referral_saves_nothing(front: Front) -> None:
    people = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        new_referral(front, received_at=timezone.now() + timedelta(hours=2))
    assert "received_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        new_referral(front, received_at=timezone.now().replace(year=2005))
    assert "date of birth" in str(error.value)
    with pytest.raises(ValidationError):
        new_referral(front, consent_not_sought_reason="")
    with pytest.raises(ValidationError):
        new_referral(front, source="XX")
    with pytest.raises(ValidationError):
        new_referral(front, narrative="x" * 10_001)
    assert Referral.objects.count() == 0
    assert Person.objects.count() == people
    assert Deadline.objects.count() == 0


@pytest.mark.django_db
def test_custody_booking_golden_hour_runs_from_booking_and_is_met_by_sharing(front: Front) -> None:
    booked = timezone.now() - timedelta(minutes=20)
    referral = custody_booking_create(
        actor=front.world.mash,
        context=SYSTEM_CONTEXT,
        referral_data={k: v for k, v in referral_data().items() if k not in {"source", "received_at"}},
        booking_data={
            "police_force": "Nottinghamshire Police",
            "out_of_area": True,
            "custody_suite": "Bridewell",
            "booked_in_at": booked,
            "arrest_reason": "Possession with intent to supply",
            "appropriate_adult": "requested",
            "pace_transfer_requested": True,
        },
        idempotency_key="custody-1",
        new_person_data=factories.person_data(given_name="Kai", family_name="Custody"),
    )
    booking = referral.custody_booking
    clock = Deadline.objects.get(subject_id=booking.pk, policy="golden_hour")
    assert clock.started_at == booked
    assert clock.due_at == booked + timedelta(hours=1)
    information_share_record(
        actor=front.world.mash,
        context=SYSTEM_CONTEXT,
        booking=booking,
        shared_at=timezone.now(),
        shared_with="Custody sergeant on duty",
        summary="Known to MASH; exploitation concerns; appropriate adult arranged.",
    )
    clock.refresh_from_db()
    assert clock.status == "met" and clock.breached_at is None


@pytest.mark.django_db
def test_custody_booking_in_the_future_is_refused(front: Front) -> None:
    with pytest.raises(ValidationError) as error:
        custody_booking_create(
            actor=front.world.mash,
            context=SYSTEM_CONTEXT,
            referral_data={k: v for k, v in referral_data().items() if k not in {"source", "received_at"}},
            booking_data={
                "police_force": "Met",
                "custody_suite": "Leyton",
                "booked_in_at": timezone.now() + timedelta(hours=1),
                "arrest_reason": "x",
                "appropriate_adult": "present",
            },
            idempotency_key="future",
            new_person_data=factories.person_data(),
        )
    assert "booked_in_at" in error.value.message_dict
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_county_lines_report_goes_on_the_next_drm(front: Front) -> None:
    referral = new_referral(front, source="county_lines", concerns=["county_lines"])
    item = DrmItem.objects.get(referral=referral)
    assert item.kind == "county_lines"
    assert item.meeting_date >= timezone.localdate()


@pytest.mark.django_db
def test_information_gathering_answers_are_need_to_know(front: Front) -> None:
    world = front.world
    referral = new_referral(front)
    requests = referral_rate(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating="red",
        agencies=[world.police, world.housing, front.health],
    )
    assert len(requests) == 3
    assert (
        Deadline.objects.filter(subject_type="information_request", policy="information_request_red").count()
        == 3
    )
    health_request = InformationRequest.objects.get(referral=referral, agency=front.health)
    information_request_answer(
        actor=front.health_officer,
        context=SYSTEM_CONTEXT,
        request=health_request,
        answer="Two ED attendances.",
        share_with=[],
        source="ED records",
    )
    assert information_answers_visible_to(user=world.police_officer, referral=referral) == []
    assert [r.agency_id for r in information_answers_visible_to(user=world.mash, referral=referral)] == [
        front.health.pk
    ]
    health_request.refresh_from_db()
    # Health shares with police: now police sees it.
    health_request.answer_shared_with.add(world.police)
    assert len(information_answers_visible_to(user=world.police_officer, referral=referral)) == 1
    with pytest.raises(PermissionRefused):
        information_request_answer(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            request=InformationRequest.objects.get(referral=referral, agency=world.housing),
            answer="x",
            share_with=[],
        )


@pytest.mark.django_db
def test_urgent_response_decision_starts_48_hours_met_by_first_contact(front: Front) -> None:
    world = front.world
    referral = new_referral(front)
    decision = mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="urgent_response",
        rationale="High risk of CCE",
    )
    referral.refresh_from_db()
    assert referral.case is not None and referral.status == "decided"
    assert Deadline.objects.get(subject_id=referral.pk, policy="mash_decision").status == "met"
    clock = Deadline.objects.get(subject_id=referral.pk, policy="urgent_response")
    assert clock.due_at - clock.started_at == timedelta(hours=48)
    assert decision.referrer_notified_at is not None
    with pytest.raises(ApplicationError):
        mash_decision_record(
            actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, outcome="nfa", rationale="x"
        )
    moment = urgent_contact_record(
        actor=front.urgent_worker,
        context=SYSTEM_CONTEXT,
        referral=referral,
        occurred_at=timezone.now(),
        method="in_person",
        support_offered="Youth worker, safe place to stay",
        support_accepted=True,
    )
    assert moment.kind == "urgent_response"
    clock.refresh_from_db()
    assert clock.status == "met" and clock.breached_at is None


def _booking_of_known_person(front: Front, booked: datetime, key: str) -> Referral:
    return custody_booking_create(
        actor=front.world.mash,
        context=SYSTEM_CONTEXT,
        referral_data={k: v for k, v in referral_data().items() if k not in {"source", "received_at"}},
        booking_data={
            "police_force": "Northbridge Police",
            "custody_suite": "Northbridge Central",
            "booked_in_at": booked,
            "arrest_reason": "Possession with intent to supply",
            "appropriate_adult": "requested",
        },
        idempotency_key=key,
        person=front.world.case.person,
    )


@pytest.mark.django_db(transaction=True)
def test_a_booking_told_to_the_mash_after_its_golden_hour_is_breached_at_once_with_the_referral(
    front: Front,
) -> None:
    """A clock already due when it is started is breached at once as notified late, in one transaction with
    the referral's rows (finding 4: a force that told the MASH late)."""
    booked = timezone.now() - timedelta(hours=2)
    referral = _booking_of_known_person(front, booked, "late-booking")
    clock = Deadline.objects.get(subject_id=referral.custody_booking.pk, policy="golden_hour")
    assert clock.status == "breached" and clock.notified_late
    assert clock.breached_at == booked + timedelta(hours=1)
    assert Deadline.objects.get(subject_id=referral.pk, policy="mash_decision").status == "running"


@pytest.mark.django_db(transaction=True)
def test_a_clock_that_fails_after_the_referral_rows_leaves_nothing_behind(front: Front) -> None:
    """The Golden Hour is started after the referral's rows; an error there must take the referral with it."""
    booked = timezone.now() - timedelta(hours=2)
    before = (Referral.objects.count(), Deadline.objects.count(), AuditEvent.objects.count())
    with (
        mock.patch("referrals.services.custody.deadline_start", side_effect=DeadlineError("broken")),
        pytest.raises(DeadlineError),
    ):
        _booking_of_known_person(front, booked, "failing-booking")
    assert (Referral.objects.count(), Deadline.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_a_referral_received_days_ago_has_its_decision_clock_breached_at_once(front: Front) -> None:
    received = timezone.now() - timedelta(days=6)
    referral = new_referral(front, received_at=received)
    clock = Deadline.objects.get(subject_id=referral.pk, policy="mash_decision")
    assert clock.status == "breached" and clock.notified_late and clock.breached_at == clock.due_at


@pytest.mark.django_db
def test_a_referrer_agency_outside_the_authority_is_refused_on_every_path(front: Front) -> None:
    """The rule lives in the service, so the page and the API both enforce it."""
    other = factories.agency(factories.local_authority("Elsewhere"), AgencyType.POLICE, "Elsewhere Police")
    with pytest.raises(ValidationError) as error:
        new_referral(front, referrer_agency=other)
    assert "referrer_agency" in error.value.message_dict
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_graded_c_coded_answer_goes_only_where_its_conditions_allow(front: Front) -> None:
    from referrals.services import AnswerGrading

    world = front.world
    referral = new_referral(front)
    referral_rate(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        rag_rating="red",
        agencies=[world.police, world.housing, front.health],
    )
    police_request = InformationRequest.objects.get(referral=referral, agency=world.police)
    grading = AnswerGrading(
        source_grade="2",
        information_grade="B",
        handling_code="C",
        handling_agency_types=("health",),
        handling_conditions="Not to be disclosed to the family.",
    )
    with pytest.raises(ValidationError) as refused:
        information_request_answer(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            request=police_request,
            answer="Seen with a known dealer.",
            share_with=[world.housing, front.health],
            source="Local intelligence",
            grading=grading,
        )
    assert refused.value.message_dict == {
        "share_with": ["The handling code's conditions do not allow sharing with Northbridge Housing"]
    }
    police_request.refresh_from_db()
    assert police_request.answered_at is None
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=police_request,
        answer="Seen with a known dealer.",
        share_with=[front.health],
        source="Local intelligence",
        grading=grading,
    )
    police_request.refresh_from_db()
    assert (police_request.grading, police_request.handling) == (
        "2B",
        "C: shared only with Health. Not to be disclosed to the family.",
    )
    assert [r.pk for r in information_answers_visible_to(user=front.health_officer, referral=referral)] == [
        police_request.pk
    ]
    # Even shared by mistake (say, through the admin), the conditions keep it from housing.
    police_request.answer_shared_with.add(world.housing)
    assert information_answers_visible_to(user=world.housing_officer, referral=referral) == []
    # The MASH, which asked, always reads it, with its grading.
    assert information_answers_visible_to(user=world.mash, referral=referral) == [police_request]
