"""SMS backends: locmem/file/console, and the HTTP providers against a local HTTP server
standing for the provider (generic JSON API and OVHcloud's signed API)."""

import hashlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parvis.newsletter import sms
from parvis.newsletter.sms.backends import (
    ConsoleBackend,
    FileBackend,
    GenericHttpBackend,
    LocmemBackend,
    SmsMessage,
    SmsResult,
    get_backend,
)
from parvis.newsletter.sms.ovh import OvhBackend

MOBILE = "+33639980012"


class FakeProvider:
    """A local HTTP server; each request pops the next scripted answer (status, body,
    delay) and is recorded with its headers and body."""

    def __init__(self):
        self.requests = []
        self.answers = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                provider.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, answer, delay = (
                    provider.answers.pop(0) if provider.answers else (200, b"{}", 0)
                )
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status, body, delay=0):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.answers.append((status, body, delay))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    server = FakeProvider()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    sms.scripted_results.clear()
    yield
    sms.outbox.clear()
    sms.scripted_results.clear()


def generic(provider, **kwargs):
    return GenericHttpBackend(url=f"{provider.url}/send", key="k3y", timeout=1, **kwargs)


# --- local backends ---------------------------------------------------------------------


def test_get_backend_uses_the_configured_dotted_path(settings):
    assert isinstance(get_backend(), LocmemBackend)
    settings.PARVIS_SMS_BACKEND = "parvis.newsletter.sms.ovh.OvhBackend"
    assert isinstance(get_backend(), OvhBackend)


def test_locmem_backend_keeps_messages_with_the_default_sender(settings):
    settings.PARVIS_SMS_SENDER = "GREASQUE"
    results = get_backend().send_messages(
        [SmsMessage(MOBILE, "Coupure d'eau demain"), SmsMessage("+33639980013", "Bis", "ECOLE")]
    )
    assert [r.ok for r in results] == [True, True]
    assert results[0].provider_id != results[1].provider_id
    assert [(m.to, m.sender, m.text) for m in sms.outbox] == [
        (MOBILE, "GREASQUE", "Coupure d'eau demain"),
        ("+33639980013", "ECOLE", "Bis"),
    ]


def test_locmem_backend_answers_scripted_failures_first():
    sms.scripted_results.append(SmsResult(ok=False, error="HTTP 429", temporary=True))
    first, second = LocmemBackend().send_messages(
        [SmsMessage(MOBILE, "Un"), SmsMessage(MOBILE, "Deux")]
    )
    assert (first.ok, first.temporary) == (False, True)
    assert second.ok
    assert [m.text for m in sms.outbox] == ["Deux"]


def test_file_backend_writes_the_messages(tmp_path):
    backend = FileBackend(file_path=tmp_path)
    results = backend.send_messages([SmsMessage(MOBILE, "Marché de Noël samedi", "MAIRIE")])
    assert results[0].ok
    content = backend.path.read_text(encoding="utf-8")
    assert "To: +33639980012" in content and "Marché de Noël samedi" in content


def test_console_backend_prints_the_message():
    backend = ConsoleBackend()
    backend.stream = io.StringIO()
    backend.send_messages([SmsMessage(MOBILE, "Vigilance orange orages")])
    assert "Vigilance orange orages" in backend.stream.getvalue()


# --- generic HTTP -----------------------------------------------------------------------


def test_generic_success_sends_documented_json_with_bearer_key(provider):
    provider.answer(200, {"id": "msg-77"})
    [result] = generic(provider).send_messages(
        [SmsMessage(MOBILE, "Risque incendie très sévère", "MAIRIE", reference="delivery-4")]
    )
    assert result == SmsResult(ok=True, provider_id="msg-77")
    [request] = provider.requests
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer k3y"
    assert json.loads(request["body"]) == {
        "to": MOBILE,
        "text": "Risque incendie très sévère",
        "sender": "MAIRIE",
        "reference": "delivery-4",
    }


@pytest.mark.parametrize(
    ("status", "temporary"), [(429, True), (500, True), (503, True), (400, False), (401, False)]
)
def test_generic_errors_are_classified(provider, status, temporary):
    provider.answer(status, {"error": "nope"})
    [result] = generic(provider).send_messages([SmsMessage(MOBILE, "Test")])
    assert not result.ok
    assert result.temporary is temporary
    assert f"HTTP {status}" in result.error


def test_generic_429_then_success_on_the_next_call(provider):
    provider.answer(429, {"error": "slow down"})
    provider.answer(200, {"id": "ok-2"})
    backend = generic(provider)
    [first] = backend.send_messages([SmsMessage(MOBILE, "Test")])
    [second] = backend.send_messages([SmsMessage(MOBILE, "Test")])
    assert (first.ok, first.temporary) == (False, True)
    assert (second.ok, second.provider_id) == (True, "ok-2")
    assert len(provider.requests) == 2


def test_generic_timeout_is_temporary(provider):
    provider.answer(200, {"id": "late"}, delay=1.5)
    backend = GenericHttpBackend(url=f"{provider.url}/send", key="k", timeout=0.3)
    [result] = backend.send_messages([SmsMessage(MOBILE, "Test")])
    assert (result.ok, result.temporary) == (False, True)
    assert "unreachable" in result.error


def test_generic_unreachable_provider_is_temporary():
    backend = GenericHttpBackend(url="http://127.0.0.1:9/send", key="k", timeout=1)
    [result] = backend.send_messages([SmsMessage(MOBILE, "Test")])
    assert (result.ok, result.temporary) == (False, True)


@pytest.mark.parametrize("body", [b"<html>gateway</html>", b'{"status": "queued"}', b"[1]"])
def test_generic_malformed_success_is_a_permanent_failure(provider, body):
    # The message may have been sent: retrying could deliver it twice.
    provider.answer(200, body)
    [result] = generic(provider).send_messages([SmsMessage(MOBILE, "Test")])
    assert (result.ok, result.temporary) == (False, False)
    assert "unreadable" in result.error


def test_results_keep_the_order_of_messages(provider):
    provider.answer(200, {"id": "a"})
    provider.answer(500, {"error": "x"})
    provider.answer(200, {"id": "c"})
    results = generic(provider).send_messages(
        [SmsMessage(MOBILE, "1"), SmsMessage(MOBILE, "2"), SmsMessage(MOBILE, "3")]
    )
    assert [(r.ok, r.provider_id) for r in results] == [(True, "a"), (False, ""), (True, "c")]


# --- OVHcloud ---------------------------------------------------------------------------


def ovh(provider, **kwargs):
    return OvhBackend(
        url=f"{provider.url}/1.0",
        key="app-key",
        secret="app-secret",
        consumer="consumer-key",
        service="sms-ab12345-1",
        timeout=1,
        **kwargs,
    )


def test_ovh_success_is_signed_and_uses_the_jobs_api(provider):
    provider.answer(
        200,
        {"ids": [123456], "invalidReceivers": [], "validReceivers": [MOBILE], "tag": "d-1"},
    )
    [result] = ovh(provider).send_messages(
        [SmsMessage(MOBILE, "Fête du village samedi", "GREASQUE", reference="d-1")]
    )
    assert result == SmsResult(ok=True, provider_id="123456")
    [request] = provider.requests
    assert request["path"] == "/1.0/sms/sms-ab12345-1/jobs"
    headers = request["headers"]
    assert headers["X-Ovh-Application"] == "app-key"
    assert headers["X-Ovh-Consumer"] == "consumer-key"
    assert abs(int(headers["X-Ovh-Timestamp"]) - time.time()) < 60
    # The server checks the signature as OVHcloud does.
    raw = "+".join(
        [
            "app-secret",
            "consumer-key",
            "POST",
            f"{provider.url}/1.0/sms/sms-ab12345-1/jobs",
            request["body"].decode(),
            headers["X-Ovh-Timestamp"],
        ]
    )
    assert headers["X-Ovh-Signature"] == "$1$" + hashlib.sha1(raw.encode()).hexdigest()
    payload = json.loads(request["body"])
    assert payload["receivers"] == [MOBILE]
    assert payload["message"] == "Fête du village samedi"
    assert payload["sender"] == "GREASQUE"
    assert payload["coding"] == "8bit"  # ê is outside GSM-7
    assert payload["noStopClause"] is True
    assert payload["tag"] == "d-1"


def test_ovh_gsm_text_is_sent_7bit(provider):
    provider.answer(200, {"ids": [1], "invalidReceivers": [], "validReceivers": [MOBILE]})
    ovh(provider).send_messages([SmsMessage(MOBILE, "Marché annulé", "MAIRIE")])
    assert json.loads(provider.requests[0]["body"])["coding"] == "7bit"


@pytest.mark.parametrize(("status", "temporary"), [(429, True), (500, True), (403, False)])
def test_ovh_errors_are_classified_with_the_provider_message(provider, status, temporary):
    provider.answer(status, {"message": "Invalid signature"})
    [result] = ovh(provider).send_messages([SmsMessage(MOBILE, "Test", "MAIRIE")])
    assert (result.ok, result.temporary) == (False, temporary)
    assert "Invalid signature" in result.error


def test_ovh_invalid_receiver_is_permanent(provider):
    provider.answer(200, {"ids": [], "invalidReceivers": [MOBILE], "validReceivers": []})
    [result] = ovh(provider).send_messages([SmsMessage(MOBILE, "Test", "MAIRIE")])
    assert (result.ok, result.temporary) == (False, False)
    assert "invalid receiver" in result.error


def test_ovh_malformed_answer_and_timeout(provider):
    provider.answer(200, b"not json")
    provider.answer(200, {"ids": [9]}, delay=1.5)
    backend = ovh(provider)
    [malformed] = backend.send_messages([SmsMessage(MOBILE, "Test", "MAIRIE")])
    assert (malformed.ok, malformed.temporary) == (False, False)
    backend.timeout = 0.3
    [late] = backend.send_messages([SmsMessage(MOBILE, "Test", "MAIRIE")])
    assert (late.ok, late.temporary) == (False, True)
