"""Who sees what of a network. Contexts (places, groups) are seen by the case-data readers of their authority;
a person node is seen only by those who may see the person (safeguarding.people.access); a link is seen
only where its handling code allows: a C-coded link goes only to the agency types its conditions name."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from cases.networks.models import Context, HandlingCode, Link
from safeguarding.common.errors import NotFound
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import CASE_WORKER_ROLES


def _reader(user: User | AnonymousUser) -> User:
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    return user


def contexts_visible_to(user: User | AnonymousUser) -> QuerySet[Context]:
    if not reads_case_data(user):
        return Context.objects.none()
    assert isinstance(user, User) and user.agency is not None
    return Context.objects.filter(local_authority_id=user.agency.local_authority_id)


def access_context(user: User | AnonymousUser, context_id: uuid.UUID | str) -> Context:
    try:
        return contexts_visible_to(user).select_related("created_by_agency").get(pk=context_id)
    except (Context.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def handling_allows(user: User) -> Q:
    """A filter on Link: the links the user's agency may be shown under their handling codes."""
    assert user.agency is not None
    return (
        ~Q(handling_code=HandlingCode.CONDITIONS)
        | Q(handling_agency_types__contains=[user.agency.agency_type])
        # The agency that holds the intelligence always sees its own link.
        | Q(recording_agency_id=user.agency_id)
    )


def links_visible_to(user: User | AnonymousUser) -> QuerySet[Link]:
    if not reads_case_data(user):
        return Link.objects.none()
    assert isinstance(user, User) and user.agency is not None
    return Link.objects.filter(handling_allows(user), local_authority_id=user.agency.local_authority_id)


def access_link(user: User | AnonymousUser, link_id: uuid.UUID | str) -> Link:
    try:
        return links_visible_to(user).get(pk=link_id)
    except (Link.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def can_record_links(user: User | AnonymousUser) -> bool:
    return reads_case_data(user) and isinstance(user, User) and user.has_any_role(*CASE_WORKER_ROLES)


def require_reader(user: User | AnonymousUser) -> User:
    return _reader(user)
