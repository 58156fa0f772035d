"""A document's bytes as a download, for the page and the API alike: served only after the access layer has
found the document (so 404 to anyone else), as an attachment of the type its bytes were found to be, and
audited, each download, as an export of the child's data."""

import logging

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from audits.models import AuditAction
from audits.services import audit_read
from cases.records.files import download_filename
from cases.records.models import Document, DocumentType
from safeguarding.common.errors import NotFound

logger = logging.getLogger(__name__)


def document_file_response(document: Document) -> HttpResponse:
    """The stored bytes as a download: an attachment under a cleaned name, of the type the bytes were found to
    be, never sniffed or rendered by the browser, never cached. NotFound (logged) if the bytes are missing.

    Read whole rather than streamed: uploads are capped (RECORDS_DOCUMENT_MAX_BYTES, 10 MB), and a plain
    response is what every page test (the permission matrix's included) can read."""
    try:
        with default_storage.open(document.storage_key, "rb") as stored:
            content = stored.read()
    except OSError as error:  # FileNotFoundError included
        logger.error("Document %s has no stored file at %s", document.pk, document.storage_key)
        raise NotFound() from error
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Length"] = str(len(content))
    disposition = content_disposition_header(
        as_attachment=True,
        filename=download_filename(document.original_filename, DocumentType(document.content_type)),
    )
    assert disposition is not None  # always, for an attachment
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened in a tab after all, it may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def audit_download(request: HttpRequest, document: Document) -> None:
    """A download takes the child's data out of the system: audited as an export of the document."""
    audit_read(
        request,
        action=AuditAction.EXPORT,
        object_type="document",
        object_id=document.pk,
        person_ids=[document.person_id],
        changes={"download": document.original_filename, "content_type": document.content_type},
    )
