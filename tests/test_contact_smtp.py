"""The contact message goes out through a real SMTP conversation (aiosmtpd on 127.0.0.1)."""

import email
import email.policy
import io
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from .test_contact import _data

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_contact_message_is_delivered_by_smtp(
    client, site, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            site["contact"].url, _data(site, message="Où déposer ma déclaration ?")
        )
    assert response.status_code == 302
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["urbanisme@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Reply-To"] == "camille.martin@example.org"
    assert "Permis de construire" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Où déposer ma déclaration ?" in body
    assert "Camille Martin" in body


def test_unreachable_mail_server_loses_nothing(
    client, site, settings, django_capture_on_commit_callbacks
):
    from parvis.cms.models import ContactSubmission

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site["contact"].url, _data(site))
    assert response.status_code == 302
    submission = ContactSubmission.objects.get()
    assert submission.sent_at is None  # kept, and visible in the admin

    # Once the server is back, the scheduled command sends it, once.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=closed_port)
    controller.start()
    try:
        call_command("send_pending_contact_messages", older_than=0, stdout=io.StringIO())
        call_command("send_pending_contact_messages", older_than=0, stdout=io.StringIO())
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1
    submission.refresh_from_db()
    assert submission.sent_at is not None
