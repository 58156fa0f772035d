"""Writes of the child's contacts, case notes and documents. Each is one durable transaction with its audit row;
the caller has already authorised the case or the record through cases/records/access.py.

A contact keeps the time it happened (`occurred_at`, never in the future nor before the child was born) apart
from the time it was recorded. It changes only by an amendment with a reason, which keeps the previous and the
new values. A document is checked before anything is kept: its size against RECORDS_DOCUMENT_MAX_BYTES and its
bytes against the four accepted kinds (cases/records/files.py), whatever its name or declared type says."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.models import Case, CaseStatus
from cases.records.access import may_record
from cases.records.files import detect_document_type, safe_filename
from cases.records.models import (
    IMAGE_TYPES,
    Contact,
    ContactAmendment,
    ContactType,
    Document,
    Visibility,
)
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.organisations.models import Agency, User
from safeguarding.people.models import Person

DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_TYPE_MESSAGE = "The selected file must be a PDF, PNG, JPEG or Word document"
STORAGE_PREFIX = "records/documents/"


def max_document_bytes() -> int:
    """The largest upload accepted (settings.RECORDS_DOCUMENT_MAX_BYTES, 10 MB unless set)."""
    return int(getattr(settings, "RECORDS_DOCUMENT_MAX_BYTES", DEFAULT_MAX_DOCUMENT_BYTES))


def max_document_size_label() -> str:
    """The limit as GOV.UK writes it: "10MB"."""
    limit = max_document_bytes()
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g}MB"
    return f"{limit / 1024:g}KB"


def _require_recorder(actor: User) -> Agency:
    if not may_record(actor) or actor.agency is None:
        raise PermissionRefused("Your role does not allow you to record contacts or documents.")
    return actor.agency


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ApplicationError("This case is closed. Records can only be added to an open case.")


@dataclass(frozen=True)
class ContactData:
    occurred_at: datetime
    contact_type: str
    text: str
    present: str = ""
    visibility: str = Visibility.SHARED

    def cleaned(self) -> "ContactData":
        return ContactData(
            occurred_at=self.occurred_at,
            contact_type=self.contact_type,
            text=self.text.strip(),
            present=self.present.strip(),
            visibility=self.visibility,
        )


CONTACT_FIELDS = ("occurred_at", "contact_type", "present", "text", "visibility")


def _when_errors(person: Person, occurred_at: datetime) -> dict[str, str]:
    """The time of a contact: not in the future, not before the child's birth (where it is known)."""
    if occurred_at > timezone.now():
        return {"occurred_at": "The date and time of the contact must be in the past"}
    born = person.date_of_birth
    if born is not None and timezone.localtime(occurred_at).date() < born:
        return {
            "occurred_at": "The date of the contact must be on or after their date of birth, "
            f"{date_format(born, 'j F Y')}"
        }
    return {}


def _validated_contact(contact: Contact, errors: dict[str, Any]) -> None:
    """Every error at once (the model's field checks and the rules above), so a form shows them together."""
    try:
        contact.full_clean(exclude=["case", "person", "recorded_by", "recording_agency"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic(durable=True)
def contact_record(*, actor: User, context: AuditContext, case: Case, data: ContactData) -> Contact:
    """A contact with or about the child, or a case note, on the child's open case."""
    agency = _require_recorder(actor)
    _require_open(case)
    data = data.cleaned()
    contact = Contact(
        case=case,
        person_id=case.person_id,
        recorded_by=actor,
        recording_agency=agency,
        occurred_at=data.occurred_at,
        contact_type=data.contact_type,
        present=data.present,
        text=data.text,
        visibility=data.visibility,
    )
    _validated_contact(contact, _when_errors(case.person, data.occurred_at))
    contact.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="contact",
        object_id=contact.pk,
        person_ids=[contact.person_id],
        context=context,
        changes={"contact_type": contact.contact_type, "visibility": contact.visibility},
    )
    return contact


def _shown(field: str, value: Any) -> str:
    """A contact's value as the page shows it, for the amendment's record of what changed."""
    if field == "occurred_at":
        return date_format(timezone.localtime(value), "j F Y H:i")
    if field == "contact_type":
        return str(ContactType(value).label) if value in ContactType.values else str(value)
    if field == "visibility":
        return str(Visibility(value).label) if value in Visibility.values else str(value)
    return str(value)


@transaction.atomic(durable=True)
def contact_amend(
    *,
    actor: User,
    context: AuditContext,
    contact: Contact,
    expected_version: int,
    reason: str,
    data: ContactData,
) -> ContactAmendment:
    """Change a contact, keeping what it said before: one amendment with the reason, the previous and the new
    value of each field changed, who and when. Only the recording agency amends; a stale version is refused."""
    agency = _require_recorder(actor)
    locked = (
        Contact.objects.select_for_update().select_related("person", "recording_agency").get(pk=contact.pk)
    )
    if locked.recording_agency_id != agency.pk:
        raise PermissionRefused(f"Only {locked.recording_agency.name} can amend this contact.")
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "This contact was amended by someone else after you opened it. Your amendment has not been saved. "
            "Open the contact again to see the latest version, then make your amendment.",
            extra={"current_version": locked.version},
        )
    data = data.cleaned()
    reason = reason.strip()
    errors: dict[str, Any] = _when_errors(locked.person, data.occurred_at)
    if not reason:
        errors["reason"] = "Enter the reason for the amendment"
    changes = {
        field: {"previous": _shown(field, getattr(locked, field)), "new": _shown(field, getattr(data, field))}
        for field in CONTACT_FIELDS
        if getattr(locked, field) != getattr(data, field)
    }
    if not changes:
        errors[NON_FIELD_ERRORS] = "Change something in the contact, or cancel the amendment"
    for field in CONTACT_FIELDS:
        setattr(locked, field, getattr(data, field))
    _validated_contact(locked, errors)
    amendment = ContactAmendment(
        contact=locked, amended_by=actor, amended_by_agency=agency, reason=reason, changes=changes
    )
    amendment.full_clean(exclude=["contact", "amended_by", "amended_by_agency"])
    amendment.save(force_insert=True)
    locked.version += 1
    locked.save(update_fields=[*CONTACT_FIELDS, "version", "updated_at"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="contact",
        object_id=locked.pk,
        person_ids=[locked.person_id],
        context=context,
        reason=reason,
        changes={"amendment": str(amendment.pk), "fields": sorted(changes)},
    )
    return amendment


def _digest(upload: File) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def document_upload(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    upload: File,
    description: str = "",
    visibility: str = Visibility.SHARED,
    is_recent_photo: bool = False,
) -> Document:
    """Keep a document or photo on the child's open case. It is checked first (size, then what its bytes
    are); a refusal keeps nothing. Its bytes are stored under a random key, then its row and audit row are
    written in one durable transaction: if that fails, the stored bytes are deleted, so no file is ever left
    without its row (nor a row without its file)."""
    agency = _require_recorder(actor)
    _require_open(case)
    limit = max_document_bytes()
    if (upload.size or 0) > limit:
        raise ValidationError({"file": f"The selected file must be smaller than {max_document_size_label()}"})
    sha256, size = _digest(upload)
    if size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    if size > limit:
        raise ValidationError({"file": f"The selected file must be smaller than {max_document_size_label()}"})
    document_type = detect_document_type(upload)
    if document_type is None:
        raise ValidationError({"file": DOCUMENT_TYPE_MESSAGE})
    if is_recent_photo and document_type not in IMAGE_TYPES:
        raise ValidationError({"is_recent_photo": "A recent photo of the child must be a PNG or JPEG image"})
    document_id = uuid.uuid4()
    document = Document(
        id=document_id,
        case=case,
        person_id=case.person_id,
        description=description.strip(),
        original_filename=safe_filename(upload.name or ""),
        content_type=document_type,
        size=size,
        sha256=sha256,
        storage_key=f"{STORAGE_PREFIX}{document_id}",
        is_recent_photo=is_recent_photo,
        visibility=visibility,
        uploaded_by=actor,
        uploading_agency=agency,
    )
    document.full_clean(exclude=["case", "person", "uploaded_by", "uploading_agency"], validate_unique=False)
    stored = default_storage.save(document.storage_key, upload)
    try:
        with transaction.atomic(durable=True):
            document.storage_key = stored
            document.save(force_insert=True)
            audit_event_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="document",
                object_id=document.pk,
                person_ids=[document.person_id],
                context=context,
                changes={"content_type": document.content_type, "size": size, "visibility": visibility},
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return document
