import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from parvis.cms.models import ContactSubmission
from parvis.core import retention

pytestmark = pytest.mark.django_db


def _message(email, days_ago):
    return ContactSubmission.objects.create(
        service="Accueil",
        recipient_email="accueil@example.org",
        name="Camille Martin",
        email=email,
        subject="Question",
        message="Bonjour",
        created_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_contact_messages_are_purged_after_their_retention_period():
    old = _message("a@example.org", 400)
    recent = _message("a@example.org", 10)
    call_command("purge_personal_data", stdout=open("/dev/null", "w"))
    assert not ContactSubmission.objects.filter(pk=old.pk).exists()
    assert ContactSubmission.objects.filter(pk=recent.pk).exists()


def test_export_and_erase_one_person():
    _message("camille@example.org", 1)
    _message("autre@example.org", 1)
    exported = retention.export_person("Camille@example.org")
    assert len(exported["cms.contact_messages"]) == 1
    assert retention.erase_person("camille@example.org")["cms.contact_messages"] == 1
    assert ContactSubmission.objects.count() == 1
