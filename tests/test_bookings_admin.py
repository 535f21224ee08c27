"""Bookings back office: who sees what (staff groups and municipal services), agenda and
session forms, planning pages, booking for a resident at the counter, a booking's
actions (approve, refuse, cancel, move, attendance, settle at the desk), closing a
period, participant lists (CSV and printable)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parvis.bookings.models import (
    Booking,
    BookingStatus,
    Participant,
    Session,
    TicketCategory,
)
from parvis.core.models import AuditLogEntry

from . import factories
from .bookings_helpers import (
    make_appointment_agenda,
    make_event_agenda,
    make_resource_agenda,
    make_service,
    next_weekday_at,
)
from .conftest import verified_login

pytestmark = pytest.mark.django_db

PERMISSIONS = importlib.import_module("parvis.accounts.migrations.0008_bookings_permissions")


@pytest.fixture(autouse=True)
def _group_permissions(db):
    """The staff groups' permissions as the data migration grants them (a transactional
    test elsewhere may have flushed them)."""
    for name in ("Accueil", "Rédacteur de service", "Communication", "Élus", "Régie"):
        Group.objects.get_or_create(name=name)
    PERMISSIONS.grant(django_apps, None)


@pytest.fixture
def service():
    return make_service("Accueil – état civil", groups=["Accueil"])


@pytest.fixture
def other_service():
    return make_service("Enfance-jeunesse", groups=["Section Enfance-jeunesse"])


@pytest.fixture
def agent(service):
    return factories.make_user("nadia.benali@example.org", groups=["Accueil"], staff=True)


@pytest.fixture
def agent_client(client, agent):
    return verified_login(client, agent)


def _booking(agenda, *, start, status=BookingStatus.CONFIRMED, last_name="Martin", **fields):
    """A booking row as the engine leaves it (for pages that only read)."""
    defaults = {
        "first_name": "Camille",
        "email": f"{last_name.lower()}@example.org",
        "phone": "06 39 98 00 01",
        "end": start + dt.timedelta(minutes=20),
    }
    defaults.update(fields)
    if agenda.kind == "appointment" and "desk" not in defaults:
        defaults["desk"] = agenda.desks.first()
        defaults["appointment_type"] = agenda.appointment_types.first()
    if agenda.kind == "resource" and "resource" not in defaults:
        defaults["resource"] = agenda.resources.first()
    booking = Booking.objects.create(
        agenda=agenda, status=status, start=start, last_name=last_name, **defaults
    )
    booking.reference = f"R2026-{booking.pk:06d}"
    booking.save(update_fields=["reference"])
    return booking


def _errors(response) -> str:
    """The error messages of a form page (for assertion messages)."""
    import re

    html = response.content.decode()
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    found += re.findall(r'role="alert">(.*?)</div>', html, re.S)
    return " | ".join(found) or html[:2000]


def _assert_refused(response, url=""):
    """The admin answers a permission refusal by going back to its home page."""
    assert response.status_code in (302, 403), url
    if response.status_code == 302:
        assert response["Location"] == "/admin/", url


# --- permissions and scope --------------------------------------------------------------------


def test_migration_grants_bookings_work_to_front_desk_and_service_staff_only():
    def perms(name):
        group = Group.objects.get(name=name)
        return set(
            group.permissions.filter(content_type__app_label="bookings").values_list(
                "codename", flat=True
            )
        )

    accueil = perms("Accueil")
    assert {"add_booking", "change_booking", "add_closure", "add_agenda"} <= accueil
    assert "delete_agenda" not in accueil and "delete_booking" not in accueil
    redacteur = perms("Rédacteur de service")
    assert {"view_booking", "change_booking", "change_agenda"} <= redacteur
    assert "add_agenda" not in redacteur
    for name in ("Communication", "Élus", "Régie"):
        assert perms(name) == set(), name


def test_agent_sees_only_the_agendas_of_their_services(agent_client, service, other_service):
    mine = make_appointment_agenda(service=service, title="Passeports et CNI")
    theirs = make_event_agenda(service=other_service, title="Centre de loisirs")
    session = theirs.sessions.first()
    start = next_weekday_at(10)
    own_booking = _booking(mine, start=start, last_name="Durand")
    other_booking = _booking(
        theirs, start=session.start, session=session, end=session.end, last_name="Secret"
    )

    agendas = agent_client.get("/admin/reservations/agendas/").content.decode()
    assert "Passeports et CNI" in agendas and "Centre de loisirs" not in agendas
    listing = agent_client.get("/admin/reservations/reservations/").content.decode()
    assert "Durand" in listing and "Secret" not in listing
    sessions = agent_client.get("/admin/reservations/seances/").content.decode()
    assert "Centre de loisirs" not in sessions
    planning = agent_client.get("/admin/reservations/planning/").content.decode()
    assert "Passeports et CNI" in planning and "Centre de loisirs" not in planning

    # Another service's objects do not exist for this agent, whatever the URL.
    day = timezone.localdate(session.start).isoformat()
    for url in (
        f"/admin/reservations/agendas/edit/{theirs.pk}/",
        f"/admin/reservations/agendas/delete/{theirs.pk}/",
        f"/admin/reservations/agendas/history/{theirs.pk}/",
        f"/admin/reservations/seances/edit/{session.pk}/",
        f"/admin/reservations/planning/{theirs.pk}/",
        f"/admin/reservations/reservations/inspect/{other_booking.pk}/",
        f"/admin/reservations/reservations/{other_booking.pk}/annuler/",
        f"/admin/reservations/listes/seance/{session.pk}/",
        f"/admin/reservations/listes/seance/{session.pk}/csv/",
        f"/admin/reservations/listes/jour/{theirs.pk}/{day}/csv/",
        f"/admin/reservations/guichet/{theirs.pk}/",
    ):
        assert agent_client.get(url).status_code == 404, url
    response = agent_client.post(
        f"/admin/reservations/reservations/{other_booking.pk}/annuler/",
        {"cancel-reason": "essai"},
    )
    assert response.status_code == 404
    other_booking.refresh_from_db()
    assert other_booking.status == BookingStatus.CONFIRMED
    # Their own booking opens.
    own = agent_client.get(f"/admin/reservations/reservations/inspect/{own_booking.pk}/")
    assert own.status_code == 200 and "Durand" in own.content.decode()


def test_staff_without_bookings_permissions_are_refused(client, service):
    agenda = make_appointment_agenda(service=service)
    service.groups.add(Group.objects.get(name="Communication"))  # linked, but no permission
    user = factories.make_user("com@example.org", groups=["Communication"], staff=True)
    verified_login(client, user)
    for url in (
        "/admin/reservations/planning/",
        f"/admin/reservations/planning/{agenda.pk}/",
        "/admin/reservations/guichet/",
        "/admin/reservations/fermetures/new/",
    ):
        _assert_refused(client.get(url), url)
    assert "Réservations" not in client.get("/admin/").content.decode()


def test_an_agent_of_no_service_sees_no_agenda(client, service):
    make_appointment_agenda(service=service, title="Passeports")
    lonely = factories.make_user("seul@example.org", groups=["Rédacteur de service"], staff=True)
    verified_login(client, lonely)
    html = client.get("/admin/reservations/planning/").content.decode()
    assert "Passeports" not in html
    assert "Aucun agenda pour vos services" in html


def test_desk_absences_only_for_the_agents_desks(agent_client, service, other_service):
    from parvis.bookings.models import DeskAbsence

    mine = make_appointment_agenda(service=service, desks=1, title="Passeports")
    theirs = make_appointment_agenda(service=other_service, desks=1, title="Urbanisme")
    my_desk, their_desk = mine.desks.get(), theirs.desks.get()
    page = agent_client.get("/admin/reservations/absences/new/").content.decode()
    assert "Passeports" in page and "Urbanisme" not in page
    day = timezone.localdate(next_weekday_at(9)).isoformat()
    data = {"start": f"{day} 08:00", "end": f"{day} 12:00", "reason": "Formation"}
    refused = agent_client.post(
        "/admin/reservations/absences/new/", {**data, "desk": str(their_desk.pk)}
    )
    assert refused.status_code == 200 and not DeskAbsence.objects.exists()
    done = agent_client.post("/admin/reservations/absences/new/", {**data, "desk": str(my_desk.pk)})
    assert done.status_code == 302, _errors(done)
    assert DeskAbsence.objects.get().desk == my_desk
    planning = agent_client.get(f"/admin/reservations/planning/{mine.pk}/?jour={day}")
    assert "Formation" in planning.content.decode()


def test_only_superusers_link_staff_groups_to_services(client, agent_client, service):
    assert agent_client.get("/admin/parametres/services-municipaux/").status_code in (302, 403)
    admin = factories.make_user("admin@example.org", staff=True, superuser=True)
    from django.test import Client

    admin_client = verified_login(Client(), admin)
    regie = Group.objects.get(name="Régie")
    response = admin_client.post(
        f"/admin/parametres/services-municipaux/edit/{service.pk}/",
        {
            "name": service.name,
            "slug": service.slug,
            "email": service.email,
            "phone": "",
            "groups": [str(group.pk) for group in service.groups.all()] + [str(regie.pk)],
        },
    )
    assert response.status_code == 302, _errors(response)
    assert service.groups.filter(name="Régie").exists()


# --- agenda and session forms -----------------------------------------------------------------


def _formset(prefix, rows, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"{prefix}-{index}-ORDER"] = str(index + 1)
        data[f"{prefix}-{index}-DELETE"] = ""
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def _agenda_post(service, **overrides):
    data = {
        "kind": "appointment",
        "status": "published",
        "title": "Passeports",
        "slug": "passeports-test",
        "summary": "",
        "service": str(service.pk),
        "place": "",
        "regie": "",
        "opens_at": "",
        "closes_at": "",
        "min_delay_hours": "0",
        "max_delay_days": "90",
        "hold_minutes": "20",
        "offer_hours": "48",
        "waiting_list": "on",
        "max_places_per_booking": "4",
        "max_bookings_per_person": "",
        "max_minutes_per_week": "",
        "cancel_until_hours": "24",
        "refund_policy": "full",
        "send_reminder": "on",
        "deposit_cents": "0",
    }
    data.update(
        _formset(
            "desks", [{"name": "Guichet 1", "opening_hours": "Mo-Fr 08:30-12:00", "active": "on"}]
        )
    )
    data.update(
        _formset(
            "appointment_types",
            [{"name": "Passeport", "duration_minutes": "30", "price_cents": "0"}],
        )
    )
    data.update(_formset("resources", []))
    data.update(_formset("tariffs", []))
    data.update(_formset("questions", []))
    data.update(overrides)
    return data


def test_agenda_form_checks_hours_regie_and_service(agent_client, service, other_service):
    url = "/admin/reservations/agendas/new/"
    page = agent_client.get(url).content.decode()
    assert "Enfance-jeunesse" not in page  # the service list is the agent's services only

    bad = agent_client.post(
        url,
        _agenda_post(
            service,
            **{"desks-0-opening_hours": "lundi 8h-12h"},
            **_formset(
                "tariffs", [{"audience": "resident", "amount_cents": "8,00", "unit": "hour"}]
            ),
        ),
    )
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Un tarif est payant : choisissez la régie" in html
    assert "lundi 8h-12h" in html  # the typed value is kept next to its error
    from parvis.bookings.models import Agenda

    assert not Agenda.objects.filter(slug="passeports-test").exists()

    foreign = agent_client.post(url, _agenda_post(other_service))
    assert foreign.status_code == 200
    assert not Agenda.objects.filter(slug="passeports-test").exists()

    good = agent_client.post(url, _agenda_post(service))
    assert good.status_code == 302, good.content.decode()[:3000]
    agenda = Agenda.objects.get(slug="passeports-test")
    assert agenda.service == service
    assert agenda.desks.get().opening_hours == "Mo-Fr 08:30-12:00"


def test_paid_tariff_is_typed_in_euros_and_stored_in_cents(agent_client, service):
    from parvis.payments.models import Regie

    regie = Regie.objects.create(code="sports", name="Régie sports", backend="dummy")
    data = _agenda_post(
        service,
        kind="resource",
        regie=str(regie.pk),
        **_formset("desks", []),
        **_formset("appointment_types", []),
        **_formset(
            "resources",
            [
                {
                    "name": "Court 1",
                    "opening_hours": "Mo-Su 08:00-21:00",
                    "slot_minutes": "60",
                    "min_minutes": "60",
                    "max_minutes": "120",
                    "active": "on",
                    "place": "",
                    "capacity_note": "",
                }
            ],
        ),
        **_formset("tariffs", [{"audience": "resident", "amount_cents": "8,50", "unit": "hour"}]),
    )
    response = agent_client.post("/admin/reservations/agendas/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    from parvis.bookings.models import Agenda

    agenda = Agenda.objects.get(slug="passeports-test")
    assert agenda.tariffs.get().amount_cents == 850
    edit = agent_client.get(f"/admin/reservations/agendas/edit/{agenda.pk}/").content.decode()
    assert 'value="8,50"' in edit


def test_desk_with_bookings_cannot_be_deleted(agent_client, service):
    agenda = make_appointment_agenda(service=service, desks=1, types=(("Passeport", 30, True),))
    desk = agenda.desks.get()
    kind = agenda.appointment_types.get()
    _booking(agenda, start=next_weekday_at(10))
    data = _agenda_post(service, slug=agenda.slug, title=agenda.title)
    data.update(
        _formset(
            "desks",
            [
                {
                    "id": str(desk.pk),
                    "name": desk.name,
                    "opening_hours": desk.opening_hours,
                    "active": "on",
                }
            ],
            initial=1,
        )
    )
    data["desks-0-DELETE"] = "1"
    data.update(
        _formset(
            "appointment_types",
            [{"id": str(kind.pk), "name": kind.name, "duration_minutes": "30", "price_cents": "0"}],
            initial=1,
        )
    )
    response = agent_client.post(f"/admin/reservations/agendas/edit/{agenda.pk}/", data)
    assert response.status_code == 200
    assert "Ce guichet a des réservations" in response.content.decode()
    assert agenda.desks.filter(pk=desk.pk).exists()


def _session_post(session, **overrides):
    data = {
        "agenda": str(session.agenda_id),
        "title": session.title,
        "start": timezone.localtime(session.start).strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(session.end).strftime("%Y-%m-%d %H:%M"),
        "capacity": str(session.capacity),
        "opens_at": "",
    }
    categories = list(session.categories.all())
    data.update(
        _formset(
            "categories",
            [
                {
                    "id": str(category.pk),
                    "name": category.name,
                    "price_cents": "{},{:02d}".format(*divmod(category.price_cents, 100)),
                    "quota": "" if category.quota is None else str(category.quota),
                }
                for category in categories
            ],
            initial=len(categories),
        )
    )
    data.update(overrides)
    return data


def test_session_capacity_never_below_places_taken_and_counters_never_overwritten(
    agent_client, service
):
    agenda = make_event_agenda(service=service, capacity=24)
    session = agenda.sessions.get()
    category = session.categories.get()
    url = f"/admin/reservations/seances/edit/{session.pk}/"
    Session.objects.filter(pk=session.pk).update(taken=5)
    TicketCategory.objects.filter(pk=category.pk).update(taken=5)

    too_small = agent_client.post(url, _session_post(session, capacity="4"))
    assert too_small.status_code == 200
    assert "5 place(s) sont déjà prises" in too_small.content.decode()
    session.refresh_from_db()
    assert session.capacity == 24

    # The form was loaded when 5 places were taken; the engine takes 2 more meanwhile:
    # saving the title must not write the old counters back.
    form_data = _session_post(session, title="Semaine des castors")
    Session.objects.filter(pk=session.pk).update(taken=7)
    TicketCategory.objects.filter(pk=category.pk).update(taken=7)
    saved = agent_client.post(url, form_data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    session.refresh_from_db()
    category.refresh_from_db()
    assert (session.title, session.taken, category.taken) == ("Semaine des castors", 7, 7)


def test_agenda_with_bookings_cannot_be_deleted(client, service):
    admin = factories.make_user("admin@example.org", staff=True, superuser=True)
    verified_login(client, admin)
    agenda = make_appointment_agenda(service=service)
    _booking(agenda, start=next_weekday_at(9))
    response = client.post(f"/admin/reservations/agendas/delete/{agenda.pk}/", follow=True)
    assert "Cet agenda a des réservations" in response.content.decode()
    assert type(agenda).objects.filter(pk=agenda.pk).exists()


# --- planning ---------------------------------------------------------------------------------


def test_day_and_week_planning_in_time_order_with_bounded_queries(
    agent_client, service, django_assert_max_num_queries
):
    agenda = make_appointment_agenda(service=service, desks=2)
    first = next_weekday_at(9)
    names = ["Zola", "Abel", "Moreau", "Petit", "Roux", "Blanc"]
    for index, name in enumerate(names):
        _booking(
            agenda,
            start=first + dt.timedelta(minutes=20 * index),
            last_name=name,
            desk=agenda.desks.order_by("pk")[index % 2],
        )
    _booking(agenda, start=first + dt.timedelta(hours=3), last_name="Annulé", status="cancelled")
    day = timezone.localdate(first).isoformat()
    url = f"/admin/reservations/planning/{agenda.pk}/?jour={day}"
    with django_assert_max_num_queries(25):
        html = agent_client.get(url).content.decode()
    positions = [html.index(name) for name in ["Zola", "Moreau", "Roux"]]  # desk 1, in order
    assert positions == sorted(positions)
    assert "Annulé" not in html
    assert "Tous les guichets" in html
    # Twenty more bookings cost no more queries.
    for index in range(20):
        _booking(
            agenda,
            start=first + dt.timedelta(days=1, minutes=20 * index),
            last_name=f"Nom{index}",
            desk=agenda.desks.order_by("pk")[index % 2],
        )
    with django_assert_max_num_queries(25):
        week = agent_client.get(f"{url}&vue=semaine").content.decode()
    assert "Nom19" in week and "Zola" in week
    everything = agent_client.get(f"{url}&tout=1").content.decode()
    assert "Annulé" in everything


def test_planning_of_one_resource_and_one_session(agent_client, service):
    courts = make_resource_agenda(service=service, resources=2)
    court_1, court_2 = courts.resources.order_by("pk")
    start = next_weekday_at(10)
    _booking(courts, start=start, resource=court_1, last_name="Premier")
    _booking(courts, start=start, resource=court_2, last_name="Second")
    day = timezone.localdate(start).isoformat()
    html = agent_client.get(
        f"/admin/reservations/planning/{courts.pk}/?jour={day}&ressource={court_2.pk}"
    ).content.decode()
    assert "Second" in html and "Premier" not in html

    camp = make_event_agenda(service=service, sessions=2)
    week_1, week_2 = camp.sessions.order_by("start")
    _booking(camp, start=week_1.start, end=week_1.end, session=week_1, last_name="Alpha")
    _booking(camp, start=week_2.start, end=week_2.end, session=week_2, last_name="Beta")
    day = timezone.localdate(week_2.start).isoformat()
    html = agent_client.get(
        f"/admin/reservations/planning/{camp.pk}/?jour={day}&seance={week_2.pk}"
    ).content.decode()
    assert "Beta" in html and "Alpha" not in html
    assert f"/admin/reservations/listes/seance/{week_2.pk}/" in html


# --- participant lists ------------------------------------------------------------------------


def _camp_with_answers(service):
    agenda = make_event_agenda(
        service=service,
        questions=[
            {"key": "age", "label": "Âge", "kind": "number", "min_value": 3, "max_value": 11},
            {
                "key": "allergies",
                "label": "Allergies",
                "kind": "text",
                "required": False,
                "sensitive": True,
            },
        ],
    )
    session = agenda.sessions.get()
    booking = _booking(
        agenda,
        start=session.start,
        end=session.end,
        session=session,
        last_name="Martin",
        places=2,
    )
    Participant.objects.create(
        booking=booking,
        category=session.categories.get(),
        first_name="Léo",
        last_name="Martin",
        answers={"age": 7, "allergies": "arachides"},
    )
    Participant.objects.create(
        booking=booking,
        category=session.categories.get(),
        first_name='=HYPERLINK("http://x")',
        last_name="@SUM(A1)",
        answers={"age": 9, "allergies": "+aucune"},
    )
    return agenda, session


def _csv(response):
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_session_list_csv_is_excel_ready_and_safe_from_formulas(agent_client, service):
    agenda, session = _camp_with_answers(service)
    response = agent_client.get(f"/admin/reservations/listes/seance/{session.pk}/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    header = rows[0]
    assert header[:5] == ["Nom", "Prénom", "Catégorie", "Âge", "Allergies"]
    by_first = {row[1]: row for row in rows[1:]}
    assert by_first["Léo"][3:5] == ["7", "arachides"]
    injected = by_first['\'=HYPERLINK("http://x")']
    assert injected[0] == "'@SUM(A1)"
    assert injected[4] == "'+aucune"
    assert AuditLogEntry.objects.filter(action="bookings.export").exists()


def test_sensitive_answers_only_on_the_session_list(agent_client, service):
    agenda, session = _camp_with_answers(service)
    per_session = agent_client.get(f"/admin/reservations/listes/seance/{session.pk}/")
    html = per_session.content.decode()
    assert "arachides" in html and "Données sensibles" in html
    day = timezone.localdate(session.start).isoformat()
    per_day = agent_client.get(f"/admin/reservations/listes/jour/{agenda.pk}/{day}/")
    day_html = per_day.content.decode()
    assert "Léo" in day_html and "arachides" not in day_html
    assert "ne figurent pas sur cette liste" in day_html
    day_rows = _csv(agent_client.get(f"/admin/reservations/listes/jour/{agenda.pk}/{day}/csv/"))
    assert "Allergies" not in day_rows[0] and "Âge" in day_rows[0]
    assert all("arachides" not in cell for row in day_rows for cell in row)
    entry = AuditLogEntry.objects.filter(action="bookings.export").order_by("pk").first()
    assert entry.data["sensitive"] is True and entry.actor.email == "nadia.benali@example.org"


def test_session_list_has_bounded_queries(agent_client, service, django_assert_max_num_queries):
    agenda, session = _camp_with_answers(service)
    for index in range(15):
        booking = _booking(
            agenda,
            start=session.start,
            end=session.end,
            session=session,
            last_name=f"Famille{index}",
        )
        Participant.objects.create(booking=booking, first_name="Enfant", last_name=f"F{index}")
    url = f"/admin/reservations/listes/seance/{session.pk}/"
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for index in range(15, 30):
        booking = _booking(
            agenda,
            start=session.start,
            end=session.end,
            session=session,
            last_name=f"Famille{index}",
        )
        Participant.objects.create(booking=booking, first_name="Enfant", last_name=f"F{index}")
    with django_assert_max_num_queries(len(few)):
        response = agent_client.get(url)
    assert response.content.decode().count("Enfant") == 30
