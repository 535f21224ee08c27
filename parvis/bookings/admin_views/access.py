"""Who may see and do what in the bookings back office.

Two layers, always both:

* **model permissions** (Django's ``bookings.view_booking``, ``add_booking``,
  ``change_booking``, ``add_closure``…) say what kind of work a staff group does;
* **row-level scope**: a staff member sees only the agendas of the municipal services
  they work for (:func:`parvis.core.services_access.services_for_user`), and through
  them only those agendas' sessions, desks, absences, closures and bookings. An object
  outside the scope is answered with 404, as if it did not exist, whatever its id.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from parvis.core.services_access import services_for_user

from ..models import Agenda, Booking, Closure, Desk, DeskAbsence, Session

VIEW_BOOKING = "bookings.view_booking"
ADD_BOOKING = "bookings.add_booking"
CHANGE_BOOKING = "bookings.change_booking"
ADD_CLOSURE = "bookings.add_closure"
VIEW_CLOSURE = "bookings.view_closure"

#: How each model reaches its agenda's service.
SERVICE_PATHS = {
    Agenda: "service",
    Session: "agenda__service",
    Desk: "agenda__service",
    DeskAbsence: "desk__agenda__service",
    Closure: "agenda__service",
    Booking: "agenda__service",
}


def service_ids(user) -> list[int]:
    """The ids of the services ``user`` works for (cached on the user object for the
    request: one query)."""
    cached = getattr(user, "_parvis_booking_service_ids", None)
    if cached is None:
        cached = list(services_for_user(user).values_list("pk", flat=True))
        try:
            user._parvis_booking_service_ids = cached
        except AttributeError:  # AnonymousUser and friends
            pass
    return cached


def scoped(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` restricted to the rows of ``user``'s services (all for a superuser)."""
    model = queryset.model
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    path = SERVICE_PATHS[model]
    return queryset.filter(**{f"{path}__in": service_ids(user)})


def agendas_for(user) -> QuerySet:
    return scoped(Agenda.objects.all(), user)


def in_scope(obj, user) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    path = SERVICE_PATHS[type(obj)]
    target = obj
    *steps, last = path.split("__")
    for step in steps:
        target = getattr(target, step)
    return getattr(target, f"{last}_id") in service_ids(user)


def require(user, *permissions: str) -> None:
    """403 unless ``user`` holds every one of ``permissions``."""
    if not user.has_perms(permissions):
        raise PermissionDenied


def get_scoped_or_404(queryset: QuerySet, user, **lookup):
    """The object matching ``lookup`` inside ``user``'s scope, or 404."""
    obj = scoped(queryset, user).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
