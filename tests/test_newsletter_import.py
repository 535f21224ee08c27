"""Staff CSV import of contacts: legal basis, consent column, row report, idempotence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parvis.core.models import AuditLogEntry
from parvis.newsletter.models import ConsentAction, ConsentEvent, Contact, Subscription, Topic
from parvis.newsletter.services.imports import contacts_import

from .conftest import verified_login
from .factories import make_user

pytestmark = pytest.mark.django_db

GOOD = (
    "email;mobile;prenom;nom;voie;themes;consentement\n"
    "lea.durand@example.org;06 39 98 00 11;Léa;Durand;Chemin des Pins;actu|travaux;oui\n"
    "marc.petit@example.org;;Marc;Petit;;actu;oui\n"
)


@pytest.fixture
def topics(db):
    return [
        Topic.objects.create(name="Actualités", slug="actu"),
        Topic.objects.create(name="Travaux", slug="travaux"),
    ]


@pytest.fixture
def agent(db):
    return make_user("agent.import@example.org", superuser=True, staff=True)


def _import(content, agent, **kwargs):
    options = {
        "legal_basis": "consent_recorded",
        "source": "Formulaires papier, fête du village",
        "channels": ["email", "sms"],
        "actor": agent,
    }
    options.update(kwargs)
    return contacts_import(content=content.encode(), **options)


def test_import_creates_active_subscriptions_with_ledger(topics, agent):
    report = _import(GOOD, agent)
    assert report.imported and not report.errors
    assert report.created == 2
    lea = Contact.objects.get(email="lea.durand@example.org")
    assert lea.phone == "+33639980011"
    subs = Subscription.objects.filter(contact=lea)
    assert subs.count() == 4  # 2 topics × e-mail and SMS
    assert set(subs.values_list("status", "legal_basis")) == {("active", "consent_recorded")}
    events = ConsentEvent.objects.filter(contact=lea)
    assert set(events.values_list("action", "method")) == {(ConsentAction.IMPORTED, "import")}
    assert events.first().source == "Formulaires papier, fête du village"
    assert events.first().actor == agent
    assert AuditLogEntry.objects.filter(action="newsletter.contacts_imported").count() == 1
    # Idempotent: the same file again changes nothing.
    again = _import(GOOD, agent)
    assert again.created == 0 and again.subscriptions == 0
    assert ConsentEvent.objects.count() == 5
    assert Contact.objects.count() == 2


def test_missing_consent_column_is_refused(topics, agent):
    report = _import("email;themes\nlea.durand@example.org;actu\n", agent)
    assert not report.imported
    assert "colonne « consentement » est absente" in report.errors[0][2]
    assert not Contact.objects.exists()


def test_bad_rows_block_everything_unless_skipped(topics, agent):
    content = GOOD + (
        "pas-une-adresse;;A;B;;actu;oui\n"
        ";04 42 00 00 00;C;D;;actu;oui\n"
        "sans.accord@example.org;;E;F;;actu;non\n"
        "theme@example.org;;G;H;;inconnu;oui\n"
    )
    report = _import(content, agent)
    assert not report.imported
    assert not Contact.objects.exists()
    by_row = {(row, column): message for row, column, message in report.errors}
    assert "Adresse e-mail invalide" in by_row[(4, "email")]
    assert "n'est pas un mobile" in by_row[(5, "mobile")]
    assert "Consentement absent" in by_row[(6, "consentement")]
    assert "Thème inconnu" in by_row[(7, "themes")]
    report = _import(content, agent, skip_bad_rows=True)
    assert report.imported and report.skipped_rows == 4
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "lea.durand@example.org",
        "marc.petit@example.org",
    }


def test_legal_basis_and_source_are_required(topics, agent):
    report = _import(GOOD, agent, source=" ")
    assert not report.imported and not Contact.objects.exists()


def test_admin_import_view(client, topics, agent):
    verified_login(client, agent)
    page = client.get("/admin/lettre/import/")
    assert page.status_code == 200
    response = client.post(
        "/admin/lettre/import/",
        {
            "file": SimpleUploadedFile("contacts.csv", b"email;themes\nx@example.org;actu\n"),
            "legal_basis": "consent_recorded",
            "source": "Registre papier",
            "channels": ["email"],
        },
    )
    assert "colonne « consentement » est absente" in response.content.decode()
    response = client.post(
        "/admin/lettre/import/",
        {
            "file": SimpleUploadedFile("contacts.csv", GOOD.encode()),
            "legal_basis": "",
            "source": "",
            "channels": ["email"],
        },
    )
    html = response.content.decode()
    assert "Indiquez la base légale" in html and "Indiquez d&#x27;où viennent" in html
    assert not Contact.objects.exists()
    response = client.post(
        "/admin/lettre/import/",
        {
            "file": SimpleUploadedFile("contacts.csv", GOOD.encode()),
            "legal_basis": "consent_recorded",
            "source": "Registre papier",
            "channels": ["email"],
        },
    )
    assert "Import terminé" in response.content.decode()
    assert Subscription.objects.filter(status="active", channel="email").count() == 3


def test_import_view_needs_permission(client, topics):
    user = make_user("redac.import@example.org", staff=True)
    verified_login(client, user)
    assert client.get("/admin/lettre/import/").status_code in (302, 403)
