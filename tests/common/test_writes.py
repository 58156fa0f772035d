"""safeguarding.common.writes.insert_together: rows written by one statement read back exactly as saved one
by one, get their database-made keys, and are written all or none."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditAction, AuditEvent
from audits.services import audit_event_build
from safeguarding.common.writes import RawInsert, RowsNotWritten, insert_together
from safeguarding.organisations.models import LocalAuthority
from tests.conftest import World


def _audit(world: World, object_id: uuid.UUID) -> AuditEvent:
    return audit_event_build(
        actor=world.mash,
        action=AuditAction.CREATE,
        object_type="test",
        object_id=object_id,
        person_ids=[world.case.person.pk],
        context=SYSTEM_CONTEXT,
        changes={"why": "a test"},
    )


@pytest.mark.django_db
def test_rows_are_written_by_one_statement_and_read_back_as_saved(world: World) -> None:
    authority = LocalAuthority(name="Westerly", gss_code="E06000999")
    first, second = _audit(world, authority.pk), _audit(world, authority.pk)
    with CaptureQueriesContext(connection) as context:
        written = insert_together(authority, first, second)
    # One statement, prepared once per connection (common.prepared) and named by its first table.
    [statement] = [query["sql"] for query in context.captured_queries]
    assert statement.startswith("EXECUTE insert_organisations_localauthority_")
    assert written == [1, 1, 1]
    assert first.pk is not None and second.pk == first.pk + 1  # database-made keys, read back
    assert not first._state.adding and first._state.db == "default"
    saved = AuditEvent.objects.get(pk=first.pk)
    assert saved.occurred_at is not None  # auto_now_add, as save() would set it
    assert (saved.actor_id, saved.person_ids, saved.changes) == (
        world.mash.pk,
        [world.case.person.pk],
        {"why": "a test"},
    )
    assert LocalAuthority.objects.get(pk=authority.pk).name == "Westerly"


@pytest.mark.django_db
def test_one_failing_row_writes_none_of_them(world: World) -> None:
    duplicate = LocalAuthority(name="Again", gss_code=world.social_care.local_authority.gss_code)
    audit = _audit(world, duplicate.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(audit, duplicate)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_raw_insert_that_writes_fewer_rows_than_expected_is_an_error(world: World) -> None:
    nothing = RawInsert(
        "INSERT INTO organisations_localauthority (id, name, gss_code, created_at, updated_at) "
        "SELECT gen_random_uuid(), 'Never', 'E06000998', now(), now() WHERE false RETURNING 1",
        [],
        expect_rows=1,
    )
    audit = _audit(world, uuid.uuid4())
    before = AuditEvent.objects.count()
    with pytest.raises(RowsNotWritten), transaction.atomic():
        insert_together(audit, nothing)
    assert AuditEvent.objects.count() == before
