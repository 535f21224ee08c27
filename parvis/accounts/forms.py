from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Le code ne contient que des chiffres."))
        return token


class SignUpForm(forms.Form):
    """A resident's sign-up: address, name, password (the project's validators), consent.

    ``website`` is a honeypot hidden from people; a bot that fills it is shown the usual
    confirmation and nothing is created.
    """

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_("Un lien vous sera envoyé à cette adresse pour la vérifier."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        help_text=_("Saisissez le même mot de passe, pour vérification."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    terms = forms.BooleanField(
        label=_(
            "J'accepte les conditions d'utilisation : la mairie conserve mon nom et mon "
            "adresse e-mail pour gérer mon compte, tant que je ne le supprime pas."
        ),
        error_messages={
            "required": _("Vous devez accepter les conditions d'utilisation pour créer un compte.")
        },
    )
    website = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            probe = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre compte"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ResidentPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre compte"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EmailProofForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
