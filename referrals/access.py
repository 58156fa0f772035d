import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from referrals.models import CustodyBooking, InformationRequest, Referral
from referrals.selectors import custody_bookings_visible_to
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import get_in_scope, reads_case_data
from safeguarding.organisations.models import AgencyType, User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES, MASH_ROLES, Role

# Who may record the urgent response's first contact (the manager covers when no worker is free).
URGENT_CONTACT_ROLES = (Role.URGENT_RESPONSE_WORKER, Role.MASH_MANAGER)


def access_referral(
    user: User | AnonymousUser, referral_id: uuid.UUID | str, *, write: bool = False
) -> Referral:
    """Fetch and authorise in one step. The MASH that owns the referral can change it; agencies it asked for
    information, and the referring agency, can see it; everyone else gets the same 404 as a missing one."""
    queryset = Referral.objects.select_related("person", "mash_agency", "referrer_agency", "case")
    return get_in_scope(user, Perm.CHANGE_REFERRAL if write else Perm.VIEW_REFERRAL, queryset, referral_id)


def can_record_referrals(user: User) -> bool:
    return user.has_any_role(*MASH_ROLES)


def can_see_urgent_queue(user: User) -> bool:
    """The urgent response queue is the workers' own, and the MASH's that hands them the work."""
    return user.has_any_role(Role.URGENT_RESPONSE_WORKER, *MASH_ROLES)


def can_record_urgent_contact(user: User) -> bool:
    return user.has_any_role(*URGENT_CONTACT_ROLES)


def can_manage_referral(user: User, referral: Referral) -> bool:
    """The rule the services apply (a MASH role) on the agency the access layer lets change the referral, so
    a page offers only what the service will accept."""
    return user.agency_id == referral.mash_agency_id and can_record_referrals(user)


def mash_user(user: User | AnonymousUser) -> User:
    """The MASH's own pages (intake, the DRM): anyone else gets the same 404 as a page that does not exist."""
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    if not can_record_referrals(user):
        raise NotFound()
    return user


def urgent_queue_user(user: User | AnonymousUser) -> User:
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    if not can_see_urgent_queue(user):
        raise NotFound()
    return user


def access_referral_to_manage(user: User | AnonymousUser, referral_id: uuid.UUID | str) -> Referral:
    """A referral for the MASH's own pages on it (rate, decide, a DRM outcome): its practitioners and managers
    only; anyone else, including the referral's other agencies, gets 404."""
    referral = access_referral(user, referral_id, write=True)
    assert isinstance(user, User)
    if not can_record_referrals(user):
        raise NotFound()
    return referral


def access_information_request(
    user: User | AnonymousUser, request_id: uuid.UUID | str
) -> tuple[InformationRequest, bool]:
    """A request, and whether the user's agency is the one asked (and so may answer it). The agency asked
    sees its request; the MASH that asked sees every request of its referral; anyone else gets 404."""
    try:
        return access_information_request_to_answer(user, request_id), True
    except NotFound:
        pass
    info_request = (
        InformationRequest.objects.select_related("referral", "agency", "answered_by")
        .filter(pk=request_id)
        .first()
    )
    if info_request is None:
        raise NotFound()
    # Authorised through the referral, which also brings the person, the MASH and the case.
    info_request.referral = access_referral(user, info_request.referral_id, write=True)
    return info_request, False


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


def access_custody_booking(user: User | AnonymousUser, booking_id: uuid.UUID | str) -> CustodyBooking:
    """Visible exactly when its referral is; missing and not-yours are the same NotFound. With its Golden
    Hour's due time and status."""
    try:
        return custody_bookings_visible_to(user).get(pk=booking_id)
    except (CustodyBooking.DoesNotExist, ValidationError, ValueError) as error:
        raise NotFound() from error


def is_health_practitioner(user: User) -> bool:
    """Who records an emergency department attendance: health's practitioners."""
    return (
        user.agency is not None
        and user.agency.agency_type == AgencyType.HEALTH
        and user.has_any_role(*CASE_WORKER_ROLES)
    )
