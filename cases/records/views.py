"""The child's contacts, case notes, documents and photos: the list, a contact with its amendments, the upload,
and the download, which serves a file only through the access layer (404 to anyone else, a made-up id
included), as an attachment of the type its bytes were found to be, and audits every download."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_read
from cases.records.access import (
    access_contact,
    access_document,
    access_open_case_for_recording,
    may_amend,
    open_case_for_recording,
)
from cases.records.downloads import audit_download, document_file_response
from cases.records.forms import ContactAmendForm, ContactFilterForm, ContactForm, DocumentUploadForm
from cases.records.selectors import DEFAULT_CONTACT_SORT, contact_amendments, contact_list, document_list
from cases.records.services import contact_amend, contact_record, document_upload
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.common.forms import form_errors_from
from safeguarding.common.pagination import paginate
from safeguarding.organisations.access import request_actor
from safeguarding.people.access import access_person

# How many of the newest documents the child's records page shows (all of them are on records:documents).
RECENT_DOCUMENTS = 5


@require_GET
def person_records_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    filters = ContactFilterForm(request.GET or None)
    contact_type = filters.choice("contact_type")
    sort = filters.choice("sort") or DEFAULT_CONTACT_SORT
    context = paginate(
        request, contact_list(user=actor, person_id=person.pk, contact_type=contact_type or None, sort=sort)
    )
    contacts = list(context["page_obj"].object_list)
    documents = list(document_list(user=actor, person_id=person.pk)[: RECENT_DOCUMENTS + 1])
    audit_read(
        request,
        action=AuditAction.LIST,
        object_type="records",
        object_id=person.pk,
        person_ids=[person.pk],
        changes={"contacts": len(contacts), "documents": min(len(documents), RECENT_DOCUMENTS)},
    )
    return render(
        request,
        "records/person.html",
        {
            **context,
            "person": person,
            "contacts": contacts,
            "documents": documents[:RECENT_DOCUMENTS],
            "more_documents": len(documents) > RECENT_DOCUMENTS,
            "filters": filters,
            "contact_type": contact_type,
            "sort": sort,
            "filtered": bool(contact_type),
            "may_record": open_case_for_recording(actor, person) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
def contact_add_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    case = access_open_case_for_recording(request.user, person)
    actor = request_actor(request)
    form = ContactForm(request.POST or None, agency=actor.agency)
    if request.method == "GET":
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_record(
                actor=actor, context=AuditContext.from_request(request), case=case, data=form.contact_data()
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, "The contact has been recorded.")
            return redirect("records:contact", contact_id=contact.pk)
    return render(request, "records/contact_add.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def contact_view(request: HttpRequest, contact_id: uuid.UUID) -> HttpResponse:
    """A contact, its amendments, and (for the agency that recorded it) the form that amends it."""
    contact = access_contact(request.user, contact_id)
    actor = request_actor(request)
    can_amend = may_amend(actor, contact)
    form = None
    if can_amend:
        form = ContactAmendForm(
            request.POST or None,
            initial=ContactAmendForm.initial_for(contact),
            agency=contact.recording_agency,
        )
    if request.method == "POST":
        if form is None:
            raise PermissionRefused(f"Only {contact.recording_agency.name} can amend this contact.")
        if form.is_valid():
            try:
                contact_amend(
                    actor=actor,
                    context=AuditContext.from_request(request),
                    contact=contact,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    data=form.amended_data(contact),
                )
            # ConcurrentEditError is an ApplicationError: a stale amendment is refused, never merged.
            except (ApplicationError, ValidationError) as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "The contact has been amended.")
                return redirect("records:contact", contact_id=contact.pk)
    else:
        audit_read(request, object_type="contact", object_id=contact.pk, person_ids=[contact.person_id])
    return render(
        request,
        "records/contact_detail.html",
        {
            "contact": contact,
            "person": contact.person,
            "amendments": list(contact_amendments(contact=contact)),
            "form": form,
        },
    )


@require_GET
def documents_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    actor = request_actor(request)
    context = paginate(request, document_list(user=actor, person_id=person.pk))
    documents = list(context["page_obj"].object_list)
    audit_read(
        request,
        action=AuditAction.LIST,
        object_type="document",
        object_id=None,
        person_ids=[person.pk],
        changes={"documents": len(documents)},
    )
    return render(
        request,
        "records/documents.html",
        {
            **context,
            "person": person,
            "documents": documents,
            "may_record": open_case_for_recording(actor, person) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
def document_upload_view(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = access_person(request.user, person_id)
    case = access_open_case_for_recording(request.user, person)
    actor = request_actor(request)
    form = DocumentUploadForm(request.POST or None, request.FILES or None, agency=actor.agency)
    if request.method == "GET":
        audit_read(request, object_type="person", object_id=person.pk, person_ids=[person.pk])
    if request.method == "POST" and form.is_valid():
        try:
            document = document_upload(
                actor=actor,
                context=AuditContext.from_request(request),
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data["visibility"],
                is_recent_photo=form.cleaned_data["is_recent_photo"],
            )
        except (ApplicationError, ValidationError) as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"{document.original_filename} has been uploaded.")
            return redirect("records:document", document_id=document.pk)
    return render(request, "records/document_upload.html", {"form": form, "person": person})


@require_GET
def document_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    document = access_document(request.user, document_id)
    audit_read(request, object_type="document", object_id=document.pk, person_ids=[document.person_id])
    return render(request, "records/document_detail.html", {"document": document, "person": document.person})


@require_GET
def document_download_view(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    document = access_document(request.user, document_id)
    response = document_file_response(document)
    audit_download(request, document)
    return response
