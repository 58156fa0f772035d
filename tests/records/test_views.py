"""The records pages: insiders see the child's contacts and documents, outsiders the same 404 as for a record
that does not exist; bad input is an error summary with nothing saved; every look is audited; a download is
an attachment of the type the bytes were found to be, and is audited; the pages' queries do not grow."""

import re
import uuid
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audits.models import AuditEvent
from cases.records.models import Contact, ContactAmendment, Document, Visibility
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.records import samples
from tests.records.conftest import record_contact, stored_files, upload
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db


class _Cells(HTMLParser):
    """Every table cell, and whether it has a data-label."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self.cells.append(dict(attrs).get("data-label"))


def _labels(html: str) -> list[str | None]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


def _records_url(world: World) -> str:
    return f"/records/{world.case.person_id}/"


def _when(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 1, day, hour, 0))


# The child's records page


def test_the_records_page_lists_contacts_newest_first_with_labels_and_audits_the_look(world: World) -> None:
    record_contact(world, occurred_at=_when(3), text="Third of January visit.")
    record_contact(world, occurred_at=_when(5), contact_type="phone_call", text="Fifth of January call.")
    record_contact(world, occurred_at=_when(4), contact_type="note", text="Fourth of January note.")
    upload(world, description="School letter")
    response = verified_client(world.mash).get(_records_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zephyrine Quillfeather" in html and "<h1" in html and "govuk-back-link" in html
    assert html.index("Fifth of January") < html.index("Fourth of January") < html.index("Third of January")
    assert "School letter" in html and "/download/" in html
    labels = _labels(html)
    assert labels and None not in labels
    assert f'href="/records/{world.case.person_id}/contacts/add/"' in html
    event = AuditEvent.objects.filter(actor=world.mash, object_type="records").get()
    assert event.action == "list" and event.person_ids == [world.case.person_id]


def test_the_records_page_filters_by_type_and_sorts(world: World) -> None:
    record_contact(world, occurred_at=_when(3), text="Third of January visit.")
    record_contact(world, occurred_at=_when(5), contact_type="phone_call", text="Fifth of January call.")
    client = verified_client(world.mash)
    calls = client.get(_records_url(world), {"contact_type": "phone_call"}).content.decode()
    assert "Fifth of January" in calls and "Third of January" not in calls
    oldest = client.get(_records_url(world), {"sort": "occurred"}).content.decode()
    assert oldest.index("Third of January") < oldest.index("Fifth of January")
    none = client.get(_records_url(world), {"contact_type": "meeting"}).content.decode()
    assert "No contacts of this type recorded that you can see." in none
    # A made-up filter is ignored, not an error.
    assert client.get(_records_url(world), {"contact_type": "nonsense", "sort": "x"}).status_code == 200


def test_empty_states(world: World) -> None:
    html = verified_client(world.mash).get(_records_url(world)).content.decode()
    assert "No contacts or case notes recorded that you can see." in html
    assert "No documents or photos uploaded that you can see." in html
    documents = verified_client(world.mash).get(f"/records/{world.case.person_id}/documents/")
    assert "No documents or photos uploaded that you can see." in documents.content.decode()


def test_own_agency_notes_are_not_on_other_agencies_pages(world: World) -> None:
    record_contact(world, text="Shared with everyone on the case.")
    record_contact(world, text="Kept inside social care.", visibility=Visibility.OWN_AGENCY)
    police = verified_client(world.police_officer).get(_records_url(world)).content.decode()
    assert "Shared with everyone" in police and "Kept inside social care" not in police
    alice = verified_client(world.mash).get(_records_url(world)).content.decode()
    assert "Kept inside social care" in alice and "Only Northbridge Children&#x27;s Social Care" in alice


def test_the_records_page_has_a_constant_query_count(world: World) -> None:
    client = verified_client(world.mash)
    url = _records_url(world)
    # access (person with permission subquery), contacts COUNT, the page of contacts (with who recorded
    # them), the newest documents, audit INSERT, the open case the reader may record on
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    record_contact(world)
    assert count_queries(client, url) == expected
    for day in range(1, 8):
        record_contact(world, occurred_at=_when(day), contact_type="meeting")
        upload(world)
    assert count_queries(client, url) == expected


def test_the_records_link_is_on_the_person_page(world: World) -> None:
    html = verified_client(world.mash).get(f"/people/{world.case.person_id}/").content.decode()
    assert f'href="/records/{world.case.person_id}/"' in html
    assert "Contacts, notes and documents" in html


@pytest.mark.parametrize(
    "path",
    [
        "/records/{person}/",
        "/records/{person}/contacts/add/",
        "/records/{person}/documents/",
        "/records/{person}/documents/upload/",
        "/records/contacts/{contact}/",
        "/records/documents/{document}/",
        "/records/documents/{document}/download/",
    ],
)
def test_outsiders_and_made_up_ids_get_not_found(world: World, path: str) -> None:
    contact = record_contact(world)
    document = upload(world)
    url = path.format(person=world.case.person_id, contact=contact.pk, document=document.pk)
    assert verified_client(world.mash).get(url).status_code == 200
    assert verified_client(world.police_officer).get(url).status_code == 200
    for outsider in (world.housing_officer, world.stranger, world.admin):
        response = verified_client(outsider).get(url)
        assert response.status_code == 404, (outsider.username, url)
        assert b"Quillfeather" not in response.content
    made_up = path.format(person=uuid.uuid4(), contact=uuid.uuid4(), document=uuid.uuid4())
    assert verified_client(world.mash).get(made_up).status_code == 404


# Adding a contact


def _contact_form(**overrides: str) -> dict[str, str]:
    when = timezone.localtime() - timedelta(days=1)
    form = {
        "occurred_at_day": str(when.day),
        "occurred_at_month": str(when.month),
        "occurred_at_year": str(when.year),
        "occurred_at_time": "14:30",
        "contact_type": "visit",
        "present": "Zephyrine, her mother",
        "text": "Seen at home. Talked about school.",
        "visibility": "shared",
    }
    form.update(overrides)
    return form


def test_adding_a_contact_keeps_the_time_it_happened(world: World) -> None:
    client = verified_client(world.mash)
    page = client.get(f"/records/{world.case.person_id}/contacts/add/").content.decode()
    assert 'name="occurred_at_day"' in page and 'name="contact_type"' in page
    response = client.post(f"/records/{world.case.person_id}/contacts/add/", _contact_form())
    contact = Contact.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/records/contacts/{contact.pk}/"
    expected = (timezone.localtime() - timedelta(days=1)).replace(hour=14, minute=30, second=0, microsecond=0)
    assert contact.occurred_at == expected
    assert contact.recorded_by == world.mash and contact.case == world.case


def test_adding_a_contact_with_mistakes_shows_an_error_summary_and_saves_nothing(world: World) -> None:
    client = verified_client(world.mash)
    url = f"/records/{world.case.person_id}/contacts/add/"
    empty = client.post(url, {"occurred_at_day": "", "text": ""}).content.decode()
    assert "There is a problem" in empty
    for message in [
        "Enter the date of the contact, including a day, month and year",
        "Select the type of contact",
        "Enter what happened",
        "Select who can see this",
    ]:
        assert message in empty, message
    assert 'href="#id_occurred_at_day"' in empty
    future = timezone.localtime() + timedelta(days=2)
    late = client.post(
        url,
        _contact_form(
            occurred_at_day=str(future.day),
            occurred_at_month=str(future.month),
            occurred_at_year=str(future.year),
        ),
    ).content.decode()
    assert "The date and time of the contact must be in the past" in late
    born = client.post(url, _contact_form(occurred_at_year="2010")).content.decode()
    assert "on or after their date of birth, 2 April 2011" in born
    assert not Contact.objects.exists()


def test_a_reader_whose_role_does_not_record_is_not_offered_the_forms(world: World) -> None:
    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    client = verified_client(auditor)
    page = client.get(_records_url(world)).content.decode()
    assert "Add a contact" not in page and "Upload a document" not in page
    assert client.get(f"/records/{world.case.person_id}/contacts/add/").status_code == 404


# A contact and its amendments


def test_the_contact_page_shows_the_contact_and_audits_the_look(world: World) -> None:
    contact = record_contact(world)
    response = verified_client(world.police_officer).get(f"/records/contacts/{contact.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Seen at home with her mother." in html and "Zephyrine and her mother" in html
    assert "This contact has not been amended." in html
    assert "Amend this contact" not in html  # police did not record it
    assert (
        AuditEvent.objects.filter(
            actor=world.police_officer, object_type="contact", object_id=contact.pk
        ).count()
        == 1
    )


def _amend_form(contact: Contact, **overrides: str) -> dict[str, str]:
    when = timezone.localtime(contact.occurred_at)
    form = {
        "version": str(contact.version),
        "occurred_at_day": str(when.day),
        "occurred_at_month": str(when.month),
        "occurred_at_year": str(when.year),
        "occurred_at_time": when.strftime("%H:%M"),
        "contact_type": contact.contact_type,
        "present": contact.present,
        "text": contact.text,
        "visibility": contact.visibility,
        "reason": "",
    }
    form.update(overrides)
    return form


def test_amending_needs_a_reason_and_then_shows_amended_with_the_history(world: World) -> None:
    contact = record_contact(world)
    client = verified_client(world.mash)
    url = f"/records/contacts/{contact.pk}/"
    assert "Amend this contact" in client.get(url).content.decode()

    refused = client.post(url, _amend_form(contact, text="Seen at school."))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "There is a problem" in html and "Enter the reason for the amendment" in html
    assert 'href="#id_reason"' in html and '<details class="govuk-details" open>' in html
    contact.refresh_from_db()
    assert contact.text == "Seen at home with her mother." and not ContactAmendment.objects.exists()

    unchanged = client.post(url, _amend_form(contact, reason="Checking")).content.decode()
    assert "Change something in the contact, or cancel the amendment" in unchanged

    done = client.post(
        url, _amend_form(contact, text="Seen at school.", reason="It was at school, not home.")
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "Amended" in page and "It was at school, not home." in page
    assert "Was: Seen at home with her mother." in page and "Now: Seen at school." in page
    assert None not in _labels(page)

    stale = client.post(url, _amend_form(contact, text="Overwrite", reason="Stale"))  # version 1 again
    assert "was amended by someone else" in stale.content.decode()


def test_another_agency_cannot_amend(world: World) -> None:
    contact = record_contact(world)
    response = verified_client(world.police_officer).post(
        f"/records/contacts/{contact.pk}/", _amend_form(contact, text="Police version", reason="We disagree")
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.text == "Seen at home with her mother."


def test_the_contact_page_has_a_constant_query_count(world: World) -> None:
    contact = record_contact(world)
    client = verified_client(world.mash)
    url = f"/records/contacts/{contact.pk}/"
    # access (contact, case, person, recorder and agency, with the case's permission subquery), audit INSERT,
    # the amendments with who made them
    expected = SESSION_PAGE + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, url) == expected
    for number in range(1, 6):
        contact.refresh_from_db()
        client.post(url, _amend_form(contact, text=f"Version {number}", reason=f"Change {number}"))
    assert ContactAmendment.objects.count() == 5
    assert count_queries(client, url) == expected


# Documents


def test_uploading_a_file_that_is_not_a_pdf_shows_the_error_and_keeps_nothing(
    world: World, media_root: Path
) -> None:
    client = verified_client(world.mash)
    url = f"/records/{world.case.person_id}/documents/upload/"
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    fake = SimpleUploadedFile("x.pdf", samples.TEXT_CLAIMING_PDF, content_type="application/pdf")
    response = client.post(url, {"file": fake, "visibility": "shared"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "The selected file must be a PDF, PNG, JPEG or Word document" in html
    assert 'href="#id_file"' in html
    missing = client.post(url, {"visibility": "shared"}).content.decode()
    assert "Select a file" in missing
    assert not Document.objects.exists() and stored_files(media_root) == []


def test_uploading_a_real_pdf_keeps_it(world: World, media_root: Path) -> None:
    client = verified_client(world.mash)
    pdf = SimpleUploadedFile("Letter from school.pdf", samples.tiny_pdf(), content_type="application/pdf")
    response = client.post(
        f"/records/{world.case.person_id}/documents/upload/",
        {"file": pdf, "description": "Letter from school", "visibility": "own_agency"},
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/records/documents/{document.pk}/"
    assert (
        document.visibility == Visibility.OWN_AGENCY
        and document.original_filename == "Letter from school.pdf"
    )
    assert stored_files(media_root) == [f"records/documents/{document.pk}"]
    page = client.get(response["Location"]).content.decode()
    assert "Letter from school" in page and "PDF" in page


def test_the_download_is_an_attachment_of_the_checked_type_and_is_audited(world: World) -> None:
    document = upload(world, samples.tiny_png(), name='photo "1".pdf', is_recent_photo=True)
    client = verified_client(world.police_officer)
    response = client.get(f"/records/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="photo _1_.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.content == samples.tiny_png()
    event = AuditEvent.objects.get(actor=world.police_officer, object_id=document.pk)
    assert event.action == "export" and event.object_type == "document"
    assert event.person_ids == [world.case.person_id]
    assert event.changes["download"] == "photo _1_.pdf"


def test_another_agencys_own_document_is_not_found_for_download(world: World) -> None:
    document = upload(world, visibility=Visibility.OWN_AGENCY)
    url = f"/records/documents/{document.pk}/download/"
    assert verified_client(world.police_officer).get(url).status_code == 404
    assert not AuditEvent.objects.filter(actor=world.police_officer, object_id=document.pk).exists()
    assert verified_client(world.mash).get(url).status_code == 200


def test_a_document_whose_file_is_missing_is_not_found(world: World, media_root: Path) -> None:
    document = upload(world)
    (media_root / document.storage_key).unlink()
    response = verified_client(world.mash).get(f"/records/documents/{document.pk}/download/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_documents_pages_and_download_have_constant_query_counts(world: World) -> None:
    client = verified_client(world.mash)
    document = upload(world)
    list_url = f"/records/{world.case.person_id}/documents/"
    # access (person), COUNT, the page of documents (with who uploaded them), audit INSERT, the open case the
    # reader may record on
    list_expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    # access (document, person, uploader and agency, with the case's permission subquery), audit INSERT
    detail_expected = SESSION_PAGE + 1 + 1 + SESSION_SAVE
    # The same, less the page header's unread-notification count: a file draws no header.
    download_expected = detail_expected - 1
    download_url = f"/records/documents/{document.pk}/download/"
    assert count_queries(client, list_url) == list_expected
    assert count_queries(client, f"/records/documents/{document.pk}/") == detail_expected
    assert count_queries(client, download_url) == download_expected
    for _ in range(6):
        upload(world)
    assert count_queries(client, list_url) == list_expected
    assert count_queries(client, download_url) == download_expected


def test_every_table_cell_has_a_label(world: World) -> None:
    record_contact(world)
    upload(world)
    client = verified_client(world.mash)
    for url in [_records_url(world), f"/records/{world.case.person_id}/documents/"]:
        labels = _labels(client.get(url).content.decode())
        assert labels and None not in labels, url
        assert all(re.match(r"^[A-Z]", label or "") for label in labels)


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    document = upload(world)
    response = Client().get(f"/records/documents/{document.pk}/download/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
