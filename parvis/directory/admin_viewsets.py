"""Wagtail viewsets of the directory: places, categories and the tool pages, grouped under
the « Annuaire » menu.

Creating and editing a place in the admin goes through
:func:`parvis.directory.services.places.place_save_form` (custom create and edit views):
the same identifier checks, transaction, audit entry and hours-index refresh as every
other writer, with errors shown next to their field.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.log_actions import log
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from parvis.core.widgets import OpeningHoursWidget

from . import admin_views
from .exceptions import DirectoryError, PlaceInvalid
from .forms import CategoryAdminForm, PlaceAdminForm
from .geocoding import in_french_territory
from .models import Category, Place, PlaceKind, PlaceStatus, Wheelchair
from .services.places import place_save_form


# --- places: list -------------------------------------------------------------------------
class PlaceFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=PlaceKind.choices)
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Catégorie"),
        queryset=Category.objects.select_related("parent"),
        method="filter_category",
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("État"), choices=PlaceStatus.choices)
    wheelchair = django_filters.ChoiceFilter(
        label=gettext_lazy("Fauteuil roulant"),
        choices=[("none", gettext_lazy("Non renseigné"))]
        + [choice for choice in Wheelchair.choices if choice[0]],
        method="filter_wheelchair",
    )
    last_verified = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Vérifié le"), widget=DateRangePickerWidget
    )
    to_verify = django_filters.BooleanFilter(
        label=gettext_lazy("À vérifier (plus de 12 mois)"),
        method="filter_to_verify",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Place
        fields = ["kind", "category", "status", "wheelchair", "last_verified"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(categories__in=value.descendant_ids()).distinct()

    def filter_wheelchair(self, queryset, name, value):
        return queryset.filter(wheelchair="" if value == "none" else value)

    def filter_to_verify(self, queryset, name, value):
        if not value:
            return queryset
        ids = Place.objects.to_verify().values("pk")
        return queryset.filter(pk__in=ids)


def _open_now(place) -> str:
    if not place.opening_hours:
        return ""
    try:
        is_open = place.is_open(timezone.now())
    except Exception:  # noqa: BLE001 - a broken value must not break the list
        return ""
    return _("Ouvert") if is_open else _("Fermé")


class PlaceIndexView(snippet_views.IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        query = self.request.GET.copy()
        for key in ("p", "q"):
            query.pop(key, None)
        if user.has_perm("directory.view_place") or user.has_perm("directory.change_place"):
            url = reverse("directory_export:export")
            buttons.append(
                HeaderButton(
                    _("Exporter cette liste"),
                    url=f"{url}?{query.urlencode()}" if query else url,
                    icon_name="download",
                )
            )
        if user.has_perm("directory.add_place") and user.has_perm("directory.change_place"):
            buttons.append(
                HeaderButton(
                    _("Importer"), url=reverse("directory_import:import"), icon_name="upload"
                )
            )
        return buttons


# --- places: create and edit ---------------------------------------------------------------
class PlaceMapPanel(Panel):
    """The « Géocoder l'adresse » button and a Leaflet map where a click places the pin;
    both fill the latitude and longitude fields."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "directory/admin/place_map_panel.html"

        def get_context_data(self, parent_context=None):
            from django.conf import settings

            from parvis.core.models import CommuneSettings

            context = super().get_context_data(parent_context)
            commune = CommuneSettings.load(request_or_site=self.request)
            context.update(
                geocode_url=reverse("directory_geocode"),
                tile_url=getattr(settings, "PARVIS_MAP_TILE_URL", ""),
                tile_attribution=getattr(settings, "PARVIS_MAP_TILE_ATTRIBUTION", ""),
                centre_lat=commune.latitude or "43.4331",
                centre_lon=commune.longitude or "5.5443",
            )
            return context

        @property
        def media(self):
            return forms.Media(
                css={
                    "all": [
                        "vendor/leaflet/leaflet.css",
                        "parvis/admin/directory-place.css",
                    ]
                },
                js=["vendor/leaflet/leaflet.js", "parvis/admin/directory-place.js"],
            )


def place_edit_handler():
    return TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("reference")]),
                    FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("name"),
                    FieldPanel("slug"),
                    FieldPanel("summary"),
                    FieldPanel("description"),
                    InlinePanel(
                        "photos",
                        heading=gettext_lazy("Photos"),
                        label=gettext_lazy("Photo"),
                        panels=[FieldPanel("image"), FieldPanel("caption")],
                    ),
                    InlinePanel(
                        "social_links",
                        heading=gettext_lazy("Réseaux sociaux"),
                        label=gettext_lazy("Réseau social"),
                        panels=[FieldRowPanel([FieldPanel("network"), FieldPanel("url")])],
                    ),
                ],
                heading=gettext_lazy("Fiche"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("street_number"), FieldPanel("street")]),
                    FieldRowPanel(
                        [FieldPanel("postcode"), FieldPanel("city"), FieldPanel("insee_code")]
                    ),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                    PlaceMapPanel(heading=gettext_lazy("Carte")),
                    MultiFieldPanel(
                        [FieldPanel("phone"), FieldPanel("email"), FieldPanel("website")],
                        heading=gettext_lazy("Coordonnées publiques"),
                    ),
                ],
                heading=gettext_lazy("Adresse et carte"),
            ),
            ObjectList(
                [
                    FieldPanel("opening_hours", widget=OpeningHoursWidget),
                    FieldPanel("hours_note"),
                    InlinePanel(
                        "exceptions",
                        heading=gettext_lazy("Fermetures et horaires exceptionnels"),
                        label=gettext_lazy("Exception"),
                        panels=[
                            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                            FieldPanel("opening_hours"),
                            FieldPanel("label"),
                        ],
                    ),
                ],
                heading=gettext_lazy("Horaires"),
            ),
            ObjectList(
                [FieldPanel("wheelchair"), FieldPanel("accessibility_notes")],
                heading=gettext_lazy("Accessibilité"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("siret"), FieldPanel("rna")]),
                    MultiFieldPanel(
                        [
                            FieldPanel("equipment_theme"),
                            FieldRowPanel(
                                [FieldPanel("equipment_code"), FieldPanel("equipment_type")]
                            ),
                        ],
                        heading=gettext_lazy("Données ouvertes (SCDL)"),
                    ),
                    FieldRowPanel([FieldPanel("erp_type"), FieldPanel("erp_category")]),
                ],
                heading=gettext_lazy("Identifiants"),
            ),
            ObjectList(
                [
                    FieldPanel("contact_name"),
                    FieldRowPanel([FieldPanel("contact_email"), FieldPanel("contact_phone")]),
                ],
                heading=gettext_lazy("Contact privé"),
                help_text=gettext_lazy(
                    "Réservé à la mairie : jamais publié ni exporté. Sert aux demandes de "
                    "vérification."
                ),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("status"), FieldPanel("last_verified")]),
                    FieldPanel("representatives"),
                ],
                heading=gettext_lazy("Publication"),
            ),
        ],
        base_form_class=PlaceAdminForm,
    )


class ServiceSaveMixin:
    """Saves through :func:`place_save_form`; a domain error becomes a form error."""

    def save_instance(self):
        instance = place_save_form(
            actor=self.request.user, form=self.form, ip=self.request.META.get("REMOTE_ADDR")
        )
        log(
            instance=instance,
            action="wagtail.create" if self.view_name == "create" else "wagtail.edit",
            user=self.request.user,
            content_changed=True,
        )
        return instance

    def form_valid(self, form):
        adding = form.instance._state.adding
        try:
            response = super().form_valid(form)
        except PlaceInvalid as exc:
            if adding:
                form.instance.pk = None
                form.instance._state.adding = True
            for field, errors in (exc.errors or {None: [exc.message]}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        except DirectoryError as exc:
            if adding:
                form.instance.pk = None
                form.instance._state.adding = True
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        place = self.object
        if place.has_coordinates and not in_french_territory(place.latitude, place.longitude):
            messages.warning(self.request, admin_views.outside_france_message())
        return response


class PlaceCreateView(ServiceSaveMixin, snippet_views.CreateView):
    pass


class PlaceEditView(ServiceSaveMixin, snippet_views.EditView):
    pass


class PlaceViewSet(SnippetViewSet):
    model = Place
    icon = "site"
    menu_label = gettext_lazy("Lieux")
    index_view_class = PlaceIndexView
    add_view_class = PlaceCreateView
    edit_view_class = PlaceEditView
    copy_view_enabled = False
    filterset_class = PlaceFilterSet
    search_backend_name = None
    search_fields = ["name", "reference", "siret", "rna", "street", "city", "summary"]
    ordering = ["name"]
    list_per_page = 50
    list_display = [
        "name",
        Column("kind", label=gettext_lazy("Type"), accessor="get_kind_display"),
        Column("status", label=gettext_lazy("État"), accessor="get_status_display"),
        DateColumn("last_verified", label=gettext_lazy("Vérifié le")),
        Column("open_now", label=gettext_lazy("Maintenant"), accessor=_open_now),
    ]

    def get_queryset(self, request):
        return Place.objects.prefetch_related("exceptions")

    def get_edit_handler(self):
        return place_edit_handler().bind_to_model(self.model)


# --- categories -----------------------------------------------------------------------------
def category_in_use_message(category: Category) -> str | None:
    """Why ``category`` cannot be deleted, or None when it can."""
    places = category.places.count()
    children = category.children.count()
    if places:
        return _(
            "La catégorie « %(name)s » est utilisée par %(count)s fiche(s) : retirez-la de ces "
            "fiches avant de la supprimer."
        ) % {"name": category.full_name, "count": places}
    if children:
        return _(
            "La catégorie « %(name)s » contient %(count)s sous-catégorie(s) : déplacez-les ou "
            "supprimez-les d'abord."
        ) % {"name": category.full_name, "count": children}
    return None


class CategoryDeleteView(snippet_views.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        category = Category.objects.filter(pk=kwargs.get("pk")).first()
        if category is not None:
            message = category_in_use_message(category)
            if message:
                messages.error(request, message)
                return redirect("wagtailsnippets_directory_category:edit", quote(category.pk))
        return super().dispatch(request, *args, **kwargs)


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Catégories")
    delete_view_class = CategoryDeleteView
    search_backend_name = None
    search_fields = ["name", "slug"]
    list_display = [
        Column("full_name", label=gettext_lazy("Catégorie"), accessor="full_name"),
        "slug",
        "position",
    ]
    ordering = ["parent__name", "position", "name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("position"),
    ]

    def get_queryset(self, request):
        return Category.objects.select_related("parent__parent")

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=CategoryAdminForm).bind_to_model(self.model)


# --- tool pages -------------------------------------------------------------------------------
class PermissionMenuItem(MenuItem):
    permissions: tuple[str, ...] = ()

    def is_shown(self, request):
        return any(request.user.has_perm(f"directory.{code}") for code in self.permissions)


class ToolViewSet(ViewSet):
    """A page of the « Annuaire » menu shown to users holding one of ``permissions``."""

    permissions: tuple[str, ...] = ()

    @property
    def menu_item_class(self):
        return type(
            f"{self.__class__.__name__}MenuItem",
            (PermissionMenuItem,),
            {"permissions": self.permissions},
        )


class ToVerifyViewSet(ToolViewSet):
    name = "directory_to_verify"
    url_prefix = "annuaire/a-verifier"
    icon = "calendar-check"
    menu_label = gettext_lazy("À vérifier")
    permissions = ("view_place", "change_place")

    def get_urlpatterns(self):
        return [path("", admin_views.ToVerifyView.as_view(), name="list")]


class ImportViewSet(ToolViewSet):
    name = "directory_import"
    url_prefix = "annuaire/importer"
    icon = "upload"
    menu_label = gettext_lazy("Importer")
    permissions = ("add_place",)

    def get_urlpatterns(self):
        return [
            path("", admin_views.ImportView.as_view(), name="import"),
            path("modele/", admin_views.import_template, name="template"),
        ]


class ExportViewSet(ToolViewSet):
    name = "directory_export"
    url_prefix = "annuaire/exporter"
    icon = "download"
    menu_label = gettext_lazy("Exporter")
    permissions = ("view_place", "change_place")

    def get_urlpatterns(self):
        return [path("", admin_views.ExportView.as_view(), name="export")]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    items = (PlaceViewSet, CategoryViewSet, ToVerifyViewSet, ImportViewSet, ExportViewSet)
    menu_label = gettext_lazy("Annuaire")
    menu_icon = "site"
    menu_order = 150
    add_to_admin_menu = True


__all__ = [
    "CategoryViewSet",
    "DirectoryViewSetGroup",
    "PlaceFilterSet",
    "PlaceViewSet",
    "category_in_use_message",
]
