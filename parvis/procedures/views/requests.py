"""The requester's pages of a submitted request (« suivi de ma demande »): status,
answers, timeline, messages, documents asked for, receipt, fee; and the download of
attachments for the requester and for the agents of the request's service.

Who may see a request (:func:`is_requester`):

* a request made from an account: that account only;
* a request made as a guest: whoever has proven its e-mail address
  (:func:`parvis.accounts.email_proof.proven_email`; a signed-in account with that
  verified address counts).

Anyone else gets a 404, the same as for an unknown address, so that nobody learns
whether a request exists by changing an id. A visitor with neither an account nor a
proven address is offered to sign in or to receive a link by e-mail. Internal notes and
assignments never reach these pages (:func:`parvis.procedures.selectors.resident_timeline`).

Views orchestrate: every change goes through :mod:`parvis.procedures.services.requests`.
"""

from __future__ import annotations

import io
import logging

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from parvis.accounts.email_proof import email_proof_url, proven_email
from parvis.accounts.registration import is_email_verified
from parvis.core.services_access import user_works_for

from .. import selectors
from ..exceptions import ProcedureError, SubmissionInvalid, UploadRefused
from ..models import Attachment, Request, RequestEvent, StatusKind, Transition

logger = logging.getLogger(__name__)

#: What a requester may add as a missing document (the upload checks decide by content).
DOCUMENT_ACCEPT = ("pdf", "image")
DOCUMENT_MAX_MB = 10
MESSAGE_MAX = 5000


# --- who is the requester -------------------------------------------------------------------


def is_requester(http_request, obj: Request) -> bool:
    """Whether the visitor of ``http_request`` is the requester of ``obj``."""
    user = http_request.user
    if obj.user_id is not None:
        return user.is_authenticated and user.pk == obj.user_id
    email = proven_email(http_request)
    return bool(email) and email == obj.email.strip().lower()


def _actor(http_request, obj: Request):
    """The account acting as the requester, or ``None`` for a guest (who then acts
    through the proven address)."""
    user = http_request.user
    if not user.is_authenticated:
        return None
    if obj.user_id is not None:
        return user
    if is_email_verified(user) and user.email.strip().lower() == obj.email.strip().lower():
        return user
    return None


def _ip(http_request) -> str | None:
    return http_request.META.get("REMOTE_ADDR")


def _has_identity(http_request) -> bool:
    return http_request.user.is_authenticated or proven_email(http_request) is not None


def _own_request(http_request, public_id) -> Request:
    obj = (
        Request.objects.select_related("procedure", "version", "service", "payment")
        .filter(public_id=public_id, anonymised_at__isnull=True)
        .first()
    )
    if obj is None or not is_requester(http_request, obj):
        raise Http404
    return obj


# --- forms ----------------------------------------------------------------------------------


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Votre message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Le service le reçoit avec votre demande."),
        error_messages={"required": gettext_lazy("Écrivez votre message.")},
    )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier à joindre"),
        error_messages={
            "required": gettext_lazy("Choisissez le fichier à joindre."),
            "empty": gettext_lazy("Le fichier est vide."),
        },
    )

    def __init__(self, *args, event: RequestEvent, **kwargs):
        kwargs.setdefault("prefix", f"piece-{event.pk}")
        super().__init__(*args, **kwargs)
        self.event = event
        field = self.fields["file"]
        field.help_text = _("PDF ou photo (JPEG, PNG ou WebP), %(size)d Mo au plus.") % {
            "size": DOCUMENT_MAX_MB
        }
        field.widget.attrs["accept"] = "application/pdf,image/jpeg,image/png,image/webp"


# --- the request page -----------------------------------------------------------------------


def _status_since(timeline: list[RequestEvent], obj: Request):
    """When the request entered its current status."""
    for event in reversed(timeline):
        if event.kind == RequestEvent.Kind.STATUS and event.to_code == obj.status_code:
            return event.at
    return obj.submitted_at


def _timeline_entries(timeline: list[RequestEvent], labels: dict[str, str]) -> list[dict]:
    entries = []
    for event in timeline:
        entry = {"event": event, "kind": event.kind, "text": event.text, "title": ""}
        if event.kind == RequestEvent.Kind.SUBMITTED:
            entry["title"] = _("Demande déposée")
        elif event.kind == RequestEvent.Kind.STATUS:
            entry["title"] = _("Nouvel état : %(status)s") % {
                "status": labels.get(event.to_code, event.to_code)
            }
        elif event.kind == RequestEvent.Kind.MESSAGE_TO_RESIDENT:
            entry["title"] = _("Message du service")
        elif event.kind == RequestEvent.Kind.MESSAGE_FROM_RESIDENT:
            entry["title"] = _("Votre message")
        elif event.kind == RequestEvent.Kind.DOCUMENT_REQUESTED:
            entry["title"] = _("Pièce demandée")
        elif event.kind == RequestEvent.Kind.DOCUMENT_ADDED:
            entry["title"] = (
                _("Pièce ajoutée par le service") if event.actor_is_agent else _("Pièce ajoutée")
            )
        elif event.kind == RequestEvent.Kind.PAYMENT:
            entry["title"] = _("Paiement")
        else:  # an internal kind never comes here (resident_timeline filters it)
            continue
        entries.append(entry)
    return entries


def _payment_state(obj: Request) -> dict:
    """What the fee block shows: nothing, paid, in progress, or a « Payer » button."""
    from parvis.payments.models import OPEN_STATUSES

    if obj.fee_cents <= 0:
        return {"due": False}
    if obj.paid_at is not None:
        return {"due": True, "paid": True}
    closed = obj.status_kind in (StatusKind.REFUSED, StatusKind.CLOSED)
    in_progress = obj.payment is not None and obj.payment.status in OPEN_STATUSES
    return {
        "due": True,
        "paid": False,
        "in_progress": in_progress,
        "payable": not closed and not in_progress and obj.procedure.regie_id is not None,
        "closed": closed,
    }


def _render_request(
    http_request,
    obj: Request,
    *,
    message_form: MessageForm | None = None,
    document_forms: dict[int, DocumentForm] | None = None,
    error: str = "",
    status: int = 200,
):
    from .. import formspec
    from ..services.requests import transitions_allowed

    timeline = selectors.resident_timeline(obj)
    labels = dict(obj.procedure.statuses.values_list("code", "label"))
    open_documents = [
        event
        for event in timeline
        if event.kind == RequestEvent.Kind.DOCUMENT_REQUESTED and not event.resolved
    ]
    can_act = not obj.is_final
    document_forms = document_forms or {}
    spec = formspec.FormSpec(obj.version.schema)
    transitions = transitions_allowed(request=obj, role=Transition.Role.RESIDENT) if can_act else []
    context = {
        "req": obj,
        "procedure": obj.procedure,
        "status_since": _status_since(timeline, obj),
        "answers": formspec.summary(spec, obj.data or {}),
        "attachments": list(obj.attachments.order_by("created_at", "pk")),
        "timeline": _timeline_entries(timeline, labels),
        "open_documents": [
            {"event": event, "form": document_forms.get(event.pk) or DocumentForm(event=event)}
            for event in open_documents
        ]
        if can_act
        else [],
        "message_form": message_form or MessageForm(),
        "can_act": can_act,
        "transitions": transitions,
        "fee": _payment_state(obj),
        "error": error,
    }
    return render(http_request, "procedures/request.html", context, status=status)


def _access_page(http_request):
    """For a visitor with neither account nor proven address: how to get in. The same page
    whatever the address names, so it tells nothing about the request."""
    next_url = http_request.get_full_path()
    context = {
        "login_url": reverse("accounts:login") + "?" + urlencode({"next": next_url}),
        "proof_url": email_proof_url(next_url),
    }
    return render(http_request, "procedures/request_access.html", context, status=403)


@never_cache
@require_safe
def request_detail(http_request, public_id):
    """The requester's page of a request (« Suivi de ma demande »)."""
    if not _has_identity(http_request):
        return _access_page(http_request)
    obj = _own_request(http_request, public_id)
    return _render_request(http_request, obj)


@never_cache
@require_POST
def request_message_send(http_request, public_id):
    """The requester writes to the service."""
    from ..services.requests import request_message

    obj = _own_request(http_request, public_id)
    form = MessageForm(http_request.POST)
    if form.is_valid():
        try:
            request_message(
                request=obj,
                text=form.cleaned_data["text"],
                actor=_actor(http_request, obj),
                as_role=Transition.Role.RESIDENT,
                proven_email=proven_email(http_request) or "",
                ip=_ip(http_request),
            )
        except SubmissionInvalid as exc:
            for message in exc.errors.get("text", []) or [exc.message]:
                form.add_error("text", message)
        except ProcedureError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(http_request, _("Votre message a été envoyé au service."))
            return redirect("procedures:request", public_id=obj.public_id)
    return _render_request(http_request, obj, message_form=form, status=400)


@never_cache
@require_POST
def request_document_add(http_request, public_id, event_id):
    """The requester gives a document the service asked for."""
    from ..services.requests import request_add_document

    obj = _own_request(http_request, public_id)
    event = RequestEvent.objects.filter(
        pk=event_id,
        request=obj,
        kind=RequestEvent.Kind.DOCUMENT_REQUESTED,
        visible_to_resident=True,
    ).first()
    if event is None:
        raise Http404
    if event.resolved:
        messages.info(http_request, _("Cette pièce a déjà été fournie."))
        return redirect("procedures:request", public_id=obj.public_id)
    form = DocumentForm(http_request.POST, http_request.FILES, event=event)
    if form.is_valid():
        try:
            request_add_document(
                request=obj,
                uploaded_file=form.cleaned_data["file"],
                actor=_actor(http_request, obj),
                requested_event=event,
                proven_email=proven_email(http_request) or "",
                accept=DOCUMENT_ACCEPT,
                max_size_mb=DOCUMENT_MAX_MB,
                ip=_ip(http_request),
            )
        except UploadRefused as exc:
            form.add_error("file", exc.message)
        except ProcedureError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(http_request, _("Merci : la pièce a été transmise au service."))
            return redirect("procedures:request", public_id=obj.public_id)
    return _render_request(http_request, obj, document_forms={event.pk: form}, status=400)


@never_cache
@require_POST
def request_resident_transition(http_request, public_id):
    """A status change the procedure lets the requester make (« J'ai complété ma
    demande »)."""
    from ..services.requests import request_transition

    obj = _own_request(http_request, public_id)
    to_code = (http_request.POST.get("to") or "")[:40]
    try:
        request_transition(
            request=obj,
            to_code=to_code,
            actor=_actor(http_request, obj),
            as_role=Transition.Role.RESIDENT,
            proven_email=proven_email(http_request) or "",
            ip=_ip(http_request),
        )
    except ProcedureError as exc:
        obj.refresh_from_db()
        return _render_request(http_request, obj, error=str(exc.message), status=400)
    messages.success(http_request, _("C'est noté : le service en est informé."))
    return redirect("procedures:request", public_id=obj.public_id)


@never_cache
@require_safe
def request_receipt(http_request, public_id):
    """The PDF receipt of the submission (what was submitted, nothing of the handling)."""
    from ..pdf import request_receipt_pdf
    from ..tasks import commune_name

    obj = _own_request(http_request, public_id)
    response = FileResponse(
        io.BytesIO(request_receipt_pdf(obj, commune_name=commune_name())),
        as_attachment=True,
        filename=f"recepisse-{obj.number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- fee --------------------------------------------------------------------------------------


def _with_form_origins(response, regie):
    """Let the page post to the payment provider (browsers check form-action on the
    redirect of the provider's form)."""
    from parvis.core.middleware import CONTENT_SECURITY_POLICY
    from parvis.payments import providers

    try:
        origins = sorted({o for o in providers.get_provider(regie).form_origins() if o})
    except Exception:  # an unusable backend: the payment start has already said so
        origins = []
    if origins:
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


@never_cache
@require_POST
def request_pay(http_request, public_id):
    """Start the payment of the request's fee (the amount is the one frozen at submission,
    never one sent by the browser)."""
    from ..services.requests import request_start_payment

    obj = _own_request(http_request, public_id)
    try:
        result = request_start_payment(request=obj, ip=_ip(http_request))
    except ProcedureError as exc:
        obj.refresh_from_db()
        return _render_request(http_request, obj, error=str(exc.message), status=400)
    if getattr(result, "kind", "") == "form":
        response = render(http_request, "payments/provider_form.html", {"result": result})
        return _with_form_origins(response, obj.procedure.regie)
    return HttpResponseRedirect(result.redirect_url)


# --- attachments ----------------------------------------------------------------------------


def _agent_may_read(user, obj: Request) -> bool:
    """An agent of the request's service, signed in with the second factor."""
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return False
    return user_works_for(user, obj.service)


@never_cache
@require_safe
def attachment_download(http_request, public_id):
    """An attachment, to its requester or to an agent of the request's service (everybody
    else: 404). Always downloaded (never shown inline), with the content type checked at
    upload, never cached."""
    attachment = (
        Attachment.objects.select_related("request__service", "draft")
        .filter(public_id=public_id)
        .first()
    )
    if attachment is None or not attachment.file:
        raise Http404
    obj = attachment.request
    user = http_request.user
    if obj is not None:
        if obj.anonymised_at is not None:
            raise Http404
        allowed = is_requester(http_request, obj) or _agent_may_read(user, obj)
    else:  # a file given with a draft not submitted yet: its account only
        draft = attachment.draft
        allowed = (
            draft is not None
            and draft.user_id is not None
            and user.is_authenticated
            and draft.user_id == user.pk
        )
    if not allowed:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        logger.warning("procedures: attachment %s has no file", attachment.public_id)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or "piece-jointe",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
