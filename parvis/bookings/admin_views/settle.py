"""Settling a held booking at the desk (cash, cheque, card terminal).

The money is recorded by :func:`parvis.payments.services.payment_record_offline` with the
booking as payable: the payments module issues the receipt and sends ``payment_paid``
once, and the booking engine's receiver confirms the booking in that same transaction
(a payment that arrives for a booking no longer held is refunded by the engine's
late-payment rule, never lost). Nothing here changes a booking directly.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.payments.models import Payment
from parvis.payments.services import payment_record_offline

from ..exceptions import InvalidTransition
from ..models import Booking, BookingStatus


def settle_refusal(booking: Booking) -> str | None:
    """Why ``booking`` cannot be settled at the desk now, or None when it can."""
    if booking.status != BookingStatus.HELD:
        return _("Seule une réservation en attente de paiement peut être réglée à l'accueil.")
    if not booking.amount_cents:
        return _("Cette réservation est gratuite.")
    if booking.agenda.regie_id is None:
        return _("L'agenda n'a pas de régie : le règlement ne peut pas être enregistré.")
    return None


def settle_at_desk(
    *, booking: Booking, means: str, reference: str, actor, ip: str | None = None
) -> Payment:
    """Record the desk payment of the HELD ``booking`` for its full amount; the booking
    is confirmed by the engine on ``payment_paid``. One transaction (the caller's, when
    there is one). Raises InvalidTransition when the booking is not held and payable,
    PaymentError (means, reference) from the payments module."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("agenda__regie", "family_member")
            .get(pk=booking.pk)
        )
        refusal = settle_refusal(booking)
        if refusal:
            raise InvalidTransition(refusal)
        label = _("Réservation %(reference)s – %(title)s") % {
            "reference": booking.reference or booking.public_id,
            "title": booking.agenda.title,
        }
        return payment_record_offline(
            regie=booking.agenda.regie,
            amount=booking.amount_cents,
            label=label,
            means=means,
            reference=reference,
            actor=actor,
            payable=booking,
            user=booking.user,
            email=booking.email,
            payer_name=booking.holder_name,
            ip=ip,
        )
