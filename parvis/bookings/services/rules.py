"""The agenda's rules, checked before a booking is written: opening of bookings, delays,
per-person limits, answers to the questions, ANTS numbers, prices.

Pure checks (no write); those that count existing bookings are called inside the
booking's transaction, after the person's row lock, so that two requests of one person
cannot both pass a limit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..exceptions import (
    AccountRequired,
    BookingClosed,
    InvalidAnswers,
    LimitReached,
    OutsideOpeningHours,
    TooSoonOrTooLate,
)
from ..models import (
    OCCUPYING,
    Agenda,
    BookingChannel,
    Closure,
    Question,
    QuestionKind,
    Tariff,
    TariffAudience,
)

PARIS = ZoneInfo("Europe/Paris")
ANTS_PATTERN = re.compile(r"^[A-Z0-9]{10}$")


def is_agent_channel(channel: str) -> bool:
    """Bookings taken at the counter or by phone are made by an agent for someone."""
    return channel in (BookingChannel.COUNTER, BookingChannel.PHONE)


def check_open(agenda: Agenda, *, now: dt.datetime, opens_at=None, channel: str = "") -> None:
    """The agenda is published and bookings are open (a session's own opening replaces
    the agenda's). Agents at the counter may book before the online opening."""
    if not agenda.is_published:
        raise BookingClosed()
    if agenda.closes_at and now >= agenda.closes_at:
        raise BookingClosed(_("Les réservations sont closes pour cet agenda."))
    opening = opens_at or agenda.opens_at
    if opening and now < opening and not is_agent_channel(channel):
        raise BookingClosed(
            _("Les réservations ouvriront le %(when)s.")
            % {"when": timezone.localtime(opening, PARIS).strftime("%d/%m/%Y à %H:%M")}
        )


def check_delays(agenda: Agenda, start: dt.datetime, *, now: dt.datetime) -> None:
    """``min_delay_hours`` ≤ start − now ≤ ``max_delay_days``; never in the past."""
    if start <= now:
        raise TooSoonOrTooLate(_("Ce créneau est déjà passé."))
    if start < now + dt.timedelta(hours=agenda.min_delay_hours):
        raise TooSoonOrTooLate(
            ngettext(
                "Il faut réserver au moins %(n)s heure à l'avance.",
                "Il faut réserver au moins %(n)s heures à l'avance.",
                agenda.min_delay_hours,
            )
            % {"n": agenda.min_delay_hours}
        )
    if start > now + dt.timedelta(days=agenda.max_delay_days):
        raise TooSoonOrTooLate(
            ngettext(
                "On ne peut pas réserver plus de %(n)s jour à l'avance.",
                "On ne peut pas réserver plus de %(n)s jours à l'avance.",
                agenda.max_delay_days,
            )
            % {"n": agenda.max_delay_days}
        )


def check_no_closure(agenda: Agenda, start: dt.datetime, end: dt.datetime) -> None:
    closure = (
        Closure.objects.filter(agenda=agenda, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if closure is not None:
        raise OutsideOpeningHours(
            _("Le service est fermé à cette date (%(reason)s). Choisissez un autre créneau.")
            % {"reason": closure.reason}
        )


def holder(
    agenda: Agenda,
    *,
    user,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    channel: str,
    guests_allowed: bool,
) -> dict:
    """Who the booking is for. Online, a person books with their account, or as a guest
    with a proven e-mail where ``guests_allowed``; an agent may book for anyone."""
    email = (email or "").strip().lower()
    if user is not None and getattr(user, "is_authenticated", True):
        email = email or user.email
        first_name = first_name or user.first_name
        last_name = last_name or user.last_name
        phone = phone or getattr(user, "phone", "")
    else:
        user = None
        if not is_agent_channel(channel):
            if not guests_allowed:
                raise AccountRequired()
            if not email:
                raise InvalidAnswers({"email": [_("Indiquez votre adresse e-mail.")]})
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidAnswers({"email": [_("Adresse e-mail invalide.")]}) from error
    return {
        "user": user,
        "email": email,
        "first_name": (first_name or "").strip()[:80],
        "last_name": (last_name or "").strip()[:80],
        "phone": (phone or "").strip()[:20],
    }


def person_filter(*, user, email: str) -> Q:
    query = Q(pk__in=[])
    if user is not None:
        query |= Q(user=user)
    if email:
        query |= Q(email__iexact=email)
    return query


def check_person_limits(
    agenda: Agenda,
    *,
    user,
    email: str,
    now: dt.datetime,
    start: dt.datetime | None = None,
    minutes: int = 0,
    exclude_pk=None,
) -> None:
    """``max_bookings_per_person`` upcoming occupying bookings in the agenda, and for
    resources ``max_minutes_per_week`` (ISO week of ``start``, Europe/Paris). Counted by
    account or e-mail. Call inside the transaction, after :func:`_core.lock_person`."""
    if user is None and not email:
        return
    mine = agenda.bookings.filter(person_filter(user=user, email=email), status__in=OCCUPYING)
    if exclude_pk:
        mine = mine.exclude(pk=exclude_pk)
    limit = agenda.max_bookings_per_person
    if limit is not None and mine.filter(end__gt=now).count() >= limit:
        raise LimitReached(
            ngettext(
                "Vous avez déjà %(n)s réservation à venir dans cet agenda : c'est le maximum.",
                "Vous avez déjà %(n)s réservations à venir dans cet agenda : c'est le maximum.",
                limit,
            )
            % {"n": limit}
        )
    weekly = agenda.max_minutes_per_week
    if weekly is not None and start is not None and minutes:
        local = timezone.localtime(start, PARIS)
        monday = local.date() - dt.timedelta(days=local.weekday())
        week_start = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=PARIS)
        week_end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=PARIS)
        used = sum(
            (end - begin).total_seconds() / 60
            for begin, end in mine.filter(start__gte=week_start, start__lt=week_end).values_list(
                "start", "end"
            )
        )
        if used + minutes > weekly:
            left = max(int(weekly - used), 0)
            raise LimitReached(
                _(
                    "Vous pouvez réserver au plus %(limit)s par semaine ; il vous reste "
                    "%(left)s cette semaine-là."
                )
                % {"limit": format_minutes(weekly), "left": format_minutes(left)}
            )


def format_minutes(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest:02d}"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


# --- ANTS and answers ---------------------------------------------------------------------


def normalise_ants(raw: str) -> str:
    """The ANTS pre-application number: 10 characters, uppercase letters and digits.
    Spaces and hyphens are dropped and letters upper-cased; anything else raises
    InvalidAnswers on ``ants_number``."""
    value = re.sub(r"[\s\-]", "", raw or "").upper()
    if not value:
        raise InvalidAnswers(
            {"ants_number": [_("Indiquez le numéro de pré-demande ANTS (10 caractères).")]}
        )
    if not ANTS_PATTERN.match(value):
        raise InvalidAnswers(
            {
                "ants_number": [
                    _(
                        "Le numéro de pré-demande ANTS compte 10 caractères, lettres et "
                        "chiffres (par exemple AB12CD34EF)."
                    )
                ]
            }
        )
    return value


def clean_answers(questions: list[Question], answers: dict, prefix: str = "") -> tuple[dict, dict]:
    """(answers normalised, errors) for one participant. Keys not asked are dropped.
    Numbers become int, dates ISO strings, booleans bool; errors are keyed
    ``prefix + question.key``."""
    answers = answers or {}
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        field = prefix + question.key
        raw = answers.get(question.key)
        if isinstance(raw, str):
            raw = raw.strip()
        empty = raw is None or raw == "" or (question.kind == QuestionKind.BOOLEAN and not raw)
        if empty:
            if question.required:
                errors[field] = [
                    _("Cochez cette case pour continuer.")
                    if question.kind == QuestionKind.BOOLEAN
                    else _("Cette réponse est obligatoire.")
                ]
            elif question.kind == QuestionKind.BOOLEAN:
                cleaned[question.key] = False
            continue
        error, value = _clean_one(question, raw)
        if error:
            errors[field] = [error]
        else:
            cleaned[question.key] = value
    return cleaned, errors


def _clean_one(question: Question, raw):
    kind = question.kind
    if kind == QuestionKind.NUMBER:
        try:
            value = int(str(raw).replace(" ", ""))
        except ValueError:
            return _("Saisissez un nombre entier."), None
        if question.min_value is not None and value < question.min_value:
            return _("La valeur minimum est %(n)s.") % {"n": question.min_value}, None
        if question.max_value is not None and value > question.max_value:
            return _("La valeur maximum est %(n)s.") % {"n": question.max_value}, None
        return None, value
    if kind == QuestionKind.DATE:
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, dt.date):
            return None, raw.isoformat()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return None, dt.datetime.strptime(str(raw), pattern).date().isoformat()
            except ValueError:
                continue
        return _("Saisissez une date au format JJ/MM/AAAA."), None
    if kind == QuestionKind.CHOICE:
        if str(raw) not in question.choice_list:
            return _("Choisissez une des réponses proposées."), None
        return None, str(raw)
    if kind == QuestionKind.BOOLEAN:
        return None, bool(raw)
    limit = 2000 if kind == QuestionKind.LONG_TEXT else 200
    text = str(raw)
    if len(text) > limit:
        return _("%(n)s caractères au plus.") % {"n": limit}, None
    return None, text


# --- prices -------------------------------------------------------------------------------


def resource_tariff(agenda: Agenda, audience: str) -> Tariff | None:
    """The tariff of ``audience``; an audience without its own tariff pays the
    non-resident one (associations: the resident one first), else none is free."""
    tariffs = {tariff.audience: tariff for tariff in agenda.tariffs.all()}
    if not tariffs:
        return None
    if audience in tariffs:
        return tariffs[audience]
    order = (
        [TariffAudience.RESIDENT, TariffAudience.NON_RESIDENT]
        if audience == TariffAudience.ASSOCIATION
        else [TariffAudience.NON_RESIDENT, TariffAudience.RESIDENT]
    )
    for other in order:
        if other in tariffs:
            return tariffs[other]
    return next(iter(tariffs.values()))


def resource_price(agenda: Agenda, audience: str, start: dt.datetime, end: dt.datetime) -> int:
    """Cents: per booking, or per hour prorated to the minute and rounded up to the cent."""
    tariff = resource_tariff(agenda, audience)
    if tariff is None:
        return 0
    if tariff.unit == Tariff.Unit.HOUR:
        minutes = int((end - start).total_seconds() // 60)
        return math.ceil(tariff.amount_cents * minutes / 60)
    return tariff.amount_cents
