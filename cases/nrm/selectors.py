"""Reads for the NRM pages and API, scoped to the reader by the access layer."""

import uuid

from cases.nrm.access import nrm_referrals_visible_to
from cases.nrm.clocks import NRM_REFERRAL_SUBJECT
from cases.nrm.models import NrmReferral
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.organisations.models import User


def nrm_referrals_for_person(*, user: User, person_id: uuid.UUID) -> list[NrmReferral]:
    """The child's referrals on the cases the user may see, newest first (nrm_referral_person_idx), in one
    query."""
    return list(
        nrm_referrals_visible_to(user)
        .filter(person_id=person_id)
        .select_related("person", "recording_agency")
        .order_by("-referred_on", "-created_at")
    )


def reasonable_grounds_clocks(*, referrals: list[NrmReferral]) -> dict[uuid.UUID, Deadline]:
    """Each referral's open reasonable grounds clock, by referral, in one query (none for no referrals;
    served by the clocks' subject index). The referrals are already authorised, and so are their clocks."""
    clocks = Deadline.objects.filter(
        subject_type=NRM_REFERRAL_SUBJECT,
        subject_id__in=[referral.pk for referral in referrals],
        policy=PolicyCode.NRM_REASONABLE_GROUNDS,
        status__in=OPEN_STATUSES,
    ).order_by("started_at")
    found: dict[uuid.UUID, Deadline] = {}
    for clock in clocks:
        found.setdefault(clock.subject_id, clock)
    return found
