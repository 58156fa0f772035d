"""Statements the busiest requests send over and over, prepared once per database connection.

PostgreSQL parses, analyses and plans every statement it is sent. For the write behind a referral POST (one
statement of eight INSERTs, `common.writes.insert_together`) that was about a quarter of the statement's
cost, paid again on every request for the same text. A prepared statement is parsed and analysed once per
connection; after its first few runs PostgreSQL keeps a generic plan when it costs no more than a custom one
(always so for an INSERT of VALUES or a look-up by key), and it replans by itself when an ANALYZE or a
migration changes what the plan was made from.

psycopg2 has no server-side binding, so the statement is prepared with SQL (`PREPARE name AS …`, its `%s`
placeholders numbered `$1…$n`, each parameter's type taken from where it is used) and run as
`EXECUTE name(%s, …)`, with the parameters adapted by psycopg2 exactly as they would be in the statement
itself. A prepared statement belongs to its connection, outlives a rolled-back transaction and goes with
the connection, so which are prepared is remembered per connection object. Only statements whose
parameters PostgreSQL can type from their context belong here (an INSERT's VALUES, comparisons with
columns): `PREPARE` refuses a parameter it cannot type, and the tests run every caller.

Deployment: Django keeps each connection for CONN_MAX_AGE and talks to PostgreSQL directly. A pooler that
hands one client's statements to several server connections (PgBouncer in transaction mode) would break
this: such a pooler tracks at most protocol-level prepared statements, never SQL PREPARE. Use session
pooling or direct connections."""

import hashlib
import re
import weakref
from collections.abc import Sequence
from typing import Any

from django.db.backends.utils import CursorWrapper

# (label, text of a statement) -> (its name, its text with numbered placeholders). Callers send a handful of
# statement shapes; the cap only guards against a caller that builds a new text every time.
_statements: dict[tuple[str, str], tuple[str, str]] = {}
_STATEMENTS_CAP = 1000
_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%[s%]")
_UNSAFE = re.compile(r"[^a-z0-9_]")


def _numbered(sql: str) -> str:
    """`%s` placeholders as $1…$n, and `%%` (a literal % in a psycopg2 statement with parameters) as %."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql)


def _statement(label: str, sql: str) -> tuple[str, str]:
    found = _statements.get((label, sql))
    if found is None:
        digest = hashlib.blake2b(sql.encode(), digest_size=6).hexdigest()
        # PostgreSQL keeps 63 bytes of a name: the label is cut, never the digest that makes it unique.
        name = f"{_UNSAFE.sub('_', label.lower())[:50]}_{digest}"
        found = (name, _numbered(sql))
        if len(_statements) < _STATEMENTS_CAP:
            _statements[(label, sql)] = found
    return found


def execute_prepared(cursor: CursorWrapper, sql: str, params: Sequence[Any], *, label: str) -> None:
    """cursor.execute(sql, params), as a statement prepared on the cursor's connection the first time this
    connection runs it. Its name is `label` (what the statement does, so a query log says so) and a digest
    of its text. The EXECUTE goes through Django's cursor, so it is logged and counted as the
    statement itself would be. The PREPARE, once per connection, goes to psycopg2's cursor directly (with
    Django's error translation): counted, it would make every exact query count depend on which test or
    request happened to be the first on its connection."""
    name, numbered = _statement(label, sql)
    raw_connection = cursor.db.connection
    prepared = _prepared_on.get(raw_connection)
    if prepared is None:
        prepared = _prepared_on[raw_connection] = set()
    if name not in prepared:
        with cursor.db.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} AS {numbered}")
        prepared.add(name)  # only once PREPARE has succeeded; it is not undone by a rollback
    if params:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")
