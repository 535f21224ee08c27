"""Guests without an account prove they read an e-mail address before booking an
appointment or filing a procedure: a signed link, valid one hour, then 24 hours in the
session."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from parvis.accounts import email_proof

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    send = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(**kwargs)

    client.request = request
    return client


def _link(message) -> str:
    return re.search(r"https?://\S+/comptes/adresse/\S+/", message.body).group(0)


def _proven(client) -> str | None:
    request = RequestFactory().get("/")
    request.session = client.session
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return email_proof.proven_email(request)


def test_link_proves_the_address_and_returns_to_the_page(client, site):
    response = client.post(
        "/comptes/adresse/", {"email": "Invite@Example.org", "next": "/reservations/rdv/"}
    )
    assert response.status_code == 200
    assert "Un lien vient d'être envoyé" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["invite@example.org"]
    assert _proven(client) is None
    path = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302 and response["Location"] == "/reservations/rdv/"
    assert _proven(client) == "invite@example.org"


def test_proof_lasts_one_day_and_the_link_one_hour(client, site):
    client.post("/comptes/adresse/", {"email": "invite@example.org", "next": "/"})
    path = "/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        response = client.get(path)
        assert response.status_code == 400
        assert "expiré" in response.content.decode()
    client.get(path)
    assert _proven(client) == "invite@example.org"
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert _proven(client) is None


def test_forged_link_and_foreign_next_are_refused(client, site):
    assert client.get("/comptes/adresse/forged-token/").status_code == 400
    client.post(
        "/comptes/adresse/", {"email": "invite@example.org", "next": "https://evil.example.com/"}
    )
    path = "/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    assert client.get(path)["Location"] == "/"


def test_bad_address_is_explained_and_verified_accounts_need_no_link(client, site):
    response = client.post("/comptes/adresse/", {"email": "pas-une-adresse", "next": "/"})
    assert response.status_code == 400
    assert "adresse" in response.content.decode().lower()
    assert mail.outbox == []
    user = factories.make_user(email="camille@example.org")
    user.email_verified_at = timezone.now()
    user.save()
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    assert email_proof.proven_email(request) == "camille@example.org"
