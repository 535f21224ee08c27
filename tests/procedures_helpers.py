"""Builders for the procedures tests: services and their agents, residents, procedures
built from a list of fields (published through the real ``procedure_publish``), requests,
attachments and sample files.

A field is a dict of the block's values plus ``type``::

    field("text", "nom", "Nom")
    field("choice", "motif", "Motif", choices=["Naissance", "Mariage"])
    field("group", "enfants", "Enfants", fields=[field("text", "prenom", "Prénom")])

``make_procedure(fields=[...])`` builds one page; ``pages=[page("Étape", [fields])]``
several. Choice lists may be given as lists. Every value not given takes the block's
default (``required`` is True by default, as in the admin).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from parvis.accounts.models import User
from parvis.core.models import Service
from parvis.procedures.models import (
    Attachment,
    Audience,
    Procedure,
    ProcedureStatus,
    Request,
    RequestCounter,
)
from parvis.procedures.services.definitions import (
    procedure_default_workflow,
    procedure_publish,
)

from .factories import PASSWORD

_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


@pytest.fixture
def private_media(settings, tmp_path, monkeypatch):
    """Attachments stored under the test's own folder (the storage object is built once
    with the model, so its location is moved here, not only the setting)."""
    folder = tmp_path / "private"
    settings.PARVIS_PRIVATE_MEDIA_ROOT = str(folder)
    storage = Attachment._meta.get_field("file").storage
    monkeypatch.setattr(storage, "_location", str(folder), raising=False)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    yield folder
    monkeypatch.undo()
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


# --- people -------------------------------------------------------------------------------


def make_service(
    name: str | None = None, *, slug: str | None = None, agents=(), email: str = ""
) -> Service:
    """A municipal service with its group of agents (``agents`` added to it)."""
    number = _next()
    name = name or f"Service {number}"
    service = Service.objects.create(
        name=name, slug=slug or f"service-{number}", email=email or f"service{number}@example.org"
    )
    group = Group.objects.create(name=f"Agents {name} {number}")
    service.groups.add(group)
    for agent in agents:
        agent.groups.add(group)
    return service


def make_agent(service: Service, email: str | None = None, **extra) -> User:
    """A staff member working for ``service``."""
    user = User.objects.create_user(
        email=email or f"agent{_next()}@example.org",
        password=PASSWORD,
        is_staff=True,
        first_name=extra.pop("first_name", "Agent"),
        last_name=extra.pop("last_name", "Municipal"),
        **extra,
    )
    user.groups.add(*service.groups.all())
    return user


def make_resident(email: str | None = None, *, verified: bool = True, **extra) -> User:
    """A resident account (verified e-mail by default)."""
    return User.objects.create_user(
        email=email or f"habitant{_next()}@example.org",
        password=PASSWORD,
        first_name=extra.pop("first_name", "Camille"),
        last_name=extra.pop("last_name", "Martin"),
        email_verified_at=timezone.now() if verified else None,
        **extra,
    )


# --- definitions --------------------------------------------------------------------------


def field(kind: str, key: str, label: str | None = None, **values) -> dict:
    """One field of a form (see the module docstring)."""
    return {
        "type": kind,
        "key": key,
        "label": label or key.replace("_", " ").capitalize(),
        **values,
    }


def page(title: str, fields: list[dict], intro: str = "") -> dict:
    return {"title": title, "intro": intro, "fields": fields}


def _block(item: dict) -> dict:
    value = {name: val for name, val in item.items() if name != "type"}
    if isinstance(value.get("choices"), list | tuple):
        value["choices"] = "\n".join(value["choices"])
    if item["type"] == "group":
        value["fields"] = [_block(sub) for sub in value.get("fields") or []]
    if "min_value" in value and value["min_value"] is not None:
        value["min_value"] = str(value["min_value"])
    if "max_value" in value and value["max_value"] is not None:
        value["max_value"] = str(value["max_value"])
    return {"type": item["type"], "value": value}


def form_stream(pages: list[dict]) -> list[dict]:
    """The raw StreamField value of a form made of ``pages``."""
    return [
        {
            "type": "page",
            "value": {
                "title": item["title"],
                "intro": item.get("intro", ""),
                "fields": [_block(f) for f in item["fields"]],
            },
        }
        for item in pages
    ]


DEFAULT_FIELDS = [field("text", "objet", "Objet de la demande")]


def make_procedure(
    fields: list[dict] | None = None,
    *,
    pages: list[dict] | None = None,
    publish: bool = True,
    service: Service | None = None,
    title: str | None = None,
    slug: str | None = None,
    audience: str = Audience.VERIFIED_EMAIL,
    fee_cents: int = 0,
    actor=None,
    default_workflow: bool = True,
    **extra,
) -> Procedure:
    """A procedure whose form is ``pages`` (or one page of ``fields``), published through
    ``procedure_publish`` unless ``publish=False`` (then it is a draft with the default
    workflow). The published version is ``procedure.current_version``."""
    number = _next()
    if pages is None:
        pages = [page("Votre demande", fields if fields is not None else DEFAULT_FIELDS)]
    procedure = Procedure.objects.create(
        title=title or f"Démarche {number}",
        slug=slug or f"demarche-{number}",
        service=service or make_service(),
        audience=audience,
        fee_cents=fee_cents,
        form=form_stream(pages),
        **extra,
    )
    if publish:
        procedure_publish(procedure=procedure, actor=actor)
        procedure.refresh_from_db()
    elif default_workflow:
        procedure_default_workflow(procedure)
    return procedure


def set_form(procedure: Procedure, pages: list[dict]) -> Procedure:
    """Replace the procedure's form (not published: call ``procedure_publish``)."""
    procedure.form = form_stream(pages)
    procedure.save()
    return procedure


# --- requests and files -------------------------------------------------------------------


def make_request(
    procedure: Procedure | None = None,
    *,
    user: User | None = None,
    email: str | None = None,
    data: dict | None = None,
    status: str | None = None,
    submitted_at: dt.datetime | None = None,
    assigned_to: User | None = None,
    **extra,
) -> Request:
    """A submitted request written directly (no validation, no e-mail): for tests that need
    requests in a given state. ``status`` is a status code of the procedure (default:
    its « reçue » status)."""
    procedure = procedure or make_procedure()
    if procedure.current_version_id is None:
        procedure_publish(procedure=procedure, actor=None)
        procedure.refresh_from_db()
    procedure_default_workflow(procedure)
    statuses = ProcedureStatus.objects.filter(procedure=procedure)
    status_obj = statuses.get(code=status) if status else statuses.filter(kind="received").first()
    submitted_at = submitted_at or timezone.now()
    year = timezone.localtime(submitted_at).year
    counter, _created = RequestCounter.objects.get_or_create(year=year)
    counter.last += 1
    counter.save()
    defaults = {
        "number": f"{year}-{counter.last:06d}",
        "requester_name": user.get_full_name() if user else "Dominique Exemple",
        "due_at": submitted_at + dt.timedelta(days=procedure.processing_days),
        "fee_cents": procedure.current_version.fee_cents,
    }
    defaults.update(extra)
    return Request.objects.create(
        procedure=procedure,
        version=procedure.current_version,
        service=procedure.service,
        user=user,
        email=email or (user.email if user else f"demandeur{_next()}@example.org"),
        status_code=status_obj.code,
        status_kind=status_obj.kind,
        status_label=status_obj.label,
        data=data if data is not None else {},
        submitted_at=submitted_at,
        assigned_to=assigned_to,
        closed_at=submitted_at if status_obj.is_final else None,
        **defaults,
    )


def pdf_bytes(text: str = "Justificatif") -> bytes:
    """A small valid PDF (made by Pillow)."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, "PDF", title=text)
    return buffer.getvalue()


def image_bytes(kind: str = "JPEG", size=(64, 48), colour=(30, 120, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, kind)
    return buffer.getvalue()


def jpeg_bytes(**kwargs) -> bytes:
    return image_bytes("JPEG", **kwargs)


def png_bytes(**kwargs) -> bytes:
    return image_bytes("PNG", **kwargs)


def upload(
    name: str = "justificatif.pdf",
    content: bytes | None = None,
    content_type: str = "application/pdf",
) -> SimpleUploadedFile:
    """An uploaded file as a browser sends it (name and type as given, not checked)."""
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def make_attachment(
    *,
    request: Request | None = None,
    draft=None,
    field_key: str = "",
    content: bytes | None = None,
    name: str = "justificatif.pdf",
    content_type: str = "application/pdf",
    user: User | None = None,
    by_agent: bool = False,
) -> Attachment:
    """An attachment stored on the private storage (content not checked)."""
    import hashlib

    content = pdf_bytes() if content is None else content
    attachment = Attachment(
        request=request,
        draft=draft,
        field_key=field_key,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        uploaded_by_agent=by_agent,
    )
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    return attachment


def prove_email(client, email: str = "demandeur@example.org") -> str:
    """Record ``email`` as proven in the test client's session (as the e-mailed link does)."""
    from parvis.accounts.email_proof import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = {email: timezone.now().isoformat()}
    session.save()
    return email
