"""The records API: a child's contacts (listed, recorded, amended with a reason) and documents (listed, uploaded
as multipart, downloaded). Every URL authorises through cases/records/access.py first, so anyone the record is
not shared with, and any made-up id, gets 404; every read that shows the child writes one audit row, and a
download is audited as an export. An upload is checked by its bytes, not its name or declared type."""

import uuid
from dataclasses import fields
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.records.access import access_contact, access_document, access_open_case_for_recording
from cases.records.downloads import audit_download, document_file_response
from cases.records.models import Contact, ContactType, Document, DocumentType, Visibility
from cases.records.selectors import (
    CONTACT_SORTS,
    DEFAULT_CONTACT_SORT,
    contact_amendments,
    contact_list,
    document_list,
)
from cases.records.services import ContactData, contact_amend, contact_record, document_upload
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person
from safeguarding.people.models import Person

ERROR_RESPONSES = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors, keyed by field name."),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT, description="You can see it, but your role or agency may not change it."
    ),
    404: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="It does not exist or is not shared with you; or, to record, the child has no open case "
        "you may record on.",
    ),
}


def _context(request: Request) -> AuditContext:
    return AuditContext.from_request(request._request)


class RecordsPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class PageInput(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=RecordsPagination.max_limit, required=False)
    offset = serializers.IntegerField(min_value=0, required=False)


class PersonRefOutput(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    full_name = serializers.CharField()


def _page(
    request: Request, view: APIView, queryset: Any, person: Person, output: type[serializers.Serializer]
) -> tuple[list[Any], dict[str, Any]]:
    paginator = RecordsPagination()
    rows = paginator.paginate_queryset(queryset, request, view=view) or []
    body = {
        "person": PersonRefOutput(person).data,
        "count": paginator.count,
        "next": paginator.get_next_link(),
        "previous": paginator.get_previous_link(),
        "results": output(rows, many=True, context={"request": request}).data,
    }
    return rows, body


# Contacts


class ContactOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = PersonRefOutput()
    case = serializers.UUIDField(source="case_id")
    occurred_at = serializers.DateTimeField(help_text="When the contact happened (not when it was recorded).")
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    present = serializers.CharField(help_text="Who was present.")
    text = serializers.CharField(help_text="What happened.")
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name")
    recording_agency = serializers.UUIDField(source="recording_agency_id")
    recording_agency_name = serializers.CharField(source="recording_agency.name")
    recorded_at = serializers.DateTimeField(source="created_at")
    amended = serializers.BooleanField(source="is_amended")
    version = serializers.IntegerField(
        help_text="Send it back to amend; a stale version is refused with 409."
    )


class ContactAmendmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    amended_at = serializers.DateTimeField(source="created_at")
    amended_by_name = serializers.CharField(source="amended_by.get_full_name")
    amended_by_agency_name = serializers.CharField(source="amended_by_agency.name")
    reason = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text='Each field changed: {"previous": ..., "new": ...}, as the page shows them.',
    )


class ContactDetailOutput(ContactOutput):
    amendments = serializers.SerializerMethodField()

    @extend_schema_field(ContactAmendmentOutput(many=True))
    def get_amendments(self, contact: Contact) -> list[dict[str, Any]]:
        return list(ContactAmendmentOutput(self.context["amendments"], many=True).data)


class ContactPageOutput(serializers.Serializer):
    person = PersonRefOutput()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ContactOutput(many=True)


class ContactFieldsInput(serializers.Serializer):
    occurred_at = serializers.DateTimeField(
        help_text="When the contact happened: not in the future, not before the child's birth."
    )
    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    present = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=20000, help_text="What happened.")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        required=False,
        default=Visibility.SHARED,
        help_text="shared (every agency that sees the case) unless own_agency (yours alone).",
    )


class PersonContactsApi(APIView):
    class ContactListInput(PageInput):
        contact_type = serializers.ChoiceField(choices=ContactType.choices, required=False)
        sort = serializers.ChoiceField(
            choices=list(CONTACT_SORTS), required=False, help_text="Newest first (-occurred) unless told."
        )

    @extend_schema(
        parameters=[ContactListInput],
        responses={200: ContactPageOutput, 400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404]},
        description="The child's contacts and case notes you may see (not other agencies' own-agency notes).",
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        query = self.ContactListInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        contacts = contact_list(
            user=actor,
            person_id=person.pk,
            contact_type=query.validated_data.get("contact_type"),
            sort=query.validated_data.get("sort", DEFAULT_CONTACT_SORT),
        )
        rows, body = _page(request, self, contacts, person, ContactOutput)
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="contact",
            object_id=None,
            person_ids=[person.pk],
            changes={"contacts": len(rows)},
        )
        return Response(body)

    @extend_schema(
        request=ContactFieldsInput,
        responses={201: ContactOutput, **ERROR_RESPONSES},
        description="Records a contact on the child's open case.",
    )
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        case = access_open_case_for_recording(actor, person)
        serializer = ContactFieldsInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = contact_record(
            actor=actor, context=_context(request), case=case, data=ContactData(**serializer.validated_data)
        )
        return Response(ContactOutput(access_contact(actor, contact.pk)).data, status=status.HTTP_201_CREATED)


def _contact_detail(contact: Contact) -> dict[str, Any]:
    return dict(
        ContactDetailOutput(contact, context={"amendments": list(contact_amendments(contact=contact))}).data
    )


class ContactDetailApi(APIView):
    class ContactAmendInput(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="The version you read.")
        reason = serializers.CharField(max_length=2000, help_text="Why it is amended: required.")
        occurred_at = serializers.DateTimeField(required=False)
        contact_type = serializers.ChoiceField(choices=ContactType.choices, required=False)
        present = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        text = serializers.CharField(max_length=20000, required=False)
        visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)

    @extend_schema(responses={200: ContactDetailOutput, 404: ERROR_RESPONSES[404]})
    def get(self, request: Request, contact_id: uuid.UUID) -> Response:
        contact = access_contact(request.user, contact_id)
        audit_read(request, object_type="contact", object_id=contact.pk, person_ids=[contact.person_id])
        return Response(_contact_detail(contact))

    @extend_schema(
        request=ContactAmendInput,
        responses={200: ContactDetailOutput, **ERROR_RESPONSES},
        description="Amends the contact (only the agency that recorded it may): the fields left out keep their "
        "values, and the previous values are kept in the amendment with its reason.",
    )
    def patch(self, request: Request, contact_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        contact = access_contact(actor, contact_id)
        serializer = self.ContactAmendInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = dict(serializer.validated_data)
        version, reason = given.pop("version"), given.pop("reason")
        current = {field.name: getattr(contact, field.name) for field in fields(ContactData)}
        contact_amend(
            actor=actor,
            context=_context(request),
            contact=contact,
            expected_version=version,
            reason=reason,
            data=ContactData(**{**current, **given}),
        )
        return Response(_contact_detail(access_contact(actor, contact_id)))


# Documents


class DocumentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    person = PersonRefOutput()
    case = serializers.UUIDField(source="case_id")
    description = serializers.CharField()
    original_filename = serializers.CharField(help_text="The uploader's file name, cleaned.")
    content_type = serializers.ChoiceField(
        choices=DocumentType.choices, help_text="What the file's bytes were found to be."
    )
    size = serializers.IntegerField(help_text="In bytes.")
    sha256 = serializers.CharField()
    is_recent_photo = serializers.BooleanField(help_text="A recent photo of the child.")
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    uploaded_by_name = serializers.CharField(source="uploaded_by.get_full_name")
    uploading_agency = serializers.UUIDField(source="uploading_agency_id")
    uploading_agency_name = serializers.CharField(source="uploading_agency.name")
    uploaded_at = serializers.DateTimeField(source="created_at")
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document: Document) -> str:
        return reverse("api-v1:document-download", kwargs={"document_id": document.pk})


class DocumentPageOutput(serializers.Serializer):
    person = PersonRefOutput()
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DocumentOutput(many=True)


class PersonDocumentsApi(APIView):
    # Uploads are multipart only: the file is sent as it is, never as text inside JSON.
    parser_classes = [MultiPartParser]

    class DocumentUploadInput(serializers.Serializer):
        file = serializers.FileField(
            help_text="A PDF, PNG, JPEG or Word (.docx) document, checked by its content, within the size limit."
        )
        description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        visibility = serializers.ChoiceField(
            choices=Visibility.choices, required=False, default=Visibility.SHARED
        )
        is_recent_photo = serializers.BooleanField(
            required=False, default=False, help_text="A recent photo of the child (PNG or JPEG only)."
        )

    @extend_schema(
        parameters=[PageInput],
        responses={200: DocumentPageOutput, 400: ERROR_RESPONSES[400], 404: ERROR_RESPONSES[404]},
        description="The child's documents and photos you may see, newest first.",
    )
    def get(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        query = PageInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows, body = _page(
            request, self, document_list(user=actor, person_id=person.pk), person, DocumentOutput
        )
        audit_read(
            request,
            action=AuditAction.LIST,
            object_type="document",
            object_id=None,
            person_ids=[person.pk],
            changes={"documents": len(rows)},
        )
        return Response(body)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadInput},
        responses={201: DocumentOutput, **ERROR_RESPONSES},
        description="Uploads a document or photo to the child's open case. A file whose content is not a PDF, "
        "PNG, JPEG or Word document is refused (400), whatever its name or declared type; nothing is kept.",
    )
    def post(self, request: Request, person_id: uuid.UUID) -> Response:
        actor = request_actor(request)
        person = access_person(actor, person_id)
        case = access_open_case_for_recording(actor, person)
        serializer = self.DocumentUploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = document_upload(
            actor=actor,
            context=_context(request),
            case=case,
            upload=data["file"],
            description=data["description"],
            visibility=data["visibility"],
            is_recent_photo=data["is_recent_photo"],
        )
        return Response(
            DocumentOutput(access_document(actor, document.pk)).data, status=status.HTTP_201_CREATED
        )


class DocumentDownloadApi(APIView):
    @extend_schema(
        responses={
            **{(200, content_type): OpenApiTypes.BINARY for content_type in DocumentType.values},
            404: ERROR_RESPONSES[404],
        },
        description="The document's file, as an attachment of the type its content was found to be. Audited.",
    )
    def get(self, request: Request, document_id: uuid.UUID) -> HttpResponse:
        document = access_document(request.user, document_id)
        response = document_file_response(document)
        audit_download(request, document)
        return response
