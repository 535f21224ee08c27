"""Public forms of the newsletters: subscribe, SMS code, preferences; staff CSV import."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Channel, LegalBasis, Topic
from .phones import normalise_phone

CONSENT_WORDING = _(
    "J'accepte que la mairie m'envoie les informations des thèmes choisis, par les moyens "
    "choisis. Je peux me désinscrire à tout moment, en un clic, depuis chaque message. La "
    "mairie conserve mon adresse et l'historique de mes consentements tant que je suis "
    "inscrit, puis trois ans au plus."
)


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


class SubscribeForm(forms.Form):
    """The public sign-up. ``website`` is a honeypot: a bot that fills it sees the usual
    confirmation and nothing is recorded."""

    topics = TopicChoiceField(
        label=_("Thèmes qui vous intéressent"),
        queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un thème.")},
    )
    channels = forms.MultipleChoiceField(
        label=_("Recevoir les messages par"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez l'e-mail, le SMS ou les deux.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        required=False,
        max_length=254,
        help_text=_("Un lien de confirmation vous sera envoyé à cette adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
        },
    )
    phone = forms.CharField(
        label=_("Numéro de mobile"),
        required=False,
        max_length=30,
        help_text=_("Un code de confirmation vous sera envoyé par SMS. Exemple : 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    first_name = forms.CharField(
        label=_("Prénom (facultatif)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom (facultatif)"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    street = forms.CharField(
        label=_("Rue ou quartier (facultatif)"),
        required=False,
        max_length=200,
        help_text=_(
            "Pour recevoir les informations sur les travaux ou coupures près de chez vous."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_WORDING,
        error_messages={"required": _("Cochez cette case pour confirmer votre inscription.")},
    )
    website = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        return normalise_phone(raw)

    def clean(self):
        data = super().clean()
        channels = data.get("channels") or []
        if Channel.EMAIL in channels and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Saisissez votre adresse e-mail pour recevoir les e-mails."))
        if Channel.SMS in channels and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Saisissez votre numéro de mobile pour recevoir les SMS."))
        return data


class SmsCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code reçu par SMS"),
        max_length=12,
        help_text=_("6 chiffres, valable 15 minutes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Saisissez le code à 6 chiffres reçu par SMS.")},
    )


class PreferencesForm(forms.Form):
    """One checkbox list of topics per channel the contact has an address for."""

    def __init__(self, *args, contact, topics, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = []
        for channel, label in Channel.choices:
            if not (contact.email if channel == Channel.EMAIL else contact.phone):
                continue
            self.channels.append(channel)
            self.fields[f"topics_{channel}"] = TopicChoiceField(
                label=_("Thèmes reçus par %(channel)s") % {"channel": label},
                queryset=topics,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=[pk for (ch, pk) in current if ch == channel],
            )


class ImportForm(forms.Form):
    """Staff import of contacts from a CSV file with a recorded legal basis and source."""

    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Colonnes : email, mobile, prenom, nom, voie, themes (identifiants séparés par "
            "« | »), consentement (oui/non, obligatoire)."
        ),
    )
    legal_basis = forms.ChoiceField(
        label=_("Base légale"),
        choices=[("", "---------"), *LegalBasis.choices],
        error_messages={"required": _("Indiquez la base légale de ce fichier.")},
    )
    source = forms.CharField(
        label=_("Origine des consentements"),
        max_length=120,
        help_text=_("Par exemple : « formulaires papier, fête du village 2025 »."),
        error_messages={"required": _("Indiquez d'où viennent ces contacts.")},
    )
    channels = forms.MultipleChoiceField(
        label=_("Canaux consentis"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un canal.")},
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Importer les lignes correctes et ignorer les lignes en erreur"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("Le fichier dépasse 5 Mo."))
        return upload
