"""Contacts, case notes, documents and photos about a child, each on the child's case: whoever may see the case
may see them, unless they are kept to the agency that recorded them (Visibility.OWN_AGENCY).

A contact is never edited in place: an amendment names what changed (previous and new values), why and who, and
the database refuses to rewrite or delete an amendment. A document's bytes live in the `default` storage under a
random name (its key); the name the uploader gave it is kept, cleaned, for display only."""

import pgtrigger
from django.conf import settings
from django.db import models

from cases.models import Case
from safeguarding.common.models import UUIDModel
from safeguarding.organisations.models import Agency
from safeguarding.people.models import Person


class Visibility(models.TextChoices):
    SHARED = "shared", "Agencies the case is shared with"
    OWN_AGENCY = "own_agency", "Only my agency"


class ContactType(models.TextChoices):
    VISIT = "visit", "Visit"
    PHONE_CALL = "phone_call", "Phone call"
    MEETING = "meeting", "Meeting"
    MESSAGE = "message", "Message"
    NOTE = "note", "Case note"
    OTHER = "other", "Other"


class Contact(UUIDModel):
    """A contact with or about the child, or a case note. `occurred_at` is when it happened (not when it was
    typed in, which is `created_at`)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    # The case's person, kept here so a child's contacts are one index range (contact_person_when_idx).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    contact_type = models.CharField(max_length=16, choices=ContactType.choices)
    present = models.TextField("Who was present", max_length=1000, blank=True)
    text = models.TextField("What happened", max_length=20000)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.SHARED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The recorder's agency at the time: an own-agency note stays with it even if the recorder moves.
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Optimistic locking: an amendment names the version it read; 1 until the first amendment.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="contact_version_positive"),
            models.CheckConstraint(condition=~models.Q(text=""), name="contact_text_not_empty"),
            models.CheckConstraint(
                condition=models.Q(contact_type__in=ContactType.values), name="contact_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values), name="contact_visibility_valid"
            ),
        ]
        indexes = [
            # The child's contacts, newest first (records:person, the API list, the chronology).
            models.Index(fields=["person", "-occurred_at"], name="contact_person_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_amended(self) -> bool:
        return self.version > 1


class ContactAmendment(UUIDModel):
    """One amendment of a contact: for each field changed, its previous and new value (as text), and the reason.
    Append-only: the database refuses UPDATE and DELETE."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="amendments")
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(max_length=2000)
    # {"text": {"previous": "...", "new": "..."}, "occurred_at": {...}}: the fields' values as shown on the page.
    changes = models.JSONField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="contact_amendment_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(changes={}), name="contact_amendment_changes_something"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="contact_amendment_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"Amendment of {self.contact_id} at {self.created_at:%Y-%m-%d %H:%M}"


class DocumentType(models.TextChoices):
    """What the content of an upload was found to be (cases/records/files.py), never what it claimed."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG image"
    JPEG = "image/jpeg", "JPEG image"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"


IMAGE_TYPES = (DocumentType.PNG, DocumentType.JPEG)


class Document(UUIDModel):
    """A document or photo about the child. Its bytes are in the `default` storage at `storage_key` (random,
    never the uploader's file name); they are read only through the access-checked download."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    # The uploader's file name, cleaned (cases/records/files.py safe_filename): for display only.
    original_filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, choices=DocumentType.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=200, unique=True)
    is_recent_photo = models.BooleanField(default=False)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.SHARED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploading_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=models.Q(content_type__in=DocumentType.values), name="document_type_allowed"
            ),
            models.CheckConstraint(
                condition=models.Q(is_recent_photo=False) | models.Q(content_type__in=IMAGE_TYPES),
                name="document_recent_photo_is_an_image",
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values), name="document_visibility_valid"
            ),
        ]
        indexes = [
            # The child's documents, newest first (records:person, records:documents, the API, the chronology).
            models.Index(fields=["person", "-created_at"], name="document_person_when_idx"),
            # latest_photo_for: the child's newest recent photo.
            models.Index(
                fields=["person", "-created_at"],
                condition=models.Q(is_recent_photo=True),
                name="document_person_photo_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.description or self.original_filename

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES
