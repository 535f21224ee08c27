"""The bookings demo: loads twice without duplicates, and its agendas have the shapes the
demo promises (desks and types, courts and tariffs, hall with approval, camp weeks with
questions, flea-market pitches, show categories), with the demo resident's bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from parvis.accounts.models import FamilyMember
from parvis.bookings.demo import load_bookings_demo
from parvis.bookings.models import (
    Agenda,
    AppointmentType,
    Booking,
    BookingStatus,
    Desk,
    Participant,
    Question,
    Resource,
    Session,
    Tariff,
    TicketCategory,
)
from parvis.core.models import Service
from parvis.directory.demo import load_directory_demo
from parvis.payments.demo import load_payments_demo

from .bookings_helpers import make_resident

pytestmark = pytest.mark.django_db

MODELS = (
    Service,
    Agenda,
    Desk,
    AppointmentType,
    Resource,
    Tariff,
    Session,
    TicketCategory,
    Question,
    Booking,
    Participant,
    FamilyMember,
)


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    resident = make_resident("camille.martin@example.org")
    load_directory_demo()
    load_payments_demo(today=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        created = load_bookings_demo()
    return resident, created


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_loads_twice_without_duplicates(demo):
    _resident, created = demo
    assert created["agendas"] == 6 and created["réservations"] == 3, created
    before = _counts()
    again = load_bookings_demo()
    assert sum(again.values()) == 0, again
    assert _counts() == before
    # A later day (the anchor moved) adds no dated rows either.
    load_bookings_demo(today=timezone.localdate() + dt.timedelta(days=40))
    assert _counts() == before


def test_demo_agendas_have_the_promised_shapes(demo):
    identity = Agenda.objects.get(slug="passeports-cartes-identite")
    assert identity.place.reference == "DEMO-MAIRIE" and identity.allow_guests
    assert [d.opening_hours for d in identity.desks.all()] == [
        "Mo,We,Fr 08:30-12:00; Tu,Th 08:30-12:00,13:30-17:00; PH off"
    ] * 2
    types = {
        t.name: (t.duration_minutes, t.ants_required) for t in identity.appointment_types.all()
    }
    assert types == {
        "Carte d'identité": (20, True),
        "Passeport": (30, True),
        "Carte d'identité et passeport": (40, True),
        "Remise de titre": (10, False),
    }

    tennis = Agenda.objects.get(slug="courts-de-tennis")
    assert tennis.place.reference == "DEMO-TENNIS" and tennis.regie.backend == "dummy"
    assert tennis.max_minutes_per_week == 120
    assert [(r.name, r.slot_minutes) for r in tennis.resources.order_by("sort_order")] == [
        ("Court 1", 60),
        ("Court 2", 60),
    ]
    assert {(t.audience, t.amount_cents, t.unit) for t in tennis.tariffs.all()} == {
        ("resident", 800, "hour"),
        ("non_resident", 1200, "hour"),
    }

    hall = Agenda.objects.get(slug="salle-des-fetes")
    assert hall.requires_approval and hall.deposit_cents == 50000
    assert hall.resources.get().slot_minutes is None
    assert {t.audience for t in hall.tariffs.all()} == {"resident", "non_resident", "association"}

    camp = Agenda.objects.get(title="Centre de loisirs – été 2027")
    weeks = list(camp.sessions.order_by("start"))
    assert len(weeks) == 4 and {s.capacity for s in weeks} == {24}
    assert all(timezone.localtime(s.start).month == 7 and s.start.year == 2027 for s in weeks)
    assert {(c.name, c.price_cents) for c in weeks[0].categories.all()} == {
        ("Habitant de Gréasque", 6500),
        ("Extérieur", 9500),
    }
    age = camp.questions.get(key="age")
    assert (age.min_value, age.max_value) == (3, 11)
    assert camp.questions.get(key="allergies").sensitive

    flea = Agenda.objects.get(slug="vide-greniers-du-printemps")
    pitch = flea.questions.get(key="longueur")
    assert (pitch.min_value, pitch.max_value) == (2, 6)
    assert flea.sessions.get().categories.get().price_cents == 1000
    assert flea.sessions.get().start > timezone.now()

    show = Agenda.objects.get(slug="theatre-la-lampe-du-mineur")
    categories = {c.name.split(" ")[0]: c for c in show.sessions.get().categories.all()}
    assert categories["Plein"].price_cents == 1200
    assert categories["Tarif"].price_cents == 800 and categories["Tarif"].quota

    accueil = Service.objects.get(slug="accueil-etat-civil")
    assert accueil.groups.filter(name="Accueil").exists()
    assert (
        Group.objects.get(name="Section Enfance-jeunesse")
        .municipal_services.filter(slug="enfance-jeunesse")
        .exists()
    )


def test_demo_resident_bookings_are_confirmed(demo):
    resident, _created = demo
    bookings = {b.agenda.slug: b for b in Booking.objects.filter(user=resident)}
    assert set(bookings) == {
        "passeports-cartes-identite",
        "centre-de-loisirs-ete-2027",
        "courts-de-tennis",
    }
    assert all(b.status == BookingStatus.CONFIRMED for b in bookings.values())
    camp = bookings["centre-de-loisirs-ete-2027"]
    child = camp.participants.get()
    assert child.family_member.full_name == "Léo Martin"
    assert camp.payment.is_paid and camp.amount_cents == 6500
    assert camp.session.taken == 1
    assert bookings["courts-de-tennis"].payment.is_paid
