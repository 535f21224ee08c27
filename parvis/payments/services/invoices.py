"""Invoices of the régie: created by staff or imported by CSV, paid online (one or
several at once), reminded before the due date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.core.audit import audit_log_record

from ..exceptions import InvoiceNotEditable, InvoiceNotPayable, PaymentError
from ..formatting import parse_euros
from ..models import (
    REFDET_VALIDATOR,
    Invoice,
    InvoiceService,
    InvoiceSettlement,
    OfflineMeans,
    Payment,
    Regie,
)
from ..selectors import invoice_belongs_to
from .payments import payment_create, payment_record_offline

CSV_COLUMNS = [
    "numero",
    "reference_famille",
    "nom",
    "email",
    "service",
    "libelle",
    "date_emission",
    "echeance",
    "montant",
]
REQUIRED_COLUMNS = {"numero", "nom", "email", "libelle", "echeance", "montant"}
SERVICE_ALIASES = {
    "canteen": InvoiceService.CANTEEN,
    "cantine": InvoiceService.CANTEEN,
    "restauration": InvoiceService.CANTEEN,
    "restauration scolaire": InvoiceService.CANTEEN,
    "after_school": InvoiceService.AFTER_SCHOOL,
    "periscolaire": InvoiceService.AFTER_SCHOOL,
    "périscolaire": InvoiceService.AFTER_SCHOOL,
    "garderie": InvoiceService.AFTER_SCHOOL,
    "accueil périscolaire": InvoiceService.AFTER_SCHOOL,
    "transport": InvoiceService.TRANSPORT,
    "transport scolaire": InvoiceService.TRANSPORT,
    "other": InvoiceService.OTHER,
    "autre": InvoiceService.OTHER,
    "": InvoiceService.OTHER,
}


def _user_for_email(email: str):
    return get_user_model().objects.filter(email__iexact=email).first()


def _clean_invoice_fields(
    *, payer_name: str, payer_email: str, label: str, issued_on, due_date, amount
) -> tuple[str, str, str]:
    """Checks shared by creation and edition; returns (payer_name, payer_email, label)
    stripped. Raises :class:`PaymentError` naming the field at fault."""
    payer_name, label = (payer_name or "").strip(), (label or "").strip()
    payer_email = (payer_email or "").strip().lower()
    if amount is None or amount <= 0:
        raise PaymentError(_("Le montant doit être positif."), field="amount")
    if not payer_name:
        raise PaymentError(_("Indiquez le nom du payeur."), field="payer_name")
    try:
        validate_email(payer_email)
    except ValidationError as error:
        raise PaymentError(_("Adresse e-mail invalide."), field="payer_email") from error
    if not label:
        raise PaymentError(_("Indiquez le libellé de la facture."), field="label")
    if due_date is None:
        raise PaymentError(_("Indiquez l'échéance."), field="due_date")
    if issued_on is not None and due_date < issued_on:
        raise PaymentError(
            _("L'échéance ne peut pas précéder la date d'émission."), field="due_date"
        )
    return payer_name, payer_email, label


def invoice_create(
    *,
    regie: Regie,
    number: str,
    payer_name: str,
    payer_email: str,
    label: str,
    due_date: dt.date,
    amount: int,
    service: str = InvoiceService.OTHER,
    issued_on: dt.date | None = None,
    family_reference: str = "",
    actor=None,
    ip: str | None = None,
) -> Invoice:
    """An open invoice created by staff, linked to the resident's account by e-mail.
    One transaction with its audit entry."""
    payer_name, payer_email, label = _clean_invoice_fields(
        payer_name=payer_name,
        payer_email=payer_email,
        label=label,
        issued_on=issued_on,
        due_date=due_date,
        amount=amount,
    )
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        if Invoice.objects.filter(regie=regie, number=number).exists():
            raise PaymentError(
                _("Ce numéro de facture existe déjà pour cette régie."), field="number"
            )
        invoice = Invoice.objects.create(
            regie=regie,
            number=number,
            payer_name=payer_name,
            payer_email=payer_email,
            user=_user_for_email(payer_email),
            label=label,
            due_date=due_date,
            amount=amount,
            service=service,
            issued_on=issued_on,
            family_reference=family_reference,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log_record(
            actor=actor, action="invoice.create", obj=invoice, data={"amount": amount}, ip=ip
        )
    return invoice


def invoice_edit_refusal(invoice: Invoice) -> str | None:
    """Why staff may not change ``invoice`` by hand any more (a translated sentence), or
    None when it is open and no payment is in progress."""
    if invoice.status == Invoice.Status.PAID:
        return _(
            "Cette facture est réglée : son montant et son payeur ne peuvent plus être "
            "modifiés, car la quittance a été émise. En cas d'erreur, enregistrez un "
            "remboursement du paiement."
        )
    if invoice.status == Invoice.Status.CANCELLED:
        return _("Cette facture est annulée : elle ne peut plus être modifiée ni payée.")
    held = invoice.held_by
    if held is not None and held.is_open:
        return _(
            "Un paiement en ligne de cette facture est en cours (référence %(refdet)s) : "
            "attendez qu'il aboutisse ou expire avant de la modifier."
        ) % {"refdet": held.refdet}
    return None


def _locked_invoice(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("regie", "held_by")
        .get(pk=invoice.pk)
    )


UPDATABLE_FIELDS = (
    "payer_name",
    "payer_email",
    "family_reference",
    "service",
    "label",
    "issued_on",
    "due_date",
    "amount",
)


def invoice_update(
    *,
    invoice: Invoice,
    payer_name: str,
    payer_email: str,
    label: str,
    due_date: dt.date,
    amount: int,
    service: str,
    issued_on: dt.date,
    family_reference: str = "",
    actor=None,
    ip: str | None = None,
) -> Invoice:
    """Staff correct an open invoice (payer, label, dates, amount in cents).

    The régie and number never change, nor the status (see :func:`invoice_cancel` and
    :func:`invoice_settle_offline`). Refused with the reason (:class:`InvoiceNotEditable`)
    once the invoice is paid or cancelled, or while an online payment holds it. A new
    payer e-mail relinks the resident's account; a new due date allows a new reminder.
    One transaction under the invoice's row lock; the audit entry lists each change
    (old, new). Nothing changed: nothing written."""
    payer_name, payer_email, label = _clean_invoice_fields(
        payer_name=payer_name,
        payer_email=payer_email,
        label=label,
        issued_on=issued_on,
        due_date=due_date,
        amount=amount,
    )
    values = {
        "payer_name": payer_name,
        "payer_email": payer_email,
        "family_reference": (family_reference or "").strip(),
        "service": service,
        "label": label,
        "issued_on": issued_on,
        "due_date": due_date,
        "amount": amount,
    }
    with transaction.atomic():
        current = _locked_invoice(invoice)
        refusal = invoice_edit_refusal(current)
        if refusal:
            raise InvoiceNotEditable(refusal)
        changes = {
            name: [_jsonable(getattr(current, name)), _jsonable(value)]
            for name, value in values.items()
            if getattr(current, name) != value
        }
        if not changes:
            return current
        for name, value in values.items():
            setattr(current, name, value)
        update_fields = list(values)
        if "payer_email" in changes:
            current.user = _user_for_email(payer_email)
            update_fields.append("user")
        if "due_date" in changes:
            current.reminded_at = None
            update_fields.append("reminded_at")
        current.save(update_fields=update_fields)
        audit_log_record(
            actor=actor, action="invoice.update", obj=current, data={"changes": changes}, ip=ip
        )
    return current


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def invoice_cancel(*, invoice: Invoice, reason: str, actor, ip: str | None = None) -> Invoice:
    """Cancel an open invoice, with the reason (audited). Refused when it is paid (a
    refund is the way back), already cancelled, or held by a payment in progress."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(_("Indiquez le motif de l'annulation."), field="reason")
    with transaction.atomic():
        current = _locked_invoice(invoice)
        if current.status == Invoice.Status.PAID:
            raise InvoiceNotEditable(
                _(
                    "Une facture réglée ne peut pas être annulée : enregistrez un "
                    "remboursement du paiement."
                )
            )
        refusal = invoice_edit_refusal(current)
        if refusal:
            raise InvoiceNotEditable(refusal)
        current.status = Invoice.Status.CANCELLED
        current.save(update_fields=["status"])
        audit_log_record(
            actor=actor, action="invoice.cancel", obj=current, data={"reason": reason}, ip=ip
        )
    return current


def invoice_settle_offline(
    *, invoice: Invoice, means: str, reference: str, actor, ip: str | None = None
) -> Payment:
    """Record that the family paid ``invoice`` at the régie (cash, cheque, card terminal).

    A settlement of this invoice and a payment with provider ``offline`` are created and
    marked paid by :func:`payment_mark_paid`, the one function that settles invoices: the
    invoice becomes paid through ``payment_paid`` (sent once) and the receipt takes the
    next number of the régie's sequence. Refused when the invoice is not open or an online
    payment holds it. One transaction under the invoice's row lock."""
    with transaction.atomic():
        current = _locked_invoice(invoice)
        refusal = invoice_edit_refusal(current)
        if refusal:
            raise InvoiceNotEditable(refusal)
        settlement = InvoiceSettlement.objects.create()
        settlement.invoices.set([current])
        means_label = OfflineMeans(means).label if means in OfflineMeans.values else ""
        payment = payment_record_offline(
            regie=current.regie,
            amount=current.amount,
            label=_("Facture %(number)s – réglée à la régie (%(means)s)")
            % {"number": current.number, "means": means_label},
            means=means,
            reference=reference,
            actor=actor,
            payable=settlement,
            user=current.user,
            email=current.payer_email,
            payer_name=current.payer_name,
            ip=ip,
        )
        audit_log_record(
            actor=actor,
            action="invoice.settle_offline",
            obj=current,
            data={
                "payment": payment.refdet,
                "means": means,
                "reference": payment.provider_reference,
                "receipt": payment.receipt.number,
            },
            ip=ip,
        )
    return payment


def invoice_pay(*, user, invoice_ids: list[int], ip: str | None = None):
    """A payment (status CREATED) of the given invoices of ``user``, which it holds.

    The amount is the sum of the invoices as stored: nothing the browser sends changes it.
    Refused when an invoice is not the user's (same message as a missing one), already
    paid, already in a payment in progress, from another régie, or past the online
    deadline (the reason is given)."""
    ids = sorted({int(pk) for pk in invoice_ids})
    if not ids:
        raise InvoiceNotPayable(_("Choisissez au moins une facture à payer."), field="invoices")
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update(of=("self",))
            .select_related("regie")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        visible = [invoice for invoice in invoices if invoice_belongs_to(invoice, user)]
        if len(visible) != len(ids):
            raise InvoiceNotPayable(_("Facture introuvable."), field="invoices")
        regies = {invoice.regie_id for invoice in visible}
        if len(regies) > 1:
            raise InvoiceNotPayable(
                _("Les factures de régies différentes se paient séparément."), field="invoices"
            )
        today = timezone.localdate()
        for invoice in visible:
            if invoice.status == Invoice.Status.PAID:
                raise InvoiceNotPayable(
                    _("La facture n° %(number)s est déjà payée.") % {"number": invoice.number}
                )
            if invoice.status != Invoice.Status.OPEN:
                raise InvoiceNotPayable(
                    _("La facture n° %(number)s est annulée.") % {"number": invoice.number}
                )
            if invoice.is_past_online_deadline(today):
                raise InvoiceNotPayable(
                    _(
                        "La facture n° %(number)s a été transmise au Trésor public : "
                        "réglez-la auprès du service de gestion comptable."
                    )
                    % {"number": invoice.number}
                )
            if invoice.held_by_id is not None:
                raise InvoiceNotPayable(
                    _(
                        "Un paiement de la facture n° %(number)s est déjà en cours. "
                        "Consultez son état avant de payer à nouveau."
                    )
                    % {"number": invoice.number}
                )
        regie = visible[0].regie
        if not regie.is_active:
            raise InvoiceNotPayable(_("Le paiement en ligne de cette régie est suspendu."))
        settlement = InvoiceSettlement.objects.create()
        settlement.invoices.set(visible)
        numbers = ", ".join(invoice.number for invoice in visible)
        label = (_("Facture %(numbers)s") if len(visible) == 1 else _("Factures %(numbers)s")) % {
            "numbers": numbers
        }
        payment = payment_create(
            regie=regie,
            amount=sum(invoice.amount for invoice in visible),
            label=label,
            payable=settlement,
            user=user,
            email=user.email,
        )
        Invoice.objects.filter(pk__in=ids).update(held_by=payment)
        audit_log_record(
            actor=user, action="invoice.pay", obj=payment, data={"invoices": ids}, ip=ip
        )
    return payment


def on_payment_paid(sender, *, payment, payable, **kwargs):
    """Receiver of ``payment_paid`` for an invoice settlement: its invoices are paid.
    An invoice already paid by another payment is not touched: the double payment is
    written to the audit log for a refund."""
    for invoice in payable.invoices.select_for_update().order_by("pk"):
        if invoice.status == Invoice.Status.OPEN:
            invoice.status = Invoice.Status.PAID
            invoice.paid_by = payment
            invoice.paid_at = payment.paid_at
            invoice.held_by = None
            invoice.save(update_fields=["status", "paid_by", "paid_at", "held_by"])
            audit_log_record(
                actor=None,
                action="invoice.paid",
                obj=invoice,
                data={"payment": payment.refdet, "provider": payment.provider},
            )
        elif invoice.paid_by_id != payment.pk:
            audit_log_record(
                actor=None,
                action="invoice.paid_twice",
                obj=invoice,
                data={"payment": payment.pk, "first_payment": invoice.paid_by_id},
            )


def on_payment_released(sender, *, payment, payable, **kwargs):
    """Receiver of ``payment_released``: the settlement's invoices are payable again."""
    Invoice.objects.filter(held_by=payment).update(held_by=None)


# --- CSV import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    row: int  # line number in the file (the header is line 1)
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    rows: int = 0
    issues: list[ImportIssue] = field(default_factory=list)
    imported: bool = False

    @property
    def bad_rows(self) -> int:
        return len({issue.row for issue in self.issues})


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("utf-8", "replace")


def _parse_date(text: str) -> dt.date | None:
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def invoice_import_csv(
    *, regie: Regie, content: bytes | str, actor, skip_invalid: bool = False
) -> ImportReport:
    """Import invoices from the billing software's CSV (``;`` or ``,``, UTF-8 or
    Windows-1252; columns :data:`CSV_COLUMNS`, amounts « 12,50 », dates « 31/01/2026 »).

    Every row is checked first; the report lists (row, column, message). When a row is
    bad nothing is imported, unless ``skip_invalid``: then the good rows are imported and
    the bad ones reported. All or nothing in one transaction."""
    report = ImportReport()
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = sorted(REQUIRED_COLUMNS - set(headers))
    if missing:
        for column in missing:
            report.issues.append(ImportIssue(1, column, _("Colonne manquante.")))
        return report
    reader.fieldnames = headers
    existing = set(Invoice.objects.filter(regie=regie).values_list("number", flat=True))
    seen: set[str] = set()
    valid: list[Invoice] = []
    users = {}
    for line, raw in enumerate(reader, start=2):
        report.rows += 1
        row = {key: (value or "").strip() for key, value in raw.items() if key}
        issues = []
        number = row.get("numero", "")
        try:
            REFDET_VALIDATOR(number)
        except ValidationError:
            issues.append(
                ("numero", _("Numéro obligatoire : 1 à 30 lettres ou chiffres, sans espace."))
            )
        else:
            if number in existing:
                issues.append(("numero", _("Cette facture existe déjà.")))
            elif number in seen:
                issues.append(("numero", _("Numéro en double dans le fichier.")))
        if not row.get("nom"):
            issues.append(("nom", _("Nom du payeur obligatoire.")))
        email = row.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            issues.append(("email", _("Adresse e-mail invalide.")))
        service = SERVICE_ALIASES.get(row.get("service", "").lower())
        if service is None:
            issues.append(
                ("service", _("Service inconnu (cantine, périscolaire, transport ou autre)."))
            )
        if not row.get("libelle"):
            issues.append(("libelle", _("Libellé obligatoire.")))
        elif len(row["libelle"]) > 200:
            issues.append(("libelle", _("Libellé trop long (200 caractères au plus).")))
        issued_on = timezone.localdate()
        if row.get("date_emission"):
            issued_on = _parse_date(row["date_emission"])
            if issued_on is None:
                issues.append(("date_emission", _("Date invalide (JJ/MM/AAAA).")))
        due_date = _parse_date(row.get("echeance", ""))
        if due_date is None:
            issues.append(("echeance", _("Date invalide (JJ/MM/AAAA).")))
        amount = parse_euros(row.get("montant", ""))
        if amount is None or amount <= 0:
            issues.append(("montant", _("Montant invalide (ex. 12,50).")))
        if issues:
            report.issues.extend(ImportIssue(line, column, message) for column, message in issues)
            continue
        seen.add(number)
        if email not in users:
            users[email] = _user_for_email(email)
        valid.append(
            Invoice(
                regie=regie,
                number=number,
                family_reference=row.get("reference_famille", "")[:30],
                payer_name=row["nom"][:150],
                payer_email=email,
                user=users[email],
                service=service,
                label=row["libelle"],
                issued_on=issued_on,
                due_date=due_date,
                amount=amount,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    if report.issues and not skip_invalid:
        return report
    with transaction.atomic():
        Invoice.objects.bulk_create(valid)
        audit_log_record(
            actor=actor,
            action="invoice.import",
            obj=regie,
            data={"created": len(valid), "skipped_rows": report.bad_rows},
        )
    report.created = len(valid)
    report.imported = True
    return report


def invoices_send_reminders(*, today: dt.date | None = None) -> int:
    """Queue one reminder per open invoice whose due date is within its régie's
    reminder delay and that was not reminded yet; returns how many were queued."""
    from ..tasks import invoice_reminder_send

    today = today or timezone.localdate()
    count = 0
    for regie in Regie.objects.filter(is_active=True):
        due = Invoice.objects.filter(
            regie=regie,
            status=Invoice.Status.OPEN,
            reminded_at__isnull=True,
            held_by__isnull=True,
            due_date__gte=today,
            due_date__lte=today + dt.timedelta(days=regie.reminder_days_before),
        )
        for pk in due.values_list("pk", flat=True):
            invoice_reminder_send.enqueue(invoice_id=pk)
            count += 1
    return count
