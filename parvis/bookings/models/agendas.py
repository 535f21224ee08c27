"""Agendas and what can be booked in them: desks and appointment types, resources,
sessions and ticket categories, questions, tariffs and closures."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from parvis.payments.formatting import euros


class AgendaKind(models.TextChoices):
    APPOINTMENT = "appointment", _("rendez-vous")
    RESOURCE = "resource", _("ressource (court, salle)")
    EVENT = "event", _("séances avec places (spectacle, séjour, atelier, vide-grenier)")


class RefundPolicy(models.TextChoices):
    FULL = "full", _("remboursement intégral si l'annulation est faite dans les délais")
    NONE = "none", _("aucun remboursement")


class Agenda(ClusterableModel):
    """One bookable offer: the passport appointments, the tennis courts, the summer camp.

    ``kind`` chooses which children are used: desks and appointment types
    (appointments), resources (resources), sessions and ticket categories (events).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")
        ARCHIVED = "archived", _("archivé")

    kind = models.CharField(_("type d'agenda"), max_length=12, choices=AgendaKind.choices)
    title = models.CharField(_("titre"), max_length=150)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = RichTextField(_("description"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    service = models.ForeignKey(
        "core.Service",
        verbose_name=_("service responsable"),
        on_delete=models.PROTECT,
        related_name="agendas",
    )
    place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("lieu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agendas",
    )
    regie = models.ForeignKey(
        "payments.Regie",
        verbose_name=_("régie encaissant les paiements"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agendas",
        help_text=_("Obligatoire dès qu'un tarif est payant."),
    )
    # Who may book
    allow_guests = models.BooleanField(
        _("réservation sans compte"),
        default=False,
        help_text=_(
            "Les personnes sans compte peuvent réserver après avoir vérifié leur adresse "
            "e-mail (rendez-vous gratuits seulement)."
        ),
    )
    opens_at = models.DateTimeField(
        _("ouverture des réservations"),
        null=True,
        blank=True,
        help_text=_("Vide : ouvertes dès la publication."),
    )
    closes_at = models.DateTimeField(_("clôture des réservations"), null=True, blank=True)
    min_delay_hours = models.PositiveIntegerField(
        _("délai minimum avant le créneau (heures)"), default=0
    )
    max_delay_days = models.PositiveIntegerField(
        _("réservable jusqu'à (jours à l'avance)"), default=90
    )
    # Holds and waiting list
    hold_minutes = models.PositiveIntegerField(
        _("durée de blocage pendant le paiement (minutes)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    waiting_list = models.BooleanField(_("liste d'attente"), default=True)
    offer_hours = models.PositiveIntegerField(
        _("durée de validité d'une place proposée (heures)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
    )
    # Limits
    max_places_per_booking = models.PositiveIntegerField(
        _("places au plus par réservation"), default=4, validators=[MinValueValidator(1)]
    )
    max_bookings_per_person = models.PositiveIntegerField(
        _("réservations à venir au plus par personne"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de limite."),
    )
    max_minutes_per_week = models.PositiveIntegerField(
        _("durée au plus par personne et par semaine (minutes)"),
        null=True,
        blank=True,
        help_text=_("Ressources : par exemple 120 pour deux heures de tennis par semaine."),
    )
    # Cancellation
    cancel_until_hours = models.PositiveIntegerField(
        _("annulation ou modification possible jusqu'à (heures avant)"), default=24
    )
    refund_policy = models.CharField(
        _("remboursement"), max_length=10, choices=RefundPolicy.choices, default=RefundPolicy.FULL
    )
    # Approval (the village hall)
    requires_approval = models.BooleanField(
        _("validation par le service"),
        default=False,
        help_text=_("Les demandes restent en attente jusqu'à la validation d'un agent."),
    )
    deposit_cents = models.PositiveIntegerField(
        _("caution (centimes)"),
        default=0,
        help_text=_(
            "Montant de la caution demandée, noté sur la réservation (non encaissé en ligne)."
        ),
    )
    # Texts
    instructions = RichTextField(
        _("informations pratiques"),
        blank=True,
        help_text=_("Affichées avant la réservation et dans l'e-mail de confirmation."),
    )
    send_reminder = models.BooleanField(_("rappel la veille"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")
        ordering = ["title"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_open_for_booking(self, at=None) -> bool:
        at = at or timezone.now()
        if not self.is_published:
            return False
        if self.opens_at and at < self.opens_at:
            return False
        return not (self.closes_at and at >= self.closes_at)


class Desk(Orderable):
    """A counter or an agent receiving appointments; several desks multiply capacity."""

    agenda = ParentalKey(Agenda, on_delete=models.CASCADE, related_name="desks")
    name = models.CharField(_("nom du guichet"), max_length=80)
    opening_hours = models.CharField(
        _("horaires de réception"),
        max_length=500,
        help_text=_("Syntaxe OpenStreetMap, par exemple « Mo-Fr 08:30-12:00; PH off »."),
    )
    active = models.BooleanField(_("actif"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("guichet")
        verbose_name_plural = _("guichets")

    def __str__(self):
        return f"{self.agenda} — {self.name}"


class DeskAbsence(models.Model):
    """A period when a desk receives no one (leave, training)."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="absences")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    reason = models.CharField(_("motif"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        indexes = [models.Index(fields=["desk", "start", "end"])]

    def __str__(self):
        return f"{self.desk.name} : {self.reason}"


class AppointmentType(Orderable):
    """An appointment's purpose and duration (ID card 20 min, passport 30 min…)."""

    agenda = ParentalKey(Agenda, on_delete=models.CASCADE, related_name="appointment_types")
    name = models.CharField(_("motif"), max_length=120)
    duration_minutes = models.PositiveIntegerField(
        _("durée (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    ants_required = models.BooleanField(
        _("numéro de pré-demande ANTS demandé"),
        default=False,
        help_text=_("Pour les cartes d'identité et les passeports."),
    )
    documents = RichTextField(_("pièces à apporter"), blank=True)
    price_cents = models.PositiveIntegerField(_("prix (centimes)"), default=0)

    class Meta(Orderable.Meta):
        verbose_name = _("motif de rendez-vous")
        verbose_name_plural = _("motifs de rendez-vous")

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"


class Resource(Orderable):
    """A court, a room, the village hall. Bookable by fixed slots or by free range."""

    agenda = ParentalKey(Agenda, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("nom"), max_length=120)
    place = models.ForeignKey(
        "directory.Place",
        verbose_name=_("lieu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opening_hours = models.CharField(
        _("horaires de réservation"),
        max_length=500,
        help_text=_("Syntaxe OpenStreetMap. Vide : les horaires du lieu."),
        blank=True,
    )
    slot_minutes = models.PositiveIntegerField(
        _("durée d'un créneau (minutes)"),
        null=True,
        blank=True,
        help_text=_("Vide : réservation par plage libre (salle), au pas de 30 minutes."),
    )
    min_minutes = models.PositiveIntegerField(_("durée minimum (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("durée maximum (minutes)"), default=240)
    capacity_note = models.CharField(_("capacité (texte)"), max_length=120, blank=True)
    active = models.BooleanField(_("réservable"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")

    def __str__(self):
        return self.name


class TariffAudience(models.TextChoices):
    RESIDENT = "resident", _("habitant de la commune")
    NON_RESIDENT = "non_resident", _("extérieur")
    ASSOCIATION = "association", _("association")


class Tariff(Orderable):
    """The price of a resource booking for an audience, per booking or per hour."""

    class Unit(models.TextChoices):
        BOOKING = "booking", _("par réservation")
        HOUR = "hour", _("par heure")

    agenda = ParentalKey(Agenda, on_delete=models.CASCADE, related_name="tariffs")
    audience = models.CharField(_("public"), max_length=15, choices=TariffAudience.choices)
    amount_cents = models.PositiveIntegerField(_("montant (centimes)"))
    unit = models.CharField(_("unité"), max_length=10, choices=Unit.choices, default=Unit.BOOKING)

    class Meta(Orderable.Meta):
        verbose_name = _("tarif")
        verbose_name_plural = _("tarifs")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "audience"], name="bookings_tariff_unique")
        ]

    def __str__(self):
        return (
            f"{self.get_audience_display()} : {euros(self.amount_cents)} {self.get_unit_display()}"
        )


class Session(ClusterableModel):
    """A dated occurrence with a number of places (a show, a camp week, a flea market)."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("intitulé"), max_length=150, blank=True)
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"))
    capacity = models.PositiveIntegerField(_("nombre de places"))
    taken = models.PositiveIntegerField(
        _("places prises"),
        default=0,
        editable=False,
        help_text=_("Tenu par le moteur de réservation ; ne jamais modifier à la main."),
    )
    opens_at = models.DateTimeField(
        _("ouverture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : celle de l'agenda."),
    )
    cancelled = models.BooleanField(_("annulée"), default=False)

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")),
                name="bookings_session_taken_le_capacity",
            )
        ]

    def __str__(self):
        label = self.title or self.agenda.title
        return f"{label} — {timezone.localtime(self.start):%d/%m/%Y %H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.taken, 0)


class TicketCategory(Orderable):
    """A price category of a session's places, with an optional quota (tarif réduit…)."""

    session = ParentalKey(Session, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("catégorie"), max_length=100)
    price_cents = models.PositiveIntegerField(_("prix (centimes)"), default=0)
    quota = models.PositiveIntegerField(
        _("quota"), null=True, blank=True, help_text=_("Vide : pas d'autre limite que la séance.")
    )
    taken = models.PositiveIntegerField(default=0, editable=False)
    resident_only = models.BooleanField(_("réservé aux habitants"), default=False)

    class Meta(Orderable.Meta):
        verbose_name = _("catégorie de place")
        verbose_name_plural = _("catégories de place")

    def __str__(self):
        return f"{self.name} ({euros(self.price_cents)})"


class QuestionKind(models.TextChoices):
    TEXT = "text", _("texte court")
    LONG_TEXT = "long_text", _("texte long")
    NUMBER = "number", _("nombre")
    DATE = "date", _("date")
    CHOICE = "choice", _("choix")
    BOOLEAN = "boolean", _("case à cocher")


class Question(Orderable):
    """A question asked per participant (child's name, age, allergies, pitch length)."""

    agenda = ParentalKey(Agenda, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("identifiant"), max_length=40)
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    choices = models.TextField(_("choix (un par ligne)"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    help_text = models.CharField(_("aide"), max_length=250, blank=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    sensitive = models.BooleanField(
        _("donnée sensible"),
        default=False,
        help_text=_("Santé (allergies, traitement) : masquée dans les exports généraux."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "key"], name="bookings_question_key_unique")
        ]

    def __str__(self):
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Closure(models.Model):
    """A period when an agenda takes no booking (holidays, strike). Bookings inside it are
    cancelled and their holders told when the closure is created through the service."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="closures")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    reason = models.CharField(_("motif"), max_length=200)
    message = models.TextField(_("message aux personnes concernées"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_bookings = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["-start"]
        indexes = [models.Index(fields=["agenda", "start", "end"])]

    def __str__(self):
        return f"{self.agenda} : {self.reason}"
