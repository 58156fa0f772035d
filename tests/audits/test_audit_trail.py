import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from audits.models import AuditAction, AuditEvent
from audits.selectors import audit_views_of_person
from tests.conftest import World, verified_client


@pytest.mark.django_db
def test_database_refuses_update_of_audit_rows(world: World) -> None:
    event = AuditEvent.objects.filter(person_ids__contains=[world.case.person_id]).first()
    assert event is not None
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="someone-else")
    event.refresh_from_db()
    assert event.actor_username != "someone-else"


@pytest.mark.django_db
def test_database_refuses_delete_of_audit_rows(world: World) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_raw_sql_cannot_rewrite_history_either(world: World) -> None:
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audits_auditevent SET reason = 'tampered'")
    with pytest.raises((InternalError, IntegrityError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audits_auditevent")


@pytest.mark.django_db
def test_creating_a_case_writes_audit_rows_in_the_same_transaction(world: World) -> None:
    creates = AuditEvent.objects.filter(
        action=AuditAction.CREATE, person_ids__contains=[world.case.person_id]
    )
    assert set(creates.values_list("object_type", flat=True)) == {"person", "case"}
    assert creates.first().actor_username == "alice"


@pytest.mark.django_db
def test_view_row_records_who_agency_when_where(world: World) -> None:
    client = verified_client(world.police_officer)
    response = client.get(
        f"/people/{world.case.person_id}/", HTTP_USER_AGENT="pytest-agent", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    event = audit_views_of_person(person_id=world.case.person_id).first()
    assert event is not None
    assert event.action == AuditAction.VIEW
    assert event.actor == world.police_officer
    assert event.actor_agency_name == "Northbridge Police"
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "pytest-agent"
    assert event.path == f"/people/{world.case.person_id}/"
    assert event.via == "web"


@pytest.mark.django_db
def test_person_page_shows_who_has_looked(world: World) -> None:
    verified_client(world.police_officer).get(f"/people/{world.case.person_id}/")
    response = verified_client(world.mash).get(f"/people/{world.case.person_id}/")
    body = response.content.decode()
    assert "Who has looked at this record" in body
    assert "bob" in body and "Northbridge Police" in body
