"""The shipped demo procedures: loaded twice without duplicates, each published version
accepts a realistic submission and refuses what the law or the service does not allow,
and the demo resident has requests in different states."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from parvis.core.models import Service
from parvis.payments.models import Regie
from parvis.procedures import demo, formspec
from parvis.procedures.exceptions import SubmissionInvalid
from parvis.procedures.models import (
    Attachment,
    Procedure,
    ProcedureVersion,
    Request,
    RequestEvent,
    StatusKind,
)
from parvis.procedures.services.requests import request_transition

from .procedures_helpers import (
    make_resident,
    private_media,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

SLUGS = [spec[0] for spec in demo.PROCEDURES]


@pytest.fixture
def people():
    resident = make_resident(demo.DEMO_RESIDENT)
    accueil = make_resident("accueil.test@example.org", is_staff=True)
    accueil.groups.add(Group.objects.get_or_create(name="Accueil")[0])
    admin = make_resident("admin.test@example.org", is_staff=True, is_superuser=True)
    return {"resident": resident, "accueil": accueil, "admin": admin}


def _counts() -> dict[str, int]:
    return {
        "services": Service.objects.count(),
        "procedures": Procedure.objects.count(),
        "versions": ProcedureVersion.objects.count(),
        "requests": Request.objects.count(),
        "events": RequestEvent.objects.count(),
        "attachments": Attachment.objects.count(),
        "regies": Regie.objects.count(),
    }


def test_loads_twice_without_duplicates(people):
    first = demo.load_procedures_demo()
    assert first["démarches"] == 4 and first["demandes"] == 4
    after_first = _counts()
    second = demo.load_procedures_demo()
    assert sum(second.values()) == 0, second
    assert _counts() == after_first
    assert set(Procedure.objects.values_list("slug", flat=True)) == set(SLUGS)
    for procedure in Procedure.objects.all():
        assert procedure.status == Procedure.Status.PUBLISHED
        assert procedure.current_version.number == 1


def test_existing_services_are_reused(people):
    """Services made by another module's demo (bookings) are not doubled."""
    Service.objects.create(name="Enfance-jeunesse", slug="enfance")
    counter = Service.objects.create(name="Accueil – état civil", slug="accueil-etat-civil")
    demo.load_procedures_demo()
    assert Service.objects.filter(name="Enfance-jeunesse").count() == 1
    assert Procedure.objects.get(slug="inscription-scolaire").service.slug == "enfance"
    assert not Service.objects.filter(slug="etat-civil").exists()
    assert Procedure.objects.get(slug="acte-etat-civil").service == counter
    assert counter.groups.filter(name="Accueil").exists()


def test_services_and_agents(people):
    demo.load_procedures_demo()
    names = set(Service.objects.values_list("name", flat=True))
    assert {
        "État civil",
        "Services techniques",
        "Urbanisme et domaine public",
        "Enfance-jeunesse",
    } <= names
    civil = Service.objects.get(slug="etat-civil")
    assert civil.groups.filter(name="Accueil").exists()
    assert Procedure.objects.get(slug="acte-etat-civil").service == civil


@pytest.mark.parametrize("slug", SLUGS)
def test_published_version_validates_a_realistic_submission(people, slug):
    demo.load_procedures_demo()
    procedure = Procedure.objects.get(slug=slug)
    spec = formspec.FormSpec(procedure.current_version.schema)
    data, files = demo.sample_data(slug, today=timezone.localdate())
    attachments = [
        Attachment(field_key=key, original_name=name, size=len(content), content_type=kind)
        for key, name, content, kind in files
    ]
    cleaned = formspec.validate_submission(spec, data, formspec.files_by_key(attachments))
    # Every required visible field has a value in the cleaned submission.
    visible = spec.visibility(cleaned)
    for key, field in spec.fields.items():
        if field["required"] and visible[key]:
            assert key in cleaned and cleaned[key] not in (None, "", []), key
    # Idempotent on its own output (what the request stores is valid again).
    assert formspec.validate_submission(spec, cleaned, formspec.files_by_key(attachments))


def _civil_status():
    procedure = Procedure.objects.get(slug="acte-etat-civil")
    spec = formspec.FormSpec(procedure.current_version.schema)
    data, _files = demo.sample_data("acte-etat-civil", today=timezone.localdate())
    return spec, data


def test_civil_status_rules(people):
    demo.load_procedures_demo()
    spec, data = _civil_status()
    # No e-mail delivery for acts: only post or the counter.
    reception = spec.fields["reception"]
    assert reception["options"]["choices"] == ["Par courrier postal", "Au guichet de la mairie"]
    assert "jamais envoyés par e-mail" in reception["help_text"]
    assert set(spec.fields["type_copie"]["options"]["choices"]) == {
        "Copie intégrale",
        "Extrait avec filiation",
        "Extrait sans filiation",
    }
    # An heir must acknowledge the restriction of full copies.
    heir = dict(data, lien="Son héritier ou son héritière")
    with pytest.raises(SubmissionInvalid) as refused:
        formspec.validate_submission(spec, heir, {})
    assert "restriction_heritier" in refused.value.errors
    assert formspec.validate_submission(spec, dict(heir, restriction_heritier=True), {})
    # The person themself sees no such field; a value for it is refused as tampering.
    with pytest.raises(SubmissionInvalid) as tampered:
        formspec.validate_submission(spec, dict(data, restriction_autre=True), {})
    assert "restriction_autre" in tampered.value.errors
    # « Autre » asks what the link is.
    with pytest.raises(SubmissionInvalid) as other:
        formspec.validate_submission(spec, dict(data, lien="Autre", restriction_autre=True), {})
    assert "lien_precision" in other.value.errors
    # Postal delivery needs the address; the counter does not.
    with pytest.raises(SubmissionInvalid) as no_address:
        formspec.validate_submission(spec, dict(data, adresse_envoi=None), {})
    assert any(key.startswith("adresse_envoi") for key in no_address.value.errors)
    at_counter = {k: v for k, v in data.items() if k != "adresse_envoi"}
    assert formspec.validate_submission(
        spec, dict(at_counter, reception="Au guichet de la mairie"), {}
    )
    # A marriage act asks for the other spouse; the parents are asked for birth acts.
    marriage = {k: v for k, v in data.items() if k not in ("parent_1", "parent_2")}
    marriage["type_acte"] = "Acte de mariage"
    with pytest.raises(SubmissionInvalid) as spouse:
        formspec.validate_submission(spec, marriage, {})
    assert "conjoint" in spouse.value.errors
    assert formspec.validate_submission(spec, dict(marriage, conjoint="Durand Alex"), {})
    assert Procedure.objects.get(slug="acte-etat-civil").fee_cents == 0


def test_public_space_occupation_has_a_fee_on_the_dummy_regie(people):
    demo.load_procedures_demo()
    procedure = Procedure.objects.get(slug="occupation-domaine-public")
    assert procedure.fee_cents == 1500 and procedure.current_version.fee_cents == 1500
    assert procedure.regie.backend == Regie.BACKEND_DUMMY
    spec = formspec.FormSpec(procedure.current_version.schema)
    data, _files = demo.sample_data(procedure.slug, today=timezone.localdate())
    with pytest.raises(SubmissionInvalid) as plate:
        formspec.validate_submission(spec, dict(data, immatriculation="123"), {})
    assert "immatriculation" in plate.value.errors
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    with pytest.raises(SubmissionInvalid) as dates:
        formspec.validate_submission(spec, dict(data, date_debut=past), {})
    assert "date_debut" in dates.value.errors


def test_school_registration_needs_the_documents_and_a_parent(people):
    demo.load_procedures_demo()
    procedure = Procedure.objects.get(slug="inscription-scolaire")
    spec = formspec.FormSpec(procedure.current_version.schema)
    data, _files = demo.sample_data(procedure.slug, today=timezone.localdate())
    with pytest.raises(SubmissionInvalid) as missing:
        formspec.validate_submission(spec, dict(data, responsables=[]), {})
    errors = missing.value.errors
    assert {"justificatif_domicile", "livret_famille", "vaccinations"} <= set(errors)
    assert any(key.startswith("responsables") for key in errors)


def test_demo_requests_of_the_resident(people):
    demo.load_procedures_demo()
    requests = {
        r.procedure.slug: r
        for r in Request.objects.filter(user=people["resident"]).select_related("procedure")
    }
    assert set(requests) == set(SLUGS)
    kinds = {slug: r.status_kind for slug, r in requests.items()}
    assert kinds == {
        "acte-etat-civil": StatusKind.IN_PROGRESS,
        "signaler-un-probleme": StatusKind.ACCEPTED,
        "occupation-domaine-public": StatusKind.RECEIVED,
        "inscription-scolaire": StatusKind.WAITING_RESIDENT,
    }
    assert requests["signaler-un-probleme"].status_label == "Résolu"
    school = requests["inscription-scolaire"]
    assert school.events.filter(kind=RequestEvent.Kind.DOCUMENT_REQUESTED, resolved=False).exists()
    assert school.attachments.count() == 3
    occupation = requests["occupation-domaine-public"]
    assert occupation.fee_cents == 1500 and occupation.paid_at is None
    assert requests["acte-etat-civil"].attachments.get().field_key == "piece_identite"
    # Handled by agents of the services (Accueil for civil status).
    status_event = requests["acte-etat-civil"].events.filter(kind=RequestEvent.Kind.STATUS).first()
    assert status_event.actor == people["accueil"]


def test_reporter_is_told_when_the_problem_is_resolved(people, django_capture_on_commit_callbacks):
    """FixMyStreet-like: the « Résolu » status e-mails the reporter."""
    from parvis.procedures.services.requests import request_submit

    demo.load_procedures_demo()
    procedure = Procedure.objects.get(slug="signaler-un-probleme")
    data, _files = demo.sample_data(procedure.slug, today=timezone.localdate())
    reporter = "voisin.vigilant@example.org"
    report = request_submit(
        procedure=procedure, version=procedure.current_version, data=data, email=reporter
    )
    request_transition(request=report, to_code="en-cours", actor=people["admin"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_transition(request=report, to_code="acceptee", actor=people["admin"])
    sent = [message for message in mail.outbox if reporter in message.to]
    assert len(sent) == 1
    body = sent[0].body
    assert "Résolu" in sent[0].subject + body
    assert report.number in sent[0].subject + body
