"""Payments in the Wagtail admin: régies, invoices (with CSV import), payments (filters,
totals, audit trail, refund) and the daily reconciliation export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from parvis.core.models import AuditLogEntry

from . import services
from .admin_invoices import AmountColumn, InvoiceViewSet
from .exceptions import PaymentError
from .formatting import euros, parse_euros
from .models import Payment, Regie
from .reconciliation import reconciliation_csv
from .selectors import payments_totals

# --- Régies -------------------------------------------------------------------------------


class RegieViewSet(ModelViewSet):
    model = Regie
    icon = "home"
    menu_label = gettext_lazy("Régies")
    list_display = ["name", "code", "backend", "numcli", "is_active"]
    form_fields = [
        "name",
        "code",
        "backend",
        "numcli",
        "object_label",
        "online_payment_grace_days",
        "reminder_days_before",
        "accountant_contact",
        "is_active",
    ]
    copy_view_enabled = False


# --- Invoices -----------------------------------------------------------------------------


class InvoiceImportForm(forms.Form):
    regie = forms.ModelChoiceField(queryset=Regie.objects.all(), label=gettext_lazy("Régie"))
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy(
            "Colonnes : numero, reference_famille, nom, email, service, libelle, "
            "date_emission, echeance, montant (séparateur ; ou ,)."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Importer les lignes valides et ignorer les lignes en erreur"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Fichier trop volumineux (5 Mo au plus)."))
        return upload


def invoice_import(request):
    if not request.user.has_perm("payments.add_invoice"):
        raise PermissionDenied
    form = InvoiceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.invoice_import_csv(
            regie=form.cleaned_data["regie"],
            content=form.cleaned_data["file"].read(),
            actor=request.user,
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        if report.imported:
            messages.success(
                request,
                _("%(count)s facture(s) importée(s).") % {"count": report.created},
            )
    return TemplateResponse(
        request, "payments/admin/invoice_import.html", {"form": form, "report": report}
    )


# --- Payments -----------------------------------------------------------------------------


#: Refunds, settlements at the desk and the reconciliation export: the régisseur.
REGISSEUR_PERMISSION = "payments.change_payment"


class ReadOnlyPaymentPolicy(ModelPermissionPolicy):
    """Payments are written by the payment services only: no add, edit or delete."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete", "change"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Payment, ReadOnlyPaymentPolicy(Payment))


class PaymentIndexView(IndexView):
    results_template_name = "payments/admin/payment_index_results.html"

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        totals = payments_totals(self.object_list.order_by())
        context["totals"] = {
            "count": totals["count"] or 0,
            "total": euros(totals["total"] or 0),
            "paid_total": euros(totals["paid_total"] or 0),
            "refunded_total": euros(totals["refunded_total"] or 0),
        }
        return context


class PaymentInspectView(InspectView):
    template_name = "payments/admin/payment_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        context["exchanges"] = list(payment.exchanges.order_by("created_at", "pk"))
        context["refunds"] = list(payment.refunds.select_related("actor"))
        context["audit"] = list(
            AuditLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Payment),
                object_id=str(payment.pk),
            ).order_by("timestamp")
        )
        context["can_refund"] = payment.refundable_amount > 0 and self.request.user.has_perm(
            REGISSEUR_PERMISSION
        )
        context["invoices"] = list(payment.paid_invoices.order_by("number")) or list(
            payment.held_invoices.order_by("number")
        )
        context["refund_url"] = reverse("payments_admin_refund", args=[payment.pk])
        return context


class PaymentViewSet(ModelViewSet):
    model = Payment
    icon = "tick-inverse"
    menu_label = gettext_lazy("Paiements")
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentInspectView
    inspect_view_enabled = True
    list_display = [
        "refdet",
        "label",
        AmountColumn("amount", label=gettext_lazy("Montant")),
        "status",
        "regie",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "regie", "created_at", "paid_at"]
    search_fields = ["refdet", "idop", "label", "email", "payer_name", "provider_reference"]
    list_export = [
        "refdet",
        "idop",
        "label",
        "amount",
        "status",
        "created_at",
        "paid_at",
        "refunded_amount",
    ]
    form_fields = ["label"]
    copy_view_enabled = False


class RefundForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Montant à rembourser (ex. 12,50)"))
    reason = forms.CharField(label=gettext_lazy("Motif"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_amount(self):
        cents = parse_euros(self.cleaned_data["amount"])
        if not cents:
            raise forms.ValidationError(_("Montant invalide (ex. 12,50)."))
        return cents


def payment_refund(request, pk):
    if not request.user.has_perm(REGISSEUR_PERMISSION):
        raise PermissionDenied
    payment = get_object_or_404(Payment.objects.select_related("regie"), pk=pk)
    form = RefundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refund = services.payment_refund(
                payment=payment,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                ip=request.META.get("REMOTE_ADDR"),
            )
        except PaymentError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if refund.executed_online:
                messages.success(request, _("Remboursement effectué auprès du prestataire."))
            elif payment.is_offline:
                messages.success(
                    request,
                    _(
                        "Remboursement enregistré. Le paiement ayant été reçu à la régie, "
                        "remboursez la famille selon les règles de la régie."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Remboursement enregistré. Pour PayFiP, transmettez la demande au "
                        "comptable public, qui effectue le virement."
                    ),
                )
            return redirect(reverse("payments_admin_payment:inspect", args=[payment.pk]))
    return TemplateResponse(
        request, "payments/admin/refund.html", {"form": form, "payment": payment}
    )


class ReconciliationForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Jour"), widget=forms.DateInput(attrs={"type": "date"})
    )
    regie = forms.ModelChoiceField(
        queryset=Regie.objects.all(), required=False, label=gettext_lazy("Régie (toutes si vide)")
    )


def reconciliation(request):
    """The day's paid payments as CSV: the régisseur's accounting (``change_payment``),
    not for desk agents who only look payments up."""
    if not request.user.has_perm(REGISSEUR_PERMISSION):
        raise PermissionDenied
    initial = {"date": timezone.localdate() - timezone.timedelta(days=1)}
    form = ReconciliationForm(request.GET or None, initial=initial)
    if request.GET and form.is_valid():
        day, regie = form.cleaned_data["date"], form.cleaned_data["regie"]
        response = HttpResponse(
            reconciliation_csv(day=day, regie=regie), content_type="text/csv; charset=utf-8"
        )
        suffix = f"-{regie.code}" if regie else ""
        response["Content-Disposition"] = (
            f'attachment; filename="rapprochement-{day.isoformat()}{suffix}.csv"'
        )
        return response
    return TemplateResponse(request, "payments/admin/reconciliation.html", {"form": form})


class PaymentsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Paiements")
    menu_icon = "tick-inverse"
    menu_order = 250
    items = (
        PaymentViewSet("payments_admin_payment", url_prefix="paiements/paiements"),
        InvoiceViewSet("payments_admin_invoice", url_prefix="paiements/factures"),
        RegieViewSet("payments_admin_regie", url_prefix="paiements/regies"),
    )


@hooks.register("register_admin_viewset")
def register_payments_viewsets():
    return PaymentsGroup()


@hooks.register("register_admin_urls")
def register_payments_urls():
    return [
        path("paiements/import-factures/", invoice_import, name="payments_admin_invoice_import"),
        path("paiements/rembourser/<int:pk>/", payment_refund, name="payments_admin_refund"),
        path("paiements/rapprochement/", reconciliation, name="payments_admin_reconciliation"),
    ]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_reconciliation_menu():
    return _PermissionMenuItem(
        gettext_lazy("Rapprochement des paiements"),
        reverse("payments_admin_reconciliation"),
        icon_name="download",
        order=251,
        permission=REGISSEUR_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def register_import_menu():
    return _PermissionMenuItem(
        gettext_lazy("Importer des factures"),
        reverse("payments_admin_invoice_import"),
        icon_name="upload",
        order=252,
        permission="payments.add_invoice",
    )
