import time

from django import forms
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

MIN_SECONDS_TO_FILL = 3
MAX_SECONDS_TO_FILL = 60 * 60 * 24
MAX_MESSAGES_PER_HOUR = 5
_SIGNER_SALT = "parvis.contact.started"


class ContactForm(forms.Form):
    """Contact form with spam protection that needs no third party.

    Three checks: a honeypot field hidden from people (bots that fill it are accepted
    silently and dropped), a signed start time (too fast is a robot, too old a stale page),
    and a per-address rate limit.
    """

    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    service = forms.ChoiceField(label=_("Service concerné"))
    subject = forms.CharField(label=_("Objet"), max_length=150)
    message = forms.CharField(
        label=_("Votre message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    website = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, recipients, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients = {str(r.pk): r for r in recipients}
        self.request = request
        self.fields["service"].choices = [("", _("Choisissez un service"))] + [
            (str(r.pk), r.label) for r in recipients
        ]
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=_SIGNER_SALT)
        self.is_spam = False

    def clean_service(self):
        value = self.cleaned_data["service"]
        if value not in self.recipients:
            raise forms.ValidationError(_("Choisissez un service dans la liste."))
        return self.recipients[value]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.is_spam = True
            return cleaned
        try:
            started = signing.loads(
                cleaned.get("started") or "", salt=_SIGNER_SALT, max_age=MAX_SECONDS_TO_FILL
            )
        except signing.BadSignature:
            self.data = self.data.copy()
            self.data["started"] = signing.dumps(time.time(), salt=_SIGNER_SALT)
            raise forms.ValidationError(
                _("La page a expiré. Vérifiez votre message puis envoyez-le de nouveau.")
            ) from None
        if time.time() - float(started) < MIN_SECONDS_TO_FILL:
            raise forms.ValidationError(
                _("Message envoyé trop vite. Relisez-le puis envoyez-le de nouveau.")
            )
        if self.request is not None and not self.errors:
            key = f"parvis:contact:rate:{self.request.META.get('REMOTE_ADDR', '')}"
            cache.add(key, 0, timeout=3600)
            try:
                count = cache.incr(key)
            except ValueError:
                count = 1
            if count > MAX_MESSAGES_PER_HOUR:
                from .exceptions import TooManyMessages

                raise forms.ValidationError(str(TooManyMessages.message))
        return cleaned
