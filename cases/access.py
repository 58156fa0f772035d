import uuid

from django.contrib.auth.models import AnonymousUser

from cases.models import Case
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User


def access_case(user: User | AnonymousUser, case_id: uuid.UUID | str, *, write: bool = False) -> Case:
    """Fetch and authorise in one step; missing and not-yours are the same NotFound."""
    perm = "cases.change_case" if write else "cases.view_case"
    queryset = Case.objects.select_related("person", "lead_agency", "allocated_worker")
    case = scope_to_user(user, perm, queryset).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case
