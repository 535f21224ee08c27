"""Forms of the directory: the admin's place and category forms, the import upload and the
public verification page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Place
from .services.places import place_identifier_conflicts, place_unique_slug


class PlaceAdminForm(WagtailAdminModelForm):
    """The admin form of a place: the slug is optional (made from the name) and a SIRET,
    RNA or reference already used gets a message naming the other entry."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Laissez vide : il est fabriqué à partir du nom (lettres, chiffres et tirets)."
            )

    def _clean_identifier(self, field: str):
        value = self.cleaned_data.get(field) or None
        if value:
            conflicts = place_identifier_conflicts(**{field: value}, exclude_pk=self.instance.pk)
            if conflicts:
                raise forms.ValidationError(conflicts[field][0], code="unique")
        return value

    def clean_siret(self):
        return self._clean_identifier("siret")

    def clean_rna(self):
        return self._clean_identifier("rna")

    def clean_reference(self):
        return self._clean_identifier("reference")

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = place_unique_slug(cleaned["name"], exclude_pk=self.instance.pk)
            self.instance.slug = cleaned["slug"]
        return cleaned


class CategoryAdminForm(WagtailAdminModelForm):
    """A category cannot be its own parent, directly or through its children."""

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk:
            if parent.pk in self.instance.descendant_ids():
                raise forms.ValidationError(
                    _(
                        "Une catégorie ne peut pas être rangée sous elle-même ou sous ses "
                        "sous-catégories."
                    )
                )
        return parent


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Une ligne par fiche, la première ligne donne les noms des colonnes (voir le modèle). "
            "5 Mo et 20 000 lignes au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ImportConfirmForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Ignorer les lignes en erreur et importer les autres"), required=False
    )


class VerificationChangeForm(forms.Form):
    """What the contact of an entry can correct from the verification link."""

    name = forms.CharField(label=_("Nom"), max_length=200)
    street_number = forms.CharField(label=_("Numéro"), max_length=20, required=False)
    street = forms.CharField(label=_("Voie"), max_length=200, required=False)
    postcode = forms.RegexField(
        label=_("Code postal"),
        regex=r"^[0-9]{5}$",
        required=False,
        error_messages={"invalid": _("Un code postal a 5 chiffres.")},
    )
    city = forms.CharField(label=_("Commune"), max_length=120, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    opening_hours = forms.CharField(
        label=_("Horaires d'ouverture"),
        max_length=500,
        required=False,
        help_text=_("Par exemple « Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00 »."),
    )
    message = forms.CharField(
        label=_("Votre message à la mairie"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Ce qui a changé et que les champs ci-dessus ne disent pas."),
    )

    FIELDS = (
        "name",
        "street_number",
        "street",
        "postcode",
        "city",
        "phone",
        "email",
        "website",
        "opening_hours",
    )

    def __init__(self, *args, place: Place, **kwargs):
        kwargs.setdefault("initial", {field: getattr(place, field) for field in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.place = place

    def clean_opening_hours(self):
        from parvis.core.hours import validate_opening_hours

        value = self.cleaned_data.get("opening_hours", "").strip()
        validate_opening_hours(value)
        return value

    def changes(self) -> dict:
        """The fields whose value differs from the entry's current value."""
        return {
            field: self.cleaned_data[field]
            for field in self.FIELDS
            if self.cleaned_data.get(field, "") != (getattr(self.place, field) or "")
        }


__all__ = [
    "CategoryAdminForm",
    "ImportConfirmForm",
    "ImportUploadForm",
    "PlaceAdminForm",
    "VerificationChangeForm",
]
