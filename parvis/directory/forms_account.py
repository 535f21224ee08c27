"""Forms of the residents' self-service on the directory (« Mon association »)."""

from __future__ import annotations

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from .models import Place
from .services.proposals import CHANGEABLE_FIELDS, PROPOSABLE_FIELDS, PROPOSABLE_KINDS

_WIDGET_ATTRS = {
    "name": {"autocomplete": "organization"},
    "street_number": {"autocomplete": "off"},
    "street": {"autocomplete": "address-line1"},
    "postcode": {"autocomplete": "postal-code", "inputmode": "numeric"},
    "city": {"autocomplete": "address-level2"},
    "phone": {"autocomplete": "tel", "type": "tel"},
    "email": {"autocomplete": "email"},
    "website": {"autocomplete": "url", "placeholder": "https://"},
    "siret": {"inputmode": "numeric", "autocomplete": "off"},
    "rna": {"autocomplete": "off"},
}
_HELP = {
    "summary": _("Une phrase qui présente l'activité, affichée dans les listes."),
    "description": _("Texte simple ; laissez une ligne vide entre deux paragraphes."),
    "phone": _("Numéro public, affiché sur la fiche."),
    "email": _("Adresse publique, affichée sur la fiche."),
    "siret": _("Pour une entreprise : 14 chiffres."),
    "rna": _("Pour une association : W suivi de 9 caractères."),
}


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class PlaceProposalForm(forms.Form):
    """The public fields of an entry, as a resident proposes them.

    The fields come from the model (labels, lengths, validators, the help text of the
    opening hours); the description is plain text. ``for_change`` leaves out the type.
    """

    message = forms.CharField(
        label=_("Message pour la mairie (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, for_change: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        names = CHANGEABLE_FIELDS if for_change else PROPOSABLE_FIELDS
        model_fields = fields_for_model(
            Place,
            fields=[name for name in names if name != "description"],
            formfield_callback=_formfield,
        )
        message = self.fields.pop("message")
        for name in names:
            if name == "description":
                field = forms.CharField(
                    label=_("Présentation"),
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 6}),
                )
            else:
                field = model_fields[name]
            if name in _HELP:
                field.help_text = _HELP[name]
            field.widget.attrs.update(_WIDGET_ATTRS.get(name, {}))
            self.fields[name] = field
        if not for_change:
            self.fields["kind"] = forms.ChoiceField(
                label=self.fields["kind"].label,
                choices=[("", _("Choisissez un type"))]
                + [(kind.value, kind.label) for kind in PROPOSABLE_KINDS],
            )
            self.order_fields(list(names))
        self.fields["message"] = message

    def proposal_data(self) -> dict[str, str]:
        return {
            name: "" if self.cleaned_data.get(name) is None else self.cleaned_data[name]
            for name in self.fields
            if name != "message"
        }


class ClaimForm(forms.Form):
    role = forms.CharField(
        label=_("Votre rôle dans la structure"),
        max_length=120,
        help_text=_("Par exemple : présidente, trésorier, gérante."),
    )
    message = forms.CharField(
        label=_("Votre demande"),
        max_length=2000,
        help_text=_(
            "Expliquez votre lien avec la structure ; la mairie peut vous contacter pour le "
            "vérifier."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PlaceSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom de la structure"), max_length=100, required=False)
