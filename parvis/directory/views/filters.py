"""The filter form shared by the directory list and the map (GET: shareable addresses)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import PlaceKind
from ..selectors_public import CategoryOption


class DirectoryFilterForm(forms.Form):
    """Search words, kind, category (the tree, children included), open now, wheelchair.

    An invalid value gets its error next to its field and is ignored by the search; the
    other filters still apply.
    """

    q = forms.CharField(
        label=_("Rechercher un lieu, une association, un commerce"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    categorie = forms.ChoiceField(label=_("Catégorie"), required=False)
    ouvert = forms.BooleanField(label=_("Ouvert maintenant"), required=False)
    fauteuil = forms.BooleanField(label=_("Accessible en fauteuil roulant"), required=False)

    def __init__(self, *args, categories: list[CategoryOption], **kwargs):
        kwargs.setdefault("auto_id", "annuaire-%s")
        super().__init__(*args, **kwargs)
        self.categories = {option.category.slug: option.category for option in categories}
        self.fields["type"].choices = [("", _("Tous les types")), *PlaceKind.choices]
        self.fields["categorie"].choices = [("", _("Toutes les catégories"))] + [
            (option.category.slug, option.label) for option in categories
        ]
        self.fields["ouvert"].error_messages["invalid"] = _("Valeur non reconnue.")

    def filters(self) -> dict:
        """The valid filters as keyword arguments of the directory selectors (``open_now``
        is a flag: the caller supplies the instant)."""
        if not self.is_bound:
            return {
                "q": "",
                "kinds": None,
                "category": None,
                "open_now": False,
                "wheelchair": False,
            }
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        kind = data.get("type") or ""
        slug = data.get("categorie") or ""
        return {
            "q": (data.get("q") or "").strip(),
            "kinds": [kind] if kind else None,
            "category": self.categories.get(slug),
            "open_now": bool(data.get("ouvert")),
            "wheelchair": bool(data.get("fauteuil")),
        }

    @property
    def active(self) -> bool:
        filters = self.filters()
        return bool(
            filters["q"]
            or filters["kinds"]
            or filters["category"]
            or filters["open_now"]
            or filters["wheelchair"]
        )
