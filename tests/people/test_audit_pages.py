"""The audit trail people can use: who has looked at a child's record, in names and plain English, looking
kept apart from appearing in a list; and the auditor's search by person, user, agency and dates, with a CSV
export that is itself audited and formula-neutralised."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audits.models import AuditEvent
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, verified_client
from tests.form_data import date_parts

pytestmark = pytest.mark.django_db


def test_who_has_looked_separates_opening_the_record_from_a_list(world: World) -> None:
    person = world.case.person
    verified_client(world.police_officer).get(f"/people/{person.pk}/")
    verified_client(world.mash).get("/people/", {"q": "Quillfeather"})
    alice = verified_client(world.mash)
    looks = alice.get(f"/people/{person.pk}/looks/").content.decode()
    table = looks[looks.index('id="looks"') :]
    assert "Looked at the person&#x27;s record" in table or "Looked at the person's record" in table
    assert "Northbridge Police" in table and "Saw in a list" not in table
    lists = alice.get(f"/people/{person.pk}/looks/", {"show": "lists"}).content.decode()
    assert "Saw in a list or search: the person&#x27;s record" in lists or "Saw in a list or search" in lists
    assert verified_client(world.stranger).get(f"/people/{person.pk}/looks/").status_code == 404


def test_the_auditor_searches_and_exports_the_trail_neutralised(world: World) -> None:
    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    person = world.case.person
    verified_client(world.police_officer).get(f"/people/{person.pk}/")
    AuditEvent.objects.create(
        actor=None,
        actor_username="=HYPERLINK(evil)",
        actor_agency_name="+Agency",
        local_authority_id=world.social_care.local_authority_id,
        action="view",
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
    )
    client = verified_client(auditor)
    page = client.get("/people/audit/", {"person": str(person.pk), "agency": str(world.police.pk)})
    html = page.content.decode()
    assert page.status_code == 200 and "Northbridge Police" in html and "=HYPERLINK" not in html
    bad = client.get(
        "/people/audit/",
        {**date_parts("date_from", date(2026, 12, 2)), **date_parts("date_to", date(2026, 12, 1))},
    )
    assert "The to date must be the same as or after the from date" in bad.content.decode()
    export = client.get("/people/audit/", {"person": str(person.pk), "format": "csv"})
    body = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert export["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(evil)" in body and "'+Agency" in body and "\n=HYPERLINK" not in body
    assert AuditEvent.objects.filter(actor=auditor, action="export", object_type="audit_trail").count() == 1
    for outsider in (world.mash, world.police_officer, world.admin):
        assert verified_client(outsider).get("/people/audit/").status_code == 404


def test_the_auditor_searches_between_dates_typed_in_govuk_date_inputs(world: World) -> None:
    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    person = world.case.person
    verified_client(world.police_officer).get(f"/people/{person.pk}/")
    client = verified_client(auditor)
    today = timezone.localdate()
    around_today = {
        **date_parts("date_from", today),
        **date_parts("date_to", today),
        "person": str(person.pk),
    }
    found = client.get("/people/audit/", around_today).content.decode()
    assert 'id="audit-results"' in found and "Northbridge Police" in found
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        assert f'name="date_from_{part}" type="text" inputmode="numeric" value="{value}"' in found
    tomorrow = today + timedelta(days=1)
    later = {**around_today, **date_parts("date_from", tomorrow), **date_parts("date_to", tomorrow)}
    later_page = client.get("/people/audit/", later).content.decode()
    assert "Nothing in the trail matches" in later_page and 'id="audit-results"' not in later_page
    not_real = client.get("/people/audit/", date_parts("date_from", day="30", month="2", year="2026"))
    page = not_real.content.decode()
    assert "The from date must be a real date, for example 27 3 2026" in page
    assert 'href="#id_date_from_day"' in page
