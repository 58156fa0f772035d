"""The permission matrix's sentinel records for cases.nrm (see tests/matrix/__init__.py): alice's NRM referral of
the sentinel on her case, made the first time a route needs it."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.nrm.models import NrmReferral
from cases.nrm.services import nrm_referral_create
from tests.conftest import World

OBJECT_PARAMS: frozenset[str] = frozenset({"nrm_referral_id"})


def sentinel_nrm_referral_id(world: World) -> str:
    """Alice (MASH, the case's lead agency) records the referral: police (shared the case) see it, housing and
    the other authority do not."""
    existing = NrmReferral.objects.filter(case=world.case).values_list("pk", flat=True).first()
    if existing is not None:
        return str(existing)
    referral = nrm_referral_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        person=world.case.person,
        data={
            "first_responder": "Northbridge Police",
            "referred_on": timezone.localdate() - timedelta(days=1),
            "exploitation_types": ["criminal", "county_lines"],
            "county_lines": True,
            "notes": "Found two counties away with cash and two phones.",
        },
    )
    return str(referral.pk)


SENTINEL_IDS: dict[str, Callable[[World], str]] = {"nrm_referral_id": sentinel_nrm_referral_id}
