"""Domain errors of bookings. Each carries a translated ``message`` shown next to the form,
and views turn them into form errors (never a 500). ``next_step`` names what to offer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class BookingError(Exception):
    default_message = _("La réservation n'a pas pu être faite.")
    #: What the page should offer next: "other_slot", "waiting_list", "pay_again",
    #: "sign_in", "".
    next_step = ""

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class SlotUnavailable(BookingError):
    default_message = _("Ce créneau vient d'être pris. Choisissez-en un autre.")
    next_step = "other_slot"


class OutsideOpeningHours(BookingError):
    default_message = _("Ce créneau est en dehors des horaires de réservation.")
    next_step = "other_slot"


class TooSoonOrTooLate(BookingError):
    default_message = _("Ce créneau n'est pas dans la période réservable.")
    next_step = "other_slot"


class SessionFull(BookingError):
    default_message = _("Cette séance est complète.")
    next_step = "waiting_list"


class CategoryFull(BookingError):
    default_message = _("Il ne reste plus de place dans cette catégorie.")
    next_step = "waiting_list"


class BookingClosed(BookingError):
    default_message = _("Les réservations ne sont pas ouvertes pour cet agenda.")


class AccountRequired(BookingError):
    default_message = _(
        "Connectez-vous à votre compte pour réserver : cet agenda n'accepte pas les "
        "réservations sans compte."
    )
    next_step = "sign_in"


class LimitReached(BookingError):
    default_message = _("Vous avez atteint le nombre de réservations autorisé.")


class HoldExpired(BookingError):
    default_message = _(
        "Le délai pour payer est dépassé et la place a été libérée. Vous pouvez réserver à "
        "nouveau s'il reste de la place."
    )
    next_step = "other_slot"


class OfferExpired(BookingError):
    default_message = _("La place proposée n'est plus disponible : le délai est dépassé.")


class InvalidTransition(BookingError):
    default_message = _("Cette action n'est pas possible pour cette réservation.")


class CancellationTooLate(BookingError):
    default_message = _(
        "Le délai d'annulation est dépassé. Contactez le service pour toute demande."
    )


class InvalidAnswers(BookingError):
    """Per-field errors: ``errors`` maps a field key to a list of messages.

    Keys: ``ants_number``, ``email``, ``family_member``, ``participants`` (the list as a
    whole), and per participant ``participants-<index>-<question key>``,
    ``participants-<index>-category`` or ``participants-<index>-family_member``
    (index from 0, in the order given)."""

    default_message = _("Certaines réponses sont à corriger.")

    def __init__(self, errors: dict[str, list[str]], message=None):
        self.errors = errors
        super().__init__(message)


class PaymentUnavailable(BookingError):
    default_message = _(
        "Le service de paiement ne répond pas. Votre place reste bloquée jusqu'à l'heure "
        "indiquée : réessayez dans quelques minutes."
    )
    next_step = "pay_again"
