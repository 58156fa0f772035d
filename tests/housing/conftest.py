"""Helpers to record the sentinel's family's housing on the shared world."""

from datetime import date, timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.housing.models import HousingApplication, SocialNeedsPanelReferral
from cases.housing.services import housing_application_record, snp_referral_record
from tests.conftest import World


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def apply(world: World, **overrides: object) -> HousingApplication:
    data: dict[str, object] = {
        "applicant_relationship": "parent",
        "applied_on": days_ago(30),
        "housing_provider": "Northbridge Homes",
        "status": "submitted",
        **overrides,
    }
    return housing_application_record(actor=world.mash, context=SYSTEM_CONTEXT, case=world.case, **data)  # type: ignore[arg-type]


def refer(world: World, **overrides: object) -> SocialNeedsPanelReferral:
    data: dict[str, object] = {
        "referred_on": days_ago(10),
        "reason": "The family lives on the estate where she is being exploited.",
        **overrides,
    }
    return snp_referral_record(actor=world.mash, context=SYSTEM_CONTEXT, case=world.case, **data)  # type: ignore[arg-type]
