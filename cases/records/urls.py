from django.urls import path

from cases.records import views

app_name = "records"
urlpatterns = [
    path("<uuid:person_id>/", views.person_records_view, name="person"),
    path("<uuid:person_id>/contacts/add/", views.contact_add_view, name="contact-add"),
    path("<uuid:person_id>/documents/", views.documents_view, name="documents"),
    path("<uuid:person_id>/documents/upload/", views.document_upload_view, name="document-upload"),
    path("contacts/<uuid:contact_id>/", views.contact_view, name="contact"),
    path("documents/<uuid:document_id>/", views.document_view, name="document"),
    path("documents/<uuid:document_id>/download/", views.document_download_view, name="document-download"),
]
