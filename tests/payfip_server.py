"""A local HTTP server that stands for the DGFiP's PayFiP SOAP web service.

It answers the operations of the WSDL eopayment ships (creerPaiementSecurise,
recupererDetailPaiementSecurise) with the documented messages and faults:
- ``creerPaiementSecurise`` records the request and returns a new ``idOp``;
- ``recupererDetailPaiementSecurise`` returns the detail once the test has settled the
  payment (``resultrans`` P, V, R, Z or A), the fault P5 while it is in progress, P1 for an
  unknown idOp.
Modes for failures: ``down`` (HTTP 503 page, as a proxy in front of a stopped service),
``delay`` (answer after N seconds: timeouts), ``fault_code`` (a functional fault on create).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TNS = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
    "contrat_paiement_securise/PaiementSecuriseService"
)
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _envelope(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<S:Envelope xmlns:S="{SOAP_ENV}"><S:Body>{body}</S:Body></S:Envelope>'
    ).encode()


def _fault(code: str, message: str) -> bytes:
    return _envelope(
        "<S:Fault><faultcode>S:Server</faultcode>"
        "<faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur"
        "</faultstring><detail>"
        f'<ns2:FonctionnelleErreur xmlns:ns2="{TNS}"><code>{code}</code>'
        f"<descriptif>{message}</descriptif><libelle>{message}</libelle>"
        "<severite>2</severite></ns2:FonctionnelleErreur></detail></S:Fault>"
    )


@dataclass
class PayFiPState:
    payments: dict[str, dict] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    down: bool = False
    delay: float = 0.0
    fault_code: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def settle(self, idop: str, resultrans: str, *, minutes_ago: int = 0) -> None:
        """The resident finished at PayFiP: P/V paid, R/Z refused, A cancelled."""
        when = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")) - dt.timedelta(
            minutes=minutes_ago
        )
        with self.lock:
            self.payments[idop]["resultrans"] = resultrans
            self.payments[idop]["dattrans"] = when.strftime("%d%m%Y")
            self.payments[idop]["heurtrans"] = when.strftime("%H%M")

    def count(self, operation: str) -> int:
        return sum(1 for name, _args in self.requests if name == operation)


class _Handler(BaseHTTPRequestHandler):
    state: PayFiPState

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if state.delay:
            time.sleep(state.delay)
        if state.down:
            self._send(503, b"<html><body>Service indisponible</body></html>", "text/html")
            return
        try:
            root = ET.fromstring(raw)
            body = next(el for el in root if _local(el.tag) == "Body")
            operation = body[0]
            name = _local(operation.tag)
            arg0 = next(el for el in operation if _local(el.tag) == "arg0")
            args = {_local(child.tag): (child.text or "") for child in arg0}
        except (ET.ParseError, StopIteration, IndexError):
            self._send(400, b"bad request", "text/plain")
            return
        with state.lock:
            state.requests.append((name, args))
        if name == "creerPaiementSecurise":
            if state.fault_code:
                self._send(500, _fault(state.fault_code, "Erreur fonctionnelle"))
                return
            with state.lock:
                idop = f"{next(state.counter):04d}e6f3a1b2c4d5"
                state.payments[idop] = {**args, "resultrans": "", "dattrans": "", "heurtrans": ""}
            self._send(
                200,
                _envelope(
                    f'<ns2:creerPaiementSecuriseResponse xmlns:ns2="{TNS}"><return>'
                    f"<idOp>{idop}</idOp></return></ns2:creerPaiementSecuriseResponse>"
                ),
            )
        elif name == "recupererDetailPaiementSecurise":
            idop = args.get("idOp", "")
            with state.lock:
                payment = dict(state.payments.get(idop) or {})
            if not payment:
                self._send(500, _fault("P1", "IdOp incorrect"))
                return
            if not payment["resultrans"]:
                self._send(500, _fault("P5", "Transaction en cours"))
                return
            fields = {
                "dattrans": payment["dattrans"],
                "exer": payment.get("exer", ""),
                "heurtrans": payment["heurtrans"],
                "idOp": idop,
                "mel": payment.get("mel", ""),
                "montant": payment.get("montant", ""),
                "numauto": "112233" if payment["resultrans"] in "PV" else "",
                "numcli": payment.get("numcli", ""),
                "objet": payment.get("objet", ""),
                "refdet": payment.get("refdet", ""),
                "resultrans": payment["resultrans"],
                "saisie": payment.get("saisie", ""),
            }
            inner = "".join(f"<{key}>{value}</{key}>" for key, value in fields.items())
            self._send(
                200,
                _envelope(
                    f'<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="{TNS}">'
                    f"<return>{inner}</return></ns2:recupererDetailPaiementSecuriseResponse>"
                ),
            )
        else:
            self._send(500, _fault("P0", "Operation inconnue"))

    def _send(self, status: int, payload: bytes, content_type: str = "text/xml; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class PayFiPServer:
    """``with PayFiPServer() as payfip: payfip.url, payfip.state``"""

    def __init__(self):
        self.state = PayFiPState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tpa/services/securite"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# --- Fixtures and builders shared by the payments tests -------------------------------------


@pytest.fixture(name="payfip")
def payfip_fixture(settings):
    """A running stand-in for the DGFiP, and the settings pointing to it."""
    with PayFiPServer() as server:
        settings.PARVIS_PAYMENTS_PAYFIP_SERVICE_URL = server.url
        yield server


def make_regie(code="periscolaire", backend="dummy", **fields):
    from parvis.payments.models import Regie

    defaults = {
        "name": f"Régie {code}",
        "backend": backend,
        "numcli": "123456" if backend == "payfip_ws" else "",
        "object_label": "Periscolaire",
        "accountant_contact": "Service de gestion comptable, 01 99 00 00 00",
    }
    defaults.update(fields)
    return Regie.objects.create(code=code, **defaults)


def make_invoice(regie, email, number="F0001", amount=1250, due_in_days=10, **fields):
    from django.utils import timezone

    from parvis.payments.services import invoice_create

    return invoice_create(
        regie=regie,
        number=number,
        payer_name=fields.pop("payer_name", "Famille Exemple"),
        payer_email=email,
        label=fields.pop("label", "Cantine – janvier"),
        due_date=timezone.localdate() + dt.timedelta(days=due_in_days),
        amount=amount,
        service=fields.pop("service", "canteen"),
        **fields,
    )


class SignalRecorder:
    """Counts ``payment_paid`` / ``payment_released`` (thread-safe)."""

    def __init__(self):
        self.paid, self.released = [], []
        self._lock = threading.Lock()

    def on_paid(self, sender, payment, payable, **kwargs):
        with self._lock:
            self.paid.append((payment.pk, payable))

    def on_released(self, sender, payment, payable, status, **kwargs):
        with self._lock:
            self.released.append((payment.pk, payable, status))


@pytest.fixture(name="signals_seen")
def signals_seen_fixture():
    from parvis.payments.signals import payment_paid, payment_released

    recorder = SignalRecorder()
    payment_paid.connect(recorder.on_paid, weak=False, dispatch_uid="test-paid")
    payment_released.connect(recorder.on_released, weak=False, dispatch_uid="test-released")
    yield recorder
    payment_paid.disconnect(dispatch_uid="test-paid")
    payment_released.disconnect(dispatch_uid="test-released")
