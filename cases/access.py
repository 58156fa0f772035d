import uuid

from django.contrib.auth.models import AnonymousUser

from cases.models import Case
from safeguarding.organisations.access import get_in_scope
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm


def access_case(user: User | AnonymousUser, case_id: uuid.UUID | str, *, write: bool = False) -> Case:
    """Fetch and authorise in one step; missing and not-yours are the same NotFound."""
    queryset = Case.objects.select_related("person", "lead_agency", "allocated_worker")
    return get_in_scope(user, Perm.CHANGE_CASE if write else Perm.VIEW_CASE, queryset, case_id)
