"""The rule every module of a child's record follows (education, housing): the records follow the child's
open case. Whoever may see that case reads them, whoever may change it records them (and only with a case
worker's role). Each function fetches and authorises in one step and raises NotFound both for "does not exist"
and for "not yours".

A person the reader may see but whose open case they may not (or who has none) has no open case here
(`child_open_case` is None): the module's page says so and shows nothing of the record, rather than a link on
the person page ending in a 404."""

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists, Model, OuterRef, QuerySet

from cases.models import Case, CaseStatus
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import agency_holds_permission, reads_case_data, scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES

RecordT = TypeVar("RecordT", bound=Model)


@dataclass(frozen=True)
class Authorised(Generic[RecordT]):
    """A record (or the child's open case) the user may see, and whether they may record on it: their agency
    may change the child's case and their role is a case worker's."""

    record: RecordT
    may_change: bool


def reader(user: User | AnonymousUser) -> User:
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    return user


def may_record(user: User) -> bool:
    """The role half of writing (no query once the user's roles are loaded); the case half is `may_change`."""
    return user.has_any_role(*CASE_WORKER_ROLES)


def open_cases_visible_to(user: User, *, write: bool = False) -> QuerySet[Case]:
    return scope_to_user(
        user, Perm.CHANGE_CASE if write else Perm.VIEW_CASE, Case.objects.filter(status=CaseStatus.OPEN)
    )


def child_open_case(
    user: User | AnonymousUser, person_id: uuid.UUID, *, write: bool = False
) -> Authorised[Case] | None:
    """The child's open case if the user may see it (change it, with `write`), in one query; None when there is
    none they may see."""
    actor = reader(user)
    case = (
        open_cases_visible_to(actor, write=write)
        .filter(person_id=person_id)
        .select_related("person", "lead_agency", "allocated_worker")
        .annotate(agency_may_change=agency_holds_permission(actor, Perm.CHANGE_CASE, Case))
        .first()
    )
    if case is None:
        return None
    found = Authorised[Case](case, bool(case.agency_may_change) and may_record(actor))
    return None if write and not found.may_change else found


def access_child_case(
    user: User | AnonymousUser, person_id: uuid.UUID, *, write: bool = False
) -> Authorised[Case]:
    found = child_open_case(user, person_id, write=write)
    if found is None:
        raise NotFound()
    return found


def child_record(
    user: User | AnonymousUser, queryset: QuerySet[RecordT], record_id: uuid.UUID | str, *, write: bool
) -> Authorised[RecordT]:
    """One record of a child whose open case the user may see (change, with `write`), in one query."""
    actor = reader(user)
    visible = open_cases_visible_to(actor, write=write).filter(person_id=OuterRef("person_id"))
    changeable = open_cases_visible_to(actor, write=True).filter(person_id=OuterRef("person_id"))
    try:
        record = (
            queryset.annotate(agency_may_change=Exists(changeable)).filter(Exists(visible)).get(pk=record_id)
        )
    except (ObjectDoesNotExist, ValidationError, ValueError) as error:
        raise NotFound() from error
    found = Authorised(record, bool(record.agency_may_change) and may_record(actor))
    if write and not found.may_change:
        raise NotFound()
    return found
