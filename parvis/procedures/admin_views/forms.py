"""Forms of the procedures back office (labels in French, errors next to their field)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from parvis.core.services_access import services_for_user

from ..models import ProcedureStatus, StatusKind, Transition
from ..selectors import InboxFilters, procedures_for_agent


def agents_of(services) -> forms.models.QuerySet:
    """Active staff members of the groups of ``services`` (who may be given requests)."""
    return (
        get_user_model()
        .objects.filter(groups__municipal_services__in=services, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.email


class InboxFilterForm(forms.Form):
    procedure = forms.TypedChoiceField(
        label=_("Démarche"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("État"), required=False)
    assignee = forms.ChoiceField(
        label=_("Agent chargé"),
        required=False,
        choices=[
            ("", _("Tous")),
            ("me", _("Moi")),
            ("nobody", _("Personne")),
            ("someone", _("Quelqu'un")),
        ],
    )
    overdue = forms.BooleanField(label=_("En retard seulement"), required=False)
    unpaid = forms.BooleanField(label=_("En attente de paiement seulement"), required=False)
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_("Numéro (2026-000123 ou 123), nom ou adresse e-mail."),
    )
    order = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[("recent", _("Dépôt le plus récent")), ("due", _("Échéance la plus proche"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        procedures = list(procedures_for_agent(user).order_by("title").values_list("pk", "title"))
        self.fields["procedure"].choices = [("", _("Toutes"))] + procedures
        labels: dict[str, list[str]] = {}
        rows = (
            ProcedureStatus.objects.filter(procedure_id__in=[pk for pk, _title in procedures])
            .order_by("sort_order", "code")
            .values_list("code", "label")
        )
        for code, label in rows:
            if label not in labels.setdefault(code, []):
                labels[code].append(label)
        self.fields["status"].choices = [
            ("", _("Tous")),
            ("open", _("Non clôturées")),
            ("final", _("Clôturées")),
        ] + [(code, " / ".join(names)) for code, names in labels.items()]

    def filters(self) -> InboxFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return InboxFilters(
            procedure=data.get("procedure"),
            status=data.get("status") or "",
            assignee=data.get("assignee") or "",
            overdue=bool(data.get("overdue")),
            unpaid=bool(data.get("unpaid")),
            q=data.get("q") or "",
            order=data.get("order") or "recent",
        )


class BulkAssignForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(
        label=_("Demandes"), coerce=int, error_messages={"required": _("Cochez des demandes.")}
    )
    agent = AgentChoiceField(
        label=_("Attribuer à"), queryset=None, required=False, empty_label=_("personne")
    )

    def __init__(self, *args, user, request_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_of(services_for_user(user))
        self.fields["requests"].choices = [(pk, pk) for pk in request_ids]


class TransitionForm(forms.Form):
    to_code = forms.ChoiceField(label=_("Nouvel état"))
    reason = forms.CharField(
        label=_("Motif (communiqué au demandeur)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, transitions: list[Transition], statuses, **kwargs):
        super().__init__(*args, **kwargs)
        by_code = {status.code: status for status in statuses}
        choices = []
        self.reason_codes = set()
        for transition in transitions:
            status = by_code.get(transition.to_code)
            if status is None:
                continue
            needs_reason = transition.reason_required or status.kind == StatusKind.REFUSED
            if needs_reason:
                self.reason_codes.add(transition.to_code)
            label = transition.label or status.label
            if needs_reason:
                label = _("%(label)s (motif obligatoire)") % {"label": label}
            choices.append((transition.to_code, label))
        self.fields["to_code"].choices = [("", _("Choisir…"))] + choices if choices else []

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("to_code") in self.reason_codes
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Indiquez le motif : il sera communiqué au demandeur."))
        return cleaned


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class AssignForm(forms.Form):
    agent = AgentChoiceField(
        label=_("Agent chargé"), queryset=None, required=False, empty_label=_("personne")
    )

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_of([service])


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Pièce à ajouter (PDF, JPEG, PNG ou WebP, 10 Mo au plus)"),
    )
