"""Retention of requests (RGPD): anonymised once closed for longer than their procedure's
retention period, by the daily command, with its result logged; export and erase by
e-mail address."""

import datetime as dt
import logging

import pytest
from django.core.management import call_command

from parvis.core import retention as registry
from parvis.core.models import AuditLogEntry
from parvis.procedures.models import Attachment, Request, RequestEvent
from parvis.procedures.retention import erase, export, requests_purge

from .procedures_helpers import (
    field,
    make_attachment,
    make_procedure,
    make_request,
    make_resident,
    private_media,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

DAYS_AGO = lambda days: dt.datetime.now(dt.UTC) - dt.timedelta(days=days)  # noqa: E731


@pytest.fixture
def procedure():
    return make_procedure([field("text", "objet", "Objet")], retention_days=30)


def closed_request(procedure, *, closed_days_ago, **extra):
    request = make_request(
        procedure,
        status="acceptee",
        submitted_at=DAYS_AGO(closed_days_ago + 5),
        data={"objet": "Copie intégrale pour Camille Martin"},
        phone="+33639980011",
        **extra,
    )
    Request.objects.filter(pk=request.pk).update(closed_at=DAYS_AGO(closed_days_ago))
    RequestEvent.objects.create(request=request, kind="message_agent", text="Bonjour Camille")
    RequestEvent.objects.create(
        request=request, kind="note", text="Note sur Camille", visible_to_resident=False
    )
    return request


def test_requests_past_retention_are_anonymised(procedure, django_capture_on_commit_callbacks,
                                                 caplog):  # fmt: skip
    resident = make_resident("camille.martin@example.org")
    old = closed_request(procedure, closed_days_ago=31, user=resident)
    attachment = make_attachment(request=old, name="livret-camille.pdf")
    path = attachment.file.name
    storage = attachment.file.storage
    recent = closed_request(procedure, closed_days_ago=10, user=resident)
    still_open = make_request(procedure, submitted_at=DAYS_AGO(400), user=resident)
    with caplog.at_level(logging.INFO, logger="parvis.procedures.retention"):
        with django_capture_on_commit_callbacks(execute=True):
            result = requests_purge()
    assert result == {"requests": 1, "files": 1}
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.data, old.email, old.phone, old.requester_name, old.user) == ({}, "", "", "", None)
    assert old.number and old.status_code == "acceptee"  # statistics stay
    assert set(old.events.values_list("text", flat=True)) == {""}
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(path)
    for other in (recent, still_open):
        other.refresh_from_db()
        assert other.anonymised_at is None and other.email == resident.email
    entry = AuditLogEntry.objects.get(action="procedures.retention.purge")
    assert entry.data == {"requests": 1, "files": 1}
    assert "1 request(s) anonymised" in caplog.text
    # Idempotent.
    assert requests_purge() == {"requests": 0, "files": 0}


def test_each_procedure_has_its_own_period(procedure):
    long_kept = make_procedure([field("text", "objet")], retention_days=3650)
    short = closed_request(procedure, closed_days_ago=100)
    long = closed_request(long_kept, closed_days_ago=100)
    requests_purge()
    short.refresh_from_db()
    long.refresh_from_db()
    assert short.anonymised_at is not None and long.anonymised_at is None


def test_command_and_registry(procedure, capsys):
    closed_request(procedure, closed_days_ago=60)
    call_command("purge_procedure_requests")
    assert "1 demande(s) anonymisée(s)" in capsys.readouterr().out
    assert "procedures" in {source.name for source in registry.sources()}
    closed_request(procedure, closed_days_ago=60)
    assert registry.purge_all()["procedures"] == 1


def test_export_gives_what_the_requester_sees(procedure):
    request = closed_request(procedure, closed_days_ago=1, email="Export@Example.org")
    [row] = export("export@example.org")
    assert row["numero"] == request.number
    assert row["reponses"] == {"objet": "Copie intégrale pour Camille Martin"}
    texts = [item["texte"] for item in row["historique"]]
    assert "Bonjour Camille" in texts and "Note sur Camille" not in texts
    assert export("personne@example.org") == []


def test_erase_anonymises_now(procedure, django_capture_on_commit_callbacks):
    resident = make_resident("efface@example.org")
    request = make_request(procedure, user=resident, data={"objet": "x"})
    attachment = make_attachment(request=request)
    guest = make_request(procedure, email="efface@example.org")
    other = make_request(procedure, email="reste@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert erase("EFFACE@example.org") == 2
    for item in (request, guest):
        item.refresh_from_db()
        assert item.anonymised_at is not None and item.email == "" and item.data == {}
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    other.refresh_from_db()
    assert other.anonymised_at is None
    assert export("efface@example.org") == []
    assert AuditLogEntry.objects.filter(action="procedures.retention.erase").exists()
