"""The rule underneath every access_* function: case data is visible to an agency only through object
permissions granted to that agency's group (django-guardian's direct-foreign-key permission tables), and only
within the user's own local authority. Lists use `scope_to_user`; one record is `get_in_scope`, the same rule
with `.get(pk=…)`; records are granted with `agency_grant`."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest
from guardian.utils import get_group_obj_perms_model

from safeguarding.common.errors import NotFound
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import Role

ModelT = TypeVar("ModelT", bound=Model)


def request_actor(request: HttpRequest) -> User:
    """The signed-in user of a view that the middleware has already required a sign-in for."""
    assert isinstance(request.user, User)
    return request.user


def reads_case_data(user: User | AnonymousUser) -> bool:
    """System administrators manage users and reference data but never read case data, even when they
    also hold another role: the two duties are kept apart on purpose."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    assert isinstance(user, User)
    return user.agency_id is not None and not user.has_role(Role.SYSTEM_ADMINISTRATOR)


_permission_ids: dict[str, int] = {}


def permission_id(perm: Perm | str) -> int:
    """The id of "app_label.codename", looked up once per process. Ids change only when the permission rows
    are recreated (a flushed test database), and that always ends with post_migrate, which clears this cache
    (OrganisationsConfig.ready)."""
    key = str(perm)
    found = _permission_ids.get(key)
    if found is None:
        app_label, codename = key.split(".", 1)
        found = Permission.objects.values_list("pk", flat=True).get(
            content_type__app_label=app_label, codename=codename
        )
        _permission_ids[key] = found
    return found


def permission_ids_forget(**kwargs: object) -> None:
    _permission_ids.clear()


def agency_holds_permission(user: User, perm: Perm, model: type[Model]) -> Exists:
    """EXISTS (a grant of `perm` on this row to the user's agency group). Correlated, so each candidate row
    costs one probe of guardian's unique (group, permission, object) index however many rows the agency can
    see (guardian's get_objects_for_user reads every grant the agency holds instead). Object permissions are
    granted only to agency groups, never to single users or role groups."""
    assert user.agency is not None
    # guardian accepts a model class here too (it reads its content type), though its annotation says instance.
    grant_model: Any = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    grants = grant_model.objects.filter(
        content_object=OuterRef("pk"), permission_id=permission_id(perm), group_id=user.agency.group_id
    )
    return Exists(grants)


def scope_to_user(user: User | AnonymousUser, perm: Perm, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    if not reads_case_data(user):
        return queryset.none()
    assert isinstance(user, User) and user.agency is not None
    return queryset.filter(
        agency_holds_permission(user, perm, queryset.model), local_authority_id=user.agency.local_authority_id
    )


def get_in_scope(user: User | AnonymousUser, perm: Perm, queryset: QuerySet[ModelT], pk: object) -> ModelT:
    """One record by primary key if `user` may see it; NotFound both when it does not exist and when it is
    not theirs, so an outsider cannot even learn that a record exists."""
    try:
        return scope_to_user(user, perm, queryset).get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError) as error:
        raise NotFound() from error


def agency_grant(*, agency: Agency, obj: Model, perms: Iterable[Perm]) -> None:
    """Grant `perms` on `obj` to the agency's group: one INSERT into the model's direct-foreign-key grant
    table. A grant the agency already holds (an earlier referral or share) is left as it is."""
    grant_model: Any = get_group_obj_perms_model(obj)
    grant_model.objects.bulk_create(
        [
            grant_model(group_id=agency.group_id, permission_id=permission_id(perm), content_object=obj)
            for perm in perms
        ],
        ignore_conflicts=True,
    )
