"""Requests through their life: submission (server-side validation, numbering, receipt),
transitions by role, reasons, messages, internal notes, documents asked for and given,
assignment, fees, and the e-mails and SMS the requester gets at each step."""

import datetime as dt
import re
import zlib

import pytest
import time_machine
from django.core import mail

from parvis.core.models import AuditLogEntry
from parvis.newsletter.models import Delivery
from parvis.payments.services import payment_close, payment_mark_paid
from parvis.procedures import pdf as procedures_pdf
from parvis.procedures import selectors
from parvis.procedures.exceptions import (
    NotPublished,
    ProcedureError,
    ReasonRequired,
    SubmissionInvalid,
    TransitionNotAllowed,
    UploadRefused,
)
from parvis.procedures.models import (
    Attachment,
    Procedure,
    ProcedureStatus,
    Request,
    RequestCounter,
    RequestEvent,
    Transition,
)
from parvis.procedures.services.requests import (
    request_add_document,
    request_ask_document,
    request_assign,
    request_message,
    request_note,
    request_start_payment,
    request_submit,
    request_transition,
)

from .payfip_server import make_regie
from .procedures_helpers import (
    field,
    make_agent,
    make_attachment,
    make_procedure,
    make_request,
    make_resident,
    make_service,
    private_media,  # noqa: F401
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

FIELDS = [
    field("text", "objet", "Objet de la demande"),
    field("phone", "telephone", "Téléphone", required=False),
    field("file", "piece", "Pièce d'identité", required=False),
]
NOTE = "Dossier suspect, vérifier auprès du parquet"


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (e-mail tasks) of each block as they would run."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def service():
    return make_service("État civil", email="etat-civil@example.org")


@pytest.fixture
def procedure(service):
    return make_procedure(FIELDS, service=service, title="Acte de naissance")


@pytest.fixture
def agent(service):
    return make_agent(service, email="agent.ec@example.org")


def submit(procedure, run_on_commit, **kwargs):
    kwargs.setdefault("data", {"objet": "Copie intégrale"})
    user = kwargs.get("user")
    kwargs.setdefault("email", user.email if user else "camille.martin@example.org")
    with run_on_commit():
        return request_submit(procedure=procedure, version=procedure.current_version, **kwargs)


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF written with a core font (streams inflated)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            text.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            text.append(stream.decode("latin-1"))
    return "\n".join(text)


# --- submission ----------------------------------------------------------------------------


def test_submission_is_numbered_received_due_and_acknowledged(procedure, run_on_commit):
    resident = make_resident("camille.martin@example.org")
    request = submit(procedure, run_on_commit, user=resident, phone="06 39 98 00 01")

    year = dt.datetime.now().year
    assert re.fullmatch(rf"{year}-\d{{6}}", request.number)
    assert request.status_kind == "received" and request.status_label == "Reçue"
    assert request.due_at - request.submitted_at == dt.timedelta(days=procedure.processing_days)
    assert request.version == procedure.current_version
    assert request.requester_name == "Camille Martin"
    assert [e.kind for e in request.events.all()] == ["submitted"]
    assert AuditLogEntry.objects.filter(
        action="procedures.request.submit", actor=resident, object_id=str(request.pk)
    ).exists()
    receipts = [m for m in mail.outbox if m.to == ["camille.martin@example.org"]]
    assert len(receipts) == 1
    assert request.number in receipts[0].subject
    assert f"/demarches/suivi/{request.public_id}/" in receipts[0].body
    name, content, mimetype = receipts[0].attachments[0]
    assert name == f"demande-{request.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    # The service is told of a new request at its address.
    assert any(m.to == ["etat-civil@example.org"] for m in mail.outbox)


def test_submission_is_validated_again_on_the_server(procedure, run_on_commit):
    with pytest.raises(SubmissionInvalid) as error:
        submit(procedure, run_on_commit, data={"objet": "Copie", "admin": "1"})
    assert error.value.errors
    with pytest.raises(SubmissionInvalid):
        submit(procedure, run_on_commit, data={})
    assert not Request.objects.exists()
    assert not RequestCounter.objects.filter(last__gt=0).exists()
    assert mail.outbox == []


def test_a_draft_procedure_or_a_foreign_version_is_refused(procedure, run_on_commit):
    other = make_procedure(FIELDS)
    with pytest.raises(NotPublished):
        request_submit(
            procedure=procedure,
            version=other.current_version,
            data={"objet": "x"},
            email="a@example.org",
        )
    Procedure.objects.filter(pk=procedure.pk).update(status=Procedure.Status.ARCHIVED)
    procedure.refresh_from_db()
    with pytest.raises(NotPublished):
        submit(procedure, run_on_commit)


def test_account_only_procedure_needs_an_account(service, run_on_commit):
    procedure = make_procedure(FIELDS, service=service, audience="account")
    with pytest.raises(ProcedureError):
        submit(procedure, run_on_commit)
    assert submit(procedure, run_on_commit, user=make_resident()).pk


def test_attachments_are_linked_once(procedure, run_on_commit):
    attachment = make_attachment(field_key="piece")
    request = submit(
        procedure, run_on_commit, data={"objet": "Copie", "piece": [str(attachment.public_id)]},
        attachments=[attachment],
    )  # fmt: skip
    attachment.refresh_from_db()
    assert attachment.request == request
    with pytest.raises(SubmissionInvalid):
        submit(
            procedure,
            run_on_commit,
            data={"objet": "Copie", "piece": [str(attachment.public_id)]},
            attachments=[attachment],
        )


def test_number_follows_the_paris_year_and_has_no_gap(procedure, run_on_commit):
    # 31 December 23:30 UTC is already 1 January in Paris.
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        first = submit(procedure, run_on_commit)
    with time_machine.travel(dt.datetime(2027, 1, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(SubmissionInvalid):
            submit(procedure, run_on_commit, data={"bad": "x"})
        second = submit(procedure, run_on_commit)
    assert (first.number, second.number) == ("2027-000001", "2027-000002")


def test_receipt_pdf_has_the_answers_and_never_the_internal_notes(
    procedure, agent, run_on_commit, monkeypatch
):
    monkeypatch.setattr(procedures_pdf, "_font_path", lambda name: None)  # core font: readable
    attachment = make_attachment(field_key="piece", name="carte-identite.pdf")
    request = submit(
        procedure,
        run_on_commit,
        data={"objet": "Copie integrale", "piece": [str(attachment.public_id)]},
        attachments=[attachment],
    )
    request_note(request=request, text=NOTE, actor=agent)
    content = procedures_pdf.request_receipt_pdf(request, commune_name="Greasque")
    text = pdf_text(content)
    assert request.number in text and "Copie integrale" in text and "carte-identite.pdf" in text
    assert "Greasque" in text
    assert "parquet" not in text


# --- transitions ---------------------------------------------------------------------------


def test_agent_of_the_service_moves_the_request_and_the_requester_is_told(
    procedure, agent, run_on_commit
):
    request = submit(procedure, run_on_commit)
    mail.outbox.clear()
    with run_on_commit():
        request_transition(request=request, to_code="en-cours", actor=agent)
    request.refresh_from_db()
    assert request.status_code == "en-cours" and request.closed_at is None
    [message] = mail.outbox
    assert message.to == [request.email] and "En cours de traitement" in message.subject
    assert AuditLogEntry.objects.filter(
        action="procedures.request.transition", actor=agent, object_id=str(request.pk)
    ).exists()


def test_an_agent_of_another_service_or_a_resident_cannot_act_as_agent(procedure, run_on_commit):
    request = submit(procedure, run_on_commit, user=make_resident("requester@example.org"))
    outsider = make_agent(make_service("Urbanisme"))
    for actor in (outsider, request.user, None):
        with pytest.raises(TransitionNotAllowed):
            request_transition(request=request, to_code="en-cours", actor=actor)
        with pytest.raises(TransitionNotAllowed):
            request_note(request=request, text="x", actor=actor)
        with pytest.raises(TransitionNotAllowed):
            request_message(request=request, text="x", actor=actor)
    request.refresh_from_db()
    assert request.status_code == "recue"
    assert not request.events.exclude(kind="submitted").exists()


def test_a_transition_not_in_the_workflow_is_refused(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit)
    with pytest.raises(TransitionNotAllowed):  # recue → acceptee is not a transition
        request_transition(request=request, to_code="acceptee", actor=agent)
    with pytest.raises(TransitionNotAllowed):
        request_transition(request=request, to_code="nowhere", actor=agent)


def test_resident_transitions_belong_to_the_requester(procedure, agent, run_on_commit):
    owner = make_resident("owner@example.org")
    request = submit(procedure, run_on_commit, user=owner, email=owner.email)
    request_transition(request=request, to_code="en-cours", actor=agent)
    request_transition(request=request, to_code="attente", actor=agent, reason="Il manque l'acte")
    with pytest.raises(TransitionNotAllowed):
        request_transition(
            request=request, to_code="en-cours", actor=make_resident(), as_role="resident"
        )
    with pytest.raises(TransitionNotAllowed):  # an agent transition, asked as resident
        request_transition(request=request, to_code="refusee", actor=owner, as_role="resident")
    request_transition(request=request, to_code="en-cours", actor=owner, as_role="resident")
    request.refresh_from_db()
    assert request.status_code == "en-cours"


def test_a_guest_acts_as_requester_with_the_proven_address(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit, email="invite@example.org")
    request_transition(request=request, to_code="en-cours", actor=agent)
    request_transition(request=request, to_code="attente", actor=agent, reason="Pièce")
    with pytest.raises(TransitionNotAllowed):
        request_transition(
            request=request, to_code="en-cours", actor=None, as_role="resident",
            proven_email="autre@example.org",
        )  # fmt: skip
    request_transition(
        request=request, to_code="en-cours", actor=None, as_role="resident",
        proven_email="INVITE@example.org",
    )  # fmt: skip
    request_message(
        request=request, text="Merci", actor=None, as_role="resident",
        proven_email="invite@example.org",
    )  # fmt: skip
    assert request.events.filter(kind="message_resident", actor_is_agent=False).count() == 1


def test_refusal_needs_a_reason_that_reaches_the_requester(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit)
    mail.outbox.clear()
    with pytest.raises(ReasonRequired):
        request_transition(request=request, to_code="refusee", actor=agent, reason="  ")
    request.refresh_from_db()
    assert request.status_code == "recue"
    with run_on_commit():
        request_transition(
            request=request, to_code="refusee", actor=agent, reason="Acte détenu par Nantes"
        )
    request.refresh_from_db()
    assert request.status_kind == "refused" and request.closed_at is not None
    [message] = mail.outbox
    assert "Acte détenu par Nantes" in message.body
    assert "Acte détenu par Nantes" in message.alternatives[0][0]


def test_transition_marked_reason_required_needs_one(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit)
    with pytest.raises(ReasonRequired):  # « Classer sans suite » is marked so
        request_transition(request=request, to_code="classee", actor=agent)
    request_transition(request=request, to_code="en-cours", actor=agent)  # not marked
    request.refresh_from_db()
    assert request.status_code == "en-cours"


def test_reopening_clears_closed_at(procedure, agent, run_on_commit):
    Transition.objects.create(
        procedure=procedure, from_code="acceptee", to_code="en-cours", label="Rouvrir"
    )
    request = submit(procedure, run_on_commit)
    request_transition(request=request, to_code="en-cours", actor=agent)
    request_transition(request=request, to_code="acceptee", actor=agent)
    request.refresh_from_db()
    assert request.closed_at is not None
    request_transition(request=request, to_code="en-cours", actor=agent)
    request.refresh_from_db()
    assert request.closed_at is None


def test_status_without_notification_sends_nothing(procedure, agent, run_on_commit):
    ProcedureStatus.objects.filter(procedure=procedure, code="en-cours").update(
        notify_resident=False
    )
    request = submit(procedure, run_on_commit)
    mail.outbox.clear()
    with run_on_commit():
        request_transition(request=request, to_code="en-cours", actor=agent)
    assert mail.outbox == []


def test_status_message_text_of_the_procedure_is_added(service, agent, run_on_commit):
    procedure = make_procedure(
        FIELDS,
        service=service,
        status_message="Demande {numero} : {etat}. {motif} Suivi : {lien} {inconnu} {0}",
    )
    request = submit(procedure, run_on_commit)
    mail.outbox.clear()
    with run_on_commit():
        request_transition(request=request, to_code="refusee", actor=agent, reason="Hors délai.")
    body = mail.outbox[0].body
    assert f"Demande {request.number} : Refusée. Hors délai. Suivi : http" in body
    assert "{inconnu} {0}" in body


# --- messages, notes, documents ------------------------------------------------------------


def test_internal_notes_never_reach_the_requester(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit, user=make_resident("note@example.org"))
    mail.outbox.clear()
    with run_on_commit():
        note = request_note(request=request, text=NOTE, actor=agent)
        request_message(request=request, text="Nous traitons votre demande.", actor=agent)
        request_transition(request=request, to_code="en-cours", actor=agent)
        request_ask_document(request=request, text="Votre livret de famille", actor=agent)
    assert note.visible_to_resident is False
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.to == [request.email]
        assert "parquet" not in message.body and "parquet" not in message.alternatives[0][0]
    assert note not in selectors.resident_timeline(request)
    assert note in selectors.agent_timeline(request)
    from parvis.procedures.retention import export

    assert "parquet" not in repr(export("note@example.org"))
    assert AuditLogEntry.objects.filter(action="procedures.request.note", actor=agent).exists()


def test_messages_go_both_ways(procedure, agent, run_on_commit):
    owner = make_resident("deux.sens@example.org")
    request = submit(procedure, run_on_commit, user=owner)
    request_assign(requests=[request], agent=agent, actor=agent)
    mail.outbox.clear()
    with run_on_commit():
        request_message(request=request, text="Pouvez-vous préciser la date ?", actor=agent)
    assert mail.outbox[0].to == [owner.email]
    assert "Pouvez-vous préciser la date ?" in mail.outbox[0].body
    mail.outbox.clear()
    with run_on_commit():
        request_message(request=request, text="Le 3 mai 1990.", actor=owner, as_role="resident")
    # The assigned agent is told, without the message's content in the e-mail.
    assert mail.outbox[0].to == [agent.email]
    assert "Le 3 mai 1990." not in mail.outbox[0].body
    with pytest.raises(SubmissionInvalid):
        request_message(request=request, text="   ", actor=agent)


def test_document_asked_then_given_moves_the_request_and_back(procedure, agent, run_on_commit):
    owner = make_resident("docs@example.org")
    request = submit(procedure, run_on_commit, user=owner)
    request_transition(request=request, to_code="en-cours", actor=agent)
    mail.outbox.clear()
    with run_on_commit():
        asked = request_ask_document(request=request, text="Justificatif de domicile", actor=agent)
    request.refresh_from_db()
    assert request.status_kind == "waiting_resident"
    [message] = mail.outbox
    assert "Justificatif de domicile" in message.body and "pièce" in message.subject
    assert [e for e in selectors.open_document_requests(request)] == [asked]
    mail.outbox.clear()
    with run_on_commit():
        attachment = request_add_document(
            request=request, uploaded_file=upload("domicile.pdf"), actor=owner
        )
    request.refresh_from_db()
    asked.refresh_from_db()
    assert asked.resolved and request.status_kind == "in_progress"
    assert attachment.request == request and attachment.uploaded_by == owner
    assert attachment.original_name == "domicile.pdf" and not attachment.uploaded_by_agent
    assert attachment.file.storage.exists(attachment.file.name)
    assert request.events.filter(kind="document_added", attachment=attachment).exists()
    # The service hears of it; the requester gets nothing for their own upload.
    assert [m.to for m in mail.outbox] == [["etat-civil@example.org"]]


def test_a_refused_upload_changes_nothing(procedure, agent, run_on_commit):
    owner = make_resident("refus@example.org")
    request = submit(procedure, run_on_commit, user=owner)
    request_ask_document(request=request, text="Photo", actor=agent)
    with pytest.raises(UploadRefused):
        request_add_document(
            request=request,
            uploaded_file=upload("photo.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            actor=owner,
        )
    request.refresh_from_db()
    assert request.status_kind == "waiting_resident"
    assert not Attachment.objects.filter(request=request).exists()
    with pytest.raises(TransitionNotAllowed):  # someone else
        request_add_document(request=request, uploaded_file=upload(), actor=make_resident())


def test_documents_cannot_be_asked_for_a_closed_request(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit)
    request_transition(request=request, to_code="refusee", actor=agent, reason="Doublon")
    with pytest.raises(TransitionNotAllowed):
        request_ask_document(request=request, text="x", actor=agent)


# --- assignment ----------------------------------------------------------------------------


def test_bulk_assignment_checks_every_request_service(service, procedure, agent, run_on_commit):
    colleague = make_agent(service, email="collegue@example.org")
    other_service = make_service("Services techniques")
    outsider = make_agent(other_service)
    ours = [make_request(procedure) for _ in range(3)]
    theirs = make_request(make_procedure(FIELDS, service=other_service))
    mail.outbox.clear()
    with run_on_commit():
        request_assign(requests=ours, agent=colleague, actor=agent)
    assert set(Request.objects.filter(assigned_to=colleague)) == set(ours)
    assert RequestEvent.objects.filter(kind="assigned", visible_to_resident=False).count() == 3
    assert mail.outbox == []  # internal: the requester is not told
    with pytest.raises(TransitionNotAllowed):  # the agent does not work for that service
        request_assign(requests=ours, agent=outsider, actor=agent)
    with pytest.raises(TransitionNotAllowed):  # the actor does not work for that service
        request_assign(requests=[*ours, theirs], agent=agent, actor=agent)
    assert set(Request.objects.filter(assigned_to=colleague)) == set(ours)
    request_assign(requests=ours, agent=None, actor=agent)
    assert not Request.objects.filter(assigned_to__isnull=False).exists()
    assert AuditLogEntry.objects.filter(action="procedures.request.assign").count() == 6


# --- SMS -----------------------------------------------------------------------------------


def test_sms_when_the_procedure_asks_and_the_number_is_a_mobile(service, agent, run_on_commit):
    procedure = make_procedure(FIELDS, service=service, sms_notifications=True)
    mobile = submit(procedure, run_on_commit, phone="06 39 98 00 02")
    landline = submit(procedure, run_on_commit, phone="01 99 00 00 03")
    for request in (mobile, landline):
        with run_on_commit():
            request_transition(request=request, to_code="en-cours", actor=agent)
            request_note(request=request, text=NOTE, actor=agent)
    sms = Delivery.objects.filter(channel="sms")
    assert [d.address for d in sms] == ["+33639980002"]
    assert mobile.number in sms[0].text and "parquet" not in sms[0].text


def test_no_sms_without_the_procedure_option(procedure, agent, run_on_commit):
    request = submit(procedure, run_on_commit, phone="06 39 98 00 04")
    with run_on_commit():
        request_transition(request=request, to_code="en-cours", actor=agent)
    assert not Delivery.objects.filter(channel="sms").exists()


# --- fees ----------------------------------------------------------------------------------


@pytest.fixture
def paying_procedure(service):
    return make_procedure(FIELDS, service=service, fee_cents=1500, regie=make_regie(code="domaine"))


def test_fee_is_paid_through_the_regie(paying_procedure, run_on_commit):
    request = submit(paying_procedure, run_on_commit)
    assert request.fee_cents == 1500 and request.paid_at is None
    assert selectors.awaiting_payment(request)
    assert "15,00" in mail.outbox[0].body  # the receipt says there is a fee to pay
    result = request_start_payment(request=request, ip="127.0.0.1")
    request.refresh_from_db()
    payment = request.payment
    assert payment.amount == 1500 and payment.status == "pending" and payment.payable == request
    assert result.redirect_url or result.form_url
    with pytest.raises(ProcedureError):  # a payment already under way
        request_start_payment(request=request)
    payment_mark_paid(payment=payment, source="test")
    payment_mark_paid(payment=payment, source="test")  # idempotent
    request.refresh_from_db()
    assert request.paid_at is not None and not selectors.awaiting_payment(request)
    assert request.events.filter(kind="payment").count() == 1
    with pytest.raises(ProcedureError):
        request_start_payment(request=request)


def test_an_abandoned_payment_leaves_the_request_to_pay(paying_procedure, run_on_commit):
    request = submit(paying_procedure, run_on_commit)
    request_start_payment(request=request)
    request.refresh_from_db()
    payment_close(payment=request.payment, status="cancelled", reason="abandon")
    request.refresh_from_db()
    assert request.payment is None and request.paid_at is None
    request_start_payment(request=request)
    request.refresh_from_db()
    assert request.payment.status == "pending"


def test_a_free_request_has_nothing_to_pay(procedure, run_on_commit):
    request = submit(procedure, run_on_commit)
    with pytest.raises(ProcedureError):
        request_start_payment(request=request)


# --- numbering under concurrency -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_numbers_have_no_gap_and_no_duplicate_under_concurrent_submissions(service):
    """Real threads, each on its own connection (SQLite file database, or PostgreSQL with
    DATABASE_URL), submit at the same instant."""
    import threading

    from django.db import connection, connections

    assert connection.vendor == "postgresql" or "memory" not in str(
        connection.settings_dict["NAME"]
    )
    procedure = make_procedure(FIELDS, service=service)
    count = 8
    barrier = threading.Barrier(count)
    errors, numbers = [], []

    def run(index):
        try:
            barrier.wait(timeout=10)
            request = request_submit(
                procedure=procedure,
                version=procedure.current_version,
                data={"objet": f"Demande {index}"},
                email=f"concurrent{index}@example.org",
            )
            numbers.append(request.number)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    sequences = sorted(int(number.split("-")[1]) for number in numbers)
    assert sequences == list(range(1, count + 1))
    assert Request.objects.count() == count
    year = int(numbers[0].split("-")[0])
    assert RequestCounter.objects.get(year=year).last == count
