"""Residents' accounts: sign-up, e-mail verification, password reset, throttling, and the
verified-address guard of the directory's self-service pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from parvis.accounts.models import User
from parvis.core.models import AuditLogEntry

from . import factories

pytestmark = pytest.mark.django_db

STRONG = "Garrigue-Pinede-2026"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Each request's on-commit callbacks (e-mails) run when it ends, as after a commit."""
    send = client.request

    def request(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return send(**kwargs)

    client.request = request
    return client


def sign_up(client, email="camille@example.org", ip="203.0.113.5", **overrides):
    data = {
        "email": email,
        "first_name": "Camille",
        "last_name": "Martin",
        "password1": STRONG,
        "password2": STRONG,
        "terms": "on",
        "website": "",
        **overrides,
    }
    return client.post("/comptes/inscription/", data, REMOTE_ADDR=ip)


def link_in(message, prefix="/comptes/"):
    """The path of the first link to ``prefix`` in the plain-text body."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_creates_an_unverified_account_and_mails_a_link(client, site):
    page = client.get("/comptes/inscription/")
    assert page.status_code == 200
    assert "Créer un compte" in page.content.decode()

    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/comptes/inscription/envoyee/"
    done = client.get(response["Location"]).content.decode()
    assert "camille@example.org" in done

    user = User.objects.get(email="camille@example.org")
    assert user.first_name == "Camille" and user.last_name == "Martin"
    assert user.email_verified_at is None
    assert user.check_password(STRONG)
    assert AuditLogEntry.objects.filter(
        action="accounts.signed_up", object_id=str(user.pk)
    ).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camille@example.org"]
    assert "vérifiez votre adresse" in message.subject.lower()
    html = message.alternatives[0][0]
    verify_path = link_in(message)
    assert verify_path.startswith("/comptes/verification/")
    assert verify_path in html

    page = client.get(verify_path)
    assert page.status_code == 200
    assert "Adresse e-mail vérifiée" in page.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert (
        AuditLogEntry.objects.filter(
            action="accounts.email_verified", object_id=str(user.pk)
        ).count()
        == 1
    )

    # Following the link again is harmless: the first date stays, no second audit entry.
    first = user.email_verified_at
    assert client.get(verify_path).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at == first
    assert AuditLogEntry.objects.filter(action="accounts.email_verified").count() == 1

    # The new account logs in with its e-mail and password.
    response = client.post(
        "/comptes/connexion/", {"username": "Camille@Example.org", "password": STRONG}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password1": "court", "password2": "court"}, "password1", "trop court"),
        (
            {"password1": "motdepasselong", "password2": "motdepasselong"},
            "password1",
            "trois types",
        ),
        ({"password2": "Autre-Mot-De-Passe-9"}, "password2", "pas identiques"),
        ({"terms": ""}, "terms", "conditions d'utilisation"),
        ({"email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
    ],
)
def test_bad_sign_up_input_is_explained_next_to_the_field(client, site, overrides, field, message):
    response = sign_up(client, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    # What was typed is kept (except passwords).
    assert 'value="Camille"' in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_honeypot_fills_create_nothing_but_look_accepted(client, site):
    response = sign_up(client, website="http://spam.example.org")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/inscription/envoyee/"
    assert not User.objects.exists()
    assert mail.outbox == []


def test_sign_up_with_a_taken_address_reveals_nothing_and_warns_the_owner(client, site):
    owner = factories.make_user("dominique@example.org")
    response = sign_up(client, email="Dominique@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/comptes/inscription/envoyee/"
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.check_password(factories.PASSWORD)  # untouched
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dominique@example.org"]
    assert "déjà un compte" in mail.outbox[0].subject
    assert "/comptes/mot-de-passe-oublie/" in mail.outbox[0].body


def test_sign_ups_are_throttled_per_address(client, site):
    for number in range(5):
        assert sign_up(client, email=f"voisin{number}@example.org").status_code == 302
    response = sign_up(client, email="voisin5@example.org")
    assert response.status_code == 200
    assert "Trop de demandes" in response.content.decode()
    assert not User.objects.filter(email="voisin5@example.org").exists()
    # Another connection is not affected.
    assert sign_up(client, email="voisin5@example.org", ip="198.51.100.7").status_code == 302
    assert User.objects.filter(email="voisin5@example.org").exists()


def test_expired_or_altered_verification_links_are_refused(client, site):
    sign_up(client)
    user = User.objects.get()
    verify_path = link_in(mail.outbox[0])

    with time_machine.travel(timezone.now() + dt.timedelta(days=3, hours=1)):
        response = client.get(verify_path)
    assert response.status_code == 400
    assert "expiré" in response.content.decode()

    response = client.get(verify_path[:-3] + "abc/")
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None

    with time_machine.travel(timezone.now() + dt.timedelta(days=2, hours=23)):
        assert client.get(verify_path).status_code == 200
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_resend_verification_never_reveals_whether_an_account_exists(client, site):
    sign_up(client)
    mail.outbox.clear()
    response = client.post("/comptes/verification/renvoyer/", {"email": "camille@example.org"})
    assert response.status_code == 200
    known = response.content.decode()
    assert len(mail.outbox) == 1
    assert link_in(mail.outbox[0]).startswith("/comptes/verification/")

    response = client.post("/comptes/verification/renvoyer/", {"email": "inconnu@example.org"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    assert "Si un compte non vérifié existe" in known
    assert "Si un compte non vérifié existe" in response.content.decode()


def test_signed_in_unverified_person_resends_to_their_own_address(client, site):
    user = factories.make_user("lou@example.org")
    client.force_login(user)
    response = client.post("/comptes/verification/renvoyer/", {"email": "autre@example.org"})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["lou@example.org"]]


def test_login_page_links_to_sign_up_and_password_reset(client, site):
    content = client.get("/comptes/connexion/").content.decode()
    assert 'href="/comptes/inscription/"' in content
    assert "Créer un compte" in content
    assert 'href="/comptes/mot-de-passe-oublie/"' in content
    assert "Mot de passe oublié ?" in content


def test_password_reset_by_email_link(client, site):
    user = factories.make_user("sacha@example.org")
    page = client.get("/comptes/mot-de-passe-oublie/")
    assert page.status_code == 200
    assert "Mot de passe oublié" in page.content.decode()

    response = client.post("/comptes/mot-de-passe-oublie/", {"email": "sacha@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/mot-de-passe-oublie/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sacha@example.org"]
    assert "nouveau mot de passe" in message.subject
    assert message.alternatives and "<a href=" in message.alternatives[0][0]

    # An unknown address gets the same answer and no e-mail.
    response = client.post("/comptes/mot-de-passe-oublie/", {"email": "personne@example.org"})
    assert response["Location"] == "/comptes/mot-de-passe-oublie/envoye/"
    assert len(mail.outbox) == 1

    reset_path = link_in(message)
    assert reset_path.startswith("/comptes/reinitialiser/")
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 200
    assert (
        "new_password1" in weak.context["form"].errors
        or "new_password2" in weak.context["form"].errors
    )

    new = "Nouveau-Mot-2026!"
    response = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/comptes/reinitialiser/termine/"
    user.refresh_from_db()
    assert user.check_password(new)
    # Following the e-mailed link proves the address: it counts as verified.
    assert user.email_verified_at is not None
    # The link serves once.
    again = client.get(reset_path, follow=True)
    assert not again.context["validlink"]


def test_password_reset_requests_are_throttled(client, site):
    factories.make_user("sacha@example.org")
    for _ in range(5):
        client.post("/comptes/mot-de-passe-oublie/", {"email": "sacha@example.org"})
    response = client.post("/comptes/mot-de-passe-oublie/", {"email": "sacha@example.org"})
    assert response.status_code == 200
    assert "Trop de demandes" in response.content.decode()
    assert len(mail.outbox) == 5


def test_self_service_needs_a_signed_in_verified_account(client, site):
    url = "/annuaire/mon-association/proposer/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")

    user = factories.make_user("alex@example.org")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 403
    content = response.content.decode()
    assert "Vérifiez d'abord votre adresse e-mail" in content
    assert 'action="/comptes/verification/renvoyer/"' in content
    response = client.post(url, {"kind": "association", "name": "Club"})
    assert response.status_code == 403
    from parvis.directory.models import PlaceProposal

    assert not PlaceProposal.objects.exists()

    # The personal space says why, and offers a new link.
    account = client.get("/comptes/").content.decode()
    assert "Vérifiez votre adresse e-mail pour proposer" in account

    user.email_verified_at = timezone.now()
    user.save()
    assert client.get(url).status_code == 200


def test_staff_accounts_count_as_verified(client, site):
    agent = factories.make_user("agent@example.org", staff=True)
    assert agent.email_verified_at is None
    client.force_login(agent)
    assert client.get("/annuaire/mon-association/").status_code == 200
