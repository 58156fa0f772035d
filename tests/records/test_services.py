"""The records services: a contact keeps the time it happened; it changes only by an amendment with a reason,
which keeps what it said before; own-agency notes stay with their agency; an upload is checked by its bytes and
its size, and a refusal keeps nothing, no file included."""

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import InternalError, transaction
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.chronology.selectors import chronology_events
from cases.models import CaseStatus
from cases.records import services
from cases.records.access import access_contact, access_document, contacts_visible_to, documents_visible_to
from cases.records.models import Contact, ContactAmendment, Document, DocumentType, Visibility
from cases.records.selectors import latest_photo_for
from cases.records.services import ContactData, contact_amend, contact_record
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, NotFound, PermissionRefused
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World
from tests.records import samples
from tests.records.conftest import record_contact, stored_files, upload

pytestmark = pytest.mark.django_db


def _data(contact: Contact, **changes: Any) -> ContactData:
    values = {
        "occurred_at": contact.occurred_at,
        "contact_type": contact.contact_type,
        "present": contact.present,
        "text": contact.text,
        "visibility": contact.visibility,
    }
    return ContactData(**{**values, **changes})


# Contacts


def test_a_contact_keeps_when_it_happened_apart_from_when_it_was_recorded(world: World) -> None:
    happened = timezone.make_aware(datetime(2026, 3, 2, 16, 45))
    with time_machine.travel(timezone.make_aware(datetime(2026, 3, 5, 9, 0)), tick=False):
        contact = record_contact(world, occurred_at=happened, contact_type="phone_call")
    contact.refresh_from_db()
    assert contact.occurred_at == happened
    assert contact.created_at == timezone.make_aware(datetime(2026, 3, 5, 9, 0))
    assert contact.recorded_by == world.mash and contact.recording_agency == world.social_care
    assert contact.person_id == world.case.person_id and contact.case == world.case
    assert contact.version == 1 and not contact.is_amended
    event = AuditEvent.objects.get(object_type="contact", object_id=contact.pk)
    assert event.action == "create" and event.person_ids == [world.case.person_id]


def test_a_contact_in_the_future_is_refused_and_nothing_is_saved(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        record_contact(world, occurred_at=timezone.now() + timedelta(minutes=5))
    assert refused.value.message_dict == {
        "occurred_at": ["The date and time of the contact must be in the past"]
    }
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(object_type="contact").exists()


def test_a_contact_before_the_child_was_born_is_refused(world: World) -> None:
    born = world.case.person.date_of_birth
    assert born == date(2011, 4, 2)
    with pytest.raises(ValidationError) as refused:
        record_contact(world, occurred_at=timezone.make_aware(datetime(2011, 4, 1, 23, 0)))
    assert refused.value.message_dict["occurred_at"] == [
        "The date of the contact must be on or after their date of birth, 2 April 2011"
    ]
    # The day of birth itself is allowed (a contact at the hospital).
    record_contact(world, occurred_at=timezone.make_aware(datetime(2011, 4, 2, 8, 0)))


def test_the_text_is_required_and_every_error_comes_at_once(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        contact_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            data=ContactData(
                occurred_at=timezone.now() + timedelta(days=1), contact_type="party", text="   "
            ),
        )
    assert set(refused.value.message_dict) == {"occurred_at", "contact_type", "text"}
    assert not Contact.objects.exists()


def test_a_closed_case_takes_no_new_contacts(world: World) -> None:
    world.case.status = CaseStatus.CLOSED
    world.case.closed_at = timezone.now()
    world.case.save()
    with pytest.raises(ApplicationError, match="This case is closed"):
        record_contact(world)


def test_a_role_that_does_not_record_cannot_record(world: World) -> None:
    auditor = factories.user(world.social_care, Role.AUDITOR, username="audrey")
    with pytest.raises(PermissionRefused):
        record_contact(world, actor=auditor)


# Visibility


def test_own_agency_notes_are_hidden_from_agencies_that_see_the_case(world: World) -> None:
    shared = record_contact(world, text="Shared with police.")
    own = record_contact(world, text="For social care only.", visibility=Visibility.OWN_AGENCY)
    police_own = record_contact(
        world, actor=world.police_officer, text="Police only.", visibility=Visibility.OWN_AGENCY
    )

    assert set(contacts_visible_to(world.mash)) == {shared, own}
    assert set(contacts_visible_to(world.police_officer)) == {shared, police_own}
    for outsider in (world.housing_officer, world.stranger, world.admin):
        assert not contacts_visible_to(outsider).exists()
    with pytest.raises(NotFound):
        access_contact(world.police_officer, own.pk)
    assert access_contact(world.police_officer, shared.pk) == shared


def test_the_chronology_shows_each_agency_what_it_may_see(world: World) -> None:
    record_contact(world, text="Shared visit.", contact_type="visit")
    record_contact(world, text="Own agency note.", contact_type="note", visibility=Visibility.OWN_AGENCY)
    upload(world, description="School letter")
    upload(world, description="Social care's own", visibility=Visibility.OWN_AGENCY)

    def titles(user: Any) -> list[tuple[str, str, str]]:
        events = chronology_events(user=user, person_id=world.case.person_id, kinds={"contact", "document"})
        assert events is not None
        return sorted((row["kind"], row["title"], row["detail"]) for row in events)

    assert titles(world.police_officer) == [
        ("contact", "Visit", "Shared visit."),
        ("document", "Document added", "School letter"),
    ]
    assert len(titles(world.mash)) == 4
    assert titles(world.housing_officer) == []


# Amendments


def test_an_amendment_needs_a_reason_and_changes_nothing_without_one(world: World) -> None:
    contact = record_contact(world)
    with pytest.raises(ValidationError) as refused:
        contact_amend(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            contact=contact,
            expected_version=1,
            reason="  ",
            data=_data(contact, text="Seen at school."),
        )
    assert refused.value.message_dict == {"reason": ["Enter the reason for the amendment"]}
    contact.refresh_from_db()
    assert contact.text == "Seen at home with her mother." and contact.version == 1
    assert not ContactAmendment.objects.exists()


def test_an_amendment_keeps_the_previous_and_new_text_who_and_why(world: World) -> None:
    contact = record_contact(world)
    later = contact.occurred_at - timedelta(hours=1)
    amendment = contact_amend(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        contact=contact,
        expected_version=1,
        reason="Wrong place and time: it was at school, an hour earlier.",
        data=_data(contact, text="Seen at school.", occurred_at=later),
    )
    contact.refresh_from_db()
    assert contact.text == "Seen at school." and contact.occurred_at == later
    assert contact.version == 2 and contact.is_amended
    assert amendment.amended_by == world.mash and amendment.amended_by_agency == world.social_care
    assert amendment.changes["text"] == {
        "previous": "Seen at home with her mother.",
        "new": "Seen at school.",
    }
    assert set(amendment.changes) == {"text", "occurred_at"}
    event = AuditEvent.objects.get(object_type="contact", object_id=contact.pk, action="update")
    assert event.reason == "Wrong place and time: it was at school, an hour earlier."
    assert event.changes["fields"] == ["occurred_at", "text"]


def test_an_amendment_that_changes_nothing_is_refused(world: World) -> None:
    contact = record_contact(world)
    with pytest.raises(ValidationError) as refused:
        contact_amend(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            contact=contact,
            expected_version=1,
            reason="No reason",
            data=_data(contact, text=contact.text + "  "),  # only whitespace around it
        )
    assert refused.value.messages == ["Change something in the contact, or cancel the amendment"]


def test_a_stale_amendment_is_refused(world: World) -> None:
    contact = record_contact(world)
    contact_amend(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        contact=contact,
        expected_version=1,
        reason="Typo",
        data=_data(contact, text="Seen at home."),
    )
    with pytest.raises(ConcurrentEditError):
        contact_amend(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            contact=contact,
            expected_version=1,
            reason="Another",
            data=_data(contact, text="Overwritten?"),
        )
    contact.refresh_from_db()
    assert contact.text == "Seen at home."


def test_only_the_recording_agency_amends(world: World) -> None:
    contact = record_contact(world)
    with pytest.raises(PermissionRefused, match="Only Northbridge Children's Social Care"):
        contact_amend(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            contact=contact,
            expected_version=1,
            reason="Police think otherwise",
            data=_data(contact, text="Not at home."),
        )


def test_the_database_refuses_to_rewrite_an_amendment(world: World) -> None:
    contact = record_contact(world)
    amendment = contact_amend(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        contact=contact,
        expected_version=1,
        reason="Typo",
        data=_data(contact, text="Seen at home."),
    )
    with pytest.raises(InternalError), transaction.atomic():
        ContactAmendment.objects.filter(pk=amendment.pk).update(reason="Nothing to see")
    with pytest.raises(InternalError), transaction.atomic():
        ContactAmendment.objects.filter(pk=amendment.pk).delete()


# Documents


def test_a_real_tiny_pdf_is_kept_under_a_random_name(world: World, media_root: Path) -> None:
    document = upload(world, name="../Zephyrine's letter.pdf", description=" School letter ")
    document.refresh_from_db()
    assert document.content_type == DocumentType.PDF
    assert document.original_filename == "Zephyrine_s letter.pdf"
    assert document.description == "School letter"
    assert document.size == len(samples.tiny_pdf())
    assert document.storage_key == f"records/documents/{document.pk}"
    assert stored_files(media_root) == [document.storage_key]
    assert (media_root / document.storage_key).read_bytes() == samples.tiny_pdf()
    assert "letter" not in document.storage_key
    event = AuditEvent.objects.get(object_type="document", object_id=document.pk)
    assert event.action == "create" and event.person_ids == [world.case.person_id]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.TEXT_CLAIMING_PDF, "x.pdf"),
        (samples.GIF, "photo.png"),
        (samples.LEGACY_DOC, "minutes.doc"),
        (samples.macro_docm(), "minutes.docx"),
        (b"<script>alert(1)</script>", "page.html"),
    ],
)
def test_a_file_that_is_not_what_is_accepted_is_refused_and_nothing_is_kept(
    world: World, media_root: Path, content: bytes, name: str
) -> None:
    file = ContentFile(content, name=name)
    file.content_type = "application/pdf"  # what the browser claimed: never trusted
    with pytest.raises(ValidationError) as refused:
        services.document_upload(actor=world.mash, context=SYSTEM_CONTEXT, case=world.case, upload=file)
    assert refused.value.message_dict == {
        "file": ["The selected file must be a PDF, PNG, JPEG or Word document"]
    }
    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEvent.objects.filter(object_type="document").exists()


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (samples.tiny_png(), "photo.png", DocumentType.PNG),
        (samples.tiny_jpeg(), "photo.jpg", DocumentType.JPEG),
        (samples.tiny_docx(), "minutes.docx", DocumentType.DOCX),
        (samples.tiny_png(), "misnamed.pdf", DocumentType.PNG),  # kept as what it is
    ],
)
def test_each_accepted_kind_is_kept_as_what_its_bytes_are(
    world: World, content: bytes, name: str, kind: DocumentType
) -> None:
    assert upload(world, content, name=name).content_type == kind


def test_an_oversize_file_is_refused_and_nothing_is_kept(
    world: World, media_root: Path, settings: Any
) -> None:
    settings.RECORDS_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        upload(world, samples.tiny_pdf("x" * 2000))
    assert refused.value.message_dict == {"file": ["The selected file must be smaller than 1KB"]}
    assert not Document.objects.exists() and stored_files(media_root) == []
    settings.RECORDS_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    assert services.max_document_size_label() == "10MB"


def test_an_empty_file_is_refused(world: World, media_root: Path) -> None:
    with pytest.raises(ValidationError, match="The selected file is empty"):
        upload(world, b"")
    assert stored_files(media_root) == []


def test_a_recent_photo_must_be_an_image(world: World, media_root: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        upload(world, is_recent_photo=True)
    assert refused.value.message_dict == {
        "is_recent_photo": ["A recent photo of the child must be a PNG or JPEG image"]
    }
    assert stored_files(media_root) == []


def test_if_the_row_cannot_be_written_the_stored_file_is_removed(
    world: World, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_event_record", fail)
    with pytest.raises(RuntimeError):
        upload(world)
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_own_agency_documents_stay_with_their_agency(world: World) -> None:
    shared = upload(world)
    own = upload(world, visibility=Visibility.OWN_AGENCY)
    assert set(documents_visible_to(world.mash)) == {shared, own}
    assert set(documents_visible_to(world.police_officer)) == {shared}
    with pytest.raises(NotFound):
        access_document(world.police_officer, own.pk)
    for outsider in (world.housing_officer, world.stranger, world.admin):
        assert not documents_visible_to(outsider).exists()


def test_the_latest_photo_is_the_newest_the_reader_may_see(world: World) -> None:
    person_id = world.case.person_id
    assert latest_photo_for(world.mash, person_id) is None
    upload(world, samples.tiny_pdf(), name="not-a-photo.pdf")
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        older = upload(world, samples.tiny_png(), name="older.png", is_recent_photo=True)
    newer = upload(
        world, samples.tiny_jpeg(), name="newer.jpg", is_recent_photo=True, visibility=Visibility.OWN_AGENCY
    )
    assert latest_photo_for(world.mash, person_id) == newer
    assert latest_photo_for(world.police_officer, person_id) == older
    assert latest_photo_for(world.housing_officer, person_id) is None
