"""The permission matrix's sentinel records for cases.housing (see tests/matrix/__init__.py): alice's record of
the sentinel's family's housing application and of their referral to the Social Needs Panel."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from cases.housing.services import housing_application_record, snp_referral_record
from tests.conftest import World


def _application(world: World) -> str:
    existing = (
        HousingApplication.objects.filter(person_id=world.case.person_id).values_list("pk", flat=True).first()
    )
    if existing is None:
        existing = housing_application_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            applicant_relationship="parent",
            applied_on=timezone.localdate() - timedelta(days=40),
            housing_provider="Matrix Homes",
            status="being_assessed",
        ).pk
    return str(existing)


def _referral(world: World) -> str:
    existing = (
        SocialNeedsPanelReferral.objects.filter(person_id=world.case.person_id)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is None:
        existing = snp_referral_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            referred_on=timezone.localdate() - timedelta(days=10),
            reason="The family lives on the estate where she is being exploited.",
        ).pk
    return str(existing)


OBJECT_PARAMS: frozenset[str] = frozenset({"housing_application_id", "snp_referral_id"})
SENTINEL_IDS: dict[str, Callable[[World], str]] = {
    "housing_application_id": _application,
    "snp_referral_id": _referral,
}
