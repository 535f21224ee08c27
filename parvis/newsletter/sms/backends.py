"""SMS backends, shaped like Django's mail backends.

``get_backend()`` builds the backend named by ``settings.PARVIS_SMS_BACKEND`` (a dotted
path). Every backend answers :meth:`BaseSmsBackend.send_messages` with one
:class:`SmsResult` per message, in the same order, and never raises for a provider's
refusal or a network fault: the sending engine reads ``ok`` and ``temporary``:

- ``ok``: the provider accepted the message (``provider_id`` is its reference);
- ``temporary``: not sent, may be retried later (HTTP 429, 5xx, timeout, network down);
- neither: refused for good (HTTP 4xx, invalid number, unreadable answer to a request
  the provider may have executed: retrying it could send the message twice).

Vendor-specific code lives in its own module (:mod:`parvis.newsletter.sms.ovh`).
"""

from __future__ import annotations

import http.client
import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    """One SMS to one mobile number in E.164 (``+33612345678``)."""

    to: str
    text: str
    sender: str = ""
    reference: str = ""  # our own reference (e.g. the delivery id), sent when supported


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    provider_id: str = ""
    error: str = ""
    temporary: bool = False


@dataclass(frozen=True)
class InboundSms:
    """An SMS received from a resident (a reply such as « STOP »)."""

    sender: str
    text: str
    raw: dict = field(default_factory=dict)


class InboundRejected(Exception):
    """The inbound request cannot be read (missing sender or text)."""


class BaseSmsBackend:
    """Base of every SMS backend.

    ``fail_silently`` has Django's meaning: when true, an unexpected exception while
    sending (a bug, a missing setting) is logged and reported as a failed result instead
    of being raised. Provider refusals and network faults are always results.
    """

    def __init__(self, fail_silently: bool = False, **kwargs):
        self.fail_silently = fail_silently
        self.sender = kwargs.get("sender") or settings.PARVIS_SMS_SENDER

    def send_messages(self, messages: list[SmsMessage]) -> list[SmsResult]:
        results = []
        for message in messages:
            if not message.sender and self.sender:
                message = SmsMessage(message.to, message.text, self.sender, message.reference)
            try:
                results.append(self.send_one(message))
            except Exception as error:
                if not self.fail_silently:
                    raise
                logger.exception("SMS backend failure")
                results.append(SmsResult(ok=False, error=str(error), temporary=True))
        return results

    def send_one(self, message: SmsMessage) -> SmsResult:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def parse_inbound(cls, request) -> InboundSms:
        """Read an inbound SMS from the provider's webhook request.

        Default format (the generic HTTP provider): a JSON body or form fields
        ``from`` (or ``sender``) and ``text`` (or ``message``).
        """
        data: dict = {}
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except ValueError as error:
                raise InboundRejected("invalid JSON") from error
            if not isinstance(data, dict):
                raise InboundRejected("JSON object expected")
        else:
            data = {**request.GET.dict(), **request.POST.dict()}
        sender = str(data.get("from") or data.get("sender") or "").strip()
        text = str(data.get("text") or data.get("message") or "")
        if not sender:
            raise InboundRejected("no sender")
        return InboundSms(sender=sender, text=text, raw=data)


def get_backend(path: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(path or settings.PARVIS_SMS_BACKEND)(**kwargs)


class ConsoleBackend(BaseSmsBackend):
    """Writes each SMS to standard output (development)."""

    stream = None

    def send_one(self, message):
        stream = self.stream or sys.stdout
        stream.write(f"SMS from {message.sender} to {message.to}\n{message.text}\n{'-' * 40}\n")
        stream.flush()
        return SmsResult(ok=True, provider_id=f"console-{id(message):x}")


class FileBackend(BaseSmsBackend):
    """Appends each SMS to a file of ``PARVIS_SMS_FILE_PATH`` (default ``var/sms``), one
    file per backend instance, like Django's file mail backend."""

    def __init__(self, fail_silently=False, file_path=None, **kwargs):
        super().__init__(fail_silently, **kwargs)
        directory = Path(
            file_path
            or getattr(settings, "PARVIS_SMS_FILE_PATH", "")
            or Path(settings.BASE_DIR) / "var" / "sms"
        )
        directory.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        self.path = directory / f"{stamp}-{id(self):x}.log"
        self._lock = threading.Lock()

    def send_one(self, message):
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(
                f"From: {message.sender}\nTo: {message.to}\nReference: {message.reference}\n\n"
                f"{message.text}\n{'-' * 40}\n"
            )
        return SmsResult(ok=True, provider_id=f"file-{id(message):x}")


class LocmemBackend(BaseSmsBackend):
    """Keeps messages in ``parvis.newsletter.sms.outbox`` (tests), like ``mail.outbox``.

    Tests may script answers: each result put in ``parvis.newsletter.sms.scripted_results``
    is returned (and removed) for the next message instead of a success; a scripted
    failure does not reach the outbox.
    """

    def send_one(self, message):
        from parvis.newsletter import sms

        with sms.outbox_lock:
            scripted = sms.scripted_results.pop(0) if sms.scripted_results else None
            if scripted is not None and not scripted.ok:
                return scripted
            sms.outbox.append(message)
            number = len(sms.outbox)
        return scripted or SmsResult(ok=True, provider_id=f"locmem-{number}")


# --- HTTP providers ---------------------------------------------------------------------


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class ProviderUnreachable(Exception):
    """No HTTP answer: timeout, connection refused, DNS failure."""


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpAnswer:
    """POST and return the answer whatever its status; raise ProviderUnreachable when
    there is none."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpAnswer(response.status, response.read())
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read() or b"")
    except (
        urllib.error.URLError,
        TimeoutError,
        ConnectionError,
        http.client.HTTPException,
    ) as error:
        raise ProviderUnreachable(str(getattr(error, "reason", error))) from error


def error_result(answer: HttpAnswer, detail: str = "") -> SmsResult:
    """Classify a non-2xx answer: 429 and 5xx are temporary, other 4xx permanent."""
    temporary = answer.status == 429 or answer.status >= 500
    text = detail or answer.body[:300].decode("utf-8", "replace")
    return SmsResult(ok=False, error=f"HTTP {answer.status}: {text}".strip(), temporary=temporary)


class HttpBackend(BaseSmsBackend):
    """Common ground of the HTTP providers: URL, key, secret and timeout from settings."""

    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently, **kwargs)
        self.url = kwargs.get("url") or settings.PARVIS_SMS_PROVIDER_URL
        self.key = kwargs.get("key") or settings.PARVIS_SMS_PROVIDER_KEY
        self.secret = kwargs.get("secret") or settings.PARVIS_SMS_PROVIDER_SECRET
        self.timeout = kwargs.get("timeout") or getattr(settings, "PARVIS_SMS_PROVIDER_TIMEOUT", 10)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        return http_post(url, body, headers, self.timeout)

    def send_one(self, message):
        try:
            return self.send_http(message)
        except ProviderUnreachable as error:
            return SmsResult(ok=False, error=f"provider unreachable: {error}", temporary=True)

    def send_http(self, message: SmsMessage) -> SmsResult:  # pragma: no cover - abstract
        raise NotImplementedError


class GenericHttpBackend(HttpBackend):
    """A provider (or an in-house gateway) speaking a minimal JSON protocol.

    Request, one per message::

        POST {PARVIS_SMS_PROVIDER_URL}
        Authorization: Bearer {PARVIS_SMS_PROVIDER_KEY}
        Content-Type: application/json
        {"to": "+33639980000", "text": "…", "sender": "MAIRIE", "reference": "delivery-42"}

    Answer: any 2xx with a JSON object holding the provider's ``id`` of the message.
    429 and 5xx mean "try again later", other 4xx "refused" (``error`` is kept).

    Inbound SMS (replies such as STOP) are POSTed to ``/lettre/sms/entrant/generic/`` as
    JSON ``{"from": "+33639980000", "text": "STOP"}``.
    """

    def send_http(self, message):
        body = json.dumps(
            {
                "to": message.to,
                "text": message.text,
                "sender": message.sender,
                "reference": message.reference,
            }
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.key}",
        }
        answer = self.post(self.url, body, headers)
        if not 200 <= answer.status < 300:
            return error_result(answer)
        try:
            provider_id = str(answer.json()["id"])
        except (ValueError, KeyError, TypeError):
            return SmsResult(
                ok=False,
                error=f"unreadable answer (the message may have been sent): {answer.body[:200]!r}",
            )
        return SmsResult(ok=True, provider_id=provider_id)
