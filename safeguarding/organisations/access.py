"""The rule underneath every access_* function: case data is visible to an agency only through object
permissions granted to that agency's group, and only within the user's own local authority."""

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from guardian.shortcuts import get_objects_for_user

from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role

ModelT = TypeVar("ModelT", bound=Model)


def reads_case_data(user: User | AnonymousUser) -> bool:
    """System administrators manage users and reference data but never read case data, even when they
    also hold another role: the two duties are kept apart on purpose."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    assert isinstance(user, User)
    return user.agency_id is not None and not user.has_role(Role.SYSTEM_ADMINISTRATOR)


def scope_to_user(user: User | AnonymousUser, perm: str, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    if not reads_case_data(user):
        return queryset.none()
    assert isinstance(user, User) and user.agency is not None
    return get_objects_for_user(
        user,
        perm,
        klass=queryset.filter(local_authority_id=user.agency.local_authority_id),
        with_superuser=False,
        accept_global_perms=False,
    )
