"""Payments, régies, invoices of the régie, receipts and refunds.

Money is an integer number of cents everywhere. A payment's status only moves forward
(see :data:`Payment.TRANSITIONS`); :func:`parvis.payments.services.payment_mark_paid` is
the only code that sets ``PAID``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .formatting import euros

REFDET_VALIDATOR = RegexValidator(r"^[A-Za-z0-9]{1,30}$")


class Regie(models.Model):
    """A régie de recettes: the public body that collects a kind of revenue.

    What a régie may change in the admin (name, backend, PayFiP client number, object
    label, delays) lives here; secrets of other backends (keys, passwords) never do: they
    come from ``PARVIS_PAYMENTS_BACKEND_OPTIONS[code]`` (environment), so that a database
    dump or an admin account leaks no payment secret.
    """

    BACKEND_DUMMY = "dummy"
    BACKEND_PAYFIP = "payfip_ws"

    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Identifiant court, utilisé dans les adresses et les numéros de quittance."),
    )
    name = models.CharField(_("nom"), max_length=120)
    backend = models.CharField(
        _("moyen de paiement"),
        max_length=30,
        default=BACKEND_PAYFIP,
        help_text=_(
            "payfip_ws (PayFiP de la DGFiP), dummy (simulateur, développement seulement) "
            "ou un autre module d'eopayment configuré par le fichier d'environnement."
        ),
    )
    numcli = models.CharField(
        _("numéro client PayFiP"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("Six chiffres fournis par la DGFiP."))],
    )
    object_label = models.CharField(
        _("objet du paiement"),
        max_length=100,
        blank=True,
        help_text=_("Texte transmis au prestataire avec chaque paiement (ex. « Périscolaire »)."),
    )
    online_payment_grace_days = models.PositiveSmallIntegerField(
        _("délai de paiement en ligne après l'échéance (jours)"), default=30
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("rappel avant l'échéance (jours)"), default=7
    )
    accountant_contact = models.TextField(
        _("service de gestion comptable"),
        blank=True,
        help_text=_("Coordonnées indiquées pour les factures transmises au Trésor public."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("régie")
        verbose_name_plural = _("régies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OfflineMeans(models.TextChoices):
    """How a family paid at the régie's desk (recorded by the régisseur)."""

    CASH = "cash", _("espèces")
    CHEQUE = "cheque", _("chèque")
    CARD = "card", _("carte bancaire (terminal de la régie)")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("créé")
    PENDING = "pending", _("en attente")
    PAID = "paid", _("payé")
    FAILED = "failed", _("échoué")
    CANCELLED = "cancelled", _("abandonné")
    EXPIRED = "expired", _("expiré")
    REFUNDED = "refunded", _("remboursé")
    PARTIALLY_REFUNDED = "partially_refunded", _("partiellement remboursé")


OPEN_STATUSES = (PaymentStatus.CREATED, PaymentStatus.PENDING)
CLOSED_UNPAID_STATUSES = (PaymentStatus.FAILED, PaymentStatus.CANCELLED, PaymentStatus.EXPIRED)
PAID_STATUSES = (
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
)


class Payment(models.Model):
    """One attempt to collect ``amount`` cents for a payable object.

    The browser never sets the status: it comes from the provider's notification or from
    a server-side status query.
    """

    Status = PaymentStatus
    #: ``provider`` of a payment received at the régie's desk (cash, cheque, card
    #: terminal) and recorded by the régisseur: no online provider is ever called for it.
    PROVIDER_OFFLINE = "offline"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.PositiveIntegerField(_("montant (centimes)"), validators=[MinValueValidator(1)])
    label = models.CharField(_("libellé"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    email = models.EmailField(_("e-mail du payeur"), blank=True)
    payer_name = models.CharField(_("payeur"), max_length=150, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    payable = GenericForeignKey("content_type", "object_id")
    provider = models.CharField(_("prestataire"), max_length=30)
    provider_reference = models.CharField(
        _("référence du prestataire"), max_length=100, blank=True, db_index=True
    )
    refdet = models.CharField(
        _("référence (refdet)"),
        max_length=30,
        unique=True,
        null=True,
        blank=True,
        validators=[REFDET_VALIDATOR],
    )
    idop = models.CharField(_("identifiant PayFiP (idop)"), max_length=64, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    failure_reason = models.CharField(_("motif"), max_length=200, blank=True)
    test = models.BooleanField(_("paiement de test"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    started_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    paid_at = models.DateTimeField(_("payé le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("dernière vérification"), null=True, blank=True)
    refunded_amount = models.PositiveIntegerField(_("remboursé (centimes)"), default=0)

    class Meta:
        verbose_name = _("paiement")
        verbose_name_plural = _("paiements")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["regie", "status"]),
            models.Index(fields=["paid_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.refdet or self.public_id} – {self.label} ({euros(self.amount)})"

    @property
    def amount_display(self) -> str:
        return euros(self.amount)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    @property
    def is_offline(self) -> bool:
        return self.provider == self.PROVIDER_OFFLINE

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount if self.is_paid else 0


class PaymentExchange(models.Model):
    """Raw exchange with a provider, kept for audit (accounting records, 10 years).

    Notifications that were refused (unknown reference, bad signature) are kept too, with
    ``accepted=False`` and no payment.
    """

    class Kind(models.TextChoices):
        START = "start", _("demande de paiement")
        NOTIFICATION = "notification", _("notification")
        STATUS = "status", _("vérification de l'état")
        REFUND = "refund", _("remboursement")

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="exchanges"
    )
    regie = models.ForeignKey(Regie, null=True, blank=True, on_delete=models.PROTECT)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    accepted = models.BooleanField(_("acceptée"), default=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    data = models.JSONField(_("données"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("échange avec le prestataire")
        verbose_name_plural = _("échanges avec le prestataire")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M:%S}"


class Refund(models.Model):
    """A refund recorded by staff. For PayFiP, the public accountant moves the money."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("montant (centimes)"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("motif"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    executed_online = models.BooleanField(_("remboursé par le prestataire"), default=False)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("remboursement")
        verbose_name_plural = _("remboursements")
        ordering = ["created_at"]

    def __str__(self):
        return f"{euros(self.amount)} – {self.payment}"


class ReceiptCounter(models.Model):
    """Last receipt number given per (régie, year); locked while a number is taken."""

    regie = models.ForeignKey(Regie, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["regie", "year"], name="payments_counter_unique")
        ]

    def __str__(self):
        return f"{self.regie_id}/{self.year}: {self.last_value}"


class Receipt(models.Model):
    """The « quittance » of a paid payment; numbers have no gap per (régie, year)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    regie = models.ForeignKey(Regie, on_delete=models.PROTECT, related_name="receipts")
    year = models.PositiveSmallIntegerField(_("exercice"))
    sequence = models.PositiveIntegerField(_("rang"))
    number = models.CharField(_("numéro"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("émise le"), default=timezone.now)
    emailed_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("quittance")
        verbose_name_plural = _("quittances")
        ordering = ["regie", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["regie", "year", "sequence"], name="payments_receipt_sequence_unique"
            )
        ]

    def __str__(self):
        return self.number


class InvoiceService(models.TextChoices):
    CANTEEN = "canteen", _("Restauration scolaire")
    AFTER_SCHOOL = "after_school", _("Accueil périscolaire")
    TRANSPORT = "transport", _("Transport scolaire")
    OTHER = "other", _("Autre")


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("à payer")
    PAID = "paid", _("payée")
    CANCELLED = "cancelled", _("annulée")


class Invoice(models.Model):
    """An invoice of the régie for a family, imported from the billing software or
    created by staff. ``held_by`` is the payment in progress that reserves it."""

    Service = InvoiceService
    Status = InvoiceStatus

    regie = models.ForeignKey(
        Regie, verbose_name=_("régie"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("numéro"), max_length=30, validators=[REFDET_VALIDATOR])
    family_reference = models.CharField(_("référence famille"), max_length=30, blank=True)
    payer_name = models.CharField(_("nom du payeur"), max_length=150)
    payer_email = models.EmailField(_("e-mail du payeur"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    service = models.CharField(
        _("service"), max_length=20, choices=InvoiceService.choices, default=InvoiceService.OTHER
    )
    label = models.CharField(_("libellé"), max_length=200)
    issued_on = models.DateField(_("date d'émission"), default=dt.date.today)
    due_date = models.DateField(_("échéance"))
    amount = models.PositiveIntegerField(_("montant (centimes)"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("état"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    held_by = models.ForeignKey(
        Payment,
        verbose_name=_("paiement en cours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_invoices",
    )
    paid_by = models.ForeignKey(
        Payment,
        verbose_name=_("payée par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="paid_invoices",
    )
    paid_at = models.DateTimeField(_("payée le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["regie", "number"], name="payments_invoice_number")
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["regie", "status", "due_date"]),
        ]

    def __str__(self):
        return f"{self.number} – {self.label}"

    @property
    def amount_display(self) -> str:
        return euros(self.amount)

    @property
    def online_deadline(self) -> dt.date:
        return self.due_date + dt.timedelta(days=self.regie.online_payment_grace_days)

    def is_past_online_deadline(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return today > self.online_deadline


class InvoiceSettlement(models.Model):
    """The payable object of a payment of one or several invoices at once."""

    invoices = models.ManyToManyField(Invoice, related_name="settlements")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("règlement de factures")
        verbose_name_plural = _("règlements de factures")

    def __str__(self):
        return str(_("Règlement n° %(pk)s")) % {"pk": self.pk}
