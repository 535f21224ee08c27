"""Wagtail viewsets of the « Réservations » menu: agendas (with their desks, appointment
types, resources, tariffs and questions), sessions (with their ticket categories), desk
absences, closures, bookings, and the municipal services (Settings menu).

Every list is filtered, and every object looked up, through
:mod:`parvis.bookings.admin_views.access`: an agent sees and edits only the agendas of
the services they work for; another service's object answers 404.

Bookings and closures are written by the engine only (:mod:`parvis.bookings.services`):
their generic add, edit and delete views are replaced by the counter booking page, the
booking page's actions and the « Fermer une période » page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from parvis.core.models import Service
from parvis.core.services_access import services_for_user
from parvis.core.widgets import OpeningHoursWidget
from parvis.payments.formatting import euros

from ..models import (
    Agenda,
    AgendaKind,
    Booking,
    BookingChannel,
    BookingStatus,
    Closure,
    DeskAbsence,
    Session,
    TicketCategory,
)
from .access import agendas_for, in_scope, scoped
from .forms_agendas import AgendaAdminForm, DeskAbsenceAdminForm, SessionAdminForm
from .widgets import EurosInput

# --- scoping mixins -------------------------------------------------------------------------


class ScopedIndexMixin:
    """The list shows only the rows of the user's services."""

    select_related: tuple[str, ...] = ()

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return scoped(queryset, self.request.user)


class ScopedObjectMixin:
    """An object of another service answers 404, whatever the view (edit, delete,
    history, usage, inspect)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not in_scope(obj, self.request.user):
            raise Http404
        return obj


class ScopedIndexView(ScopedIndexMixin, generic.IndexView):
    pass


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ScopedHistoryView(ScopedObjectMixin, ModelViewSet.history_view_class):
    pass


class ScopedUsageView(ScopedObjectMixin, ModelViewSet.usage_view_class):
    pass


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


class ScopedModelViewSet(ModelViewSet):
    """A viewset whose every view is scoped to the user's services."""

    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = ScopedInspectView
    add_to_reference_index = False
    copy_view_enabled = False
    #: ``select_related`` of the list, to keep its query count flat.
    list_select_related: tuple[str, ...] = ()

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(select_related=self.list_select_related, **kwargs)


class LinkColumn(Column):
    """A column whose cell is a link (« Planning », « Participants »)."""

    def __init__(self, name, *, label, text, url):
        super().__init__(name, label=label)
        self.text = text
        self.url = url

    def get_value(self, instance):
        return format_html('<a href="{}">{}</a>', self.url(instance), self.text)


class _ProtectedDeleteMixin:
    """Refuses to delete an object that bookings still point to (they are kept for the
    history): the page says so and goes back to the edit form."""

    protected_message = ""

    def has_bookings(self) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if self.has_bookings():
            messages.error(request, self.protected_message)
            return redirect(self.edit_url_name, self.object.pk)
        return super().dispatch(request, *args, **kwargs)


# --- agendas ----------------------------------------------------------------------------------


class AgendaFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=AgendaKind.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("État"), choices=Agenda.Status.choices)
    service = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Service"), queryset=lambda request: services_for_user(request.user)
    )

    class Meta:
        model = Agenda
        fields = ["kind", "status", "service"]


def agenda_edit_handler():
    euros_heading = gettext_lazy("Prix (en euros, 0 = gratuit)")
    return TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
                    FieldPanel("title"),
                    FieldPanel("slug"),
                    FieldPanel("summary"),
                    FieldPanel("description"),
                    FieldRowPanel([FieldPanel("service"), FieldPanel("place")]),
                    FieldPanel("regie"),
                    FieldPanel("instructions"),
                ],
                heading=gettext_lazy("Général"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                            FieldRowPanel(
                                [FieldPanel("min_delay_hours"), FieldPanel("max_delay_days")]
                            ),
                            FieldPanel("allow_guests"),
                        ],
                        heading=gettext_lazy("Période réservable"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldRowPanel([FieldPanel("hold_minutes"), FieldPanel("offer_hours")]),
                            FieldPanel("waiting_list"),
                        ],
                        heading=gettext_lazy("Blocage pendant le paiement et liste d'attente"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("max_places_per_booking"),
                            FieldRowPanel(
                                [
                                    FieldPanel("max_bookings_per_person"),
                                    FieldPanel("max_minutes_per_week"),
                                ]
                            ),
                        ],
                        heading=gettext_lazy("Limites par personne"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [FieldPanel("cancel_until_hours"), FieldPanel("refund_policy")]
                            ),
                            FieldPanel("send_reminder"),
                        ],
                        heading=gettext_lazy("Annulation et remboursement"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldPanel("requires_approval"),
                            FieldPanel(
                                "deposit_cents",
                                widget=EurosInput,
                                heading=gettext_lazy("Caution (en euros)"),
                            ),
                        ],
                        heading=gettext_lazy("Validation par le service"),
                    ),
                ],
                heading=gettext_lazy("Règles"),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "desks",
                        heading=gettext_lazy("Guichets"),
                        label=gettext_lazy("Guichet"),
                        panels=[
                            FieldRowPanel([FieldPanel("name"), FieldPanel("active")]),
                            FieldPanel("opening_hours", widget=OpeningHoursWidget),
                        ],
                    ),
                    InlinePanel(
                        "appointment_types",
                        heading=gettext_lazy("Motifs de rendez-vous"),
                        label=gettext_lazy("Motif"),
                        panels=[
                            FieldRowPanel([FieldPanel("name"), FieldPanel("duration_minutes")]),
                            FieldRowPanel(
                                [
                                    FieldPanel("ants_required"),
                                    FieldPanel(
                                        "price_cents", widget=EurosInput, heading=euros_heading
                                    ),
                                ]
                            ),
                            FieldPanel("documents"),
                        ],
                    ),
                ],
                heading=gettext_lazy("Rendez-vous"),
                help_text=gettext_lazy("Pour les agendas de type « rendez-vous »."),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "resources",
                        heading=gettext_lazy("Ressources"),
                        label=gettext_lazy("Ressource"),
                        panels=[
                            FieldRowPanel([FieldPanel("name"), FieldPanel("active")]),
                            FieldRowPanel([FieldPanel("place"), FieldPanel("capacity_note")]),
                            FieldPanel("opening_hours", widget=OpeningHoursWidget),
                            FieldRowPanel(
                                [
                                    FieldPanel("slot_minutes"),
                                    FieldPanel("min_minutes"),
                                    FieldPanel("max_minutes"),
                                ]
                            ),
                        ],
                    ),
                    InlinePanel(
                        "tariffs",
                        heading=gettext_lazy("Tarifs"),
                        label=gettext_lazy("Tarif"),
                        panels=[
                            FieldRowPanel(
                                [
                                    FieldPanel("audience"),
                                    FieldPanel(
                                        "amount_cents",
                                        widget=EurosInput,
                                        heading=gettext_lazy("Montant (en euros)"),
                                    ),
                                    FieldPanel("unit"),
                                ]
                            )
                        ],
                    ),
                ],
                heading=gettext_lazy("Ressources et tarifs"),
                help_text=gettext_lazy("Pour les agendas de type « ressource » (court, salle)."),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "questions",
                        heading=gettext_lazy("Questions par participant"),
                        label=gettext_lazy("Question"),
                        panels=[
                            FieldRowPanel([FieldPanel("label"), FieldPanel("key")]),
                            FieldRowPanel(
                                [
                                    FieldPanel("kind"),
                                    FieldPanel("required"),
                                    FieldPanel("sensitive"),
                                ]
                            ),
                            FieldPanel("choices"),
                            FieldRowPanel(
                                [
                                    FieldPanel("min_value"),
                                    FieldPanel("max_value"),
                                    FieldPanel("help_text"),
                                ]
                            ),
                        ],
                    ),
                ],
                heading=gettext_lazy("Questions"),
                help_text=gettext_lazy(
                    "Posées pour chaque participant d'une séance (nom de l'enfant, âge, "
                    "allergies, longueur d'emplacement). Une donnée de santé est « sensible » : "
                    "elle ne figure que sur la liste par séance du service."
                ),
            ),
        ],
        base_form_class=AgendaAdminForm,
    )


def _planning_url(agenda):
    return reverse("bookings_planning:agenda", args=[agenda.pk])


class AgendaDeleteView(_ProtectedDeleteMixin, ScopedDeleteView):
    protected_message = gettext_lazy(
        "Cet agenda a des réservations : il ne peut pas être supprimé. Archivez-le (état "
        "« archivé ») pour qu'il ne soit plus proposé."
    )

    def has_bookings(self):
        return Booking.objects.filter(agenda=self.object).exists()


class AgendaViewSet(ScopedModelViewSet):
    model = Agenda
    icon = "date"
    menu_label = gettext_lazy("Agendas")
    delete_view_class = AgendaDeleteView
    list_select_related = ("service",)
    filterset_class = AgendaFilterSet
    search_fields = ["title", "summary"]
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("Type"), accessor="get_kind_display"),
        Column("service", label=gettext_lazy("Service"), accessor="service"),
        Column("status", label=gettext_lazy("État"), accessor="get_status_display"),
        LinkColumn(
            "planning",
            label=gettext_lazy("Planning"),
            text=gettext_lazy("Voir le planning"),
            url=_planning_url,
        ),
    ]

    def get_edit_handler(self):
        return agenda_edit_handler().bind_to_model(self.model)


# --- sessions ---------------------------------------------------------------------------------


class SessionFilterSet(WagtailFilterSet):
    agenda = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Agenda"),
        queryset=lambda request: agendas_for(request.user).filter(kind=AgendaKind.EVENT),
    )
    start = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Session
        fields = ["agenda", "start", "cancelled"]


class CounterConflict(Exception):
    def __init__(self, field, message, prefix=None):
        self.field = field
        self.message = message
        self.prefix = prefix
        super().__init__(str(message))


class SessionSaveMixin:
    """Saves a session without ever writing stale counters: the session and its
    categories are locked, their ``taken`` re-read and checked against the new capacity
    and quotas inside the save's transaction (the engine changes them concurrently)."""

    def save_instance(self):
        form = self.form
        session = form.instance
        if session.pk:
            fresh = Session.objects.select_for_update().get(pk=session.pk)
            if (form.cleaned_data.get("capacity") or 0) < fresh.taken:
                raise CounterConflict(
                    "capacity",
                    _(
                        "%(taken)s place(s) sont déjà prises : le nombre de places ne peut pas "
                        "être inférieur."
                    )
                    % {"taken": fresh.taken},
                )
            session.taken = fresh.taken
            taken = dict(
                TicketCategory.objects.select_for_update()
                .filter(session=fresh)
                .values_list("pk", "taken")
            )
            for child in form.formsets["categories"].forms:
                if child.instance.pk:
                    child.instance.taken = taken.get(child.instance.pk, 0)
                    quota = child.cleaned_data.get("quota")
                    if quota is not None and quota < child.instance.taken:
                        raise CounterConflict(
                            "quota",
                            _("%(taken)s place(s) de cette catégorie sont déjà prises.")
                            % {"taken": child.instance.taken},
                            prefix=child.prefix,
                        )
        return super().save_instance()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except CounterConflict as conflict:
            target = form
            if conflict.prefix:
                target = next(
                    child
                    for child in form.formsets["categories"].forms
                    if child.prefix == conflict.prefix
                )
            target.add_error(conflict.field, conflict.message)
            return self.form_invalid(form)


class SessionCreateView(SessionSaveMixin, generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        agenda_id = self.request.GET.get("agenda")
        if agenda_id and agenda_id.isdigit():
            initial["agenda"] = agenda_id
        return initial


class SessionEditView(SessionSaveMixin, ScopedEditView):
    pass


class SessionDeleteView(_ProtectedDeleteMixin, ScopedDeleteView):
    protected_message = gettext_lazy(
        "Cette séance a des réservations : elle ne peut pas être supprimée. Pour l'annuler et "
        "prévenir les personnes, fermez sa période (« Fermer une période »)."
    )

    def has_bookings(self):
        return Booking.objects.filter(session=self.object).exists()


def _participants_url(session):
    return reverse("bookings_exports:session", args=[session.pk])


class SessionViewSet(ScopedModelViewSet):
    model = Session
    icon = "group"
    menu_label = gettext_lazy("Séances")
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    delete_view_class = SessionDeleteView
    list_select_related = ("agenda",)
    filterset_class = SessionFilterSet
    search_fields = ["title", "agenda__title"]
    ordering = ["start"]
    list_display = [
        Column("title", label=gettext_lazy("Séance"), accessor=str),
        Column("agenda", label=gettext_lazy("Agenda"), accessor="agenda"),
        DateColumn("start", label=gettext_lazy("Début")),
        Column("capacity", label=gettext_lazy("Places")),
        Column("taken", label=gettext_lazy("Prises")),
        LinkColumn(
            "participants",
            label=gettext_lazy("Participants"),
            text=gettext_lazy("Liste"),
            url=_participants_url,
        ),
    ]
    panels = [
        FieldPanel("agenda"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("opens_at")]),
        FieldPanel("cancelled"),
        InlinePanel(
            "categories",
            heading=gettext_lazy("Catégories de places"),
            label=gettext_lazy("Catégorie"),
            panels=[
                FieldRowPanel(
                    [
                        FieldPanel("name"),
                        FieldPanel(
                            "price_cents",
                            widget=EurosInput,
                            heading=gettext_lazy("Prix (en euros, 0 = gratuit)"),
                        ),
                        FieldPanel("quota"),
                    ]
                ),
                FieldPanel("resident_only"),
            ],
        ),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=SessionAdminForm).bind_to_model(self.model)


# --- desk absences ----------------------------------------------------------------------------


class DeskAbsenceFormMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs


class DeskAbsenceCreateView(DeskAbsenceFormMixin, generic.CreateView):
    pass


class DeskAbsenceEditView(DeskAbsenceFormMixin, ScopedEditView):
    pass


class DeskAbsenceViewSet(ScopedModelViewSet):
    model = DeskAbsence
    icon = "user"
    menu_label = gettext_lazy("Absences des guichets")
    add_view_class = DeskAbsenceCreateView
    edit_view_class = DeskAbsenceEditView
    list_select_related = ("desk__agenda",)
    form_fields = ["desk", "start", "end", "reason"]
    list_display = [
        Column("desk", label=gettext_lazy("Guichet"), accessor="desk"),
        DateColumn("start", label=gettext_lazy("Début")),
        DateColumn("end", label=gettext_lazy("Fin")),
        "reason",
    ]

    def get_form_class(self, for_update=False):
        return DeskAbsenceAdminForm


# --- closures ---------------------------------------------------------------------------------


class HistoryOnlyPolicy(ModelPermissionPolicy):
    """Rows written by the engine only: no edit or delete by hand, even for superusers.
    ``add`` keeps its meaning (it leads to the engine's own page)."""

    def user_has_permission(self, user, action):
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Closure, HistoryOnlyPolicy(Closure))
register_permission_policy(Booking, HistoryOnlyPolicy(Booking))


class ClosureViewSet(ScopedModelViewSet):
    model = Closure
    icon = "warning"
    menu_label = gettext_lazy("Fermetures")
    list_select_related = ("agenda",)
    inspect_view_enabled = True
    form_fields = ["reason"]
    list_display = [
        Column("agenda", label=gettext_lazy("Agenda"), accessor="agenda"),
        DateColumn("start", label=gettext_lazy("Début")),
        DateColumn("end", label=gettext_lazy("Fin")),
        "reason",
        Column("cancelled_bookings", label=gettext_lazy("Réservations annulées")),
    ]
    inspect_view_fields = [
        "agenda",
        "start",
        "end",
        "reason",
        "message",
        "cancelled_bookings",
        "created_by",
        "created_at",
    ]

    @property
    def add_view(self):
        from .closures import closure_create_view

        return closure_create_view


# --- bookings ---------------------------------------------------------------------------------


class BookingFilterSet(WagtailFilterSet):
    agenda = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Agenda"), queryset=lambda request: agendas_for(request.user)
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("État"), choices=BookingStatus.choices)
    channel = django_filters.ChoiceFilter(
        label=gettext_lazy("Canal"), choices=BookingChannel.choices
    )
    start = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Booking
        fields = ["agenda", "status", "channel", "start"]


def _holder(booking):
    return booking.holder_name


def _amount(booking):
    return euros(booking.amount_cents) if booking.amount_cents else ""


class BookingIndexView(ScopedIndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("bookings.add_booking"):
            buttons = [
                HeaderButton(
                    _("Réserver pour un habitant"),
                    url=reverse("bookings_counter:choose"),
                    icon_name="plus",
                )
            ]
        return buttons


class BookingViewSet(ScopedModelViewSet):
    model = Booking
    icon = "tasks"
    menu_label = gettext_lazy("Liste des réservations")
    list_select_related = ("agenda", "family_member")
    inspect_view_enabled = True
    filterset_class = BookingFilterSet
    search_fields = ["reference", "last_name", "first_name", "email", "phone"]
    ordering = ["-start"]
    form_fields = ["comment"]
    list_display = [
        Column("reference", label=gettext_lazy("Référence"), accessor=str),
        Column("holder", label=gettext_lazy("Au nom de"), accessor=_holder),
        Column("agenda", label=gettext_lazy("Agenda"), accessor="agenda"),
        DateColumn("start", label=gettext_lazy("Date")),
        Column("status", label=gettext_lazy("État"), accessor="get_status_display"),
        Column("channel", label=gettext_lazy("Canal"), accessor="get_channel_display"),
        Column("amount", label=gettext_lazy("Montant"), accessor=_amount),
    ]
    index_view_class = BookingIndexView

    def get_urlpatterns(self):
        from django.urls import path

        from . import bookings as actions

        patterns = [
            pattern
            for pattern in super().get_urlpatterns()
            if pattern.name not in ("add", "edit", "delete", "inspect")
        ]
        return [
            *patterns,
            path("new/", actions.to_counter, name="add"),
            path("edit/<int:pk>/", actions.to_detail, name="edit"),
            path("delete/<int:pk>/", actions.to_detail, name="delete"),
            path("inspect/<int:pk>/", actions.booking_detail, name="inspect"),
            path("<int:pk>/valider/", actions.booking_approve_view, name="approve"),
            path("<int:pk>/refuser/", actions.booking_refuse_view, name="refuse"),
            path("<int:pk>/annuler/", actions.booking_cancel_view, name="cancel"),
            path("<int:pk>/deplacer/", actions.booking_move_view, name="move"),
            path("<int:pk>/presence/", actions.booking_attendance_view, name="attendance"),
            path("<int:pk>/regler/", actions.booking_settle_view, name="settle"),
        ]


# --- municipal services -------------------------------------------------------------------------


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "slug", "email", "phone", "groups"]
        widgets = {"groups": forms.CheckboxSelectMultiple}


class ServiceViewSet(ModelViewSet):
    """Which staff groups work for which service (it decides what agents see)."""

    model = Service
    icon = "group"
    menu_label = gettext_lazy("Services municipaux")
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = ["name", "email", "phone"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return ServiceForm
