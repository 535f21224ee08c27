"""A booking, its participants and its history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agendas import (
    Agenda,
    AppointmentType,
    Desk,
    Resource,
    Session,
    TariffAudience,
    TicketCategory,
)


class BookingStatus(models.TextChoices):
    WAITING = "waiting", _("en liste d'attente")
    OFFERED = "offered", _("place proposée")
    HELD = "held", _("en attente de paiement")
    PENDING_APPROVAL = "pending_approval", _("en attente de validation")
    CONFIRMED = "confirmed", _("confirmée")
    CANCELLED = "cancelled", _("annulée")
    EXPIRED = "expired", _("expirée")
    REFUSED = "refused", _("refusée")


#: Statuses that occupy a place (session counter) or a time range (resource, desk).
OCCUPYING = (
    BookingStatus.OFFERED,
    BookingStatus.HELD,
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.CONFIRMED,
)


class BookingChannel(models.TextChoices):
    ONLINE = "online", _("en ligne")
    COUNTER = "counter", _("à l'accueil")
    PHONE = "phone", _("par téléphone")


class Booking(models.Model):
    """One reservation: an appointment, a resource range, or places in a session.

    The fields used depend on the agenda's kind: ``desk`` + ``appointment_type`` +
    ``start``/``end`` (appointment), ``resource`` + ``start``/``end`` (resource),
    ``session`` + ``places`` + participants (event). ``start``/``end`` are copied from the
    session for events, so that one query lists a person's bookings in time order.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True, blank=True)
    agenda = models.ForeignKey(Agenda, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(
        _("état"), max_length=20, choices=BookingStatus.choices, db_index=True
    )
    # Who
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    email = models.EmailField(_("adresse e-mail"), blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    first_name = models.CharField(_("prénom"), max_length=80, blank=True)
    last_name = models.CharField(_("nom"), max_length=80, blank=True)
    family_member = models.ForeignKey(
        "accounts.FamilyMember",
        verbose_name=_("pour"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    audience = models.CharField(
        _("public"), max_length=15, choices=TariffAudience.choices, default=TariffAudience.RESIDENT
    )
    association_name = models.CharField(_("association"), max_length=150, blank=True)
    # What
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("début"), null=True, blank=True)
    end = models.DateTimeField(_("fin"), null=True, blank=True)
    places = models.PositiveIntegerField(_("places"), default=1)
    ants_number = models.CharField(_("numéro de pré-demande ANTS"), max_length=10, blank=True)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    comment = models.TextField(_("message au service"), blank=True)
    # Money
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"), default=0)
    deposit_cents = models.PositiveIntegerField(_("caution (centimes)"), default=0)
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("paiement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Time limits
    held_until = models.DateTimeField(_("bloquée jusqu'à"), null=True, blank=True, db_index=True)
    offer_expires_at = models.DateTimeField(
        _("proposition valable jusqu'à"), null=True, blank=True, db_index=True
    )
    # Follow-up
    channel = models.CharField(
        _("canal"), max_length=10, choices=BookingChannel.choices, default=BookingChannel.ONLINE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attended = models.BooleanField(_("présence"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["start", "created_at"]
        indexes = [
            models.Index(fields=["agenda", "status", "start"]),
            models.Index(fields=["resource", "start", "end"]),
            models.Index(fields=["desk", "start", "end"]),
            models.Index(fields=["session", "status", "created_at"]),
            models.Index(fields=["user", "start"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self):
        return self.reference or str(self.public_id)

    #: Words of the link back to the booking on the payment's page (see payments views).
    payment_return_label = _("Retour à ma réservation")

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("bookings:booking", kwargs={"public_id": self.public_id})

    @property
    def holder_name(self) -> str:
        if self.family_member_id:
            return self.family_member.full_name
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING


class Participant(models.Model):
    """One place of an event booking: who comes, at which category, with their answers."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="participants")
    category = models.ForeignKey(
        TicketCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="participants"
    )
    family_member = models.ForeignKey(
        "accounts.FamilyMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_name = models.CharField(_("prénom"), max_length=80, blank=True)
    last_name = models.CharField(_("nom"), max_length=80, blank=True)
    price_cents = models.PositiveIntegerField(default=0)
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    attended = models.BooleanField(_("présence"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class BookingEvent(models.Model):
    """The booking's history shown to agents (and, for public kinds, to the resident)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("historique de réservation")
        verbose_name_plural = _("historiques de réservation")

    def __str__(self):
        return f"{self.booking} {self.kind}"
