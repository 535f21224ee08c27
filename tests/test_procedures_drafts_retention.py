"""Forms started and never sent do not stay for ever: the daily RGPD purge deletes drafts
untouched for 90 days and keeps the recent ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from parvis.core import retention
from parvis.procedures.models import Draft
from parvis.procedures.services.definitions import draft_save

from .procedures_helpers import make_procedure, make_resident, private_media  # noqa: F401

pytestmark = pytest.mark.django_db


def _draft(procedure, user, *, age_days):
    draft = draft_save(
        procedure=procedure,
        version=procedure.current_version,
        user=user,
        page=0,
        page_input={"objet": ["Début de saisie"]},
    )
    Draft.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=age_days)
    )
    return draft


def test_old_drafts_are_purged_daily_and_recent_ones_kept(private_media):  # noqa: F811
    procedure = make_procedure()
    resident = make_resident("brouillon@example.org")
    old = _draft(procedure, resident, age_days=91)
    recent = _draft(procedure, make_resident("recent@example.org"), age_days=10)
    call_command("purge_personal_data")
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert Draft.objects.filter(pk=recent.pk).exists()


def test_a_person_can_export_and_erase_their_drafts(private_media):  # noqa: F811
    procedure = make_procedure()
    resident = make_resident("brouillon@example.org")
    _draft(procedure, resident, age_days=1)
    exported = retention.export_person("brouillon@example.org")["procedure_drafts"]
    assert [row["demarche"] for row in exported] == [procedure.title]
    source = next(s for s in retention.sources() if s.name == "procedure_drafts")
    assert source.erase("brouillon@example.org") == 1
    assert not Draft.objects.filter(user=resident).exists()
