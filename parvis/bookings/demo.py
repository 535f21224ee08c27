"""Demo data of the bookings app (fictional): four municipal services, six agendas and a
few bookings of the demo resident.

* « Passeports et cartes d'identité » at the town hall: two desks (weekday mornings,
  Tuesday and Thursday afternoons, closed on public holidays), four appointment types,
  the ANTS pre-application number asked for identity documents, guests allowed.
* « Courts de tennis »: two courts at the municipal tennis place, one-hour slots from
  08:00 to 21:00, 8 € an hour for residents and 12 € for others, two hours a week at
  most, paid online through the demo régie (dummy backend).
* « Salle des fêtes »: free range, approval by the service, a deposit of 500 € noted,
  resident / non-resident / association tariffs.
* « Centre de loisirs – été 2027 »: four weeks of July 2027, 24 places each, the child's
  name (the participant's name), age 3 to 11 and allergies (sensitive) per child,
  65 € for residents and 95 € for others.
* « Vide-greniers du printemps »: one Sunday in May, each place is a pitch (10 €), the
  pitch length (2 to 6 m) asked.
* A show with two ticket categories: full price 12 €, reduced 8 € within a quota.

Staff groups are linked to the services (``core.Service.groups``): Accueil works for
« Accueil – état civil », « Sports et vie associative » and « Culture et festivités »;
the Enfance-jeunesse section group runs the summer camp. Camille Martin (the demo
resident) has a child, Léo, registered for the first camp week, an identity-card
appointment and a tennis court, booked through the engine.

Idempotent: everything is looked up by a stable key (service and agenda slugs, child
names, question keys…) and created only when missing; sessions are created only for an
agenda that has none, and the resident's bookings only where she has none, so a later
run never adds dated rows twice. Dates are computed from ``today`` (the demo's anchor).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

DEMO_RESIDENT = "camille.martin@example.org"

SERVICES = [
    # slug, name, e-mail, phone, staff groups
    (
        "accueil-etat-civil",
        "Accueil – état civil",
        "etat-civil@example.org",
        "01 99 00 13 51",
        ("Accueil", "Section État civil"),
    ),
    (
        "sports-vie-associative",
        "Sports et vie associative",
        "sports@example.org",
        "01 99 00 13 57",
        ("Accueil", "Section Vie associative"),
    ),
    (
        "enfance-jeunesse",
        "Enfance-jeunesse",
        "enfance@example.org",
        "01 99 00 13 53",
        ("Section Enfance-jeunesse",),
    ),
    (
        "culture-festivites",
        "Culture et festivités",
        "culture@example.org",
        "01 99 00 13 58",
        ("Accueil", "Section Culture & patrimoine"),
    ),
]

DESK_HOURS = "Mo,We,Fr 08:30-12:00; Tu,Th 08:30-12:00,13:30-17:00; PH off"
IDENTITY_DOCUMENTS = (
    "<ul><li>Le numéro de pré-demande ANTS (ou son récapitulatif)</li>"
    "<li>Une photo d'identité de moins de 6 mois</li>"
    "<li>Un justificatif de domicile de moins d'un an</li>"
    "<li>L'ancien titre (ou la déclaration de perte ou de vol)</li></ul>"
)
APPOINTMENT_TYPES = [
    # name, minutes, ANTS number asked, documents
    ("Carte d'identité", 20, True, IDENTITY_DOCUMENTS),
    ("Passeport", 30, True, IDENTITY_DOCUMENTS),
    ("Carte d'identité et passeport", 40, True, IDENTITY_DOCUMENTS),
    ("Remise de titre", 10, False, "<p>Le récépissé de dépôt et l'ancien titre.</p>"),
]
CAMP_WEEKS = [dt.date(2027, 7, 5), dt.date(2027, 7, 12), dt.date(2027, 7, 19), dt.date(2027, 7, 26)]


def _zone():
    return timezone.get_default_timezone()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_zone())


def _working_day(today: dt.date, days_ahead: int) -> dt.date:
    """The first Monday–Friday that is not a public holiday, ``days_ahead`` days on."""
    from parvis.core.hours import public_holiday

    day = today + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5 or public_holiday(day):
        day += dt.timedelta(days=1)
    return day


def _next_weekday(today: dt.date, weekday: int, days_ahead: int) -> dt.date:
    day = today + dt.timedelta(days=days_ahead)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _spring_sunday(today: dt.date) -> dt.date:
    """The first Sunday of May at least two weeks away (this year's or next year's)."""
    year = today.year
    while True:
        day = _next_weekday(dt.date(year, 5, 1), 6, 0)
        if day >= today + dt.timedelta(days=14):
            return day
        year += 1


def load_bookings_demo(*, today: dt.date | None = None) -> Counter:
    """Create what is missing of the bookings demo; return what was created by kind."""
    from parvis.directory.models import Place

    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    with transaction.atomic():
        services = _services(created)
        places = {
            place.reference: place for place in Place.objects.filter(reference__startswith="DEMO-")
        }
        regie = _regie(created)
        agendas = {
            "identity": _identity(
                services["accueil-etat-civil"], places.get("DEMO-MAIRIE"), created
            ),
            "tennis": _tennis(
                services["sports-vie-associative"], places.get("DEMO-TENNIS"), regie, created
            ),
            "hall": _hall(
                services["culture-festivites"], places.get("DEMO-SALLE-FETES"), regie, created
            ),
            "camp": _camp(services["enfance-jeunesse"], regie, created),
            "flea": _flea_market(services["culture-festivites"], regie, today, created),
            "show": _show(
                services["culture-festivites"],
                places.get("DEMO-SALLE-FETES"),
                regie,
                today,
                created,
            ),
        }
    _resident_bookings(agendas, today, created)
    return created


# --- services, régie ----------------------------------------------------------------------------


def _services(created: Counter) -> dict:
    from parvis.core.models import Service

    services = {}
    for slug, name, email, phone, groups in SERVICES:
        service, was_created = Service.objects.get_or_create(
            slug=slug, defaults={"name": name, "email": email, "phone": phone}
        )
        created["services municipaux"] += int(was_created)
        if was_created:
            service.groups.add(*[Group.objects.get_or_create(name=group)[0] for group in groups])
        services[slug] = service
    return services


def _regie(created: Counter):
    """The demo régie (payments demo) on the dummy backend; created when missing."""
    from parvis.payments.models import Regie

    regie = Regie.objects.filter(code="periscolaire").first()
    if regie is None:
        regie, was_created = Regie.objects.get_or_create(
            code="reservations",
            defaults={
                "name": "Régie des réservations",
                "backend": Regie.BACKEND_DUMMY,
                "object_label": "Reservations",
                "accountant_contact": "Service de gestion comptable – 01 99 00 00 42",
            },
        )
        created["régies"] += int(was_created)
    return regie


def _agenda(slug: str, created: Counter, **fields):
    from .models import Agenda

    fields.setdefault("status", Agenda.Status.PUBLISHED)
    agenda, was_created = Agenda.objects.get_or_create(slug=slug, defaults=fields)
    created["agendas"] += int(was_created)
    return agenda


def _child(model, created: Counter, label: str, lookup: dict, defaults: dict):
    _obj, was_created = model.objects.get_or_create(**lookup, defaults=defaults)
    created[label] += int(was_created)
    return _obj


# --- agendas --------------------------------------------------------------------------------------


def _identity(service, town_hall, created: Counter):
    from .models import AgendaKind, AppointmentType, Desk

    agenda = _agenda(
        "passeports-cartes-identite",
        created,
        kind=AgendaKind.APPOINTMENT,
        title="Passeports et cartes d'identité",
        summary=(
            "Rendez-vous en mairie pour déposer ou retirer une carte d'identité ou un passeport."
        ),
        description=(
            "<p>Faites d'abord votre pré-demande en ligne sur le site de l'ANTS, puis prenez "
            "rendez-vous : la présence du demandeur est obligatoire, enfants compris.</p>"
        ),
        service=service,
        place=town_hall,
        allow_guests=True,
        min_delay_hours=2,
        max_delay_days=60,
        cancel_until_hours=24,
        instructions=(
            "<p>Présentez-vous à l'accueil de la mairie cinq minutes avant l'heure, avec les "
            "pièces demandées. En cas d'empêchement, annulez pour libérer le créneau.</p>"
        ),
    )
    for order, name in enumerate(("Guichet 1", "Guichet 2")):
        _child(
            Desk,
            created,
            "guichets",
            {"agenda": agenda, "name": name},
            {"opening_hours": DESK_HOURS, "sort_order": order},
        )
    for order, (name, minutes, ants, documents) in enumerate(APPOINTMENT_TYPES):
        _child(
            AppointmentType,
            created,
            "motifs de rendez-vous",
            {"agenda": agenda, "name": name},
            {
                "duration_minutes": minutes,
                "ants_required": ants,
                "documents": documents,
                "sort_order": order,
            },
        )
    return agenda


def _tennis(service, place, regie, created: Counter):
    from .models import AgendaKind, Resource, Tariff

    agenda = _agenda(
        "courts-de-tennis",
        created,
        kind=AgendaKind.RESOURCE,
        title="Courts de tennis",
        summary="Réservez un court municipal à l'heure, de 8 h à 21 h.",
        service=service,
        place=place,
        regie=regie,
        min_delay_hours=1,
        max_delay_days=14,
        max_minutes_per_week=120,
        cancel_until_hours=24,
        instructions=(
            "<p>Chaussures de tennis obligatoires. Le code du portail est dans l'e-mail de "
            "confirmation.</p>"
        ),
    )
    for order, name in enumerate(("Court 1", "Court 2")):
        _child(
            Resource,
            created,
            "ressources",
            {"agenda": agenda, "name": name},
            {
                "place": place,
                "opening_hours": "" if place and place.opening_hours else "Mo-Su 08:00-21:00",
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 120,
                "capacity_note": "Court en résine, 4 joueurs",
                "sort_order": order,
            },
        )
    for order, (audience, amount) in enumerate((("resident", 800), ("non_resident", 1200))):
        _child(
            Tariff,
            created,
            "tarifs",
            {"agenda": agenda, "audience": audience},
            {"amount_cents": amount, "unit": Tariff.Unit.HOUR, "sort_order": order},
        )
    return agenda


def _hall(service, place, regie, created: Counter):
    from .models import AgendaKind, Resource, Tariff

    agenda = _agenda(
        "salle-des-fetes",
        created,
        kind=AgendaKind.RESOURCE,
        title="Salle des fêtes",
        summary="Louez la salle des fêtes (300 places) pour une fête familiale ou associative.",
        service=service,
        place=place,
        regie=regie,
        requires_approval=True,
        deposit_cents=50000,
        min_delay_hours=72,
        max_delay_days=365,
        cancel_until_hours=7 * 24,
        max_places_per_booking=1,
        instructions=(
            "<p>La demande est étudiée par le service, qui vous répond sous une semaine. "
            "Une caution de 500 € est demandée à la signature de la convention.</p>"
        ),
    )
    _child(
        Resource,
        created,
        "ressources",
        {"agenda": agenda, "name": "Grande salle"},
        {
            "place": place,
            "opening_hours": "Mo-Su 08:00-24:00",
            "slot_minutes": None,
            "min_minutes": 120,
            "max_minutes": 960,
            "capacity_note": "300 personnes debout, 200 assises",
        },
    )
    tariffs = (("resident", 25000), ("non_resident", 45000), ("association", 8000))
    for order, (audience, amount) in enumerate(tariffs):
        _child(
            Tariff,
            created,
            "tarifs",
            {"agenda": agenda, "audience": audience},
            {"amount_cents": amount, "unit": Tariff.Unit.BOOKING, "sort_order": order},
        )
    return agenda


def _camp(service, regie, created: Counter):
    from .models import AgendaKind, Question, QuestionKind, Session, TicketCategory

    agenda = _agenda(
        "centre-de-loisirs-ete-2027",
        created,
        kind=AgendaKind.EVENT,
        title="Centre de loisirs – été 2027",
        summary="Quatre semaines d'activités en juillet pour les enfants de 3 à 11 ans.",
        description=(
            "<p>Accueil de 8 h 30 à 17 h 30 au groupe scolaire des Cardelines, repas et "
            "goûter compris. Inscription à la semaine.</p>"
        ),
        service=service,
        regie=regie,
        max_delay_days=400,
        max_places_per_booking=3,
        cancel_until_hours=7 * 24,
        instructions="<p>Pensez à la casquette, à la gourde et au maillot de bain.</p>",
    )
    questions = [
        {
            "key": "age",
            "label": "Âge de l'enfant",
            "kind": QuestionKind.NUMBER,
            "min_value": 3,
            "max_value": 11,
            "help_text": "De 3 à 11 ans.",
        },
        {
            "key": "allergies",
            "label": "Allergies, régime ou traitement",
            "kind": QuestionKind.LONG_TEXT,
            "required": False,
            "sensitive": True,
            "help_text": "Réservé à l'équipe d'animation.",
        },
    ]
    for order, question in enumerate(questions):
        key = question.pop("key")
        _child(
            Question,
            created,
            "questions",
            {"agenda": agenda, "key": key},
            {**question, "sort_order": order},
        )
    if not agenda.sessions.exists():
        for index, monday in enumerate(CAMP_WEEKS):
            friday = monday + dt.timedelta(days=4)
            session = Session.objects.create(
                agenda=agenda,
                title=f"Semaine {index + 1} – du {monday:%d/%m} au {friday:%d/%m}",
                start=_at(monday, 8, 30),
                end=_at(friday, 17, 30),
                capacity=24,
            )
            TicketCategory.objects.create(
                session=session,
                name="Habitant de Gréasque",
                price_cents=6500,
                resident_only=True,
                sort_order=0,
            )
            TicketCategory.objects.create(
                session=session, name="Extérieur", price_cents=9500, sort_order=1
            )
            created["séances"] += 1
    return agenda


def _flea_market(service, regie, today: dt.date, created: Counter):
    from .models import AgendaKind, Question, QuestionKind, Session, TicketCategory

    agenda = _agenda(
        "vide-greniers-du-printemps",
        created,
        kind=AgendaKind.EVENT,
        title="Vide-greniers du printemps",
        summary="Réservez votre emplacement (10 € l'emplacement) sur la place de la Mairie.",
        service=service,
        regie=regie,
        max_delay_days=400,
        max_places_per_booking=2,
        cancel_until_hours=72,
        instructions="<p>Installation de 6 h 30 à 8 h. Pièce d'identité demandée sur place.</p>",
    )
    _child(
        Question,
        created,
        "questions",
        {"agenda": agenda, "key": "longueur"},
        {
            "label": "Longueur d'emplacement (mètres)",
            "kind": QuestionKind.NUMBER,
            "min_value": 2,
            "max_value": 6,
            "help_text": "De 2 à 6 mètres.",
        },
    )
    if not agenda.sessions.exists():
        day = _spring_sunday(today)
        session = Session.objects.create(
            agenda=agenda,
            title=f"Vide-greniers du {day:%d/%m/%Y}",
            start=_at(day, 7),
            end=_at(day, 17),
            capacity=80,
        )
        TicketCategory.objects.create(session=session, name="Emplacement", price_cents=1000)
        created["séances"] += 1
    return agenda


def _show(service, place, regie, today: dt.date, created: Counter):
    from .models import AgendaKind, Session, TicketCategory

    agenda = _agenda(
        "theatre-la-lampe-du-mineur",
        created,
        kind=AgendaKind.EVENT,
        title="Théâtre : La Lampe du mineur",
        summary="Une comédie de la troupe des Galibots, à la salle des fêtes.",
        service=service,
        place=place,
        regie=regie,
        max_places_per_booking=6,
        waiting_list=True,
        cancel_until_hours=48,
    )
    if not agenda.sessions.exists():
        day = _next_weekday(today, 5, 21)
        session = Session.objects.create(
            agenda=agenda, start=_at(day, 20, 30), end=_at(day, 22, 30), capacity=250
        )
        TicketCategory.objects.create(
            session=session, name="Plein tarif", price_cents=1200, sort_order=0
        )
        TicketCategory.objects.create(
            session=session,
            name="Tarif réduit (moins de 18 ans, demandeurs d'emploi)",
            price_cents=800,
            quota=60,
            sort_order=1,
        )
        created["séances"] += 1
    return agenda


# --- the demo resident's bookings ----------------------------------------------------------------


def _resident_bookings(agendas: dict, today: dt.date, created: Counter) -> None:
    """An identity-card appointment, Léo at the camp's first week (paid at the régie) and
    a tennis court (paid at the régie), through the engine. Skipped when the resident
    does not exist (the directory-only demo) or already has bookings there."""
    from parvis.accounts.models import FamilyMember

    from . import services
    from .exceptions import BookingError
    from .models import Booking

    resident = get_user_model().objects.filter(email__iexact=DEMO_RESIDENT).first()
    if resident is None:
        return
    leo, was_created = FamilyMember.objects.get_or_create(
        user=resident,
        first_name="Léo",
        last_name="Martin",
        defaults={"birth_date": dt.date(2018, 4, 12), "relation": FamilyMember.Relation.CHILD},
    )
    created["membres de la famille"] += int(was_created)

    def missing(agenda) -> bool:
        return not Booking.objects.filter(agenda=agenda, user=resident).exists()

    steps = []
    identity = agendas["identity"]
    if missing(identity):
        steps.append(
            (
                "identity",
                lambda: services.booking_book_appointment(
                    agenda=identity,
                    appointment_type=identity.appointment_types.get(name="Carte d'identité"),
                    start=_at(_working_day(today, 10), 9, 10),
                    user=resident,
                    ants_number="A1B2C3D4E5",
                ),
            )
        )
    camp = agendas["camp"]
    if missing(camp):
        session = camp.sessions.order_by("start").first()
        category = session.categories.get(name="Habitant de Gréasque")
        steps.append(
            (
                "camp",
                lambda: services.booking_book_session(
                    session=session,
                    participants=[
                        services.ParticipantInput(
                            category_id=category.pk,
                            first_name="Léo",
                            last_name="Martin",
                            family_member_id=leo.pk,
                            answers={"age": 9, "allergies": "Allergie aux arachides"},
                        )
                    ],
                    user=resident,
                ),
            )
        )
    tennis = agendas["tennis"]
    if missing(tennis):
        court = tennis.resources.order_by("sort_order", "pk").first()
        day = _next_weekday(today, 5, 3)
        steps.append(
            (
                "tennis",
                lambda: services.booking_book_resource(
                    agenda=tennis,
                    resource=court,
                    start=_at(day, 10),
                    end=_at(day, 11),
                    user=resident,
                ),
            )
        )
    for name, step in steps:
        try:
            with transaction.atomic():
                _settle_demo_payment(step())
        except BookingError as error:
            logger.warning("Bookings demo: %s not booked (%s)", name, error.message)
            continue
        created["réservations"] += 1


def _settle_demo_payment(booking) -> None:
    """A held demo booking is paid at the régie's desk (cash), so it shows as confirmed
    with its receipt."""
    from parvis.payments.services import payment_record_offline

    from .models import BookingStatus

    if booking.status != BookingStatus.HELD or not booking.amount_cents:
        return
    payment_record_offline(
        regie=booking.agenda.regie,
        amount=booking.amount_cents,
        label=f"Réservation {booking.reference} – {booking.agenda.title}",
        means="cash",
        reference=f"DEMO-{booking.reference}",
        actor=None,
        payable=booking,
        user=booking.user,
        email=booking.email,
        payer_name=booking.holder_name,
    )
