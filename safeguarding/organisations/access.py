"""The rule underneath every access_* function: case data is visible to an agency only through object
permissions granted to that agency's group (django-guardian's direct-foreign-key permission tables), and only
within the user's own local authority."""

import functools
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, Model, OuterRef, QuerySet, Subquery
from guardian.utils import get_group_obj_perms_model

from safeguarding.common.prepared import execute_prepared
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


def _permission_id(perm: str) -> Subquery:
    # A subquery rather than a cached id: PostgreSQL evaluates it once per statement (an InitPlan), and ids can
    # change when a test database is flushed and its permissions recreated.
    app_label, codename = perm.split(".", 1)
    return Subquery(
        Permission.objects.filter(content_type__app_label=app_label, codename=codename).values("pk")[:1]
    )


_permission_ids: dict[str, int] = {}


def permission_id(perm: str) -> int:
    """The id of "app_label.codename", looked up once per process. Ids change only when the permission rows
    are recreated (a flushed test database), and that always ends with post_migrate, which clears this cache
    (OrganisationsConfig.ready)."""
    found = _permission_ids.get(perm)
    if found is None:
        app_label, codename = perm.split(".", 1)
        found = Permission.objects.values_list("pk", flat=True).get(
            content_type__app_label=app_label, codename=codename
        )
        _permission_ids[perm] = found
    return found


def permission_ids_forget(**kwargs: object) -> None:
    _permission_ids.clear()


def agency_holds_permission(user: User, perm: str, model: type[Model]) -> Exists:
    """EXISTS (a grant of `perm` on this row to the user's agency group). Correlated, so each candidate row
    costs one probe of guardian's unique (group, permission, object) index, however many rows the agency
    can see. (guardian's get_objects_for_user builds `pk IN (all the group's grants)`, which reads every
    grant the agency holds: over a second per request once an agency can see a few hundred thousand people.)
    Object permissions are granted only to agency groups, never to single users or role groups."""
    assert user.agency is not None
    # guardian accepts a model class here too (it reads its content type), though its annotation says instance.
    grant_model: Any = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    grants = grant_model.objects.filter(
        content_object=OuterRef("pk"), permission_id=_permission_id(perm), group_id=user.agency.group_id
    )
    return Exists(grants)


def scope_to_user(user: User | AnonymousUser, perm: str, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
    if not reads_case_data(user):
        return queryset.none()
    assert isinstance(user, User) and user.agency is not None
    return queryset.filter(
        agency_holds_permission(user, perm, queryset.model), local_authority_id=user.agency.local_authority_id
    )


@functools.cache
def one_in_scope_sql(model: type[Model]) -> str:
    """object_in_scope's query for `model`; its parameters, in order: the primary key, the user's authority,
    the user's agency group and the permission's id."""
    meta = model._meta
    grant_model: Any = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = f"{table}.{quote(meta.pk.column)}"
    columns = ", ".join(f"{table}.{quote(field.column)}" for field in meta.concrete_fields)
    return f"""
        SELECT {columns} FROM {table}
        WHERE {pk} = %s AND {table}.local_authority_id = %s AND EXISTS (
            SELECT 1 FROM {quote(grant_model._meta.db_table)} g
            WHERE g.content_object_id = {pk} AND g.group_id = %s AND g.permission_id = %s
        )
    """  # noqa: S608 - table and column names from the model's meta, values as parameters


def object_in_scope(user: User | AnonymousUser, perm: str, model: type[ModelT], pk: object) -> ModelT | None:
    """One row by primary key, if scope_to_user would let `user` see it: the same rule (a grant of `perm` to
    the user's agency group, within the user's authority), written once as SQL. Composing it through the ORM
    costs about 3 ms of Python a call, most of a cheap request's time, and the one-row fetches behind the
    access_* functions (the person a new referral is about, above all) need none of the ORM's composition.
    tests/organisations/test_access.py checks the two forms agree for every kind of user."""
    if not reads_case_data(user):
        return None
    assert isinstance(user, User) and user.agency is not None
    try:
        pk = model._meta.pk.to_python(pk)
    except ValidationError:
        return None  # not a key at all: no row has it
    params: list[Any] = [pk, user.agency.local_authority_id, user.agency.group_id, permission_id(perm)]
    with connection.cursor() as cursor:
        execute_prepared(cursor, one_in_scope_sql(model), params, label=f"in_scope_{model._meta.db_table}")
        row = cursor.fetchone()
    if row is None:
        return None
    # As the ORM reads a row: each column through its field's converters, in concrete-field order.
    values = list(row)
    for index, field, converters in _converters(model):
        for converter in converters:
            values[index] = converter(values[index], field, connection)
    return model.from_db(connection.alias, (), values)  # every field is there: no names needed


@functools.cache
def _converters(model: type[Model]) -> list[tuple[int, Any, list[Any]]]:
    """The model's columns that have converters (most have none), each with its field and converters, as
    the ORM's compiler would collect them for a query of the model."""
    found = []
    field: Any  # django-stubs does not declare Field.get_db_converters
    for index, field in enumerate(model._meta.concrete_fields):
        converters = field.get_db_converters(connection)
        if converters:
            found.append((index, field, converters))
    return found
