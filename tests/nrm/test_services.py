"""NRM services: a referral starts the reasonable grounds clock (5 working days, bank holidays skipped) and
the decision meets it; a positive decision starts a recovery period of at least 30 days; a conclusive grounds
decision only follows a positive one, no sooner than 30 days later; every refusal says why in GOV.UK words and
leaves nothing behind."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.nrm.clocks import NRM_REFERRAL_SUBJECT
from cases.nrm.models import NrmReferral, NrmStatus
from cases.nrm.services import (
    NrmAlreadyDecided,
    NrmDecisionOutOfOrder,
    nrm_guardian_record,
    nrm_reasonable_grounds_record,
    nrm_referral_create,
)
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.deadlines.calendars import is_working_day
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from tests import factories
from tests.conftest import World
from tests.nrm.conftest import (
    days_ago,
    decide_cg,
    decide_rg,
    decided_referral,
    decision_data,
    refer,
    referral_data,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _clock(referral: NrmReferral) -> Deadline:
    return Deadline.objects.get(subject_type=NRM_REFERRAL_SUBJECT, subject_id=referral.pk)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_a_referral_starts_the_reasonable_grounds_clock_and_the_decision_meets_it(world: World) -> None:
    referral = refer(world, referred_on=timezone.localdate())
    clock = _clock(referral)
    assert clock.policy == PolicyCode.NRM_REASONABLE_GROUNDS
    assert clock.status == DeadlineStatus.RUNNING
    assert (clock.case_id, clock.person_id, clock.local_authority_id) == (
        world.case.pk,
        world.case.person_id,
        world.case.local_authority_id,
    )
    # Tracked for the recording agency by whoever recorded it: the competent authority meets it.
    assert (clock.owning_agency, clock.owner) == (world.social_care, world.mash)
    assert clock.subject_label == "Zephyrine Q.: NRM referral of " + f"{referral.referred_on:%-d %b %Y}"
    assert referral.status_on(timezone.localdate()) == NrmStatus.AWAITING_REASONABLE_GROUNDS

    decided = decide_rg(world, referral, outcome="negative")
    clock.refresh_from_db()
    assert clock.status == DeadlineStatus.MET and clock.breached_at is None
    assert clock.outcome_note == "Negative reasonable grounds decision by Single Competent Authority, Glasgow"
    assert decided.status_on(timezone.localdate()) == NrmStatus.REASONABLE_GROUNDS_NEGATIVE
    # A negative decision starts no recovery period.
    assert (decided.recovery_starts_on, decided.recovery_earliest_end_on) == (None, None)
    audits = AuditEvent.objects.filter(object_type="nrm_referral", object_id=referral.pk).order_by(
        "occurred_at"
    )
    assert [(a.action, a.changes.get("what", "")) for a in audits] == [
        ("create", ""),
        ("update", "reasonable grounds decision"),
    ]
    assert all(a.person_ids == [world.case.person_id] for a in audits)


def test_working_day_due_dates_skip_the_bank_holiday(world: World) -> None:
    """Spring bank holiday 2026 is Monday 25 May. A referral dated Tuesday 19 May stands for the end of that
    working day: five working days later (Wed 20, Thu 21, Fri 22, Tue 26, Wed 27) is due at the start of
    Thursday 28 May, a day later than without the holiday."""
    assert not is_working_day(date(2026, 5, 25))
    second = factories.open_case(world.mash, given_name="Remi", family_name="Second")
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=LONDON), tick=False):
        yesterday = refer(world, referred_on=date(2026, 5, 19))
        # Dated today (made before now): today's end stands for it as well.
        today = refer(world, second, referred_on=date(2026, 5, 20))
    assert _clock(yesterday).due_at == datetime(2026, 5, 28, 9, 0, tzinfo=LONDON)
    assert _clock(today).due_at == datetime(2026, 5, 29, 9, 0, tzinfo=LONDON)
    # The clock starts when the referral was made, not when it was typed in.
    assert _clock(yesterday).started_at == datetime(2026, 5, 19, 17, 0, tzinfo=LONDON)


def test_a_decision_dated_after_the_due_day_meets_the_clock_late(world: World) -> None:
    referral = refer(world, referred_on=days_ago(20))
    decide_rg(world, referral, decided_on=days_ago(1))
    clock = _clock(referral)
    assert clock.status == DeadlineStatus.MET and clock.breached_at is not None
    assert clock.met_at is not None and clock.met_at > clock.due_at


def test_a_positive_decision_starts_a_recovery_period_of_at_least_30_days(world: World) -> None:
    referral = decided_referral(world, referred_days_ago=12, rg_days_ago=10)
    assert referral.recovery_starts_on == days_ago(10)
    assert referral.recovery_earliest_end_on == days_ago(10) + timedelta(days=30)
    assert referral.status_on(timezone.localdate()) == NrmStatus.RECOVERY_PERIOD
    assert referral.status_on(days_ago(-20)) == NrmStatus.AWAITING_CONCLUSIVE_GROUNDS
    # The database holds the rule too: a shorter recovery period is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        NrmReferral.objects.filter(pk=referral.pk).update(
            recovery_earliest_end_on=days_ago(10) + timedelta(days=29)
        )


def test_the_conclusive_grounds_decision_follows_a_positive_one_no_sooner_than_30_days(world: World) -> None:
    waiting = refer(world, referred_on=days_ago(60))
    with pytest.raises(NrmDecisionOutOfOrder, match="Record the reasonable grounds decision first"):
        decide_cg(world, waiting)

    positive = decide_rg(world, waiting, decided_on=days_ago(40))
    earliest = days_ago(40) + timedelta(days=30)
    with pytest.raises(ValidationError) as too_early:
        decide_cg(world, positive, decided_on=earliest - timedelta(days=1))
    assert _errors(too_early) == {
        "decided_on": [
            "The date of the decision must be on or after the end of the recovery period, 30 days after the "
            f"reasonable grounds decision ({earliest.day} {earliest:%B %Y})"
        ]
    }
    positive.refresh_from_db()
    assert positive.cg_outcome == "" and positive.version == 2  # nothing half-saved

    concluded = decide_cg(world, positive, decided_on=earliest, outcome="positive")
    assert (concluded.cg_outcome, concluded.cg_decided_on) == ("positive", earliest)
    assert concluded.status_on(timezone.localdate()) == NrmStatus.CONCLUSIVE_GROUNDS_POSITIVE
    with pytest.raises(NrmAlreadyDecided):
        decide_cg(world, concluded)


def test_no_conclusive_grounds_decision_after_a_negative_one(world: World) -> None:
    negative = decided_referral(world, referred_days_ago=50, rg_days_ago=45, outcome="negative")
    with pytest.raises(NrmDecisionOutOfOrder, match="was negative"):
        decide_cg(world, negative, decided_on=days_ago(1))


def test_the_reasonable_grounds_decision_is_recorded_once_and_not_before_the_referral(world: World) -> None:
    referral = refer(world, referred_on=days_ago(3))
    with pytest.raises(ValidationError) as before:
        decide_rg(world, referral, decided_on=days_ago(4))
    assert _errors(before)["decided_on"] == [
        "The date of the decision must be on or after the date the referral was made "
        f"({days_ago(3).day} {days_ago(3):%B %Y})"
    ]
    with pytest.raises(ValidationError) as blank:
        decide_rg(world, referral, outcome="maybe", decided_by="", decision_maker_name=" ", decided_on=None)
    assert _errors(blank) == {
        "outcome": ["Select whether the decision was positive or negative"],
        "decided_on": ["Enter the date of the decision"],
        "decided_by": ["Select who made the decision"],
        "decision_maker_name": ["Enter the name of the team or panel that made the decision"],
    }
    assert _clock(referral).status == DeadlineStatus.RUNNING
    decide_rg(world, referral, decided_by="devolved_panel", decision_maker_name="Northbridge child panel")
    with pytest.raises(NrmAlreadyDecided) as again:
        decide_rg(world, referral)
    assert again.value.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"referred_on": days_ago(-1)},
            "referred_on",
            "The date the referral was made must be today or in the past",
        ),
        (
            {"referred_on": date(2011, 4, 1)},
            "referred_on",
            "The date the referral was made must be on or after Zephyrine Quillfeather's date of birth (2 April 2011)",
        ),
        ({"referred_on": None}, "referred_on", "Enter the date the referral was made"),
        ({"exploitation_types": []}, "exploitation_types", "Select the types of exploitation"),
        (
            {"exploitation_types": ["criminal", "witchcraft"]},
            "exploitation_types",
            "Select the types of exploitation from the list",
        ),
        (
            {"first_responder": "  "},
            "first_responder",
            "Enter the name of the first responder organisation that made the referral",
        ),
        ({"notes": "x" * 4001}, "notes", "Notes must be 4,000 characters or fewer"),
    ],
)
def test_a_referral_is_refused_field_by_field_and_nothing_is_saved(
    world: World, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        refer(world, **overrides)
    assert _errors(refused) == {field: [message]}
    assert not NrmReferral.objects.exists() and not Deadline.objects.exists()


def test_dates_before_the_nrm_began_and_adults_are_refused(world: World) -> None:
    no_birth_date = factories.open_case(
        world.mash, given_name="Ash", family_name="Unknown", date_of_birth=None, estimated_age_years=15
    )
    with pytest.raises(ValidationError) as early:
        refer(world, no_birth_date, referred_on=date(2009, 3, 31))
    assert _errors(early)["referred_on"] == [
        "The date the referral was made must be on or after 1 April 2009, when the National Referral Mechanism began"
    ]
    adult = factories.open_case(
        world.mash, given_name="Dex", family_name="Older", date_of_birth=date(2000, 1, 1)
    )
    with pytest.raises(ValidationError) as grown:
        refer(world, adult)
    assert "an adult must consent to being referred" in _errors(grown)["referred_on"][0]


def test_exploitation_types_are_kept_once_in_the_lists_order(world: World) -> None:
    referral = refer(world, exploitation_types=["trafficking", "criminal", "trafficking"])
    assert referral.exploitation_types == ["criminal", "trafficking"]
    assert referral.exploitation_labels == ["Child criminal exploitation", "Trafficking or modern slavery"]


def test_one_referral_waits_for_its_decision_at_a_time(world: World) -> None:
    first = refer(world)
    with pytest.raises(ApplicationError, match="already has an NRM referral waiting") as second:
        refer(world)
    assert second.value.extra == {"nrm_referral_id": str(first.pk)}
    decide_rg(world, first)
    assert refer(world).pk != first.pk


def test_only_the_lead_agency_records_and_only_on_an_open_case(world: World) -> None:
    with pytest.raises(PermissionRefused):
        nrm_referral_create(
            actor=world.police_officer, context=SYSTEM_CONTEXT, person=world.case.person, data=referral_data()
        )
    for outsider in (world.housing_officer, world.stranger, world.admin):
        with pytest.raises(ApplicationError):
            nrm_referral_create(
                actor=outsider, context=SYSTEM_CONTEXT, person=world.case.person, data=referral_data()
            )
    referral = refer(world)
    with pytest.raises(PermissionRefused):
        nrm_reasonable_grounds_record(
            actor=world.police_officer, context=SYSTEM_CONTEXT, referral=referral, data=decision_data()
        )
    world.case.status, world.case.closed_at, world.case.closure_reason = (
        "closed",
        timezone.now(),
        "Moved away",
    )
    world.case.save()
    decide_rg(world, referral)
    with pytest.raises(ApplicationError, match="has no open case"):
        refer(world)
    assert NrmReferral.objects.count() == 1


def test_the_guardian_is_referred_then_allocated(world: World) -> None:
    referral = refer(world, referred_on=days_ago(10))

    def record(version: int, **data: object) -> NrmReferral:
        return nrm_guardian_record(
            actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, expected_version=version, data=data
        )

    with pytest.raises(ValidationError) as named_early:
        record(1, ictg_referred_on=days_ago(9), ictg_guardian_name="Sam Guardian")
    assert _errors(named_early) == {"ictg_allocated_on": ["Enter the date the guardian was allocated"]}
    referred = record(1, ictg_referred_on=days_ago(9))
    assert (referred.ictg_referred_on, referred.ictg_allocated_on, referred.version) == (days_ago(9), None, 2)
    with pytest.raises(ValidationError) as backwards:
        record(2, ictg_referred_on=days_ago(9), ictg_allocated_on=days_ago(10))
    assert _errors(backwards) == {
        "ictg_allocated_on": [
            "The date the guardian was allocated must be on or after the date the child was referred to the "
            f"service ({days_ago(9).day} {days_ago(9):%B %Y})"
        ],
        "ictg_guardian_name": ["Enter the guardian's name"],
        "ictg_organisation": ["Enter the guardian's organisation"],
    }
    with pytest.raises(ConcurrentEditError):
        record(1, ictg_referred_on=days_ago(9), ictg_allocated_on=days_ago(2))
    allocated = record(
        2,
        ictg_referred_on=days_ago(9),
        ictg_allocated_on=days_ago(2),
        ictg_guardian_name="Sam Guardian",
        ictg_organisation="Barnardo's",
    )
    assert (allocated.ictg_guardian_name, allocated.ictg_organisation, allocated.version) == (
        "Sam Guardian",
        "Barnardo's",
        3,
    )
    audit = AuditEvent.objects.filter(object_type="nrm_referral", changes__what="guardian").latest(
        "occurred_at"
    )
    assert audit.changes["ictg_guardian_name"] == ["", "Sam Guardian"]
