"""Double opt-in, the consent ledger, withdrawal, one-click unsubscribe, RGPD export."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from parvis.core import retention
from parvis.newsletter.models import (
    ChannelState,
    ConsentAction,
    ConsentEvent,
    ConsentMethod,
    Contact,
    Subscription,
    Topic,
)
from parvis.newsletter.phones import is_mobile, normalise_phone
from parvis.newsletter.services import consents

from .conftest import verified_login  # noqa: F401
from .factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(db):
    return {
        "actu": Topic.objects.create(
            name="Actualités", slug="actu", description="La vie du village", position=1
        ),
        "travaux": Topic.objects.create(name="Travaux", slug="travaux", position=2),
        "alertes": Topic.objects.create(name="Alertes", slug="alertes", is_alert=True, position=3),
    }


@pytest.fixture
def sms_outbox(monkeypatch):
    sent = []
    monkeypatch.setattr(
        consents,
        "sms_code_send",
        lambda *, phone, text, idempotency_key: sent.append((phone, text)),
    )
    return sent


def _form(topics, **overrides):
    data = {
        "topics": [topics["actu"].pk, topics["travaux"].pk],
        "channels": ["email"],
        "email": "lea.durand@example.org",
        "phone": "",
        "first_name": "Léa",
        "last_name": "Durand",
        "street": "Chemin des Pins",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def _confirm_link(message) -> str:
    return re.search(r"https?://\S+/lettre/confirmation/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- Phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "+33 6 12 34 56 78",
        "0033612345678",
        "+33 (0)6 12 34 56 78",
        "07-12-34-56-78",
    ],
)
def test_french_mobiles_are_stored_in_e164(raw):
    expected = "+33612345678" if raw[1] != "7" else "+33712345678"
    assert normalise_phone(raw) == expected
    assert is_mobile(raw)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("04 42 69 00 00", "n'est pas un mobile"),
        ("06 12 34 56", "10 chiffres"),
        ("06 12 AB 56 78", "que des chiffres"),
        ("", "Saisissez un numéro"),
    ],
)
def test_invalid_phones_get_a_french_message(raw, message):
    with pytest.raises(ValidationError) as error:
        normalise_phone(raw)
    assert message in error.value.messages[0]
    assert not is_mobile(raw)


# --- Double opt-in by e-mail ----------------------------------------------------------------


def test_email_double_opt_in_with_ledger(client, site, topics, django_capture_on_commit_callbacks):
    page = client.get("/lettre/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "La vie du village" in html and "Actualités" in html
    assert "Je peux me désinscrire à tout moment" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lettre/", _form(topics), REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302
    assert response["Location"] == "/lettre/merci/"
    contact = Contact.objects.get(email="lea.durand@example.org")
    assert set(contact.subscriptions.values_list("status", flat=True)) == {"pending"}
    requested = ConsentEvent.objects.filter(contact=contact, action=ConsentAction.REQUESTED)
    assert requested.count() == 2
    event = requested.first()
    assert event.method == ConsentMethod.FORM
    assert "Je peux me désinscrire à tout moment" in event.wording
    assert event.ip_address == "192.0.2.10"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea.durand@example.org"]
    link = _path(_confirm_link(mail.outbox[0]))
    # A link scanner that only GETs confirms nothing.
    assert client.get(link).status_code == 200
    assert not Subscription.objects.filter(status="active").exists()
    response = Client().post(link)
    assert response.status_code == 200
    assert "Inscription confirmée" in response.content.decode()
    statuses = set(contact.subscriptions.values_list("status", flat=True))
    assert statuses == {"active"}
    confirmed = ConsentEvent.objects.filter(contact=contact, action=ConsentAction.CONFIRMED)
    assert confirmed.count() == 2
    assert set(confirmed.values_list("method", flat=True)) == {ConsentMethod.EMAIL_LINK}
    # Clicking twice adds nothing.
    Client().post(link)
    assert ConsentEvent.objects.filter(contact=contact).count() == 4


def test_confirmation_link_expires_after_seven_days(
    client, site, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/lettre/", _form(topics))
    link = _path(_confirm_link(mail.outbox[0]))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=8)):
        response = client.post(link)
    assert response.status_code == 400
    assert "a expiré" in response.content.decode()
    assert not Subscription.objects.filter(status="active").exists()
    tampered = client.post(link.replace("/confirmation/", "/confirmation/x"))
    assert tampered.status_code == 400


def test_existing_address_reveals_nothing(client, site, topics, django_capture_on_commit_callbacks):
    contact = Contact.objects.create(email="lea.durand@example.org", first_name="Léa")
    Subscription.objects.create(
        contact=contact, channel="email", topic=topics["actu"], status="active"
    )
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/lettre/", _form(topics, first_name="Autre"))
        unknown = Client().post("/lettre/", _form(topics, email="nouveau@example.org"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    done_known = client.get(known["Location"]).content.decode()
    assert "ouvrez le message" in done_known
    contact.refresh_from_db()
    assert contact.first_name == "Léa"  # a visitor never rewrites a known contact
    assert len(mail.outbox) == 2
    # The active subscription stays active; the new topic waits for confirmation.
    assert contact.subscriptions.get(topic=topics["actu"]).status == "active"
    assert contact.subscriptions.get(topic=topics["travaux"]).status == "pending"


def test_form_errors_are_clear_and_nothing_is_saved(client, site, topics):
    response = client.post(
        "/lettre/",
        _form(
            topics,
            channels=["email", "sms"],
            email="pas-une-adresse",
            phone="04 42 00 00 00",
            consent="",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide" in html
    assert "n&#x27;est pas un mobile" in html
    assert "Cochez cette case" in html
    assert 'value="Chemin des Pins"' in html  # the rest is kept
    assert not Contact.objects.exists()


def test_honeypot_records_nothing(client, site, topics):
    response = client.post("/lettre/", _form(topics, website="http://spam.example"))
    assert response.status_code == 302
    assert not Contact.objects.exists()


def test_subscriptions_are_throttled_per_ip(client, site, topics):
    for index in range(10):
        response = client.post("/lettre/", _form(topics, email=f"p{index}@example.org"))
        assert response.status_code == 302
    response = client.post("/lettre/", _form(topics, email="p11@example.org"))
    assert response.status_code == 200
    assert "Trop de demandes" in response.content.decode()
    assert not Contact.objects.filter(email="p11@example.org").exists()


# --- SMS code --------------------------------------------------------------------------------


def test_sms_code_confirms_phone(
    client, site, topics, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/lettre/", _form(topics, channels=["sms"], email="", phone="06 39 98 00 01")
        )
    assert response["Location"] == "/lettre/sms/code/"
    assert len(sms_outbox) == 1
    phone, text = sms_outbox[0]
    assert phone == "+33639980001"
    code = re.search(r"\b(\d{6})\b", text).group(1)
    contact = Contact.objects.get(phone="+33639980001")
    assert contact.email is None
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/lettre/sms/code/", {"code": wrong})
    assert "Il vous reste 2 essai(s)" in response.content.decode()
    assert not contact.subscriptions.filter(status="active").exists()
    response = client.post("/lettre/sms/code/", {"code": code})
    assert response.status_code == 302
    assert set(contact.subscriptions.values_list("status", flat=True)) == {"active"}
    assert set(
        contact.consent_events.filter(action="confirmed").values_list("method", flat=True)
    ) == {ConsentMethod.SMS_CODE}
    # The code is single-use.
    response = client.post("/lettre/sms/code/", {"code": code})
    assert response.status_code in (200, 302)
    assert contact.consent_events.filter(action="confirmed").count() == 2


def test_sms_code_three_wrong_tries_and_expiry(
    client, site, topics, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/lettre/", _form(topics, channels=["sms"], email="", phone="0639980002"))
    code = re.search(r"\b(\d{6})\b", sms_outbox[0][1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        client.post("/lettre/sms/code/", {"code": wrong})
    response = client.post("/lettre/sms/code/", {"code": code})
    assert "a expiré ou a été saisi trop de fois" in response.content.decode()
    contact = Contact.objects.get(phone="+33639980002")
    assert not contact.subscriptions.filter(status="active").exists()

    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        other.post("/lettre/", _form(topics, channels=["sms"], email="", phone="0639980003"))
    code = re.search(r"\b(\d{6})\b", sms_outbox[1][1]).group(1)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = other.post("/lettre/sms/code/", {"code": code})
    assert "a expiré" in response.content.decode()
    assert not Subscription.objects.filter(status="active").exists()


def test_unconfirmed_is_never_active_and_purged_after_30_days(
    client, site, topics, django_capture_on_commit_callbacks
):
    client.post("/lettre/", _form(topics))
    assert Subscription.objects.filter(status="pending").count() == 2
    assert not Subscription.objects.filter(status="active").exists()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        retention.purge_all()
    assert not Contact.objects.exists()


# --- Withdrawal ---------------------------------------------------------------------------


def _active_contact(topics, **fields):
    contact = Contact.objects.create(**{"email": "lea.durand@example.org", **fields})
    for topic in topics.values():
        Subscription.objects.create(contact=contact, channel="email", topic=topic, status="active")
        ConsentEvent.objects.create(
            contact=contact, channel="email", topic=topic, action="confirmed", method="email_link"
        )
    return contact


def test_one_click_post_needs_no_cookie_nor_csrf(site, topics):
    contact = _active_contact(topics)
    url = consents.unsubscribe_url(contact, "email")
    assert url.startswith("http") and f"/lettre/desinscription/{contact.token}/email/" in url
    plain = Client(enforce_csrf_checks=True)
    response = plain.post(
        _path(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not response.cookies
    assert set(contact.subscriptions.values_list("status", flat=True)) == {"withdrawn"}
    events = contact.consent_events.filter(action=ConsentAction.WITHDRAWN)
    assert events.count() == 3
    assert set(events.values_list("method", flat=True)) == {ConsentMethod.ONE_CLICK}
    again = plain.post(
        _path(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert contact.consent_events.filter(action=ConsentAction.WITHDRAWN).count() == 3
    assert plain.post(f"/lettre/desinscription/{'x' * 40}/email/").status_code == 404


def test_unsubscribe_get_asks_before_acting(client, site, topics):
    contact = _active_contact(topics)
    response = client.get(f"/lettre/desinscription/{contact.token}/email/")
    assert response.status_code == 200
    assert "Me désinscrire" in response.content.decode()
    assert contact.subscriptions.filter(status="active").count() == 3


def test_preference_centre_change_topics_and_stop_all(client, site, topics):
    contact = _active_contact(topics)
    url = _path(consents.preferences_url(contact))
    page = client.get(url)
    html = page.content.decode()
    assert "lea.durand@example.org" in html and "Vous recevez" in html
    assert page["Cache-Control"].startswith("max-age=0")
    client.post(url, {"topics_email": [topics["alertes"].pk], "save": "1"})
    active = contact.subscriptions.filter(status="active")
    assert list(active.values_list("topic__slug", flat=True)) == ["alertes"]
    assert contact.consent_events.filter(action="withdrawn", method="preferences").count() == 2
    # Taking a topic back is as easy as leaving it.
    client.post(url, {"topics_email": [topics["alertes"].pk, topics["actu"].pk], "save": "1"})
    assert contact.subscriptions.filter(status="active").count() == 2
    client.post(url, {"unsubscribe_all": "1"})
    assert not contact.subscriptions.filter(status="active").exists()
    assert client.get("/lettre/preferences/inconnu/").status_code == 404


def test_stop_channel_is_idempotent_and_blocks_until_new_consent(site, topics):
    contact = _active_contact(topics)
    assert consents.contact_stop_channel(contact=contact, channel="email", method="bounce")
    assert not consents.contact_stop_channel(contact=contact, channel="email", method="bounce")
    contact.refresh_from_db()
    assert contact.email_state == ChannelState.BOUNCED
    assert not contact.subscriptions.filter(status="active").exists()
    assert contact.consent_events.filter(action="stopped").count() == 1


def test_staff_withdrawal_is_audited(site, topics):
    from parvis.core.models import AuditLogEntry

    agent = make_user("agent@example.org", staff=True)
    contact = _active_contact(topics)
    consents.subscription_withdraw(
        contact=contact, channel="email", topic=topics["actu"], method="staff", actor=agent
    )
    event = contact.consent_events.get(action="withdrawn")
    assert event.actor == agent
    assert AuditLogEntry.objects.filter(
        action="newsletter.subscription_withdrawn", actor=agent
    ).exists()


# --- Accounts and RGPD ------------------------------------------------------------------


def test_verified_resident_subscribes_without_confirmation(
    client, site, topics, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    user = make_user("resident@example.org")
    user.email_verified_at = timezone.now()
    user.save()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/lettre/", _form(topics, email="resident@example.org"))
    assert response.status_code == 302
    assert not mail.outbox
    contact = Contact.objects.get(email="resident@example.org")
    assert contact.user == user
    assert set(contact.subscriptions.values_list("status", flat=True)) == {"active"}
    assert set(contact.consent_events.values_list("method", flat=True)) == {ConsentMethod.ACCOUNT}
    assert consents.contact_for_user(user) == contact
    account = client.get("/comptes/").content.decode()
    assert "Mes abonnements" in account
    assert "Actualités – E-mail" in account
    assert consents.preferences_url(contact).split("/", 3)[3] in account


def test_personal_space_invites_to_subscribe(client, site, topics):
    from django.utils import timezone

    user = make_user("autre@example.org")
    user.email_verified_at = timezone.now()
    user.save()
    client.force_login(user)
    html = client.get("/comptes/").content.decode()
    assert "Mes abonnements" in html
    assert "Vous ne recevez pas encore" in html


def test_consent_export_shows_whole_history_and_erase(
    client, site, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/lettre/", _form(topics), REMOTE_ADDR="192.0.2.20")
    Client().post(_path(_confirm_link(mail.outbox[0])))
    contact = Contact.objects.get(email="lea.durand@example.org")
    Client().post(f"/lettre/desinscription/{contact.token}/email/")
    data = retention.export_person("Lea.Durand@example.org")["newsletter"]
    history = [row for row in data if row["type"] == "consentement"]
    assert [row["action"] for row in history] == [
        "Demande d'inscription",
        "Demande d'inscription",
        "Confirmation",
        "Confirmation",
        "Retrait",
        "Retrait",
    ]
    assert "Je peux me désinscrire à tout moment" in history[0]["texte_presente"]
    assert history[0]["adresse_ip"] == "192.0.2.20"
    assert history[2]["moyen"] == "Lien de confirmation par e-mail"
    assert history[4]["moyen"] == "Désinscription en un clic"
    assert retention.export_person("autre@example.org")["newsletter"] == []
    assert retention.erase_person("lea.durand@example.org")["newsletter"] == 1
    assert not Contact.objects.exists() and not ConsentEvent.objects.exists()


def test_sms_code_goes_through_the_outbox(client, site, topics, django_capture_on_commit_callbacks):
    from parvis.newsletter.models import Delivery

    with django_capture_on_commit_callbacks() as callbacks:
        client.post("/lettre/", _form(topics, channels=["sms"], email="", phone="06 39 98 00 09"))
    assert len(callbacks) == 1
    callbacks[0]()  # queues the code; the worker (not run here) sends it
    delivery = Delivery.objects.get(address="+33639980009")
    assert delivery.channel == "sms" and delivery.urgent
    assert re.search(r"\b\d{6}\b", delivery.text)
