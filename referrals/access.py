import uuid

from django.contrib.auth.models import AnonymousUser

from referrals.models import InformationRequest, Referral
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import get_in_scope, reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm


def access_referral(
    user: User | AnonymousUser, referral_id: uuid.UUID | str, *, write: bool = False
) -> Referral:
    """Fetch and authorise in one step. The MASH that owns the referral can change it; agencies it asked for
    information, and the referring agency, can see it; everyone else gets the same 404 as a missing one."""
    queryset = Referral.objects.select_related("person", "mash_agency", "referrer_agency", "case")
    return get_in_scope(user, Perm.CHANGE_REFERRAL if write else Perm.VIEW_REFERRAL, queryset, referral_id)


def access_information_request_to_answer(
    user: User | AnonymousUser, request_id: uuid.UUID | str
) -> InformationRequest:
    """Only the agency asked can answer its request."""
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User) and user.agency is not None
    request = (
        InformationRequest.objects.select_related("referral__person", "referral__mash_agency", "agency")
        .filter(
            pk=request_id, agency=user.agency, referral__local_authority_id=user.agency.local_authority_id
        )
        .first()
    )
    if request is None:
        raise NotFound()
    return request
