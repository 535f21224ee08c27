"""Procedures (definitions built by staff), their frozen versions, workflow, requests.

Invariants (enforced by :mod:`parvis.procedures.services`, never by ``save()``):

* A request points to the :class:`ProcedureVersion` it was submitted against; a version's
  ``schema`` never changes once a request uses it, so later edits of the procedure never
  alter submitted requests.
* A request's ``number`` (``2026-000123``) is unique, without gaps per year.
* Attachments are stored on the private storage (``PARVIS_PRIVATE_MEDIA_ROOT``), never
  under ``MEDIA_ROOT``, and are served only through a view that checks who asks.
* Internal notes (``RequestEvent.visible_to_resident = False``) never reach the resident.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable

from .blocks import FormStream
from .storage import private_storage


class Audience(models.TextChoices):
    VERIFIED_EMAIL = "verified_email", _("toute personne ayant vérifié son adresse e-mail")
    ACCOUNT = "account", _("les personnes ayant un compte")


class StatusKind(models.TextChoices):
    """What a status means to the engine, whatever its label."""

    RECEIVED = "received", _("reçue (état initial)")
    IN_PROGRESS = "in_progress", _("en cours")
    WAITING_RESIDENT = "waiting_resident", _("en attente du demandeur")
    ACCEPTED = "accepted", _("acceptée (finale)")
    REFUSED = "refused", _("refusée (finale)")
    CLOSED = "closed", _("classée (finale)")


FINAL_KINDS = (StatusKind.ACCEPTED, StatusKind.REFUSED, StatusKind.CLOSED)


class Procedure(ClusterableModel):
    """A procedure offered online (acte d'état civil, signalement, occupation du domaine
    public…). Its form is edited here; publishing freezes it as a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publiée")
        ARCHIVED = "archived", _("archivée")

    title = models.CharField(_("titre"), max_length=150)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = RichTextField(_("présentation"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    audience = models.CharField(
        _("qui peut déposer"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.VERIFIED_EMAIL,
    )
    service = models.ForeignKey(
        "core.Service",
        verbose_name=_("service instructeur"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    form = StreamField(FormStream(), verbose_name=_("formulaire"), blank=True)
    fee_cents = models.PositiveIntegerField(
        _("frais (centimes)"), default=0, help_text=_("0 : démarche gratuite.")
    )
    regie = models.ForeignKey(
        "payments.Regie",
        verbose_name=_("régie encaissant les frais"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    processing_days = models.PositiveIntegerField(_("délai de traitement visé (jours)"), default=15)
    retention_days = models.PositiveIntegerField(
        _("durée de conservation après clôture (jours)"),
        default=365,
        help_text=_("Au-delà, la demande est anonymisée et ses pièces jointes supprimées."),
    )
    # Notification texts (placeholders: {numero}, {demarche}, {etat}, {motif}, {lien})
    receipt_message = models.TextField(
        _("message d'accusé de réception"),
        blank=True,
        help_text=_("Ajouté à l'e-mail envoyé au dépôt de la demande."),
    )
    status_message = models.TextField(
        _("message de changement d'état"),
        blank=True,
        help_text=_("Ajouté aux e-mails de changement d'état."),
    )
    sms_notifications = models.BooleanField(
        _("prévenir aussi par SMS"),
        default=False,
        help_text=_("Si le demandeur a donné un numéro de mobile."),
    )
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("version publiée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]

    def __str__(self):
        return self.title


class ProcedureVersion(models.Model):
    """The form and rules of a procedure as published at one moment; immutable."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("définition figée"))
    fee_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("version de démarche")
        verbose_name_plural = _("versions de démarche")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedures_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.procedure} v{self.number}"


class ProcedureStatus(Orderable):
    """A status of a procedure's workflow (labels are the service's; ``kind`` is the
    engine's meaning)."""

    procedure = ParentalKey(Procedure, on_delete=models.CASCADE, related_name="statuses")
    code = models.SlugField(_("identifiant"), max_length=40)
    label = models.CharField(_("libellé"), max_length=80)
    kind = models.CharField(_("signification"), max_length=20, choices=StatusKind.choices)
    notify_resident = models.BooleanField(_("prévenir le demandeur"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("état")
        verbose_name_plural = _("états")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="procedures_status_unique")
        ]

    def __str__(self):
        return self.label

    @property
    def is_final(self) -> bool:
        return self.kind in FINAL_KINDS


class Transition(Orderable):
    """An allowed move from one status to another, and who may make it."""

    class Role(models.TextChoices):
        AGENT = "agent", _("agent du service")
        RESIDENT = "resident", _("demandeur")

    procedure = ParentalKey(Procedure, on_delete=models.CASCADE, related_name="transitions")
    from_code = models.SlugField(_("depuis l'état"), max_length=40)
    to_code = models.SlugField(_("vers l'état"), max_length=40)
    label = models.CharField(_("libellé de l'action"), max_length=80)
    role = models.CharField(_("qui"), max_length=10, choices=Role.choices, default=Role.AGENT)
    reason_required = models.BooleanField(_("motif obligatoire"), default=False)

    class Meta(Orderable.Meta):
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        return f"{self.from_code} → {self.to_code}"


class RequestCounter(models.Model):
    """Per-year counter of request numbers; its row is locked to take the next number."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Request(models.Model):
    """A submitted request. ``data`` holds the values validated against ``version``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("numéro"), max_length=20, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="requests")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="requests")
    service = models.ForeignKey("core.Service", on_delete=models.PROTECT, related_name="requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedure_requests",
    )
    email = models.EmailField(_("adresse e-mail"))
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    requester_name = models.CharField(_("demandeur"), max_length=160, blank=True)
    status_code = models.SlugField(_("état"), max_length=40, db_index=True)
    status_kind = models.CharField(max_length=20, choices=StatusKind.choices, db_index=True)
    status_label = models.CharField(max_length=80)
    data = models.JSONField(_("réponses"), default=dict)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent chargé"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    submitted_at = models.DateTimeField(_("déposée le"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("à traiter avant"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    fee_cents = models.PositiveIntegerField(default=0)
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["service", "status_kind", "submitted_at"]),
            models.Index(fields=["procedure", "status_code", "submitted_at"]),
            models.Index(fields=["assigned_to", "status_kind"]),
            models.Index(fields=["status_kind", "due_at"]),
            models.Index(fields=["user", "submitted_at"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self):
        return self.number

    @property
    def is_final(self) -> bool:
        return self.status_kind in FINAL_KINDS

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and not self.is_final and self.due_at < timezone.now())


def _attachment_path(instance, filename):
    # A random name: the original name is kept in ``original_name`` only.
    return f"procedures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Draft(models.Model):
    """A form being filled, kept on the server for an account (or a verified guest's
    token) so that it can be resumed; deleted on submission."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="procedure_drafts",
    )
    email = models.EmailField(blank=True)
    data = models.JSONField(default=dict)
    page = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("brouillon")
        verbose_name_plural = _("brouillons")
        indexes = [models.Index(fields=["user", "procedure"])]

    def __str__(self):
        return f"{self.procedure} ({self.updated_at:%d/%m/%Y})"


class Attachment(models.Model):
    """A file given with a request (or a draft), checked by content and size."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    field_key = models.CharField(max_length=40, blank=True)
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_agent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name


class RequestEvent(models.Model):
    """One entry of a request's timeline."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("dépôt")
        STATUS = "status", _("changement d'état")
        MESSAGE_TO_RESIDENT = "message_agent", _("message au demandeur")
        MESSAGE_FROM_RESIDENT = "message_resident", _("message du demandeur")
        NOTE = "note", _("note interne")
        DOCUMENT_REQUESTED = "document_requested", _("pièce demandée")
        DOCUMENT_ADDED = "document_added", _("pièce ajoutée")
        ASSIGNED = "assigned", _("attribution")
        PAYMENT = "payment", _("paiement")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_is_agent = models.BooleanField(default=False)
    from_code = models.CharField(max_length=40, blank=True)
    to_code = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    visible_to_resident = models.BooleanField(default=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved = models.BooleanField(
        default=False, help_text=_("Pour une pièce demandée : fournie depuis.")
    )

    class Meta:
        verbose_name = _("événement de demande")
        verbose_name_plural = _("événements de demande")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request} {self.kind}"
