"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import path

from cases.records.apis import ContactDetailApi, DocumentDownloadApi, PersonContactsApi, PersonDocumentsApi

urlpatterns = [
    path("people/<uuid:person_id>/contacts/", PersonContactsApi.as_view(), name="person-contact-list"),
    path("contacts/<uuid:contact_id>/", ContactDetailApi.as_view(), name="contact-detail"),
    path("people/<uuid:person_id>/documents/", PersonDocumentsApi.as_view(), name="person-document-list"),
    path("documents/<uuid:document_id>/download/", DocumentDownloadApi.as_view(), name="document-download"),
]
