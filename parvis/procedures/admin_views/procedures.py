"""Editing procedure definitions in the admin: presentation, who may submit, service, fee,
delays, retention, notification texts, the form (StreamField of pages and fields) and the
workflow (statuses and transitions), scoped to the agent's services.

« Prévisualiser » opens the saved (unpublished) form; « Enregistrer et publier » saves,
then freezes the form as a new version (:func:`procedure_publish`); its problems
(:class:`DefinitionInvalid`) are listed at the top of the page and nothing is published.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.viewsets.model import ModelViewSet

from parvis.core.audit import audit_log_record
from parvis.core.services_access import services_for_user, user_works_for
from parvis.payments.formatting import euros, parse_euros

from ..exceptions import DefinitionInvalid
from ..models import FINAL_KINDS, Procedure, StatusKind

PROBLEMS_SESSION_KEY = "procedures_publish_problems"


class ProcedureAdminForm(WagtailAdminModelForm):
    """The procedure form: the service among the agent's own; the fee typed in euros;
    the workflow checked as a whole (one initial status, transitions between existing
    statuses, at least one final status)."""

    fee_euros = forms.CharField(
        label=gettext_lazy("Frais (en euros)"),
        required=False,
        help_text=gettext_lazy("Par exemple 15 ou 12,50. Vide ou 0 : démarche gratuite."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "service" in self.fields and self.for_user is not None:
            self.fields["service"].queryset = services_for_user(self.for_user)
        if self.instance.pk and self.instance.fee_cents:
            self.initial["fee_euros"] = euros(self.instance.fee_cents).replace("\u00a0€", "")

    def clean_fee_euros(self):
        text = (self.cleaned_data.get("fee_euros") or "").strip()
        if not text:
            return 0
        cents = parse_euros(text)
        if cents is None:
            raise forms.ValidationError(_("Montant invalide (par exemple 12,50)."))
        return cents

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fee_euros") and not cleaned.get("regie"):
            self.add_error("regie", _("Choisissez la régie qui encaisse les frais."))
        return cleaned

    def is_valid(self):
        valid = super().is_valid()
        if not valid or "statuses" not in self.formsets:
            return valid
        statuses = [
            form.cleaned_data
            for form in self.formsets["statuses"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not statuses:  # the default workflow is created at publication
            return valid
        codes = [status["code"] for status in statuses]
        problems = []
        if len(set(codes)) != len(codes):
            problems.append(_("Deux états ont le même identifiant."))
        if not any(status["kind"] == StatusKind.RECEIVED for status in statuses):
            problems.append(_("Il faut un état « reçue » : c'est l'état d'une nouvelle demande."))
        if not any(status["kind"] in FINAL_KINDS for status in statuses):
            problems.append(_("Il faut au moins un état final (acceptée, refusée ou classée)."))
        for form in (
            self.formsets.get("transitions").forms if "transitions" in self.formsets else []
        ):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            for field in ("from_code", "to_code"):
                if data.get(field) and data[field] not in codes:
                    form.add_error(
                        field,
                        _("Aucun état n'a l'identifiant « %(code)s ».") % {"code": data[field]},
                    )
                    valid = False
        for problem in problems:
            self.add_error(None, problem)
        return valid and not problems

    def save(self, commit=True):
        self.instance.fee_cents = self.cleaned_data.get("fee_euros") or 0
        return super().save(commit=commit)


EDIT_HANDLER = TabbedInterface(
    [
        ObjectList(
            [
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("summary"),
                FieldPanel("description"),
            ],
            heading=gettext_lazy("Présentation"),
        ),
        ObjectList(
            [
                FieldPanel("service"),
                FieldPanel("audience"),
                MultiFieldPanel(
                    [FieldPanel("fee_euros"), FieldPanel("regie")],
                    heading=gettext_lazy("Frais"),
                ),
                MultiFieldPanel(
                    [FieldPanel("processing_days"), FieldPanel("retention_days")],
                    heading=gettext_lazy("Délais"),
                ),
                MultiFieldPanel(
                    [
                        FieldPanel("receipt_message"),
                        FieldPanel("status_message"),
                        FieldPanel("sms_notifications"),
                    ],
                    heading=gettext_lazy("Messages au demandeur"),
                    help_text=gettext_lazy(
                        "Repères utilisables : {numero}, {demarche}, {etat}, {motif}, {lien}."
                    ),
                ),
            ],
            heading=gettext_lazy("Traitement"),
        ),
        ObjectList([FieldPanel("form")], heading=gettext_lazy("Formulaire")),
        ObjectList(
            [
                InlinePanel(
                    "statuses",
                    heading=gettext_lazy("États"),
                    label=gettext_lazy("État"),
                    help_text=gettext_lazy(
                        "Sans état, le circuit par défaut est créé à la publication : reçue, "
                        "en cours, en attente du demandeur, acceptée, refusée, classée."
                    ),
                ),
                InlinePanel(
                    "transitions",
                    heading=gettext_lazy("Transitions"),
                    label=gettext_lazy("Transition"),
                ),
            ],
            heading=gettext_lazy("Circuit de traitement"),
        ),
    ],
    base_form_class=ProcedureAdminForm,
)


class ScopedObjectMixin:
    """A procedure outside the agent's services answers 404."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not user_works_for(self.request.user, obj.service):
            raise Http404
        return obj


class ProcedureIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(service__in=services_for_user(self.request.user))
            .select_related("service", "current_version")
        )


def preview_url(procedure: Procedure) -> str:
    try:
        return reverse("procedures:preview", args=[procedure.pk])
    except NoReverseMatch:
        return ""


class ProcedureCreateView(CreateView):
    template_name = "procedures/admin/procedure_edit.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log_record(
            actor=self.request.user, action="procedures.procedure.create", obj=self.object
        )
        return response

    def get_success_url(self):
        return reverse(self.edit_url_name, args=[self.object.pk])


class ProcedureEditView(ScopedObjectMixin, EditView):
    template_name = "procedures/admin/procedure_edit.html"
    actions = ["edit", "publish", "unpublish"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problems = self.request.session.pop(f"{PROBLEMS_SESSION_KEY}_{self.object.pk}", None)
        context.update(
            {
                "publish_problems": problems or [],
                "preview_url": preview_url(self.object),
                "current_version": self.object.current_version,
            }
        )
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log_record(
            actor=self.request.user, action="procedures.procedure.edit", obj=self.object
        )
        if self.action not in ("publish", "unpublish"):
            return response
        from ..services.definitions import procedure_publish, procedure_unpublish

        edit_url = reverse(self.edit_url_name, args=[self.object.pk])
        if self.action == "unpublish":
            procedure_unpublish(procedure=self.object, actor=self.request.user)
            messages.success(
                self.request,
                _(
                    "La démarche n'est plus proposée en ligne ; "
                    "les demandes déposées suivent leur cours."
                ),
            )
            return redirect(edit_url)
        previous = self.object.current_version_id
        try:
            version = procedure_publish(procedure=self.object, actor=self.request.user)
        except DefinitionInvalid as error:
            self.request.session[f"{PROBLEMS_SESSION_KEY}_{self.object.pk}"] = [
                str(problem) for problem in error.problems
            ]
            messages.error(
                self.request,
                _("La démarche est enregistrée mais n'est pas publiée : corrigez le formulaire."),
            )
            return redirect(edit_url)
        if version.pk == previous:
            messages.success(self.request, _("Déjà publiée : le formulaire n'a pas changé."))
        else:
            messages.success(
                self.request,
                _(
                    "Démarche publiée (version %(number)s). Les demandes déjà déposées "
                    "gardent leur version."
                )
                % {"number": version.number},
            )
        return redirect(edit_url)

    def get_success_url(self):
        return reverse(self.edit_url_name, args=[self.object.pk])


class ProcedureDeleteView(ScopedObjectMixin, DeleteView):
    pass


class ProcedureHistoryView(ScopedObjectMixin, HistoryView):
    pass


class VersionColumn(Column):
    def get_value(self, instance):
        version = instance.current_version
        return _("v%(number)s") % {"number": version.number} if version else "—"


class ProcedureViewSet(ModelViewSet):
    model = Procedure
    icon = "form"
    menu_label = gettext_lazy("Démarches (formulaires)")
    add_to_admin_menu = False
    edit_handler = EDIT_HANDLER
    index_view_class = ProcedureIndexView
    add_view_class = ProcedureCreateView
    edit_view_class = ProcedureEditView
    delete_view_class = ProcedureDeleteView
    history_view_class = ProcedureHistoryView
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "title",
        "service",
        "status",
        VersionColumn("current_version", label=gettext_lazy("Version publiée")),
        "updated_at",
    ]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
