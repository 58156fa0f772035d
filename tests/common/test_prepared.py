"""safeguarding.common.prepared.execute_prepared: a statement is prepared once per connection, answers as the
statement itself would, survives a rolled-back transaction, and is prepared again on a new connection."""

import uuid

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from safeguarding.common.prepared import execute_prepared

ECHO = "SELECT %s::uuid, %s::int + 1, '100%%' AS literal_percent"


def _prepared_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'test_echo%%' ORDER BY name")
        return [row[0] for row in cursor.fetchall()]


def _echo(key: uuid.UUID, number: int) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        execute_prepared(cursor, ECHO, [key, number], label="test echo")
        return tuple(cursor.fetchone())


@pytest.mark.django_db
def test_a_statement_is_prepared_once_and_answers_as_itself() -> None:
    key = uuid.uuid4()
    with CaptureQueriesContext(connection) as context:
        assert _echo(key, 41) == (key, 42, "100%")
        assert _echo(key, 1) == (key, 2, "100%")
    # Only the EXECUTEs are logged and counted; the PREPARE is once per connection.
    assert [query["sql"].split("(")[0] for query in context.captured_queries] == [
        f"EXECUTE {_prepared_names()[0]}"
    ] * 2
    [name] = _prepared_names()
    assert name.startswith("test_echo_") and len(name) <= 63


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_and_a_new_connection_are_both_handled() -> None:
    key = uuid.uuid4()
    with transaction.atomic():
        assert _echo(key, 1) == (key, 2, "100%")
        transaction.set_rollback(True)
    assert _echo(key, 2) == (key, 3, "100%")  # PREPARE is not undone by a rollback
    connection.close()
    assert _prepared_names() == []  # a new connection has none of them
    assert _echo(key, 3) == (key, 4, "100%")
    assert len(_prepared_names()) == 1


@pytest.mark.django_db
def test_a_statement_postgresql_refuses_to_prepare_is_an_error_and_not_remembered() -> None:
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        execute_prepared(cursor, "SELECT nothing FROM nowhere WHERE x = %s", [1], label="test echo broken")
    assert _echo(uuid.UUID(int=1), 0)[1] == 1  # the connection goes on working
