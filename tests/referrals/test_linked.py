"""No silent duplicates at the front door: a referral or custody booking about a child who already has an
open referral is linked to it and shown as such, decided with it on its one decision clock, unless the MASH
makes it a new episode with a clock of its own. A custody booking still starts its Golden Hour."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from referrals.models import Referral
from referrals.services import custody_booking_create, mash_decision_record, referral_new_episode
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from safeguarding.deadlines.policies import PolicyCode
from tests.conftest import World, verified_client, world_referral

pytestmark = pytest.mark.django_db


def second_custody_booking(world: World) -> Referral:
    """Police book the sentinel child into custody again while the first referral is still open."""
    return custody_booking_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral_data={
            "concerns": ["cce"],
            "narrative": "Arrested again, this time at the station with a knife.",
            "consent": "not_sought",
            "consent_not_sought_reason": "Seeking consent could place the child at greater risk.",
            "lawful_basis": "dpa2018_sch1_para18",
        },
        booking_data={
            "police_force": "Northbridge Police",
            "custody_suite": "Northbridge Central",
            "booked_in_at": timezone.now() - timedelta(minutes=5),
            "arrest_reason": "Possession of a bladed article",
            "appropriate_adult": "requested",
        },
        idempotency_key="second-booking",
        person=world.case.person,
    )


def _clocks(referral: Referral, policy: PolicyCode) -> list[Deadline]:
    return list(Deadline.objects.filter(subject_id=referral.pk, policy=policy))


def test_a_second_booking_joins_the_open_referral_with_its_golden_hour_and_no_second_decision_clock(
    world: World,
) -> None:
    first = world_referral(world)
    second = second_custody_booking(world)
    assert second.linked_to == first
    assert _clocks(second, PolicyCode.MASH_DECISION) == []
    assert len(_clocks(first, PolicyCode.MASH_DECISION)) == 1
    assert Deadline.objects.get(subject_id=second.custody_booking.pk).policy == PolicyCode.GOLDEN_HOUR
    alice = verified_client(world.mash)
    page = alice.get(f"/referrals/{second.pk}/").content.decode()
    assert (
        "Linked referral" in page and f"/referrals/{first.pk}/" in page and "Treat as a new episode" in page
    )
    earlier = alice.get(f"/referrals/{first.pk}/").content.decode()
    assert "Also received about" in earlier and f"/referrals/{second.pk}/" in earlier


def test_deciding_the_open_referral_decides_those_linked_to_it(world: World) -> None:
    first = world_referral(world)
    second = second_custody_booking(world)
    mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=first,
        outcome="nfa",
        rationale="Known; no new risk",
    )
    second.refresh_from_db()
    assert second.status == "decided"
    assert (
        second.decision.outcome == "nfa" and "Decided with the referral received" in second.decision.rationale
    )


def test_the_mash_makes_a_linked_referral_a_new_episode_with_its_own_clock(world: World) -> None:
    world_referral(world)
    second = second_custody_booking(world)
    alice = verified_client(world.mash)
    assert alice.post(f"/referrals/{second.pk}/new-episode/").status_code == 302
    second.refresh_from_db()
    assert second.linked_to is None
    [clock] = _clocks(second, PolicyCode.MASH_DECISION)
    assert clock.status == DeadlineStatus.RUNNING and clock.started_at == second.received_at
    with pytest.raises(ApplicationError, match="not linked"):
        referral_new_episode(actor=world.mash, context=SYSTEM_CONTEXT, referral=second)
    # Police, who may read the referral, may not split it.
    assert (
        verified_client(world.police_officer).post(f"/referrals/{second.pk}/new-episode/").status_code == 404
    )
