"""Several new rows written by one SQL statement.

A service that creates a record usually writes several rows at once: the record, its object permissions, the
clock it starts, that clock's first event and the audit rows. Saved one by one, each row is a round trip and
a statement for PostgreSQL to parse, plan and run, and on the busiest write (a referral through the API)
those per-statement costs were most of the request. `insert_together` sends them as one statement of
data-modifying CTEs (`WITH w0 AS (INSERT …), w1 AS (INSERT …) SELECT …`): PostgreSQL runs every INSERT in
it, and the statement succeeds or fails as a whole, so a row is never written without the others.

Each model row's INSERT is the one Django's own `save()` would send (the same compiler: field conversion,
`auto_now_add`, database defaults), so the rows read back exactly as if saved one by one. Foreign keys in
this project are DEFERRABLE INITIALLY DEFERRED (Django's default on PostgreSQL), so rows may refer to each
other in any order. What is not done: `pre_save`/`post_save` signals (no model written this way has
receivers) and `save()` overrides (none of them has one)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery

from safeguarding.common.prepared import execute_prepared


@dataclass(frozen=True)
class RawInsert:
    """An INSERT written by hand (guardian's grants on a person, say, which may exist already and so are
    inserted ON CONFLICT DO NOTHING), run as one of the statement's CTEs. It must end with a RETURNING clause, and must not hold
    a data-modifying WITH of its own (PostgreSQL allows those only at the top level). With `expect_rows`,
    any other number of rows written is an error, raised before the caller's transaction can commit."""

    sql: str
    params: Sequence[Any]
    expect_rows: int | None = None


class RowsNotWritten(RuntimeError):
    """A RawInsert wrote another number of rows than it expected: its caller's transaction must not commit."""


# The INSERT text for a model depends only on the model, which fields it writes and the database: compiled
# once, then each row only converts its values (as the compiler would). A value that is an expression
# (a database default, say) changes the text, so such a row is compiled on its own.
@dataclass(frozen=True)
class _InsertPlan:
    sql: str
    fields: list[Field[Any, Any]]
    # Per field: the Python types its value is sent as-is in, when it is already one of them (see
    # _sent_as_is); None where only the field's own get_db_prep_save will do.
    as_is: list[tuple[type, ...] | None]
    plain_pre_save: list[bool]  # Field.pre_save itself: the attribute's value, nothing set on the row


_insert_plans: dict[tuple[type[Model], bool, str], _InsertPlan] = {}

# On PostgreSQL, the field types whose get_db_prep_save gives back a value of these exact types unchanged
# (CharField.to_python of a str is the str; the backend's adapt_datetimefield_value returns the datetime, and
# so on): converting them would only cost the calls. Anything else (JSON, arrays, a subclass that converts)
# goes through its field. tests/common/test_writes.py checks the two give the same statement.
_SENT_AS_IS: dict[type[Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.BooleanField: (bool,),
    models.UUIDField: (uuid.UUID,),
    models.DateField: (date,),
    models.DateTimeField: (datetime,),  # aware ones only: a naive one is warned about and made aware
}


def _sent_as_is(field: Field[Any, Any], connection: BaseDatabaseWrapper) -> tuple[type, ...] | None:
    if connection.vendor != "postgresql":
        return None
    if type(field) is models.ForeignKey:
        field = field.target_field
    return _SENT_AS_IS.get(type(field))


def _django_insert(row: Model, fields: list[Field[Any, Any]], using: str) -> tuple[str, Sequence[Any]]:
    """The INSERT Django's compiler makes for this row, with RETURNING its primary key."""
    query = InsertQuery(type(row))
    query.insert_values(fields, [row])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [row._meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, params


def _insert_plan(row: Model, pk_from_database: bool, using: str) -> _InsertPlan:
    meta = row._meta
    fields = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and not (pk_from_database and field is meta.auto_field)
    ]
    sql, _ = _django_insert(row, fields, using)
    connection = connections[using]
    return _InsertPlan(
        sql=sql,
        fields=fields,
        as_is=[_sent_as_is(field, connection) for field in fields],
        plain_pre_save=[type(field).pre_save is Field.pre_save for field in fields],
    )


def _params(plan: _InsertPlan, row: Model, connection: BaseDatabaseWrapper) -> list[Any] | None:
    """The row's parameters for the plan's INSERT, converted as the compiler converts them; None if a
    value is an expression, which the cached text cannot hold."""
    params: list[Any] = []
    for field, as_is, plain in zip(plan.fields, plan.as_is, plan.plain_pre_save, strict=True):
        value = getattr(row, field.attname) if plain else field.pre_save(row, add=True)
        if as_is is not None and (
            value is None
            or (type(value) in as_is and (type(value) is not datetime or value.utcoffset() is not None))
        ):
            params.append(value)
        elif hasattr(value, "resolve_expression"):
            return None
        else:
            params.append(field.get_db_prep_save(value, connection=connection))
    return params


def _compiled_insert(row: Model, using: str) -> tuple[str, Sequence[Any], bool]:
    """Django's INSERT for one new row, with RETURNING its primary key; and whether that key is made by the
    database (an auto-increment), so it must be read back."""
    meta = row._meta
    if meta.parents:
        raise TypeError(f"{meta.label} is saved across several tables (multi-table inheritance): use save()")
    pk_from_database = row.pk is None and meta.auto_field is not None
    if row.pk is None and not pk_from_database:
        setattr(row, meta.pk.attname, meta.pk.get_default())
    key = (type(row), pk_from_database, using)
    plan = _insert_plans.get(key)
    params = None
    if plan is not None:
        params = _params(plan, row, connections[using])
    else:
        plan = _insert_plan(row, pk_from_database, using)
        params = _params(plan, row, connections[using])
        if params is not None:  # compiled from a row of plain values: its text holds for every row
            _insert_plans[key] = plan
    if params is not None:
        return plan.sql, params, pk_from_database
    # A value is an expression (a database default, say): this row's text is its own.
    sql, row_params = _django_insert(row, plan.fields, using)
    return sql, row_params, pk_from_database


def insert_together(*rows: Model | RawInsert) -> list[int]:
    """Insert these new rows in one statement. Model rows get their database-made primary keys and are
    marked saved, as `save()` would leave them. Answers, for each argument in order, the number of rows its
    INSERT wrote (1 for a model row). Must run inside the caller's transaction when the caller also reads or
    writes anything else that has to commit with these rows."""
    if not rows:
        return []
    models = [row for row in rows if isinstance(row, Model)]
    using = router.db_for_write(type(models[0])) if models else "default"
    ctes: list[str] = []
    params: list[Any] = []
    auto_keys: list[tuple[int, Model]] = []
    for index, row in enumerate(rows):
        if isinstance(row, RawInsert):
            sql, row_params = row.sql, row.params
        else:
            sql, row_params, pk_from_database = _compiled_insert(row, using)
            if pk_from_database:
                auto_keys.append((index, row))
        ctes.append(f"w{index} AS ({sql})")
        params.extend(row_params)
    # Every CTE runs, read or not; the statement reads back only the counts the raw INSERTs are checked by
    # and the keys the database made. Only compiled SQL and quoted column names are formatted in; every
    # value is a parameter.
    quote = connections[using].ops.quote_name
    checked = [index for index, row in enumerate(rows) if isinstance(row, RawInsert)]
    reads = [f"(SELECT count(*) FROM w{index})" for index in checked]  # noqa: S608
    reads += [
        f"(SELECT {quote(row._meta.pk.column)} FROM w{index})"  # noqa: S608
        for index, row in auto_keys
    ]
    statement = f"WITH {', '.join(ctes)} SELECT {', '.join(reads) or '1'}"
    with connections[using].cursor() as cursor:
        # The same few shapes, request after request: each is parsed and planned once per connection.
        label = f"insert_{models[0]._meta.db_table}" if models else "insert"
        execute_prepared(cursor, statement, params, label=label)
        result = cursor.fetchone()
    counts = dict(zip(checked, result[: len(checked)], strict=True))
    for index, count in counts.items():
        row = rows[index]
        assert isinstance(row, RawInsert)
        if row.expect_rows is not None and count != row.expect_rows:
            raise RowsNotWritten(
                f"{count} of {row.expect_rows} rows written by: {' '.join(row.sql.split())[:200]}"
            )
    for (_, row), key in zip(auto_keys, result[len(checked) :], strict=True):
        setattr(row, row._meta.pk.attname, key)
    for row in models:
        row._state.adding = False
        row._state.db = using
    return [int(counts[index]) if index in counts else 1 for index in range(len(rows))]
