"""The records API: contacts listed, recorded and amended with a reason; documents listed, uploaded as multipart
(checked by their bytes) and downloaded; 404 to outsiders and for made-up ids; every read audited; constant
query counts."""

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audits.models import AuditEvent
from cases.records.models import Contact, ContactAmendment, Document, Visibility
from tests.conftest import World, count_queries, token_client
from tests.records import samples
from tests.records.conftest import record_contact, stored_files, upload
from tests.test_query_counts import TOKEN_API

pytestmark = pytest.mark.django_db


def _contacts_url(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/contacts/"


def _documents_url(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/documents/"


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


def test_the_contact_list_names_the_child_and_hides_other_agencies_own_notes(world: World) -> None:
    shared = record_contact(world, text="Shared.")
    record_contact(world, text="Social care only.", visibility=Visibility.OWN_AGENCY)
    response = token_client(world.police_officer).get(_contacts_url(world))
    assert response.status_code == 200
    body = response.json()
    assert body["person"] == {"id": str(world.case.person_id), "full_name": "Zephyrine Quillfeather"}
    assert body["count"] == 1 and [row["id"] for row in body["results"]] == [str(shared.pk)]
    row = body["results"][0]
    assert row["recording_agency_name"] == "Northbridge Children's Social Care"
    assert row["amended"] is False and row["version"] == 1
    event = AuditEvent.objects.get(actor=world.police_officer, object_type="contact")
    assert event.action == "list" and event.person_ids == [world.case.person_id]
    # An empty list still answers who it is about.
    assert (
        token_client(world.mash).get(_contacts_url(world), {"contact_type": "meeting"}).json()["count"] == 0
    )
    assert token_client(world.mash).get(_contacts_url(world), {"sort": "bogus"}).status_code == 400


def test_recording_a_contact_through_the_api(world: World) -> None:
    happened = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    response = token_client(world.police_officer).post(
        _contacts_url(world),
        {"occurred_at": happened.isoformat(), "contact_type": "phone_call", "text": "Called her mother."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert response.json()["id"] == str(contact.pk)
    assert contact.occurred_at == happened and contact.recording_agency == world.police
    assert contact.visibility == Visibility.SHARED


def test_bad_contacts_are_400_with_field_errors(world: World) -> None:
    client = token_client(world.mash)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = client.post(
        _contacts_url(world),
        {"occurred_at": future, "contact_type": "visit", "text": "Tomorrow?"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"occurred_at": ["The date and time of the contact must be in the past"]}
    missing = client.post(_contacts_url(world), {}, content_type="application/json")
    assert missing.status_code == 400 and set(missing.json()) == {"occurred_at", "contact_type", "text"}
    assert not Contact.objects.exists()


def test_amending_through_the_api_needs_a_reason_and_the_version(world: World) -> None:
    contact = record_contact(world)
    client = token_client(world.mash)
    url = f"/api/v1/contacts/{contact.pk}/"
    no_reason = _patch(client, url, {"version": 1, "text": "Seen at school."})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    blank = _patch(client, url, {"version": 1, "reason": " ", "text": "Seen at school."})
    assert blank.status_code == 400
    assert not ContactAmendment.objects.exists()

    done = _patch(client, url, {"version": 1, "reason": "It was at school.", "text": "Seen at school."})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["text"] == "Seen at school." and body["amended"] is True and body["version"] == 2
    [amendment] = body["amendments"]
    assert amendment["reason"] == "It was at school."
    assert amendment["changes"] == {
        "text": {"previous": "Seen at home with her mother.", "new": "Seen at school."}
    }

    stale = _patch(client, url, {"version": 1, "reason": "Again", "text": "Lost update?"})
    assert stale.status_code == 409 and stale.json()["extra"] == {"current_version": 2}

    police = _patch(token_client(world.police_officer), url, {"version": 2, "reason": "No", "text": "No"})
    assert police.status_code == 403


def test_the_contact_detail_is_audited(world: World) -> None:
    contact = record_contact(world)
    response = token_client(world.police_officer).get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200 and response.json()["amendments"] == []
    assert response.json()["person"]["full_name"] == "Zephyrine Quillfeather"
    assert (
        AuditEvent.objects.filter(
            actor=world.police_officer, object_type="contact", object_id=contact.pk, action="view"
        ).count()
        == 1
    )


def test_uploading_through_the_api_checks_the_bytes(world: World, media_root: Path) -> None:
    client = token_client(world.mash)
    fake = SimpleUploadedFile("x.pdf", samples.TEXT_CLAIMING_PDF, content_type="application/pdf")
    refused = client.post(_documents_url(world), {"file": fake})
    assert refused.status_code == 400
    assert refused.json() == {"file": ["The selected file must be a PDF, PNG, JPEG or Word document"]}
    assert not Document.objects.exists() and stored_files(media_root) == []

    as_json = client.post(_documents_url(world), {"file": "JVBERi0="}, content_type="application/json")
    assert as_json.status_code == 415

    pdf = SimpleUploadedFile("letter.pdf", samples.tiny_pdf(), content_type="application/octet-stream")
    made = client.post(_documents_url(world), {"file": pdf, "description": "Letter", "visibility": "shared"})
    assert made.status_code == 201, made.content
    document = Document.objects.get()
    body = made.json()
    assert body["content_type"] == "application/pdf" and body["original_filename"] == "letter.pdf"
    assert body["download_url"] == f"/api/v1/documents/{document.pk}/download/"
    assert stored_files(media_root) == [document.storage_key]


def test_the_document_list_and_download(world: World) -> None:
    document = upload(world, description="Letter")
    upload(world, visibility=Visibility.OWN_AGENCY)
    client = token_client(world.police_officer)
    listed = client.get(_documents_url(world)).json()
    assert listed["person"]["full_name"] == "Zephyrine Quillfeather"
    assert [row["id"] for row in listed["results"]] == [str(document.pk)]
    response = client.get(listed["results"][0]["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == samples.tiny_pdf()
    assert (
        AuditEvent.objects.filter(actor=world.police_officer, action="export", object_id=document.pk).count()
        == 1
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/{person}/contacts/",
        "/api/v1/people/{person}/documents/",
        "/api/v1/contacts/{contact}/",
        "/api/v1/documents/{document}/download/",
    ],
)
def test_outsiders_and_made_up_ids_get_not_found(world: World, path: str) -> None:
    contact = record_contact(world)
    document = upload(world)
    url = path.format(person=world.case.person_id, contact=contact.pk, document=document.pk)
    assert token_client(world.police_officer).get(url).status_code == 200
    for outsider in (world.housing_officer, world.stranger, world.admin):
        response = token_client(outsider).get(url)
        assert response.status_code == 404 and b"Quillfeather" not in response.content
    made_up = path.format(person=uuid.uuid4(), contact=uuid.uuid4(), document=uuid.uuid4())
    assert token_client(world.mash).get(made_up).status_code == 404


def test_outsiders_cannot_write(world: World, media_root: Path) -> None:
    contact = record_contact(world)
    client = token_client(world.housing_officer)
    pdf = SimpleUploadedFile("letter.pdf", samples.tiny_pdf())
    assert client.post(_documents_url(world), {"file": pdf}).status_code == 404
    assert (
        _patch(
            client, f"/api/v1/contacts/{contact.pk}/", {"version": 1, "reason": "x", "text": "y"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            _contacts_url(world),
            {"occurred_at": timezone.now().isoformat(), "contact_type": "visit", "text": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert Contact.objects.count() == 1 and not Document.objects.exists() and stored_files(media_root) == []


def test_the_api_has_constant_query_counts(world: World) -> None:
    client = token_client(world.mash)
    contact = record_contact(world)
    document = upload(world)
    # access (person), COUNT, the page of rows (with the person, recorder and agency), audit INSERT
    list_expected = TOKEN_API + 1 + 1 + 1 + 1
    # access (contact with case grant subquery), audit INSERT, its amendments
    detail_expected = TOKEN_API + 1 + 1 + 1
    # access (document), audit INSERT
    download_expected = TOKEN_API + 1 + 1
    urls = {
        _contacts_url(world): list_expected,
        _documents_url(world): list_expected,
        f"/api/v1/contacts/{contact.pk}/": detail_expected,
        f"/api/v1/documents/{document.pk}/download/": download_expected,
    }
    for url, expected in urls.items():
        assert count_queries(client, url) == expected, url
    for number in range(5):
        record_contact(world, text=f"More {number}")
        upload(world)
        _patch(
            client,
            f"/api/v1/contacts/{contact.pk}/",
            {"version": number + 1, "reason": "r", "text": f"v{number}"},
        )
    for url, expected in urls.items():
        assert count_queries(client, url) == expected, url
