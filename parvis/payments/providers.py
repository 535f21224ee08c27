"""Payment providers: a base class and the eopayment adapter (eopayment is imported only here).

The provider of a payment is chosen per régie: the régie names an eopayment backend
(``payfip_ws``, ``dummy``, ``paybox``, ``systempayv2``…) and non-secret options (PayFiP
client number); secret options of other backends come from
``settings.PARVIS_PAYMENTS_BACKEND_OPTIONS[regie.code]`` (environment). The class is
chosen by ``settings.PARVIS_PAYMENTS_PROVIDER`` (dotted path).

Contract of every provider: ``start`` never moves money (the resident confirms at the
provider); ``status`` and ``parse_notification`` return a result that the server obtained or
verified itself (a signed message, or a server-side status query) — never what the
browser claims.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .exceptions import (
    BackendNotAllowed,
    NotificationRejected,
    ProviderRefused,
    ProviderUnavailable,
)
from .formatting import decimal_string

logger = logging.getLogger(__name__)

PAID = "paid"
PENDING = "pending"
FAILED = "failed"
CANCELLED = "cancelled"
EXPIRED = "expired"
ERROR = "error"


@dataclass
class StartResult:
    """Where to send the resident: ``redirect_url`` (kind "url") or a form to post."""

    reference: str
    kind: str = "url"
    redirect_url: str = ""
    form_url: str = ""
    form_method: str = "post"
    form_fields: list[tuple[str, str]] = field(default_factory=list)
    idop: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class ProviderStatus:
    """A result the server can trust, for the payment whose provider reference is
    ``reference`` (or ``idop`` for PayFiP)."""

    result: str
    reference: str = ""
    idop: str = ""
    test: bool = False
    data: dict = field(default_factory=dict)
    return_content: str | None = None


class PaymentProvider:
    """Base class. Subclasses talk to one kind of provider for one régie."""

    supports_status_query = False
    supports_online_refund = False

    def __init__(self, regie, options: dict | None = None):
        self.regie = regie
        self.options = dict(options or {})

    def amount_limits(self) -> tuple[int, int | None]:
        """(minimum, maximum) in cents; maximum None means no limit."""
        return 1, None

    def form_origins(self) -> list[str]:
        """Origins the resident's browser is sent to (for the page's form-action policy)."""
        return []

    def start(self, *, payment, return_url: str, notification_url: str) -> StartResult:
        raise NotImplementedError

    def status(self, *, payment) -> ProviderStatus:
        return ProviderStatus(result=PENDING, reference=payment.provider_reference)

    def parse_notification(self, *, query_string: str, body: bytes, method: str) -> ProviderStatus:
        raise NotificationRejected()

    def refund(self, *, payment, amount: int, bank_data: dict) -> dict:
        raise NotImplementedError


def get_provider(regie) -> PaymentProvider:
    cls = import_string(settings.PARVIS_PAYMENTS_PROVIDER)
    options = settings.PARVIS_PAYMENTS_BACKEND_OPTIONS.get(regie.code, {})
    return cls(regie, options)


# --- eopayment ----------------------------------------------------------------------------

_local = threading.local()


def _payfip_client(wsdl_url: str, service_url: str):
    """A PayFiP SOAP client whose calls go to ``service_url`` (the DGFiP when empty).

    eopayment's ``PayFiP(service_url=…)`` stores the URL but zeep posts to the address
    written in the WSDL, so the endpoint is replaced at the transport level. Clients are
    cached per thread (parsing the WSDL costs tens of milliseconds)."""
    import zeep
    from eopayment.payfip_ws import PayFiP

    cache = getattr(_local, "payfip", None)
    if cache is None:
        cache = _local.payfip = {}
    key = (wsdl_url, service_url)
    if key not in cache:

        class _Transport(zeep.Transport):
            def post(self, address, message, headers):
                return super().post(service_url or address, message, headers)

        cache[key] = PayFiP(
            wsdl_url=wsdl_url or None, zeep_client_kwargs={"transport": _Transport()}
        )
    return cache[key]


def _dummy_signature(regie_code: str, transaction_id: str, outcome: str) -> str:
    message = f"parvis-dummy:{regie_code}:{transaction_id}:{outcome}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def dummy_notification(*, regie, transaction_id: str, outcome: str) -> str:
    """The query string the development simulator sends for ``outcome`` (paid, failed,
    cancelled), signed with the site's secret key so that nobody else can forge it."""
    query = {
        "transaction_id": transaction_id,
        "outcome": outcome,
        "signed": "1",
        "sig": _dummy_signature(regie.code, transaction_id, outcome),
    }
    if outcome == PAID:
        query["ok"] = "1"
    return urlencode(query)


class EopaymentProvider(PaymentProvider):
    """Any eopayment backend; ``payfip_ws`` and ``dummy`` get the care they need."""

    def __init__(self, regie, options=None):
        super().__init__(regie, options)
        self.kind = regie.backend
        if self.kind == "dummy" and not settings.PARVIS_PAYMENTS_ALLOW_DUMMY:
            raise BackendNotAllowed()
        import eopayment

        self._eopayment = eopayment
        backend_class = eopayment.get_backend(self.kind)  # raises on an unknown name
        self.supports_status_query = self.kind != "dummy" and hasattr(
            backend_class, "payment_status"
        )
        self.supports_online_refund = self.kind not in ("payfip_ws", "tipi")

    # -- helpers
    def _timeout(self) -> int:
        return settings.PARVIS_PAYMENTS_PROVIDER_TIMEOUT

    def _backend(self, *, return_url: str = "", notification_url: str = ""):
        options = dict(self.options)
        options.setdefault("normal_return_url", return_url or settings.PARVIS_SITE_URL)
        options.setdefault("automatic_return_url", notification_url)
        if self.kind == "payfip_ws":
            options["numcli"] = self.regie.numcli or options.get("numcli", "")
            options["saisie"] = settings.PARVIS_PAYMENTS_PAYFIP_SAISIE
        if self.kind == "dummy":
            options["origin"] = self.regie.name
        payment = self._eopayment.Payment(self.kind, options, logger=logger)
        if self.kind == "payfip_ws":
            payment.backend.payfip = _payfip_client(
                settings.PARVIS_PAYMENTS_PAYFIP_WSDL_URL,
                settings.PARVIS_PAYMENTS_PAYFIP_SERVICE_URL,
            )
        return payment

    def _map(self, response) -> ProviderStatus:
        eop = self._eopayment
        mapping = {
            eop.PAID: PAID,
            eop.ACCEPTED: PENDING,
            eop.RECEIVED: PENDING,
            eop.WAITING: PENDING,
            eop.DENIED: FAILED,
            eop.CANCELLED: CANCELLED,
            eop.EXPIRED: EXPIRED,
        }
        data = {
            "result": eop.STATUS_NAME.get(response.result, str(response.result)),
            "bank_status": str(response.bank_status or ""),
            "order_id": str(response.order_id or ""),
            "transaction_id": str(response.transaction_id or ""),
            "bank_data": _jsonable(response.bank_data),
        }
        return ProviderStatus(
            result=mapping.get(response.result, ERROR),
            reference=str(response.order_id or ""),
            idop=str(response.order_id or "") if self.kind == "payfip_ws" else "",
            test=bool(response.test),
            data=data,
            return_content=response.return_content,
        )

    def _wrap_error(self, error: Exception):
        from eopayment.payfip_ws import PayFiPError

        if isinstance(error, PayFiPError):
            code = str(error.code)
            if code in ("HTTP error", "SOAP error", "Unexpected error", "unknown") or not code:
                return ProviderUnavailable()
            if code.startswith("Cound not"):
                return ProviderUnavailable()
            return ProviderRefused(
                message=None,
            )
        if isinstance(error, ValueError):
            return ProviderRefused()
        return ProviderUnavailable()

    # -- contract
    def amount_limits(self) -> tuple[int, int | None]:
        backend_class = self._eopayment.get_backend(self.kind)
        minimum = getattr(backend_class, "minimal_amount", None)
        maximum = getattr(backend_class, "maximal_amount", None)
        return (
            int(minimum * 100) if minimum else 1,
            int(maximum * 100) if maximum else None,
        )

    def form_origins(self) -> list[str]:
        if self.kind == "dummy":
            return []
        if self.kind == "payfip_ws":
            from eopayment.payfip_ws import PAYMENT_URL

            parts = urlsplit(PAYMENT_URL)
            return [f"{parts.scheme}://{parts.netloc}"]
        return list(self.options.get("form_origins", []))

    def start(self, *, payment, return_url, notification_url) -> StartResult:
        backend = self._backend(return_url=return_url, notification_url=notification_url)
        amount = decimal_string(payment.amount)
        subject = self.regie.object_label or payment.label
        try:
            if self.kind == "payfip_ws":
                year = timezone.localtime(payment.created_at).year
                reference, kind, target = backend.request(
                    amount,
                    email=payment.email,
                    refdet=payment.refdet,
                    exer=str(year),
                    subject=subject,
                    timeout=self._timeout(),
                )
            else:
                reference, kind, target = backend.request(
                    amount, email=payment.email, orderid=payment.refdet, subject=subject
                )
        except Exception as error:  # every backend raises its own errors
            logger.warning(
                "payment %s: provider %s refused start: %r", payment.pk, self.kind, error
            )
            raise self._wrap_error(error) from error
        data = {"kind": kind, "reference": str(reference), "amount": amount}
        if self.kind == "dummy":
            url = reverse("payments:simulator", args=[payment.public_id])
            return StartResult(reference=str(reference), redirect_url=url, data=data)
        if kind == self._eopayment.URL:
            data["url"] = target
            return StartResult(
                reference=str(reference),
                redirect_url=target,
                idop=str(reference) if self.kind == "payfip_ws" else "",
                data=data,
            )
        if kind == self._eopayment.FORM:
            fields = [(f["name"], str(f["value"])) for f in target.fields]
            data["form_url"] = target.url
            return StartResult(
                reference=str(reference),
                kind="form",
                form_url=target.url,
                form_method=(target.method or "post").lower(),
                form_fields=fields,
                data=data,
            )
        raise ProviderRefused()

    def status(self, *, payment) -> ProviderStatus:
        if not self.supports_status_query:
            return ProviderStatus(result=PENDING, reference=payment.provider_reference)
        backend = self._backend()
        reference = payment.idop if self.kind == "payfip_ws" else payment.provider_reference
        kwargs = {"transaction_date": payment.started_at}
        if self.kind == "payfip_ws":
            kwargs["timeout"] = self._timeout()
        try:
            response = backend.payment_status(reference, **kwargs)
        except Exception as error:
            logger.warning("payment %s: status query failed: %r", payment.pk, error)
            raise ProviderUnavailable() from error
        status = self._map(response)
        status.reference = payment.provider_reference
        return status

    def parse_notification(self, *, query_string, body, method) -> ProviderStatus:
        content = query_string
        if method == "POST" and body:
            try:
                content = body.decode()
            except UnicodeDecodeError as error:
                raise NotificationRejected() from error
        backend = self._backend()
        if self.kind == "payfip_ws":
            fields = parse_qs(content)
            idop = (fields.get("idop") or fields.get("idOp") or [""])[0]
            if not idop or len(idop) > 64:
                raise NotificationRejected()
            # eopayment asks PayFiP itself (recupererDetailPaiementSecurise): the
            # notification only says "look at idop".
            try:
                response = backend.backend.payment_status(idop, timeout=self._timeout())
            except Exception as error:
                logger.warning("PayFiP notification for %s: status query failed: %r", idop, error)
                raise ProviderUnavailable() from error
            status = self._map(response)
            status.idop = idop
            return status
        try:
            response = backend.response(content)
        except Exception as error:
            raise NotificationRejected() from error
        if self.kind == "dummy":
            fields = parse_qs(content)
            outcome = (fields.get("outcome") or [""])[0]
            signature = (fields.get("sig") or [""])[0]
            expected = _dummy_signature(self.regie.code, str(response.order_id), outcome)
            if outcome not in (PAID, FAILED, CANCELLED) or not hmac.compare_digest(
                signature, expected
            ):
                raise NotificationRejected()
            status = self._map(response)
            status.result = outcome
            return status
        if not response.signed:
            raise NotificationRejected()
        return self._map(response)

    def refund(self, *, payment, amount, bank_data) -> dict:
        if not self.supports_online_refund:
            raise NotImplementedError
        backend = self._backend()
        try:
            result = backend.cancel(decimal_string(amount), bank_data)
        except NotImplementedError:
            raise
        except Exception as error:
            raise ProviderUnavailable() from error
        return _jsonable(result or {})


def _jsonable(value):
    """Provider data as JSON for the audit trail (zeep objects, lists of bytes…)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_jsonable(v) for v in value]
        return items[0] if len(items) == 1 else items
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
