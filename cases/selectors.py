import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from cases.models import Case, CaseShare
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm

CASE_SORTS = {
    "opened": "opened_at",
    "-opened": "-opened_at",
    "risk": "risk_level",
    "name": "person__family_name",
    "-name": "-person__family_name",
}


def case_list(
    *,
    user: User | AnonymousUser,
    status: str | None = None,
    risk_level: str | None = None,
    allocated_to: User | None = None,
    sort: str = "-opened",
) -> QuerySet[Case]:
    queryset = scope_to_user(
        user, Perm.VIEW_CASE, Case.objects.select_related("person", "lead_agency", "allocated_worker")
    )
    if status:
        queryset = queryset.filter(status=status)
    if risk_level:
        queryset = queryset.filter(risk_level=risk_level)
    if allocated_to is not None:
        queryset = queryset.filter(allocated_worker=allocated_to)
    return queryset.order_by(CASE_SORTS.get(sort, "-opened_at"), "pk")


def case_list_for_person(*, user: User | AnonymousUser, person_id: uuid.UUID) -> QuerySet[Case]:
    return case_list(user=user).filter(person_id=person_id)


def case_shares(*, case: Case) -> QuerySet[CaseShare]:
    return CaseShare.objects.filter(case=case).select_related("agency", "shared_by").order_by("created_at")
