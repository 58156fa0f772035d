"""Who sees and records NRM referrals. A referral follows the child's case: whoever may see the case sees its
referrals; whoever may change it (a case worker of an agency the case grants change to, its lead agency)
records them and their decisions. Like every access_* function, missing and not-yours are the same NotFound."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet

from cases.models import Case, CaseStatus
from cases.nrm.models import NrmReferral
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import reads_case_data, scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person


def can_record_nrm(user: User | AnonymousUser) -> bool:
    """Roles only (no query beyond the user's cached role groups): a case worker who reads case data."""
    return reads_case_data(user) and isinstance(user, User) and user.has_any_role(*CASE_WORKER_ROLES)


def _cases(user: User | AnonymousUser, *, write: bool) -> QuerySet[Case]:
    if write and not can_record_nrm(user):
        return Case.objects.none()
    return scope_to_user(user, Perm.CHANGE_CASE if write else Perm.VIEW_CASE, Case.objects.all())


def nrm_referrals_visible_to(user: User | AnonymousUser, *, write: bool = False) -> QuerySet[NrmReferral]:
    """The referrals of the cases the user may see (or, with `write`, change): one subquery on the cases."""
    return NrmReferral.objects.filter(case_id__in=_cases(user, write=write).values("pk"))


def access_nrm_referral(
    user: User | AnonymousUser, nrm_referral_id: uuid.UUID | str, *, write: bool = False
) -> NrmReferral:
    """One referral, with its child, case and recording agency, if the user may see it (or change it)."""
    queryset = nrm_referrals_visible_to(user, write=write).select_related(
        "person", "case", "recording_agency", "recorded_by"
    )
    try:
        return queryset.get(pk=nrm_referral_id)
    except (ObjectDoesNotExist, ValidationError, ValueError) as error:
        raise NotFound() from error


def may_change_nrm_referral(user: User, referral: NrmReferral) -> bool:
    """Whether a reader of the referral may also record its decisions and guardian (one query)."""
    return _cases(user, write=True).filter(pk=referral.case_id).exists()


def open_case_for_nrm(user: User | AnonymousUser, person: Person) -> Case | None:
    """The child's open case the user may change, on which a new referral is recorded; None if there is none
    (one query)."""
    return (
        _cases(user, write=True)
        .filter(person=person, status=CaseStatus.OPEN)
        .select_related("person", "lead_agency")
        .first()
    )


def has_visible_open_case(user: User | AnonymousUser, person: Person) -> bool:
    """Whether the child has an open case the user may see (if not change): one query."""
    return _cases(user, write=False).filter(person=person, status=CaseStatus.OPEN).exists()


def access_open_case_for_nrm(user: User | AnonymousUser, person: Person) -> Case:
    """The page that records a referral is for those who may: anyone else gets the same NotFound."""
    case = open_case_for_nrm(user, person)
    if case is None:
        raise NotFound()
    return case
