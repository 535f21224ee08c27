"""RGPD: bookings are kept two years after their end, then anonymised; paid bookings
follow the accounting records of their payment (ten years). Erasing a person anonymises
their bookings (names, contact details, answers of participants) and keeps the dates,
statuses and amounts that the service's statistics and accounts need."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parvis.core import retention

from .models import Booking, Participant

RETENTION_DAYS = 730  # two years after the booking's end
PAID_RETENTION_DAYS = 3653  # paid: as long as the payment (accounting record)
ANONYMOUS = "—"


def _of(email: str):
    return Booking.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email))


def export(email: str) -> list[dict]:
    rows = []
    bookings = _of(email).select_related("agenda", "resource", "appointment_type", "session")
    for booking in bookings.prefetch_related("participants"):
        rows.append(
            {
                "reference": booking.reference,
                "agenda": booking.agenda.title,
                "etat": booking.get_status_display(),
                "debut": booking.start.isoformat() if booking.start else "",
                "fin": booking.end.isoformat() if booking.end else "",
                "prenom": booking.first_name,
                "nom": booking.last_name,
                "email": booking.email,
                "telephone": booking.phone,
                "numero_ants": booking.ants_number,
                "message": booking.comment,
                "montant_centimes": booking.amount_cents,
                "participants": [
                    {
                        "prenom": participant.first_name,
                        "nom": participant.last_name,
                        "reponses": participant.answers,
                    }
                    for participant in booking.participants.all()
                ],
                "creee_le": booking.created_at.isoformat(),
            }
        )
    return rows


def _anonymise(bookings) -> int:
    ids = list(bookings.exclude(first_name=ANONYMOUS).values_list("pk", flat=True))
    if not ids:
        return 0
    Participant.objects.filter(booking_id__in=ids).update(
        first_name=ANONYMOUS, last_name="", answers={}, family_member=None
    )
    return Booking.objects.filter(pk__in=ids).update(
        user=None,
        family_member=None,
        email="",
        phone="",
        first_name=ANONYMOUS,
        last_name="",
        association_name="",
        ants_number="",
        answers={},
        comment="",
    )


@transaction.atomic
def erase(email: str) -> int:
    return _anonymise(_of(email))


@transaction.atomic
def purge() -> int:
    now = timezone.now()
    unpaid = Booking.objects.filter(
        end__lt=now - dt.timedelta(days=RETENTION_DAYS), payment__isnull=True
    )
    paid = Booking.objects.filter(
        end__lt=now - dt.timedelta(days=PAID_RETENTION_DAYS), payment__isnull=False
    )
    return _anonymise(unpaid) + _anonymise(paid)


retention.register(
    retention.PersonalDataSource(
        name="bookings",
        description=str(
            _(
                "Réservations (rendez-vous, ressources, inscriptions) : 2 ans après la date, "
                "10 ans si elles ont été payées, puis anonymisées."
            )
        ),
        retention_days=RETENTION_DAYS,
        purge=purge,
        export=export,
        erase=erase,
    )
)
