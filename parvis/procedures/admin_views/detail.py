"""A request's page for agents: answers, attachments, timeline (internal notes marked) and
the actions (status change with reason, message to the requester, internal note, document
asked for or added, assignment). Every action goes through
:mod:`parvis.procedures.services.requests` (audit log, notifications)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..exceptions import ProcedureError, ReasonRequired, SubmissionInvalid
from ..models import RequestEvent, Transition
from ..pdf import answers_summary
from ..services import requests as services
from .access import CHANGE_REQUEST, request_or_404
from .forms import AssignForm, DocumentForm, TextForm, TransitionForm

ACTIONS = ("transition", "message", "note", "ask_document", "assign", "add_document")


def _ip(request):
    return request.META.get("REMOTE_ADDR")


def attachment_url(attachment) -> str:
    """The download address (checked view of the resident side), or "" while it does not
    exist."""
    try:
        return reverse("procedures:attachment", args=[attachment.public_id])
    except NoReverseMatch:
        return ""


def _forms(request_obj, data=None, files=None, action=None):
    """The action forms; only the one of ``action`` is bound to the POST."""
    statuses = list(request_obj.procedure.statuses.all())

    def bound(name):
        return data if action == name else None

    return {
        "transition": TransitionForm(
            bound("transition"),
            prefix="transition",
            transitions=allowed_transitions(request_obj),
            statuses=statuses,
        ),
        "message": TextForm(bound("message"), prefix="message", label=_("Message au demandeur")),
        "note": TextForm(
            bound("note"), prefix="note", label=_("Note interne (jamais visible du demandeur)")
        ),
        "ask_document": TextForm(
            bound("ask_document"),
            prefix="ask_document",
            label=_("Pièce demandée (ce qu'il faut fournir et pourquoi)"),
        ),
        "assign": AssignForm(
            bound("assign"),
            prefix="assign",
            service=request_obj.service,
            initial={"agent": request_obj.assigned_to_id},
        ),
        "add_document": DocumentForm(
            bound("add_document"),
            files if action == "add_document" else None,
            prefix="add_document",
        ),
    }


def allowed_transitions(request_obj) -> list[Transition]:
    if request_obj.anonymised_at is not None:
        return []
    return services.transitions_allowed(request=request_obj, role=Transition.Role.AGENT)


def _apply(http_request, request_obj, action, form):
    user, ip = http_request.user, _ip(http_request)
    data = form.cleaned_data
    if action == "transition":
        services.request_transition(
            request=request_obj,
            to_code=data["to_code"],
            actor=user,
            reason=data.get("reason", ""),
            as_role=Transition.Role.AGENT,
            ip=ip,
        )
        return _("État de la demande modifié.")
    if action == "message":
        services.request_message(request=request_obj, text=data["text"], actor=user, ip=ip)
        return _("Message envoyé au demandeur.")
    if action == "note":
        services.request_note(request=request_obj, text=data["text"], actor=user, ip=ip)
        return _("Note interne ajoutée.")
    if action == "ask_document":
        services.request_ask_document(request=request_obj, text=data["text"], actor=user, ip=ip)
        return _("Pièce demandée au demandeur.")
    if action == "assign":
        agent = data["agent"]
        services.request_assign(requests=[request_obj], agent=agent, actor=user, ip=ip)
        return _("Agent chargé modifié.")
    if action == "add_document":
        services.request_add_document(
            request=request_obj, uploaded_file=data["file"], actor=user, ip=ip
        )
        return _("Pièce ajoutée.")
    raise ProcedureError()


def request_detail(request, pk):
    request_obj = request_or_404(request.user, pk)
    can_change = request.user.has_perm(CHANGE_REQUEST)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None:
        if not can_change or action not in ACTIONS:
            raise PermissionDenied
        forms = _forms(request_obj, request.POST, request.FILES, action)
        form = forms[action]
        if form.is_valid():
            try:
                message = _apply(request, request_obj, action, form)
            except ReasonRequired as error:
                form.add_error("reason" if "reason" in form.fields else None, error.message)
            except SubmissionInvalid as error:
                for key, errors in error.errors.items():
                    for text in errors:
                        form.add_error(key if key in form.fields else None, text)
            except ProcedureError as error:
                form.add_error("file" if "file" in form.fields else None, error.message)
            else:
                messages.success(request, message)
                return redirect(reverse("procedures_admin:detail", args=[request_obj.pk]))
    else:
        forms = _forms(request_obj)
    timeline = selectors.agent_timeline(request_obj)
    status_labels = {status.code: status.label for status in request_obj.procedure.statuses.all()}
    attachments = [(item, attachment_url(item)) for item in request_obj.attachments.all()]
    context = {
        "item": request_obj,
        "summary": answers_summary(request_obj),
        "attachments": attachments,
        "timeline": [
            (
                event,
                status_labels.get(event.from_code, event.from_code),
                status_labels.get(event.to_code, event.to_code),
                attachment_url(event.attachment) if event.attachment_id else "",
            )
            for event in timeline
        ],
        "open_documents": [
            event
            for event in timeline
            if event.kind == RequestEvent.Kind.DOCUMENT_REQUESTED and not event.resolved
        ],
        "forms": forms,
        "active_action": action,
        "can_change": can_change and request_obj.anonymised_at is None,
        "overdue": request_obj.is_overdue,
        "awaiting_payment": selectors.awaiting_payment(request_obj),
        "now": timezone.now(),
        "inbox_url": reverse("procedures_admin:inbox"),
    }
    return TemplateResponse(request, "procedures/admin/request_detail.html", context)
