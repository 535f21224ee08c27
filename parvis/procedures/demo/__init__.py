"""Demo data of online procedures: the municipal services, four published procedures with
the fields the law or the service needs, and a few requests of the demo resident in
different states.

Idempotent: services are looked up by slug (or name), procedures by slug, the régie by
code; an existing procedure is left as staff may have edited it (only published if it is
not); the demo requests are made once per procedure. Everything goes through the services
(publishing, submission, workflow), so the demo requests are what a resident would get.
Fictional people, addresses and numbers only.
"""

from __future__ import annotations

import json
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q

from .forms import DEMO_RESIDENT, PROCEDURES, STATUS_MESSAGES, sample_data

REGIE_CODE = "voirie"

# --- services ---------------------------------------------------------------------------------

# (slug, name, e-mail, phone, groups of agents)
SERVICES = (
    ("etat-civil", "État civil", "etat-civil@example.org", "01 99 00 00 10", ("Accueil",)),
    (
        "services-techniques",
        "Services techniques",
        "services-techniques@example.org",
        "01 99 00 00 20",
        ("Accueil",),
    ),
    (
        "urbanisme-domaine-public",
        "Urbanisme et domaine public",
        "urbanisme@example.org",
        "01 99 00 00 30",
        ("Accueil",),
    ),
    (
        "enfance-jeunesse",
        "Enfance-jeunesse",
        "enfance@example.org",
        "01 99 00 00 40",
        ("Section Enfance-jeunesse",),
    ),
)


# --- building -------------------------------------------------------------------------------


#: Services the bookings demo may have created already under another slug: reused, so that
#: the civil status service is one service for appointments and procedures alike.
SERVICE_ALIASES = {"etat-civil": ("accueil-etat-civil",)}


def _service(slug, name, email, phone, groups, created: Counter):
    from parvis.core.models import Service

    slugs = (slug, *SERVICE_ALIASES.get(slug, ()))
    service = Service.objects.filter(Q(slug__in=slugs) | Q(name=name)).order_by("pk").first()
    if service is None:
        service = Service.objects.create(slug=slug, name=name, email=email, phone=phone)
        created["services"] += 1
    for group_name in groups:
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            service.groups.add(group)
    return service


def _regie(created: Counter):
    from parvis.payments.models import Regie

    regie, was_created = Regie.objects.get_or_create(
        code=REGIE_CODE,
        defaults={
            "name": "Régie des droits de voirie",
            "backend": Regie.BACKEND_DUMMY,
            "object_label": "Voirie",
            "accountant_contact": (
                "Service de gestion comptable d'Aubagne – 01 99 00 00 42 – sgc.exemple@example.org"
            ),
        },
    )
    created["régies"] += int(was_created)
    return regie


def _customise_workflow(procedure) -> None:
    """The street report: « Résolu » tells the reporter it is fixed."""
    if procedure.slug != "signaler-un-probleme":
        return
    procedure.statuses.filter(code="en-cours").update(label="Intervention programmée")
    procedure.statuses.filter(code="acceptee").update(label="Résolu", notify_resident=True)
    procedure.statuses.filter(code="refusee").update(label="Non retenu")
    procedure.transitions.filter(to_code="acceptee").update(label="Marquer comme résolu")
    procedure.transitions.filter(to_code="en-cours", role="agent", from_code="recue").update(
        label="Programmer l'intervention"
    )


def _procedure(spec, services, regie, created: Counter):
    from ..models import Procedure
    from ..services.definitions import procedure_publish

    slug, title, summary, service_slug, audience, fee, days, form = spec
    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is None:
        procedure = Procedure.objects.create(
            slug=slug,
            title=title,
            summary=summary,
            description=f"<p>{summary}</p>",
            service=services[service_slug],
            audience=audience,
            fee_cents=fee,
            regie=regie if fee else None,
            processing_days=days,
            retention_days=365 * 2 if slug == "inscription-scolaire" else 365,
            status_message=STATUS_MESSAGES.get(slug, ""),
            sms_notifications=False,
            form=json.dumps(form()),
        )
        created["démarches"] += 1
        procedure_publish(procedure=procedure, actor=None)
        procedure.refresh_from_db()
        _customise_workflow(procedure)
    elif procedure.status != Procedure.Status.PUBLISHED or procedure.current_version_id is None:
        procedure_publish(procedure=procedure, actor=None)
        procedure.refresh_from_db()
    return procedure


def _attachment(field_key: str, name: str, content: bytes, content_type: str, user):
    from ..uploads import attachment_from_upload

    upload = SimpleUploadedFile(name, content, content_type)
    return attachment_from_upload(upload, field_key=field_key, user=user)


def _agent_for(service):
    """A demo account that works for ``service`` (a superuser at worst), or ``None``."""
    users = get_user_model().objects.filter(is_active=True)
    agent = users.filter(groups__municipal_services=service).order_by("pk").first()
    return agent or users.filter(is_superuser=True).order_by("pk").first()


def _demo_request(procedure, resident, created: Counter, *, today):
    """Submit the demo resident's request of ``procedure`` and move it along its
    workflow (once per procedure)."""
    from ..models import Request
    from ..services.requests import (
        request_ask_document,
        request_message,
        request_submit,
        request_transition,
    )

    if Request.objects.filter(procedure=procedure, user=resident).exists():
        return None
    data, files = sample_data(procedure.slug, today=today)
    attachments = [_attachment(*item, user=resident) for item in files]
    request = request_submit(
        procedure=procedure,
        version=procedure.current_version,
        data=data,
        attachments=attachments,
        user=resident,
        email=resident.email,
        phone="06 39 98 00 12",
    )
    created["demandes"] += 1
    agent = _agent_for(procedure.service)
    if agent is None:
        return request
    if procedure.slug == "acte-etat-civil":
        request_transition(request=request, to_code="en-cours", actor=agent)
        request_message(
            request=request,
            text="Bonjour, votre acte sera posté cette semaine. Cordialement, l'état civil.",
            actor=agent,
        )
    elif procedure.slug == "signaler-un-probleme":
        request_transition(request=request, to_code="en-cours", actor=agent)
        request_transition(request=request, to_code="acceptee", actor=agent)
    elif procedure.slug == "inscription-scolaire":
        request_transition(request=request, to_code="en-cours", actor=agent)
        request_ask_document(
            request=request,
            text="Attestation d'assurance scolaire (responsabilité civile) de l'enfant.",
            actor=agent,
        )
    # The public-space occupation stays « reçue », its fee to pay.
    return request


def load_procedures_demo(*, today=None) -> Counter:
    """Create what is missing of the procedures demo; returns the counts created."""
    from django.utils import timezone

    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    with transaction.atomic():
        services = {spec[0]: _service(*spec, created=created) for spec in SERVICES}
        regie = _regie(created)
        procedures = [_procedure(spec, services, regie, created) for spec in PROCEDURES]
    resident = get_user_model().objects.filter(email__iexact=DEMO_RESIDENT).first()
    if resident is not None:
        for procedure in procedures:
            with transaction.atomic():
                _demo_request(procedure, resident, created, today=today)
    return created
