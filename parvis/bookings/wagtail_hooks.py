"""The « Réservations » menu of the admin: planning, bookings (page of a booking with its
actions), booking for a resident at the counter, agendas, sessions, desk absences,
closures; participant lists (print, CSV); and « Services municipaux » in Settings.

Access is two-layered (see :mod:`parvis.bookings.admin_views.access`): model
permissions per staff group, and the municipal services the user works for.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from .admin_views import counter, exports, planning
from .admin_views.viewsets import (
    AgendaViewSet,
    BookingViewSet,
    ClosureViewSet,
    DeskAbsenceViewSet,
    ServiceViewSet,
    SessionViewSet,
)


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return request.user.has_perms(self.permissions)


class ToolViewSet(ViewSet):
    """A page of the « Réservations » menu shown to users holding ``permissions``."""

    permissions: tuple[str, ...] = ()

    def get_menu_item(self, order=None):
        return _PermissionMenuItem(
            self.menu_label,
            self.menu_url,
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
            permissions=self.permissions,
        )


class PlanningViewSet(ToolViewSet):
    name = "bookings_planning"
    url_prefix = "reservations/planning"
    icon = "date"
    menu_label = gettext_lazy("Planning")
    permissions = ("bookings.view_booking",)

    def get_urlpatterns(self):
        return [
            path("", planning.agenda_list, name="index"),
            path("<int:pk>/", planning.agenda_planning, name="agenda"),
        ]


class CounterViewSet(ToolViewSet):
    name = "bookings_counter"
    url_prefix = "reservations/guichet"
    icon = "plus"
    menu_label = gettext_lazy("Réserver pour un habitant")
    permissions = ("bookings.add_booking",)

    def get_urlpatterns(self):
        return [
            path("", counter.choose_agenda, name="choose"),
            path("<int:pk>/", counter.counter_book, name="book"),
        ]


class ExportsViewSet(ViewSet):
    """Participant lists; reached from the planning and the sessions (no menu item)."""

    name = "bookings_exports"
    url_prefix = "reservations/listes"

    def get_urlpatterns(self):
        return [
            path("seance/<int:pk>/", exports.session_print, name="session"),
            path("seance/<int:pk>/csv/", exports.session_csv, name="session_csv"),
            path("jour/<int:pk>/<str:day>/", exports.day_print, name="day"),
            path("jour/<int:pk>/<str:day>/csv/", exports.day_csv, name="day_csv"),
        ]


class BookingsGroup(ViewSetGroup):
    menu_label = gettext_lazy("Réservations")
    menu_icon = "date"
    menu_order = 260
    items = (
        PlanningViewSet(),
        BookingViewSet("bookings_admin_booking", url_prefix="reservations/reservations"),
        CounterViewSet(),
        AgendaViewSet("bookings_admin_agenda", url_prefix="reservations/agendas"),
        SessionViewSet("bookings_admin_session", url_prefix="reservations/seances"),
        DeskAbsenceViewSet("bookings_admin_absence", url_prefix="reservations/absences"),
        ClosureViewSet("bookings_admin_closure", url_prefix="reservations/fermetures"),
    )


@hooks.register("register_admin_viewset")
def register_bookings_viewsets():
    return [
        BookingsGroup(),
        ExportsViewSet(),
        ServiceViewSet("core_admin_service", url_prefix="parametres/services-municipaux"),
    ]


__all__ = ["BookingsGroup"]
