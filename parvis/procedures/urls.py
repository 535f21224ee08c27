from django.urls import path  # noqa: F401

from .views import requests as request_views

app_name = "procedures"

urlpatterns: list = []

# The requester's pages of a request, and attachments (requester or agents of the service).
urlpatterns += [
    path("suivi/<uuid:public_id>/", request_views.request_detail, name="request"),
    path(
        "suivi/<uuid:public_id>/message/",
        request_views.request_message_send,
        name="request_message",
    ),
    path(
        "suivi/<uuid:public_id>/piece/<int:event_id>/",
        request_views.request_document_add,
        name="request_document",
    ),
    path(
        "suivi/<uuid:public_id>/etat/",
        request_views.request_resident_transition,
        name="request_transition",
    ),
    path("suivi/<uuid:public_id>/recu.pdf", request_views.request_receipt, name="request_receipt"),
    path("suivi/<uuid:public_id>/payer/", request_views.request_pay, name="request_pay"),
    path("pieces/<uuid:public_id>/", request_views.attachment_download, name="attachment"),
]

# The catalogue, a procedure's presentation, its form (pages, check and send) and the staff
# preview of an unpublished form.
from .views import forms as form_views  # noqa: E402

urlpatterns += [
    path("", form_views.procedure_list, name="list"),
    path("apercu/<int:pk>/", form_views.preview, name="preview"),
    path("<slug:slug>/", form_views.procedure_detail, name="detail"),
    path("<slug:slug>/formulaire/", form_views.form_start, name="form_start"),
    path("<slug:slug>/formulaire/<int:page>/", form_views.form_page, name="form_page"),
    path("<slug:slug>/formulaire/verifier/", form_views.form_review, name="form_review"),
    path("<slug:slug>/formulaire/effacer/", form_views.form_discard, name="form_discard"),
    path("<slug:slug>/envoyee/<uuid:public_id>/", form_views.form_done, name="form_done"),
]
