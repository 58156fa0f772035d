"""Helpers for the NRM tests: alice (MASH, lead agency of the sentinel's case) records referrals and their
decisions through the services, as the pages and the API do."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from cases.nrm.models import NrmReferral
from cases.nrm.services import (
    nrm_conclusive_grounds_record,
    nrm_reasonable_grounds_record,
    nrm_referral_create,
)
from tests.conftest import World


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def referral_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_responder": "Northbridge Police",
        "referred_on": days_ago(1),
        "exploitation_types": ["criminal", "county_lines"],
        "county_lines": True,
        "notes": "Found in a trap house two counties away.",
    }
    data.update(overrides)
    return data


def decision_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "outcome": "positive",
        "decided_on": timezone.localdate(),
        "decided_by": "sca",
        "decision_maker_name": "Single Competent Authority, Glasgow",
    }
    data.update(overrides)
    return data


def refer(world: World, case: Case | None = None, **overrides: Any) -> NrmReferral:
    case = case or world.case
    return nrm_referral_create(
        actor=world.mash, context=SYSTEM_CONTEXT, person=case.person, data=referral_data(**overrides)
    )


def decide_rg(world: World, referral: NrmReferral, **overrides: Any) -> NrmReferral:
    return nrm_reasonable_grounds_record(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, data=decision_data(**overrides)
    )


def decide_cg(world: World, referral: NrmReferral, **overrides: Any) -> NrmReferral:
    return nrm_conclusive_grounds_record(
        actor=world.mash, context=SYSTEM_CONTEXT, referral=referral, data=decision_data(**overrides)
    )


def decided_referral(world: World, *, referred_days_ago: int, rg_days_ago: int, **rg: Any) -> NrmReferral:
    """A referral with its reasonable grounds decision, so that another can be recorded after it."""
    referral = refer(world, referred_on=days_ago(referred_days_ago))
    return decide_rg(world, referral, decided_on=days_ago(rg_days_ago), **rg)
