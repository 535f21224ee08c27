"""Bookings in a real Chromium on a 390 × 844 phone: a resident books a tennis court and
pays it through the development payment simulator; a parent registers a child for a camp
week with the agenda's questions; every page on the way (agenda list, calendars, each
booking form — also with its errors shown —, the booking's page, the personal space, the
family pages) passes axe-core with the site's Content-Security-Policy enforced, and the
calendar is usable with the keyboard alone.

The tests make their own agendas (tests/bookings_helpers.py) rather than rely on the
demo's."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from ..bookings_helpers import (
    OFFICE_HOURS,
    make_appointment_agenda,
    make_event_agenda,
    make_resident,
    make_resource_agenda,
    next_weekday_at,
)
from ..factories import PASSWORD
from .conftest import PHONE, _Loop
from .helpers import PageChecks, django_side, watch_csp

pytestmark = pytest.mark.browser

RESIDENT = "camille.martin@example.org"
BOOKING_PAGE = re.compile(r"/reservations/reservation/[0-9a-f-]{36}/$")
SIMULATOR = re.compile(r"/paiement/simulateur/[0-9a-f-]{36}/$")
PAYMENT_PAGE = re.compile(r"/paiement/[0-9a-f-]{36}/$")


def _label_day(moment: dt.datetime) -> str:
    """« mardi 12 janvier » as the calendar names a day."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import override

    with override("fr"):
        return date_format(timezone.localtime(moment).date(), "l j F")


@pytest.fixture
def bookings(live_server, transactional_db, django_db_serialized_rollback):
    """A resident with a child, and three agendas: paid tennis courts, a paid summer camp
    with questions per child, passport appointments."""
    from django.core.cache import caches

    _Loop.django()
    resident = make_resident(RESIDENT, children=1)
    child = resident.family_members.get()
    courts = make_resource_agenda(
        title="Courts de tennis",
        resources=2,
        hours="Mo-Su 08:00-22:00",
        tariffs=[("resident", 800, "hour"), ("non_resident", 1200, "hour")],
        summary="Deux courts en résine, éclairés le soir.",
    )
    camp = make_event_agenda(
        title="Séjour d'été des 6-12 ans",
        sessions=4,
        capacity=12,
        categories=[("Tarif habitant", 9000, None, True), ("Tarif extérieur", 12000, None, False)],
        questions=[
            {"key": "child_name", "label": "Prénom et nom de l'enfant", "kind": "text"},
            {"key": "age", "label": "Âge", "kind": "number", "min_value": 6, "max_value": 12},
            {
                "key": "allergies",
                "label": "Allergies ou régime",
                "kind": "long_text",
                "required": False,
                "sensitive": True,
            },
        ],
    )
    passports = make_appointment_agenda(hours=OFFICE_HOURS, desks=2)
    court_start = next_weekday_at(10)
    data = SimpleNamespace(
        resident_email=resident.email,
        child_name=child.full_name,
        child_first=child.first_name,
        courts_slug=courts.slug,
        camp_slug=camp.slug,
        passports_slug=passports.slug,
        passport_type=passports.appointment_types.get(name="Passeport").pk,
        court_start=court_start,
        court_day=_label_day(court_start),
        first_week=camp.sessions.order_by("start").first().pk,
    )
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield data
    _Loop.django()


def _sign_in(page, base_url: str, email: str, next_url: str) -> None:
    page.goto(f"{base_url}/comptes/connexion/?next={next_url}", wait_until="load")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _phone(open_context):
    visit = open_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True)
    watch_csp(visit)
    return visit


def test_resident_books_a_tennis_court_and_pays_on_a_phone(bookings, live_server, open_context):
    visit = _phone(open_context)
    page = visit.page
    checks = PageChecks(visit)
    base = live_server.url
    _sign_in(page, base, bookings.resident_email, "/reservations/")

    assert page.locator("h1").inner_text() == "Réservations"
    checks.check("agenda list")
    with page.expect_navigation():
        page.get_by_role("link", name="Courts de tennis").click()
    checks.check("courts calendar")

    # The day of the wanted slot, by its accessible name, then Court 1 at 10 h.
    day_link = page.get_by_role("link", name=re.compile(f"^{bookings.court_day}, "))
    assert re.search(r"\d+ créneaux libres$", day_link.get_attribute("aria-label"))
    with page.expect_navigation():
        day_link.click()
    assert page.locator("#creneaux h2").inner_text().startswith("Disponibilités le")
    slot = page.get_by_role("link", name=f"Court 1, {bookings.court_day}, de 10 h à 11 h")
    with page.expect_navigation():
        slot.click()
    assert page.locator("h1").inner_text() == "Réserver Court 1"
    assert page.get_by_role("radio", name="10 h – 11 h").is_checked()
    checks.check("court form")

    # An association without its name: the error is announced, the rest kept.
    page.get_by_role("radio", name=re.compile("^Association")).check()
    page.get_by_label("Message au service").fill("Double messieurs")
    with page.expect_navigation():
        page.get_by_role("button", name="Réserver").click()
    summary = page.locator("[data-error-summary]")
    assert "Indiquez le nom de l'association" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.get_by_label("Message au service").input_value() == "Double messieurs"
    checks.check("court form with errors")

    page.get_by_role("radio", name=re.compile("^Habitant de la commune")).check()
    with page.expect_navigation(url=BOOKING_PAGE):
        page.get_by_role("button", name="Réserver").click()
    state = page.locator(".booking-state").inner_text()
    assert "Place bloquée jusqu'à" in state
    checks.check("held booking")

    with page.expect_navigation(url=SIMULATOR):
        page.get_by_role("button", name="Payer 8,00\u00a0€").click()
    assert "8,00" in page.locator("main").inner_text()
    with page.expect_navigation(url=PAYMENT_PAGE):
        page.get_by_role("button", name="Simuler un paiement accepté").click()
    page.wait_for_function(
        "() => document.querySelector('[role=status]').innerText.includes('Paiement enregistré')"
    )
    checks.check("payment page")
    with page.expect_navigation(url=BOOKING_PAGE):
        page.get_by_role("link", name="Retour à ma réservation").click()
    assert "Réservation confirmée." in page.locator(".booking-state").inner_text()
    assert page.get_by_role("link", name="Ajouter à mon agenda").is_visible()
    checks.check("confirmed booking")
    booking_url = page.url

    page.goto(f"{base}/comptes/", wait_until="load")
    section = page.locator("main section.space-section", has_text="Mes réservations")
    assert "Courts de tennis – Court 1" in section.inner_text()
    checks.check("personal space")
    checks.assert_clean()

    with django_side():
        from parvis.bookings.models import Booking

        booking = Booking.objects.get(public_id=booking_url.rstrip("/").rsplit("/", 1)[1])
        assert booking.status == "confirmed" and booking.payment.is_paid
        assert booking.amount_cents == 800 and booking.start == bookings.court_start


def test_parent_registers_a_child_for_a_camp_week(bookings, live_server, open_context):
    visit = _phone(open_context)
    page = visit.page
    checks = PageChecks(visit)
    base = live_server.url
    _sign_in(page, base, bookings.resident_email, f"/reservations/{bookings.camp_slug}/")

    assert page.locator("h1").inner_text() == "Séjour d'été des 6-12 ans"
    assert page.locator(".session-card").count() == 4
    checks.check("camp sessions")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^S'inscrire – Semaine 1")).click()
    checks.check("camp form")

    block = page.locator("[data-participant]").first
    names = block.locator("[data-other-names]")
    assert not names.is_visible()  # shown only for « Une autre personne »
    block.get_by_role("radio", name="Une autre personne").check()
    assert names.is_visible()
    block.get_by_role("radio", name=re.compile(f"^{bookings.child_name}")).check()
    assert not names.is_visible()
    block.get_by_role("radio", name=re.compile("^Tarif habitant")).check()
    block.get_by_label("Prénom et nom de l'enfant").fill(bookings.child_name)
    block.get_by_label("Âge").fill("15")
    block.get_by_label("Allergies ou régime").fill("Arachides")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider et passer au paiement").click()
    summary = page.locator("[data-error-summary]").inner_text()
    assert "Participant 1, Âge" in summary
    assert (
        page.locator("[data-participant]").first.get_by_label("Allergies ou régime").input_value()
        == "Arachides"
    )
    checks.check("camp form with errors")

    page.locator("[data-participant]").first.get_by_label("Âge").fill("9")
    with page.expect_navigation(url=BOOKING_PAGE):
        page.get_by_role("button", name="Valider et passer au paiement").click()
    main = page.locator("main").inner_text()
    assert "Place bloquée jusqu'à" in main
    assert bookings.child_name in main and "Allergies ou régime : Arachides" in main
    assert page.get_by_role("button", name="Payer 90,00\u00a0€").is_visible()
    checks.check("camp booking")
    checks.assert_clean()

    with django_side():
        from parvis.bookings.models import Booking

        booking = Booking.objects.get(session_id=bookings.first_week)
        participant = booking.participants.get()
        assert participant.family_member.first_name == bookings.child_first
        assert participant.answers == {
            "child_name": bookings.child_name,
            "age": 9,
            "allergies": "Arachides",
        }
        assert booking.status == "held" and booking.amount_cents == 9000


def test_appointment_pages_family_pages_and_keyboard_calendar(bookings, live_server, open_context):
    visit = _phone(open_context)
    page = visit.page
    checks = PageChecks(visit)
    base = live_server.url
    _sign_in(page, base, bookings.resident_email, f"/reservations/{bookings.passports_slug}/")
    checks.check("appointment agenda without motif")
    with page.expect_navigation():
        page.get_by_role("link", name="Passeport").click()
    checks.check("appointment calendar")

    # Keyboard: from a free day, the right arrow goes to the next free day.
    days = page.locator("[data-calendar] a[data-date]")
    if days.count() < 2:  # late in the month: the next month has more
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile("^Mois suivant")).click()
        days = page.locator("[data-calendar] a[data-date]")
    assert days.count() >= 2
    days.nth(0).focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.getAttribute('data-date')")
    assert focused == days.nth(1).get_attribute("data-date")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[data-calendar] a[aria-current]").get_attribute("data-date") == focused
    with page.expect_navigation():
        page.locator(".slot-list a").first.click()
    assert page.locator("h1").inner_text() == "Prendre rendez-vous"
    checks.check("appointment form")

    page.get_by_label("Numéro de pré-demande ANTS").fill("12-34")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    assert "exactement 10 caractères" in page.locator("[data-error-summary]").inner_text()
    checks.check("appointment form with errors")
    page.get_by_label("Numéro de pré-demande ANTS").fill("AB12CD34EF")
    with page.expect_navigation(url=BOOKING_PAGE):
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Annuler").click()
    assert "rien à rembourser" in page.locator("main").inner_text()
    checks.check("cancel confirmation")
    with page.expect_navigation():
        page.get_by_role("link", name="Garder ma réservation").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Déplacer").click()
    checks.check("move page")

    page.goto(f"{base}/comptes/famille/", wait_until="load")
    checks.check("family list")
    with page.expect_navigation():
        page.get_by_role("link", name="Ajouter une personne").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    assert page.locator("[data-error-summary]").is_visible()
    checks.check("family form with errors")
    page.get_by_label("Prénom").fill("Lou")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Martin")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    assert "Lou Martin" in page.locator("main").inner_text()
    checks.assert_clean()

    # The same pages on a desktop screen, where the calendar is a seven-column grid.
    desktop = open_context(axe=True)
    watch_csp(desktop)
    wide = PageChecks(desktop)
    _sign_in(desktop.page, base, bookings.resident_email, "/reservations/")
    wide.check("agenda list (desktop)")
    for slug, params in (
        (bookings.passports_slug, f"?motif={bookings.passport_type}"),
        (bookings.courts_slug, ""),
        (bookings.camp_slug, ""),
    ):
        desktop.page.goto(f"{base}/reservations/{slug}/{params}", wait_until="load")
        wide.check(f"{slug} (desktop)")
        if slug == bookings.passports_slug:
            columns = desktop.page.evaluate(
                "getComputedStyle(document.querySelector('.calendar__days')).gridTemplateColumns"
            )
            assert len(columns.split()) == 7, columns
    wide.assert_clean()
