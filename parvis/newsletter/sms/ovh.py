"""OVHcloud SMS (a French provider), through its REST API v1.

Settings::

    PARVIS_SMS_BACKEND=parvis.newsletter.sms.ovh.OvhBackend
    PARVIS_SMS_PROVIDER_URL=https://eu.api.ovh.com/1.0      # API root (default)
    PARVIS_SMS_PROVIDER_KEY=<application key>
    PARVIS_SMS_PROVIDER_SECRET=<application secret>
    PARVIS_SMS_OVH_CONSUMER_KEY=<consumer key>   # token allowed POST /sms/*/jobs
    PARVIS_SMS_OVH_SERVICE=sms-ab12345-1         # the SMS account

Each message is one ``POST /sms/{service}/jobs`` signed as OVHcloud requires:
``X-Ovh-Signature: "$1$" + sha1(secret+consumer+METHOD+URL+BODY+TIMESTAMP joined by "+")``,
with ``X-Ovh-Application``, ``X-Ovh-Consumer`` and ``X-Ovh-Timestamp`` (the server's clock
must be set by NTP: OVHcloud refuses a timestamp too far from its own).
``noStopClause`` is true: Parvis appends its own STOP mention to campaigns
(:func:`parvis.newsletter.sms.stop.stop_mention`) and handles the replies itself.

Inbound SMS (replies to a short number): configure the account's callback URL to
``/lettre/sms/entrant/ovh/?token=<PARVIS_SMS_INBOUND_SECRET>``; the sender is read from
``senderid`` (or ``sender``/``from``) and the text from ``message`` (or ``text``), in the
query string or the form body.
"""

from __future__ import annotations

import hashlib
import json
import time

from django.conf import settings

from .backends import HttpBackend, InboundRejected, InboundSms, SmsMessage, SmsResult, error_result
from .encoding import segments

DEFAULT_API = "https://eu.api.ovh.com/1.0"


def ovh_signature(
    *, secret: str, consumer: str, method: str, url: str, body: str, timestamp: int
) -> str:
    raw = "+".join([secret, consumer, method.upper(), url, body, str(timestamp)])
    return "$1$" + hashlib.sha1(raw.encode("utf-8")).hexdigest()  # noqa: S324 - OVH's scheme


class OvhBackend(HttpBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently, **kwargs)
        self.url = (self.url or DEFAULT_API).rstrip("/")
        self.consumer = kwargs.get("consumer") or getattr(
            settings, "PARVIS_SMS_OVH_CONSUMER_KEY", ""
        )
        self.service = kwargs.get("service") or getattr(settings, "PARVIS_SMS_OVH_SERVICE", "")

    def send_http(self, message: SmsMessage) -> SmsResult:
        url = f"{self.url}/sms/{self.service}/jobs"
        payload = {
            "charset": "UTF-8",
            "class": "phoneDisplay",
            "coding": "8bit" if segments(message.text).is_unicode else "7bit",
            "message": message.text,
            "noStopClause": True,
            "priority": "high",
            "receivers": [message.to],
            "validityPeriod": 2880,
        }
        if message.sender:
            payload["sender"] = message.sender
            payload["senderForResponse"] = False
        else:  # sent from a short number, so that residents can answer STOP
            payload["senderForResponse"] = True
        if message.reference:
            payload["tag"] = message.reference[:128]
        body = json.dumps(payload)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Ovh-Application": self.key,
            "X-Ovh-Consumer": self.consumer,
            "X-Ovh-Timestamp": str(timestamp),
            "X-Ovh-Signature": ovh_signature(
                secret=self.secret,
                consumer=self.consumer,
                method="POST",
                url=url,
                body=body,
                timestamp=timestamp,
            ),
        }
        answer = self.post(url, body.encode("utf-8"), headers)
        if not 200 <= answer.status < 300:
            try:
                detail = str(answer.json().get("message", ""))
            except (ValueError, AttributeError):
                detail = ""
            return error_result(answer, detail)
        try:
            data = answer.json()
            if message.to in data.get("invalidReceivers", []):
                return SmsResult(ok=False, error="OVHcloud: invalid receiver")
            provider_id = str(data["ids"][0])
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return SmsResult(
                ok=False,
                error=f"unreadable answer (the message may have been sent): {answer.body[:200]!r}",
            )
        return SmsResult(ok=True, provider_id=provider_id)

    @classmethod
    def parse_inbound(cls, request) -> InboundSms:
        data = {**request.GET.dict(), **request.POST.dict()}
        sender = str(data.get("senderid") or data.get("sender") or data.get("from") or "")
        text = str(data.get("message") or data.get("text") or "")
        if not sender.strip():
            raise InboundRejected("no sender")
        data.pop("token", None)
        return InboundSms(sender=sender.strip(), text=text, raw=data)
