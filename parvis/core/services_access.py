"""Which municipal services a staff member works for.

A member of one of a :class:`~parvis.core.models.Service`'s groups works for it; a
superuser works for all. Bookings and procedures filter every staff query through
:func:`services_for_user`, so an agent never sees another service's agendas or requests.
"""

from __future__ import annotations

from django.db.models import QuerySet


def services_for_user(user) -> QuerySet:
    from .models import Service

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Service.objects.none()
    if user.is_superuser:
        return Service.objects.all()
    return Service.objects.filter(groups__user=user).distinct()


def user_works_for(user, service) -> bool:
    if service is None:
        return bool(user and getattr(user, "is_superuser", False))
    return services_for_user(user).filter(pk=service.pk).exists()
