from django.db.models import Q

from referrals.models import InformationRequest, Referral
from safeguarding.organisations.models import User


def information_requests_for(*, referral: Referral) -> list[InformationRequest]:
    """Who has and has not answered: the completeness view (no answer text)."""
    return list(
        referral.information_requests.select_related("agency", "answered_by").order_by("agency__name")
    )


def information_answers_visible_to(*, user: User, referral: Referral) -> list[InformationRequest]:
    """Answers the user's agency may read: the MASH that asked, the agency that answered, and agencies the
    answering agency chose to share with. Police do not see health's answer unless health shared it."""
    if user.agency_id is None:
        return []
    queryset = referral.information_requests.filter(answered_at__isnull=False).select_related(
        "agency", "answered_by"
    )
    if user.agency_id != referral.mash_agency_id:
        queryset = queryset.filter(Q(agency_id=user.agency_id) | Q(answer_shared_with=user.agency_id))
    return list(queryset.distinct().order_by("agency__name"))
