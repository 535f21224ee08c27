"""Resident pages (invoices, payment state, receipt, development simulator) and the
providers' notification endpoint. Views orchestrate; services write, selectors read."""

from __future__ import annotations

import io
import logging
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from parvis.core.middleware import CONTENT_SECURITY_POLICY

from . import providers, selectors, services
from .exceptions import (
    BackendNotAllowed,
    NotificationRejected,
    PaymentError,
    ProviderUnavailable,
)
from .models import OPEN_STATUSES, Invoice, Payment, Regie

logger = logging.getLogger(__name__)


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _allow_form_origins(response, origins):
    """The pay form posts to us and we redirect to the provider: browsers check the
    redirect against the page's form-action, so the provider's origin is allowed there."""
    origins = sorted({origin for origin in origins if origin})
    if origins:
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


def _form_origins(regies) -> list[str]:
    origins = []
    for regie in regies:
        try:
            origins.extend(providers.get_provider(regie).form_origins())
        except Exception:  # an unusable backend: the pay button will explain it
            continue
    return origins


def _invoice_rows(invoices, today):
    rows = []
    for invoice in invoices:
        reason = ""
        payable = invoice.status == Invoice.Status.OPEN
        if payable and invoice.is_past_online_deadline(today):
            payable = False
            reason = _(
                "Cette facture a été transmise au Trésor public : réglez-la auprès du service "
                "de gestion comptable."
            )
        elif payable and invoice.held_by_id:
            payable = False
            reason = _("Un paiement de cette facture est en cours.")
        rows.append({"invoice": invoice, "payable": payable, "reason": reason})
    return rows


def _render_invoices(request, *, error: str = "", selected=(), status: int = 200, retry=False):
    today = timezone.localdate()
    invoices = list(selectors.invoices_for_user(request.user))
    open_rows = _invoice_rows([i for i in invoices if i.status == Invoice.Status.OPEN], today)
    paid = [i for i in invoices if i.status == Invoice.Status.PAID]
    selected = {str(pk) for pk in selected}
    context = {
        "open_rows": open_rows,
        "paid_invoices": paid,
        "error": error,
        "selected": selected,
        "retry": retry,
        "payable_count": sum(1 for row in open_rows if row["payable"]),
    }
    response = render(request, "payments/invoices.html", context, status=status)
    regies = {row["invoice"].regie_id: row["invoice"].regie for row in open_rows}
    return _allow_form_origins(response, _form_origins(regies.values()))


@never_cache
@login_required
def invoices(request):
    """The resident's invoices: to pay (one or several at once), paid with receipts."""
    return _render_invoices(request)


def _to_provider(request, result: providers.StartResult, origins):
    if result.kind == "form":
        response = render(request, "payments/provider_form.html", {"result": result})
        return _allow_form_origins(response, origins)
    return HttpResponseRedirect(result.redirect_url)


@never_cache
@login_required
@require_POST
def invoices_pay(request):
    """Pay the checked invoices. The amount is computed on the server from the invoices."""
    raw_ids = request.POST.getlist("invoices")
    ids = [value for value in raw_ids if value.isdigit()]
    if len(ids) != len(raw_ids):
        return _render_invoices(request, error=_("Facture introuvable."), status=400)
    try:
        payment = services.invoice_pay(user=request.user, invoice_ids=ids, ip=_ip(request))
    except PaymentError as error:
        return _render_invoices(request, error=str(error.message), selected=ids, status=400)
    try:
        result = services.payment_start(payment=payment, ip=_ip(request))
    except PaymentError as error:
        return _render_invoices(
            request,
            error=str(error.message),
            selected=ids,
            status=503 if isinstance(error, ProviderUnavailable) else 400,
            retry=True,
        )
    return _to_provider(request, result, _form_origins([payment.regie]))


def _own_payment(request, public_id) -> Payment:
    payment = selectors.payment_for_user(request.user, public_id)
    if payment is None:
        raise Http404
    return payment


@never_cache
@csrf_exempt  # the provider may send the resident back with a POST; nothing changes here
@login_required
@require_http_methods(["GET", "POST", "HEAD"])
def payment_detail(request, public_id):
    """Where the provider sends the resident back: shows the state known by the server
    (asking the provider when still open), never what the browser says."""
    if request.method == "POST":
        return redirect(reverse("payments:detail", args=[public_id]), permanent=False)
    payment = _own_payment(request, public_id)
    if payment.status in OPEN_STATUSES:
        payment = services.payment_check_status(payment=payment)
    context = {
        "payment": payment,
        "receipt": getattr(payment, "receipt", None) if payment.is_paid else None,
        "invoices": list(payment.paid_invoices.all())
        if payment.is_paid
        else list(Invoice.objects.filter(settlements__in=_settlement_ids(payment))),
        "is_open": payment.status in OPEN_STATUSES,
    }
    context.update(_payable_link(payment))
    return render(request, "payments/payment_detail.html", context)


def _payable_link(payment) -> dict:
    """« Retour à … »: the page of what was paid (a booking…), when the payable has one
    (``get_absolute_url``, and ``payment_return_label`` for the link's words)."""
    payable = payment.payable if payment.content_type_id and payment.object_id else None
    url = getattr(payable, "get_absolute_url", None)
    if url is None:
        return {}
    return {
        "back_url": url(),
        "back_label": getattr(payable, "payment_return_label", "") or _("Retour"),
    }


def _settlement_ids(payment):
    content_type = payment.content_type
    if payment.object_id and content_type and content_type.model == "invoicesettlement":
        return [payment.object_id]
    return []


@never_cache
@login_required
def payment_status(request, public_id):
    """The state as JSON, for the page's script that refreshes it while it is open."""
    payment = _own_payment(request, public_id)
    if payment.status in OPEN_STATUSES:
        payment = services.payment_check_status(payment=payment)
    return JsonResponse(
        {"status": payment.status, "open": payment.status in OPEN_STATUSES},
        headers={"Cache-Control": "no-store"},
    )


@never_cache
@login_required
def receipt_download(request, public_id):
    from .pdf import receipt_pdf
    from .tasks import _commune_name

    payment = _own_payment(request, public_id)
    receipt = getattr(payment, "receipt", None) if payment.is_paid else None
    if receipt is None:
        raise Http404
    return FileResponse(
        io.BytesIO(receipt_pdf(receipt, commune_name=_commune_name())),
        as_attachment=True,
        filename=f"quittance-{receipt.number}.pdf",
        content_type="application/pdf",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def simulator(request, public_id):
    """« Simulateur de paiement »: development only (régie on the dummy backend). The
    resident chooses the outcome; the simulator then notifies the site as a bank would."""
    payment = _own_payment(request, public_id)
    if payment.regie.backend != Regie.BACKEND_DUMMY:
        raise Http404
    try:
        providers.get_provider(payment.regie)
    except BackendNotAllowed as error:
        raise Http404 from error
    if request.method == "POST" and payment.status in OPEN_STATUSES:
        outcome = request.POST.get("outcome")
        if outcome in (providers.PAID, providers.FAILED, providers.CANCELLED):
            query = providers.dummy_notification(
                regie=payment.regie, transaction_id=payment.provider_reference, outcome=outcome
            )
            services.payment_handle_notification(
                regie=payment.regie, query_string=query, ip=_ip(request)
            )
            return redirect("payments:detail", public_id=payment.public_id)
    return render(request, "payments/simulator.html", {"payment": payment})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def notification(request, regie_code):
    """The provider's server-to-server notification. Session-free (the provider has no
    session; nothing here reads one) and idempotent; unknown or forged notifications are
    refused with 400 and logged; 503 when the provider cannot be asked (it retries)."""
    regie = Regie.objects.filter(code=regie_code).first()
    if regie is None:
        logger.warning("payments: notification for unknown régie %r", regie_code)
        return HttpResponse("unknown", status=404, content_type="text/plain")
    body = b""
    if request.method == "POST":
        # Form fields whatever the encoding (urlencoded or multipart), else the raw body.
        body = (
            urlencode(list(request.POST.lists()), doseq=True).encode()
            if request.POST
            else request.body
        )
    try:
        _payment, status = services.payment_handle_notification(
            regie=regie,
            query_string=request.META.get("QUERY_STRING", ""),
            body=body,
            method=request.method,
            ip=_ip(request),
        )
    except NotificationRejected:
        return HttpResponse("refused", status=400, content_type="text/plain")
    except ProviderUnavailable:
        return HttpResponse("unavailable", status=503, content_type="text/plain")
    except BackendNotAllowed:
        return HttpResponse("refused", status=400, content_type="text/plain")
    return HttpResponse(status.return_content or "OK", content_type="text/plain")
