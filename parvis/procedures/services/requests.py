"""Writes of requests: submission, workflow, messages, notes, documents, assignment, fees.

Every function is keyword-only and runs in one transaction; e-mails and SMS leave after
commit (:mod:`parvis.procedures.notifications`); every change is written to the audit log
with the acting user.

Invariants:

* Request numbers (``2026-000123``) come from the :class:`RequestCounter` row of the
  Europe/Paris year, locked until the submission commits: no gap, no duplicate, whatever
  the concurrency (SQLite serialises writers; PostgreSQL waits on the row lock).
* A status changes only along a :class:`Transition` of the request's procedure, made by
  the role it names (agent: works for the request's service; resident: the requester),
  except the automatic moves to « en attente du demandeur » when a document is asked for
  and back to « en cours » when the last one asked for is given.
* Internal notes are stored with ``visible_to_resident=False`` and are never notified.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record
from parvis.core.services_access import services_for_user, user_works_for

from .. import notifications
from ..exceptions import (
    NotPublished,
    ProcedureError,
    ReasonRequired,
    SubmissionInvalid,
    TransitionNotAllowed,
)
from ..models import (
    FINAL_KINDS,
    Attachment,
    Audience,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
    Request,
    RequestCounter,
    RequestEvent,
    StatusKind,
    Transition,
)
from ..storage import private_storage

logger = logging.getLogger(__name__)

AGENT = Transition.Role.AGENT
RESIDENT = Transition.Role.RESIDENT


# --- helpers -------------------------------------------------------------------------------


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _take_number(now: dt.datetime) -> str:
    """The next number of the Europe/Paris year; the counter row stays locked until the
    caller's transaction ends (a rolled-back submission gives its number back)."""
    year = timezone.localtime(now).year
    RequestCounter.objects.bulk_create([RequestCounter(year=year, last=0)], ignore_conflicts=True)
    counter = RequestCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def _initial_status(procedure: Procedure) -> ProcedureStatus:
    statuses = list(procedure.statuses.all())
    if not statuses:
        try:
            from .definitions import procedure_default_workflow
        except ImportError:  # pragma: no cover - the definitions module ships with the app
            procedure_default_workflow = None
        if procedure_default_workflow is not None:
            procedure_default_workflow(procedure)
            statuses = list(procedure.statuses.all())
    for status in statuses:
        if status.kind == StatusKind.RECEIVED:
            return status
    raise ProcedureError(_("Le circuit de traitement de cette démarche n'est pas configuré."))


def _status_of_kind(procedure: Procedure, kind: str) -> ProcedureStatus | None:
    return procedure.statuses.filter(kind=kind).order_by("sort_order", "pk").first()


def _validate(
    version: ProcedureVersion, data: dict, attachments: list[Attachment]
) -> tuple[dict, str, str]:
    """(cleaned values, requester's name, contact phone) from the version's form."""
    from .. import formspec

    spec = formspec.FormSpec(version.schema)
    cleaned = formspec.validate_submission(spec, data, formspec.files_by_key(attachments))
    return cleaned, formspec.requester_name(spec, cleaned), formspec.contact_phone(spec, cleaned)


def _requester_name(user, name_in_form: str) -> str:
    """The account's name, else the one typed in the form's first identity block."""
    name = user.get_full_name().strip() if _is_user(user) else ""
    return (name or (name_in_form or "").strip())[:160]


def _lock(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("procedure", "service")
        .get(pk=request.pk)
    )


def _is_requester(request: Request, actor, proven_email: str = "") -> bool:
    if _is_user(actor):
        if request.user_id is not None:
            return actor.pk == request.user_id
        return actor.email.lower() == request.email.lower() and bool(
            getattr(actor, "email_verified_at", None)
        )
    return bool(proven_email) and proven_email.strip().lower() == request.email.lower()


def _check_agent(request: Request, actor) -> None:
    if not _is_user(actor) or not user_works_for(actor, request.service):
        raise TransitionNotAllowed(_("Vous ne traitez pas les demandes de ce service."))


def _check_resident(request: Request, actor, proven_email: str) -> None:
    if not _is_requester(request, actor, proven_email):
        raise TransitionNotAllowed(_("Seul le demandeur peut faire cela."))


def _set_status(request: Request, status: ProcedureStatus, now: dt.datetime) -> None:
    request.status_code = status.code
    request.status_kind = status.kind
    request.status_label = status.label
    request.closed_at = now if status.kind in FINAL_KINDS else None
    request.save(
        update_fields=["status_code", "status_kind", "status_label", "closed_at", "updated_at"]
    )


def _event(request: Request, kind: str, *, actor=None, actor_is_agent=False, **fields):
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor if _is_user(actor) else None,
        actor_is_agent=actor_is_agent,
        **fields,
    )


def _clean_text(text: str, *, field_message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SubmissionInvalid({"text": [field_message]}, message=field_message)
    return text


# --- submission ----------------------------------------------------------------------------


def request_submit(
    *,
    procedure: Procedure,
    version: ProcedureVersion,
    data: dict,
    attachments: Iterable[Attachment] = (),
    user=None,
    email: str,
    phone: str = "",
    ip: str | None = None,
) -> Request:
    """Submit a request against ``version`` of a published ``procedure``.

    ``data`` is validated again on the server against the version's frozen schema
    (:func:`formspec.validate_submission`; raises :class:`SubmissionInvalid`) and the
    cleaned values are stored. ``attachments`` are rows already checked and stored (by
    :mod:`parvis.procedures.uploads`), not yet linked to a request; they are linked here.
    The request starts in the procedure's first status of kind « reçue », is due
    ``processing_days`` after submission, and the receipt (PDF attached) is e-mailed after
    commit. A procedure with a fee waits for its payment (:func:`request_start_payment`).
    """
    user = user if _is_user(user) else None
    email = (email or (user.email if user else "")).strip()
    if procedure.status != Procedure.Status.PUBLISHED or version.procedure_id != procedure.pk:
        raise NotPublished()
    if procedure.audience == Audience.ACCOUNT and user is None:
        raise ProcedureError(_("Cette démarche demande de se connecter à son compte."))
    if not email:
        raise SubmissionInvalid(
            {"email": [_("Indiquez votre adresse e-mail.")]},
        )
    attachments = list(attachments)
    cleaned, name_in_form, phone_in_form = _validate(version, data, attachments)
    now = timezone.now()
    with transaction.atomic():
        if attachments:
            ids = [attachment.pk for attachment in attachments]
            free = set(
                Attachment.objects.select_for_update()
                .filter(pk__in=ids, request__isnull=True)
                .values_list("pk", flat=True)
            )
            if free != set(ids):
                raise SubmissionInvalid(
                    {
                        "__all__": [
                            _("Une pièce jointe n'est plus disponible : joignez-la à nouveau.")
                        ]
                    }
                )
        status = _initial_status(procedure)
        request = Request.objects.create(
            number=_take_number(now),
            procedure=procedure,
            version=version,
            service_id=procedure.service_id,
            user=user,
            email=email,
            phone=((phone or "").strip() or phone_in_form or "")[:20],
            requester_name=_requester_name(user, name_in_form),
            status_code=status.code,
            status_kind=status.kind,
            status_label=status.label,
            data=cleaned,
            submitted_at=now,
            due_at=now + dt.timedelta(days=procedure.processing_days),
            fee_cents=version.fee_cents,
        )
        if attachments:
            Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(
                request=request, draft=None
            )
        _event(
            request,
            RequestEvent.Kind.SUBMITTED,
            actor=user,
            to_code=status.code,
        )
        audit_log_record(
            actor=user,
            action="procedures.request.submit",
            obj=request,
            data={
                "procedure": procedure.slug,
                "version": version.number,
                "attachments": len(attachments),
                "fee_cents": request.fee_cents,
            },
            ip=ip,
        )
        notifications.request_submitted(request)
    return request


# --- workflow ------------------------------------------------------------------------------


def transitions_allowed(*, request: Request, role: str) -> list[Transition]:
    """The transitions ``role`` may make from the request's current status."""
    return list(
        Transition.objects.filter(
            procedure_id=request.procedure_id, from_code=request.status_code, role=role
        ).order_by("sort_order", "pk")
    )


def request_transition(
    *,
    request: Request,
    to_code: str,
    actor,
    reason: str = "",
    as_role: str = AGENT,
    proven_email: str = "",
    ip: str | None = None,
) -> Request:
    """Move ``request`` to the status ``to_code`` along a transition of its procedure.

    ``as_role`` agent: ``actor`` works for the request's service; resident: ``actor`` is
    the requester (or, for a guest, ``proven_email`` is the request's address). A reason
    is required for a refusal and for transitions marked so (:class:`ReasonRequired`);
    it is sent to the requester. A final status sets ``closed_at`` (cleared on reopening).
    The requester is told of an agent's move when the new status has
    ``notify_resident``."""
    reason = (reason or "").strip()
    with transaction.atomic():
        request = _lock(request)
        if as_role == AGENT:
            _check_agent(request, actor)
        elif as_role == RESIDENT:
            _check_resident(request, actor, proven_email)
        else:
            raise TransitionNotAllowed()
        if request.anonymised_at is not None:
            raise TransitionNotAllowed()
        transition = (
            Transition.objects.filter(
                procedure_id=request.procedure_id,
                from_code=request.status_code,
                to_code=to_code,
                role=as_role,
            )
            .order_by("sort_order", "pk")
            .first()
        )
        status = ProcedureStatus.objects.filter(
            procedure_id=request.procedure_id, code=to_code
        ).first()
        if transition is None or status is None:
            raise TransitionNotAllowed()
        if (transition.reason_required or status.kind == StatusKind.REFUSED) and not reason:
            raise ReasonRequired()
        previous = request.status_code
        now = timezone.now()
        _set_status(request, status, now)
        event = _event(
            request,
            RequestEvent.Kind.STATUS,
            actor=actor,
            actor_is_agent=as_role == AGENT,
            from_code=previous,
            to_code=status.code,
            text=reason,
            at=now,
        )
        audit_log_record(
            actor=actor,
            action="procedures.request.transition",
            obj=request,
            data={"from": previous, "to": status.code, "role": as_role, "reason": reason},
            ip=ip,
        )
        # The requester is not told of their own move; the service reads it in the inbox.
        notifications.event_created(event, notify=status.notify_resident and as_role == AGENT)
    return request


def request_message(
    *,
    request: Request,
    text: str,
    actor,
    as_role: str = AGENT,
    proven_email: str = "",
    ip: str | None = None,
) -> RequestEvent:
    """A message between the service and the requester, shown to both; e-mailed to the
    requester (agent → resident) or to the assigned agent / the service (resident →
    agent)."""
    text = _clean_text(text, field_message=_("Écrivez votre message."))
    with transaction.atomic():
        request = _lock(request)
        if as_role == AGENT:
            _check_agent(request, actor)
            kind = RequestEvent.Kind.MESSAGE_TO_RESIDENT
        elif as_role == RESIDENT:
            _check_resident(request, actor, proven_email)
            kind = RequestEvent.Kind.MESSAGE_FROM_RESIDENT
        else:
            raise TransitionNotAllowed()
        if request.anonymised_at is not None:
            raise TransitionNotAllowed()
        event = _event(request, kind, actor=actor, actor_is_agent=as_role == AGENT, text=text)
        Request.objects.filter(pk=request.pk).update(updated_at=timezone.now())
        audit_log_record(
            actor=actor,
            action="procedures.request.message",
            obj=request,
            data={"role": as_role, "event": event.pk},
            ip=ip,
        )
        notifications.event_created(event)
    return event


def request_note(*, request: Request, text: str, actor, ip: str | None = None) -> RequestEvent:
    """An internal note of the service: never shown, sent or exported to the requester."""
    text = _clean_text(text, field_message=_("Écrivez la note."))
    with transaction.atomic():
        request = _lock(request)
        _check_agent(request, actor)
        event = _event(
            request,
            RequestEvent.Kind.NOTE,
            actor=actor,
            actor_is_agent=True,
            text=text,
            visible_to_resident=False,
        )
        audit_log_record(
            actor=actor,
            action="procedures.request.note",
            obj=request,
            data={"event": event.pk},
            ip=ip,
        )
    return event


def request_ask_document(
    *, request: Request, text: str, actor, ip: str | None = None
) -> RequestEvent:
    """Ask the requester for a document (``text`` says which and why). The request moves
    to the procedure's « en attente du demandeur » status when it has one and the request
    is not closed; the requester is told (one e-mail for both)."""
    text = _clean_text(text, field_message=_("Indiquez la pièce demandée."))
    with transaction.atomic():
        request = _lock(request)
        _check_agent(request, actor)
        if request.is_final or request.anonymised_at is not None:
            raise TransitionNotAllowed(_("Cette demande est close."))
        now = timezone.now()
        waiting = _status_of_kind(request.procedure, StatusKind.WAITING_RESIDENT)
        previous = request.status_code
        if waiting is not None and waiting.code != previous:
            _set_status(request, waiting, now)
            _event(
                request,
                RequestEvent.Kind.STATUS,
                actor=actor,
                actor_is_agent=True,
                from_code=previous,
                to_code=waiting.code,
                at=now,
            )
        event = _event(
            request,
            RequestEvent.Kind.DOCUMENT_REQUESTED,
            actor=actor,
            actor_is_agent=True,
            text=text,
            at=now,
        )
        audit_log_record(
            actor=actor,
            action="procedures.request.ask_document",
            obj=request,
            data={"event": event.pk, "from": previous, "to": request.status_code},
            ip=ip,
        )
        notifications.event_created(event)
    return event


def request_add_document(
    *,
    request: Request,
    uploaded_file,
    actor,
    requested_event: RequestEvent | None = None,
    proven_email: str = "",
    accept: Iterable[str] = ("pdf", "image"),
    max_size_mb: int = 10,
    ip: str | None = None,
) -> Attachment:
    """Add a document to ``request``, checked by content and size
    (:func:`parvis.procedures.uploads.check_upload`; raises :class:`UploadRefused`) and
    stored on the private storage (the file is deleted again if the transaction fails).

    ``actor`` is an agent of the service or the requester (a guest: ``proven_email``).
    The document answers ``requested_event`` (or else the oldest document still asked
    for); once none is left unanswered, a request waiting for the resident moves back to
    « en cours ». The service is told when the requester adds a document."""
    from ..uploads import attachment_store, check_upload

    stored: list[str] = []
    try:
        with transaction.atomic():
            request = _lock(request)
            by_agent = _is_user(actor) and user_works_for(actor, request.service)
            if not by_agent:
                _check_resident(request, actor, proven_email)
            if request.is_final or request.anonymised_at is not None:
                raise TransitionNotAllowed(_("Cette demande est close."))
            if requested_event is not None and (
                requested_event.request_id != request.pk
                or requested_event.kind != RequestEvent.Kind.DOCUMENT_REQUESTED
            ):
                raise TransitionNotAllowed()
            content_type, sha256 = check_upload(
                uploaded_file, accept=list(accept), max_size_mb=max_size_mb
            )
            attachment = attachment_store(
                uploaded_file=uploaded_file,
                content_type=content_type,
                sha256=sha256,
                request=request,
                user=actor,
                by_agent=by_agent,
            )
            stored.append(attachment.file.name)
            name = attachment.original_name
            open_requests = RequestEvent.objects.filter(
                request=request, kind=RequestEvent.Kind.DOCUMENT_REQUESTED, resolved=False
            )
            answered = requested_event.pk if requested_event is not None else None
            if answered is None:
                answered = open_requests.order_by("at", "pk").values_list("pk", flat=True).first()
            if answered is not None:
                RequestEvent.objects.filter(pk=answered).update(resolved=True)
            now = timezone.now()
            event = _event(
                request,
                RequestEvent.Kind.DOCUMENT_ADDED,
                actor=actor,
                actor_is_agent=by_agent,
                attachment=attachment,
                text=name,
                at=now,
            )
            previous = request.status_code
            if request.status_kind == StatusKind.WAITING_RESIDENT and not open_requests.exists():
                in_progress = _status_of_kind(request.procedure, StatusKind.IN_PROGRESS)
                if in_progress is not None:
                    _set_status(request, in_progress, now)
                    _event(
                        request,
                        RequestEvent.Kind.STATUS,
                        actor=actor,
                        actor_is_agent=by_agent,
                        from_code=previous,
                        to_code=in_progress.code,
                        at=now,
                    )
            audit_log_record(
                actor=actor,
                action="procedures.request.add_document",
                obj=request,
                data={
                    "attachment": str(attachment.public_id),
                    "answers": answered,
                    "size": attachment.size,
                    "content_type": content_type,
                    "by_agent": by_agent,
                    "from": previous,
                    "to": request.status_code,
                },
                ip=ip,
            )
            notifications.event_created(event)
    except BaseException:
        for path in stored:
            private_storage().delete(path)
        raise
    return attachment


def request_assign(
    *, requests: Iterable[Request], agent, actor, ip: str | None = None
) -> list[Request]:
    """Give ``requests`` to ``agent`` (``None``: to nobody). The actor and the agent must
    work for the service of every request, or nothing changes. Internal: the requester
    is not told."""
    ids = [request.pk for request in requests]
    if not ids:
        return []
    with transaction.atomic():
        locked = list(
            Request.objects.select_for_update(of=("self",))
            .select_related("service")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(set(ids)):
            raise TransitionNotAllowed(_("Demande introuvable."))
        allowed = (
            set(services_for_user(actor).values_list("pk", flat=True)) if _is_user(actor) else set()
        )
        agent_services = (
            set(services_for_user(agent).values_list("pk", flat=True))
            if agent is not None
            else None
        )
        for request in locked:
            if request.service_id not in allowed:
                raise TransitionNotAllowed(_("Vous ne traitez pas les demandes de ce service."))
            if agent_services is not None and request.service_id not in agent_services:
                raise TransitionNotAllowed(
                    _("%(agent)s ne travaille pas pour le service de la demande %(number)s.")
                    % {"agent": agent.get_full_name() or agent.email, "number": request.number}
                )
        changed = [r for r in locked if r.assigned_to_id != (agent.pk if agent else None)]
        now = timezone.now()
        Request.objects.filter(pk__in=[r.pk for r in changed]).update(
            assigned_to=agent, updated_at=now
        )
        RequestEvent.objects.bulk_create(
            [
                RequestEvent(
                    request=request,
                    kind=RequestEvent.Kind.ASSIGNED,
                    actor=actor,
                    actor_is_agent=True,
                    text=(agent.get_full_name() or agent.email) if agent else "",
                    visible_to_resident=False,
                    at=now,
                )
                for request in changed
            ]
        )
        for request in changed:
            audit_log_record(
                actor=actor,
                action="procedures.request.assign",
                obj=request,
                data={"from": request.assigned_to_id, "to": agent.pk if agent else None},
                ip=ip,
            )
            request.assigned_to = agent
    return locked


# --- fees ----------------------------------------------------------------------------------


def request_start_payment(*, request: Request, ip: str | None = None):
    """Create the payment of a request's fee and start it at the provider; returns the
    provider's ``StartResult`` (where to send the resident).

    Never moves money: the resident confirms at the provider. Refused when there is
    nothing to pay, when the procedure has no régie, or while an earlier payment of the
    request is still open (its state is checked first). The amount is the fee frozen at
    submission, never one sent by the browser."""
    from parvis.payments.models import OPEN_STATUSES
    from parvis.payments.services import payment_check_status, payment_create, payment_start

    request = Request.objects.select_related("procedure__regie", "payment").get(pk=request.pk)
    if request.payment is not None and request.payment.status in OPEN_STATUSES:
        payment_check_status(payment=request.payment, force=True)
    with transaction.atomic():
        request = (
            Request.objects.select_for_update(of=("self",))
            .select_related("procedure__regie", "payment", "user")
            .get(pk=request.pk)
        )
        if request.fee_cents <= 0 or request.paid_at is not None:
            raise ProcedureError(_("Il n'y a rien à payer pour cette demande."))
        if request.anonymised_at is not None or request.status_kind in (
            StatusKind.REFUSED,
            StatusKind.CLOSED,
        ):
            raise ProcedureError(_("Cette demande est close."))
        regie = request.procedure.regie
        if regie is None or not regie.is_active:
            raise ProcedureError(_("Le paiement en ligne de cette démarche est indisponible."))
        if request.payment is not None and request.payment.status in OPEN_STATUSES:
            raise ProcedureError(
                _("Un paiement est déjà en cours. Consultez son état avant de payer à nouveau.")
            )
        payment = payment_create(
            regie=regie,
            amount=request.fee_cents,
            label=_("Demande %(number)s — %(procedure)s")
            % {"number": request.number, "procedure": request.procedure.title},
            payable=request,
            user=request.user,
            email=request.email,
            payer_name=request.requester_name,
        )
        request.payment = payment
        request.save(update_fields=["payment", "updated_at"])
        audit_log_record(
            actor=request.user,
            action="procedures.request.payment_start",
            obj=request,
            data={"payment": payment.pk, "amount": payment.amount},
            ip=ip,
        )
    try:
        return payment_start(payment=payment, ip=ip)
    except Exception as error:
        from parvis.payments.exceptions import PaymentError

        if isinstance(error, PaymentError):
            raise ProcedureError(getattr(error, "message", None) or str(error)) from error
        raise


def on_payment_paid(sender, payment, payable, **kwargs) -> None:
    """Receiver of ``payment_paid`` for requests: record the payment once (inside the
    payment's transaction)."""
    if not isinstance(payable, Request):
        return
    request = Request.objects.select_for_update(of=("self",)).get(pk=payable.pk)
    if request.paid_at is not None:
        return
    now = timezone.now()
    request.paid_at = payment.paid_at or now
    request.payment = payment
    request.save(update_fields=["paid_at", "payment", "updated_at"])
    from parvis.payments.formatting import euros

    _event(
        request,
        RequestEvent.Kind.PAYMENT,
        actor=payment.user,
        text=_("Frais payés : %(amount)s") % {"amount": euros(payment.amount)},
        at=now,
    )
    audit_log_record(
        actor=payment.user,
        action="procedures.request.paid",
        obj=request,
        data={"payment": payment.pk, "amount": payment.amount},
    )


def on_payment_released(sender, payment, payable, status, **kwargs) -> None:
    """Receiver of ``payment_released``: the request stays unpaid (« en attente de
    paiement ») and can be paid again."""
    if not isinstance(payable, Request):
        return
    Request.objects.filter(pk=payable.pk, payment_id=payment.pk, paid_at__isnull=True).update(
        payment=None, updated_at=timezone.now()
    )
    audit_log_record(
        actor=None,
        action="procedures.request.payment_released",
        obj=payable,
        data={"payment": payment.pk, "status": status},
    )
