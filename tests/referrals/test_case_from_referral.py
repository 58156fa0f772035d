"""The case a MASH decision opens carries its referral's exploitation types and risk (from the concerns and
the RAG rating), is linked from the referral, and is shared with the agencies that answered."""

import pytest

from audits.context import SYSTEM_CONTEXT
from cases.models import Case, CaseStatus
from referrals.services import information_request_answer, mash_decision_record
from safeguarding.organisations.permissions import Perm
from tests.conftest import World, world_police_request

pytestmark = pytest.mark.django_db


def test_the_decision_opens_a_case_that_carries_the_referral(world: World) -> None:
    request = world_police_request(world)
    referral = request.referral
    # The sentinel's own case is closed, so the decision opens a new one.
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.CLOSED, closed_at=world.case.opened_at)
    information_request_answer(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        request=request,
        answer="Known associate of a county line.",
        share_with=[],
        source="Local intelligence",
    )
    mash_decision_record(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        referral=referral,
        outcome="strategy_discussion",
        rationale="Significant harm: strategy discussion today.",
    )
    referral.refresh_from_db()
    case = referral.case
    assert case is not None and case.pk != world.case.pk
    assert (case.risk_level, case.exploitation_types) == ("high", ["criminal"])
    assert world.police_officer.has_perm(Perm.VIEW_CASE, case)
    assert not world.housing_officer.has_perm(Perm.VIEW_CASE, case)
