"""Contacts, their consents, audiences, campaigns and the outbox.

Invariants (enforced by :mod:`parvis.newsletter.services`, relied on everywhere):

- a message goes only to an address whose :class:`Subscription` for that channel and
  topic is ``active`` (double opt-in confirmed, or imported with a recorded legal basis),
  and never to a contact whose channel is stopped (unsubscribed, hard bounce, STOP);
- every change of consent is a :class:`ConsentEvent` row, never updated or deleted while
  the contact exists: the ledger is the proof;
- one :class:`Delivery` row per (campaign, contact, channel), unique in the database; a
  delivery marked ``sent`` is never sent again;
- SMS segments are counted against :class:`SmsQuotaMonth` atomically, before sending.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Topic(models.Model):
    """What residents subscribe to: news, culture, roadworks, school, alerts…"""

    name = models.CharField(_("nom"), max_length=80)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    is_alert = models.BooleanField(
        _("alertes urgentes"),
        default=False,
        help_text=_("Thème des alertes (risque incendie, tempête, coupure d'eau…)."),
    )
    is_active = models.BooleanField(_("proposé à l'inscription"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A neighbourhood or hamlet of the commune, for targeting (roadworks, water cuts)."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    streets = models.TextField(
        _("voies"), blank=True, help_text=_("Une voie par ligne, pour rattacher les adresses.")
    )

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def street_list(self) -> list[str]:
        return [line.strip() for line in self.streets.splitlines() if line.strip()]


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consentement (inscription en ligne, double validation)")
    CONSENT_RECORDED = "consent_recorded", _("Consentement recueilli hors ligne (formulaire signé)")
    PUBLIC_TASK = "public_task", _("Mission d'intérêt public (alertes de sécurité)")


class ChannelState(models.TextChoices):
    OK = "ok", _("Actif")
    STOPPED = "stopped", _("Désinscrit")
    BOUNCED = "bounced", _("Adresse invalide")
    COMPLAINED = "complained", _("Signalé comme indésirable")


class Contact(models.Model):
    email = models.EmailField(_("e-mail"), null=True, blank=True, unique=True)
    phone = models.CharField(_("mobile (E.164)"), max_length=16, null=True, blank=True, unique=True)
    first_name = models.CharField(_("prénom"), max_length=80, blank=True)
    last_name = models.CharField(_("nom"), max_length=80, blank=True)
    street = models.CharField(_("voie"), max_length=200, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("quartier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_contact",
    )
    email_state = models.CharField(
        _("état de l'e-mail"), max_length=12, choices=ChannelState.choices, default=ChannelState.OK
    )
    sms_state = models.CharField(
        _("état du mobile"), max_length=12, choices=ChannelState.choices, default=ChannelState.OK
    )
    # Secret of the preference centre and unsubscribe links; rotating it voids old links.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    source = models.CharField(_("origine"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="newsletter_contact_has_address",
            )
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone or str(self.pk)


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("En attente de confirmation")
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Retirée")


class Subscription(models.Model):
    """The current state of one consent (contact, channel, topic), derived from the ledger."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subscriptions")
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    status = models.CharField(
        _("état"), max_length=10, choices=SubscriptionStatus.choices, db_index=True
    )
    legal_basis = models.CharField(
        _("base légale"), max_length=20, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "channel", "topic"], name="newsletter_subscription_unique"
            )
        ]
        indexes = [models.Index(fields=["topic", "channel", "status"])]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_channel_display()} · {self.topic}"


class ConsentAction(models.TextChoices):
    REQUESTED = "requested", _("Demande d'inscription")
    CONFIRMED = "confirmed", _("Confirmation")
    WITHDRAWN = "withdrawn", _("Retrait")
    IMPORTED = "imported", _("Import avec base légale")
    STOPPED = "stopped", _("Canal arrêté (STOP, désinscription, rebond)")


class ConsentMethod(models.TextChoices):
    FORM = "form", _("Formulaire public")
    EMAIL_LINK = "email_link", _("Lien de confirmation par e-mail")
    SMS_CODE = "sms_code", _("Code reçu par SMS")
    ONE_CLICK = "one_click", _("Désinscription en un clic")
    PREFERENCES = "preferences", _("Centre de préférences")
    SMS_STOP = "sms_stop", _("Réponse STOP par SMS")
    BOUNCE = "bounce", _("Rebond ou plainte du fournisseur")
    IMPORT = "import", _("Import de fichier")
    STAFF = "staff", _("Saisie par un agent")
    ACCOUNT = "account", _("Compte habitant")


class ConsentEvent(models.Model):
    """One line of the consent ledger. Rows are only ever added."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=ConsentAction.choices)
    method = models.CharField(_("moyen"), max_length=12, choices=ConsentMethod.choices)
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    source = models.CharField(_("origine"), max_length=200, blank=True)
    wording = models.TextField(_("texte présenté"), blank=True)
    legal_basis = models.CharField(
        _("base légale"), max_length=20, choices=LegalBasis.choices, blank=True
    )
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("événement de consentement")
        verbose_name_plural = _("registre des consentements")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.get_channel_display()} · {self.at:%d/%m/%Y}"


class MailingList(models.Model):
    """A manual list of contacts (e.g. the associations' presidents)."""

    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=250, blank=True)
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True)

    class Meta:
        verbose_name = _("liste")
        verbose_name_plural = _("listes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("En attente d'approbation")
    APPROVED = "approved", _("Approuvée")
    SCHEDULED = "scheduled", _("Programmée")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")
    CANCELLED = "cancelled", _("Annulée")


class Campaign(models.Model):
    """An e-mail or SMS message to an audience. Its body is frozen once sending starts."""

    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    title = models.CharField(_("titre interne"), max_length=200)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body = models.JSONField(_("contenu"), default=list, blank=True)  # e-mail blocks
    sms_text = models.TextField(_("texte du SMS"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("thèmes"), blank=True)
    neighbourhoods = models.ManyToManyField(
        Neighbourhood,
        verbose_name=_("quartiers"),
        blank=True,
        help_text=_("Vide : toute la commune."),
    )
    lists = models.ManyToManyField(MailingList, verbose_name=_("listes"), blank=True)
    is_alert = models.BooleanField(_("alerte urgente"), default=False)
    ignore_quiet_hours = models.BooleanField(
        _("envoyer même la nuit et le dimanche"), default=False
    )
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=CampaignStatus.choices,
        default=CampaignStatus.DRAFT,
        db_index=True,
    )
    scheduled_at = models.DateTimeField(_("envoi programmé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approuvée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approuvée le"), null=True, blank=True)
    started_at = models.DateTimeField(_("envoi commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("envoi terminé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("En file")
    SENDING = "sending", _("En cours")
    SENT = "sent", _("Envoyé")
    RETRY = "retry", _("Nouvel essai prévu")
    FAILED = "failed", _("Échec")
    BOUNCED = "bounced", _("Rebond")
    SKIPPED = "skipped", _("Non envoyé (désinscrit ou quota)")


class Delivery(models.Model):
    """The outbox: one message to one address on one channel.

    Campaign deliveries are unique per (campaign, contact, channel); transactional
    messages of other modules (campaign empty) are unique by ``idempotency_key``.
    """

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    address = models.CharField(_("destinataire"), max_length=254)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Transactional messages carry their own content; campaigns render theirs.
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    text = models.TextField(_("texte"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("état"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments SMS"), default=0)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "channel"],
                condition=Q(campaign__isnull=False),
                name="newsletter_delivery_once_per_campaign",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="newsletter_delivery_due"),
            models.Index(fields=["campaign", "status"], name="newsletter_delivery_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class SmsQuotaMonth(models.Model):
    """SMS segments used in one calendar month (Europe/Paris) against the limit.

    ``used`` only grows through a conditional UPDATE (``used + n <= limit``), so concurrent
    campaigns, reminders and alerts can never exceed the limit.
    """

    month = models.DateField(_("mois"), unique=True)  # first day of the month
    limit = models.PositiveIntegerField(_("plafond (segments)"))
    used = models.PositiveIntegerField(_("segments utilisés"), default=0)
    warned_80_at = models.DateTimeField(null=True, blank=True)
    warned_100_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quota SMS du mois")
        verbose_name_plural = _("quotas SMS")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used__lte=models.F("limit")), name="newsletter_quota_not_exceeded"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} : {self.used}/{self.limit}"
