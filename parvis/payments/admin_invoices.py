"""Invoices of the régie in the Wagtail admin.

Every write goes through the services (one transaction with its audit entry): creation
and edition (amount typed in euros), cancellation and settlement at the régie's desk are
explicit actions with their reason; the status is never a form field. Permissions:
``view_invoice`` reads, ``change_invoice`` edits and cancels, settling at the desk also
needs ``change_payment`` (it records a payment). Nobody deletes an invoice: it is
cancelled.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from parvis.core.models import AuditLogEntry

from . import services
from .exceptions import PaymentError
from .formatting import euros, parse_euros
from .models import Invoice, InvoiceSettlement, OfflineMeans, Payment
from .services.invoices import invoice_edit_refusal

CHANGE_INVOICE = "payments.change_invoice"
SETTLE_PERMISSIONS = (CHANGE_INVOICE, "payments.change_payment")


class AmountColumn(Column):
    """Integer cents shown « 12,50 € »."""

    def get_value(self, instance):
        return euros(getattr(instance, self.accessor))


class InvoicePermissionPolicy(ModelPermissionPolicy):
    """Invoices are cancelled with a reason, never deleted (accounting records)."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Invoice, InvoicePermissionPolicy(Invoice))


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _add_error(form, error: PaymentError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- create / edit ------------------------------------------------------------------------


class AmountInEurosMixin(forms.Form):
    amount_euros = forms.CharField(
        label=gettext_lazy("Montant en euros"),
        help_text=gettext_lazy("Par exemple 12,50"),
        max_length=20,
    )

    def clean_amount_euros(self):
        cents = parse_euros(self.cleaned_data["amount_euros"])
        if cents is None:
            raise forms.ValidationError(
                _("Montant invalide : indiquez des euros et des centimes, par exemple 12,50.")
            )
        if cents <= 0:
            raise forms.ValidationError(_("Le montant doit être supérieur à zéro."))
        return cents


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EDITABLE_FIELDS = [
    "family_reference",
    "payer_name",
    "payer_email",
    "service",
    "label",
    "issued_on",
    "due_date",
]


class InvoiceCreateForm(AmountInEurosMixin, forms.ModelForm):
    class Meta:
        model = Invoice
        fields = ["regie", "number", *EDITABLE_FIELDS]
        widgets = {"issued_on": DATE_WIDGET, "due_date": DATE_WIDGET}


class InvoiceEditForm(AmountInEurosMixin, forms.ModelForm):
    """The régie and the number identify the invoice; the status is changed by actions."""

    class Meta:
        model = Invoice
        fields = EDITABLE_FIELDS
        widgets = {"issued_on": DATE_WIDGET, "due_date": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["amount_euros"] = euros(self.instance.amount).replace("\u00a0€", "")


class ServiceFormMixin:
    """A domain error of the service becomes an error next to its field; nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except PaymentError as error:
            _add_error(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("payments_admin_invoice:inspect", args=[self.object.pk])


class InvoiceCreateView(ServiceFormMixin, CreateView):
    """Staff create an invoice through :func:`services.invoice_create`."""

    def get_form_class(self):
        return InvoiceCreateForm

    def save_instance(self):
        data = self.form.cleaned_data
        return services.invoice_create(
            regie=data["regie"],
            number=data["number"],
            family_reference=data["family_reference"],
            payer_name=data["payer_name"],
            payer_email=data["payer_email"],
            service=data["service"],
            label=data["label"],
            issued_on=data["issued_on"],
            due_date=data["due_date"],
            amount=data["amount_euros"],
            actor=self.request.user,
            ip=_ip(self.request),
        )


class InvoiceEditView(ServiceFormMixin, EditView):
    """Staff correct an open invoice through :func:`services.invoice_update`; a paid or
    cancelled invoice (or one held by an online payment) sends back to its page with the
    reason, and nothing is changed."""

    def get_form_class(self):
        return InvoiceEditForm

    def _refusal_response(self):
        invoice = get_object_or_404(Invoice.objects.select_related("held_by"), pk=self.object_pk)
        refusal = invoice_edit_refusal(invoice)
        if refusal is None:
            return None
        messages.warning(self.request, refusal)
        return redirect("payments_admin_invoice:inspect", invoice.pk)

    def get(self, request, *args, **kwargs):
        return self._refusal_response() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal_response() or super().post(request, *args, **kwargs)

    def save_instance(self):
        data = self.form.cleaned_data
        return services.invoice_update(
            invoice=self.object,
            family_reference=data["family_reference"],
            payer_name=data["payer_name"],
            payer_email=data["payer_email"],
            service=data["service"],
            label=data["label"],
            issued_on=data["issued_on"],
            due_date=data["due_date"],
            amount=data["amount_euros"],
            actor=self.request.user,
            ip=_ip(self.request),
        )


# --- list and page of an invoice -----------------------------------------------------------


class InvoiceIndexView(IndexView):
    def get_edit_url(self, instance):
        if instance.status != Invoice.Status.OPEN:
            return None
        return super().get_edit_url(instance)


AUDIT_LABELS = {
    "invoice.create": gettext_lazy("Facture créée"),
    "invoice.update": gettext_lazy("Facture modifiée"),
    "invoice.cancel": gettext_lazy("Facture annulée"),
    "invoice.settle_offline": gettext_lazy("Réglée à la régie"),
    "invoice.paid": gettext_lazy("Facture payée"),
    "invoice.paid_twice": gettext_lazy("Payée une seconde fois : paiement à rembourser"),
    "invoice.reminder": gettext_lazy("Rappel envoyé"),
}
FIELD_LABELS = {
    "payer_name": gettext_lazy("payeur"),
    "payer_email": gettext_lazy("e-mail"),
    "family_reference": gettext_lazy("référence famille"),
    "service": gettext_lazy("service"),
    "label": gettext_lazy("libellé"),
    "issued_on": gettext_lazy("émission"),
    "due_date": gettext_lazy("échéance"),
    "amount": gettext_lazy("montant"),
}
DETAIL_LABELS = {
    "reason": gettext_lazy("motif"),
    "means": gettext_lazy("moyen"),
    "reference": gettext_lazy("référence"),
    "payment": gettext_lazy("paiement"),
    "receipt": gettext_lazy("quittance"),
    "amount": gettext_lazy("montant"),
    "provider": gettext_lazy("prestataire"),
    "first_payment": gettext_lazy("premier paiement"),
}


def audit_details(entry: AuditLogEntry) -> list[str]:
    """The entry's data as short French lines (« montant : 12,50 € → 15,00 € »)."""
    lines = []
    data = entry.data or {}
    for name, (old, new) in (data.get("changes") or {}).items():
        if name == "amount":
            old, new = euros(old), euros(new)
        lines.append(f"{FIELD_LABELS.get(name, name)} : {old} → {new}")
    for name, value in data.items():
        if name == "changes":
            continue
        if name == "amount":
            value = euros(value)
        elif name == "means" and value in OfflineMeans.values:
            value = OfflineMeans(value).label
        lines.append(f"{DETAIL_LABELS.get(name, name)} : {value}")
    return lines


class InvoiceInspectView(InspectView):
    """The invoice, why it can or cannot change, its actions, payments and audit trail
    (a bounded number of queries)."""

    template_name = "payments/admin/invoice_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Invoice.objects.select_related("regie", "user", "created_by", "held_by", "paid_by"),
            pk=self.pk,
        )

    def get_amount_display_value(self):
        return euros(self.object.amount)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        user = self.request.user
        settlement_ids = [
            str(pk) for pk in invoice.settlements.values_list("pk", flat=True).order_by("pk")
        ]
        payments = list(
            Payment.objects.filter(
                content_type=ContentType.objects.get_for_model(InvoiceSettlement),
                object_id__in=settlement_ids,
            )
            .select_related("receipt")
            .order_by("created_at", "pk")
        )
        entries = list(
            AuditLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Invoice),
                object_id=str(invoice.pk),
            ).order_by("timestamp", "pk")
        )
        refusal = invoice_edit_refusal(invoice)
        can_change = user.has_perm(CHANGE_INVOICE)
        context.update(
            {
                "payments": payments,
                "can_view_payments": user.has_perm("payments.view_payment"),
                "audit": [
                    {
                        "entry": entry,
                        "label": AUDIT_LABELS.get(entry.action, entry.action),
                        "details": audit_details(entry),
                    }
                    for entry in entries
                ],
                "refusal": refusal,
                "edit_url": self.get_edit_url(),
                "can_cancel": can_change and refusal is None,
                "can_settle": refusal is None and user.has_perms(SETTLE_PERMISSIONS),
                "cancel_url": reverse("payments_admin_invoice:cancel", args=[invoice.pk]),
                "settle_url": reverse("payments_admin_invoice:settle", args=[invoice.pk]),
            }
        )
        return context

    def get_edit_url(self):
        if self.object.status != Invoice.Status.OPEN:
            return None
        return super().get_edit_url()


# --- actions -------------------------------------------------------------------------------


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif de l'annulation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Par exemple : facture émise en double, erreur de famille."),
    )


class SettleOfflineForm(forms.Form):
    means = forms.ChoiceField(
        label=gettext_lazy("Moyen de paiement"),
        choices=OfflineMeans.choices,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence"),
        max_length=100,
        help_text=gettext_lazy(
            "Numéro du chèque, du reçu remis pour des espèces ou du ticket du terminal."
        ),
    )


def _action_view(request, pk, *, permissions, form_class, template, run, success):
    """Shared shape of the invoice actions: permission (403), the reason of a refusal
    (back to the invoice), a form whose domain errors show next to their field."""
    if not request.user.has_perms(permissions):
        raise PermissionDenied
    invoice = get_object_or_404(Invoice.objects.select_related("regie", "held_by"), pk=pk)
    inspect_url = reverse("payments_admin_invoice:inspect", args=[invoice.pk])
    refusal = invoice_edit_refusal(invoice)
    if refusal:
        messages.warning(request, refusal)
        return redirect(inspect_url)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = run(invoice, form.cleaned_data)
        except PaymentError as error:
            _add_error(form, error)
        else:
            messages.success(request, success(result))
            return redirect(inspect_url)
    return TemplateResponse(
        request, template, {"form": form, "invoice": invoice, "inspect_url": inspect_url}
    )


def invoice_cancel(request, pk):
    return _action_view(
        request,
        pk,
        permissions=(CHANGE_INVOICE,),
        form_class=CancelForm,
        template="payments/admin/invoice_cancel.html",
        run=lambda invoice, data: services.invoice_cancel(
            invoice=invoice, reason=data["reason"], actor=request.user, ip=_ip(request)
        ),
        success=lambda invoice: _("Facture n° %(number)s annulée.") % {"number": invoice.number},
    )


def invoice_settle(request, pk):
    return _action_view(
        request,
        pk,
        permissions=SETTLE_PERMISSIONS,
        form_class=SettleOfflineForm,
        template="payments/admin/invoice_settle.html",
        run=lambda invoice, data: services.invoice_settle_offline(
            invoice=invoice,
            means=data["means"],
            reference=data["reference"],
            actor=request.user,
            ip=_ip(request),
        ),
        success=lambda payment: (
            _("Facture réglée à la régie : quittance n° %(number)s.")
            % {"number": payment.receipt.number}
        ),
    )


class InvoiceViewSet(ModelViewSet):
    model = Invoice
    icon = "doc-full"
    menu_label = gettext_lazy("Factures")
    index_view_class = InvoiceIndexView
    add_view_class = InvoiceCreateView
    edit_view_class = InvoiceEditView
    inspect_view_class = InvoiceInspectView
    list_display = [
        "number",
        "payer_name",
        "label",
        AmountColumn("amount", label=gettext_lazy("Montant")),
        "due_date",
        "status",
        "regie",
    ]
    list_filter = ["status", "regie", "service", "due_date"]
    search_fields = ["number", "payer_name", "payer_email", "family_reference", "label"]
    form_fields = EDITABLE_FIELDS
    inspect_view_enabled = True
    inspect_view_fields = [
        "number",
        "regie",
        "status",
        "payer_name",
        "payer_email",
        "user",
        "family_reference",
        "service",
        "label",
        "issued_on",
        "due_date",
        "amount",
        "paid_at",
        "reminded_at",
        "created_at",
        "created_by",
    ]
    copy_view_enabled = False
    list_export = [
        "number",
        "family_reference",
        "payer_name",
        "payer_email",
        "label",
        "service",
        "issued_on",
        "due_date",
        "amount",
        "status",
        "paid_at",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("annuler/<int:pk>/", invoice_cancel, name="cancel"),
            path("regler/<int:pk>/", invoice_settle, name="settle"),
        ]
