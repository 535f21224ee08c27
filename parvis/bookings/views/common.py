"""What every resident page needs: who is booking (an account or a guest with a proven
e-mail address), whose booking this is (owner only, 404 for anyone else), instants carried
in URLs, and the hand-over to the payment provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from parvis.accounts.email_proof import email_proof_url, proven_email
from parvis.accounts.registration import is_email_verified

from ..exceptions import InvalidAnswers
from ..models import Agenda, AgendaKind, Booking

UTC = dt.UTC


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


# --- instants and days in URLs ------------------------------------------------------------


def instant_param(moment: dt.datetime) -> str:
    """``2027-01-12T08:30:00Z``: an instant in a query string (no ``+`` to escape)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str | None) -> dt.datetime | None:
    """An aware UTC datetime from :func:`instant_param`'s format (or any ISO instant with
    an offset); ``None`` for anything else."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment.astimezone(UTC)


def parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_month(value: str | None) -> dt.date | None:
    """``2027-01`` → 1 January 2027."""
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return None


def parse_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def url_with(base: str, anchor: str = "", **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return base + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


# --- agendas ------------------------------------------------------------------------------


def published_agenda(slug: str) -> Agenda:
    return get_object_or_404(
        Agenda.objects.select_related("place", "regie", "service"),
        slug=slug,
        status=Agenda.Status.PUBLISHED,
    )


# --- who books ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Booker:
    """The person booking: a signed-in account with a verified address, or a guest whose
    address is proven in this session (appointments of agendas open to guests)."""

    user: object | None
    email: str

    @property
    def is_guest(self) -> bool:
        return self.user is None


def guests_allowed(agenda: Agenda) -> bool:
    return agenda.kind == AgendaKind.APPOINTMENT and agenda.allow_guests


def booker_or_redirect(request, agenda: Agenda):
    """``(Booker, None)`` or ``(None, response)`` sending the visitor to sign in, verify
    their address (403 page) or prove an address (guest agendas)."""
    user = request.user
    if user.is_authenticated and is_email_verified(user):
        return Booker(user=user, email=user.email), None
    if guests_allowed(agenda):
        email = proven_email(request)
        if email:
            return Booker(user=None, email=email), None
        return None, redirect(email_proof_url(request.get_full_path()))
    if not user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    return None, render(request, "accounts/verification_required.html", status=403)


# --- whose booking ------------------------------------------------------------------------


def booking_queryset():
    return Booking.objects.select_related(
        "agenda",
        "agenda__place",
        "agenda__regie",
        "agenda__service",
        "appointment_type",
        "resource",
        "resource__place",
        "session",
        "desk",
        "family_member",
        "payment",
    )


def can_see(request, booking: Booking) -> bool:
    """The account that booked, or (guest bookings) the visitor who proved its address."""
    if booking.user_id is not None:
        return request.user.is_authenticated and request.user.pk == booking.user_id
    email = proven_email(request)
    return bool(email) and booking.email.strip().lower() == email


def owner_required(view):
    """Guard for ``view(request, public_id, ...)``: a visitor with neither an account nor a
    proven address is asked to prove one (or sign in, from the same page); anyone else
    who is not the booking's owner gets a 404, whether or not the booking exists."""

    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        if not request.user.is_authenticated and proven_email(request) is None:
            return redirect(email_proof_url(request.get_full_path()))
        booking = booking_queryset().filter(public_id=public_id).first()
        if booking is None or not can_see(request, booking):
            raise Http404
        return view(request, booking, *args, **kwargs)

    return wrapper


def booking_url(booking: Booking) -> str:
    return reverse("bookings:booking", kwargs={"public_id": booking.public_id})


# --- errors ------------------------------------------------------------------------------


def add_invalid_answers(form, error: InvalidAnswers, aliases: dict[str, str] | None = None):
    """Put each of the engine's per-field messages next to its field; keys the form does
    not know go to the top of the form, with the message."""
    aliases = aliases or {}
    for key, messages in (error.errors or {}).items():
        if isinstance(messages, str):
            messages = [messages]
        target = aliases.get(key, key)
        for message in messages:
            form.add_error(target if target in form.fields else None, str(message))
    if not error.errors:
        form.add_error(None, str(error.message))


# --- payment ------------------------------------------------------------------------------


def to_provider(request, result, regie):
    """Send the resident to the provider (redirect, or the auto form for POST providers),
    allowing the provider's origin in the page's form-action like the payments pages."""
    from parvis.payments.views import _form_origins, _to_provider

    return _to_provider(request, result, _form_origins([regie]))


def now() -> dt.datetime:
    return timezone.now()
