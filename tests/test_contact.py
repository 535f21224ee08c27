import time

import pytest
from django.core import mail, signing

from parvis.cms.forms import _SIGNER_SALT
from parvis.cms.models import ContactSubmission

pytestmark = pytest.mark.django_db


def _started(seconds_ago=30):
    return signing.dumps(time.time() - seconds_ago, salt=_SIGNER_SALT)


def _data(site, **extra):
    recipient = site["contact"].recipients.get(label="Urbanisme")
    data = {
        "name": "Camille Martin",
        "email": "camille.martin@example.org",
        "phone": "06 39 98 00 00",
        "service": str(recipient.pk),
        "subject": "Permis de construire",
        "message": "Bonjour, où en est mon dossier ?",
        "website": "",
        "started": _started(),
    }
    data.update(extra)
    return data


def test_message_reaches_the_chosen_service(client, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site["contact"].url, _data(site))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["urbanisme@example.org"]
    assert message.reply_to == ["camille.martin@example.org"]
    assert "Permis de construire" in message.subject
    submission = ContactSubmission.objects.get()
    assert submission.sent_at is not None
    confirmation = client.get(response["Location"]).content.decode()
    assert "bien été transmis" in confirmation


def test_invalid_form_keeps_input_and_explains_each_field(client, site):
    response = client.post(site["contact"].url, _data(site, email="pas-une-adresse", message=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez une adresse de courriel valide." in html
    assert 'id="id_message_error"' in html and "Champ requis." in html
    assert "Permis de construire" in html  # kept
    assert "Camille Martin" in html
    assert not ContactSubmission.objects.exists()
    assert not mail.outbox


def test_honeypot_drops_bots_silently(client, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site["contact"].url, _data(site, website="http://spam.example"))
    assert response.status_code == 302
    assert not ContactSubmission.objects.exists()
    assert not mail.outbox


def test_too_fast_submission_is_refused_with_a_message(client, site):
    response = client.post(site["contact"].url, _data(site, started=_started(0)))
    assert response.status_code == 200
    assert "trop vite" in response.content.decode()
    assert not ContactSubmission.objects.exists()


def test_forged_service_is_refused(client, site):
    response = client.post(site["contact"].url, _data(site, service="999999"))
    assert response.status_code == 200
    assert not ContactSubmission.objects.exists()


def test_rate_limit_per_address(client, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(site["contact"].url, _data(site)).status_code == 302
        blocked = client.post(site["contact"].url, _data(site))
    assert blocked.status_code == 200
    assert "Trop de messages" in blocked.content.decode()
    assert ContactSubmission.objects.count() == 5
