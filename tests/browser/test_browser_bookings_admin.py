"""The bookings back office in a real Chromium, used by a front-desk agent (Accueil) signed
in with a second factor: the planning, a booking taken by phone for someone without an
account (keyboard only), the booking's page, the printable list of the day and the
agenda form. Every page passes axe-core and raises no Content-Security-Policy report."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import PageChecks, django_side, sign_in_staff, watch_csp

pytestmark = pytest.mark.browser

AGENT = "accueil@example.org"


def _prepare():
    """The bookings demo (the site demo may not load it yet) and what the test needs."""
    from django.utils import timezone

    from parvis.bookings.demo import load_bookings_demo
    from parvis.bookings.models import Agenda, Booking
    from parvis.core.hours import public_holiday

    load_bookings_demo(today=timezone.localdate())
    identity = Agenda.objects.get(slug="passeports-cartes-identite")
    tennis = Agenda.objects.get(slug="courts-de-tennis")
    court = Booking.objects.get(agenda=tennis, user__email="camille.martin@example.org")
    kind = identity.appointment_types.get(name="Remise de titre")
    day = timezone.localdate() + dt.timedelta(days=3)
    while day.weekday() in (5, 6) or public_holiday(day):
        day += dt.timedelta(days=1)
    return {
        "identity": identity.pk,
        "kind": kind.pk,
        "day": day.isoformat(),
        "tennis": tennis.pk,
        "court_day": timezone.localdate(court.start).isoformat(),
    }


def _messages_shown(page) -> None:
    """Wagtail's messages slide in (half a second): check their colours once shown."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.messages > ul')]"
        ".every((el) => getComputedStyle(el).opacity === '1')"
    )


def test_agent_plans_books_by_phone_and_prints_the_day(demo, open_context):
    with django_side():
        ids = _prepare()
    visit = open_context(axe=True)
    watch_csp(visit)
    page = visit.page
    checks = PageChecks(visit)
    base = demo.base_url

    sign_in_staff(page, base, AGENT, next_url="/admin/reservations/planning/")
    assert page.url == base + "/admin/reservations/planning/", page.url
    assert page.get_by_role("cell", name="Accueil – état civil").count()
    checks.check("planning index")

    page.goto(
        f"{base}/admin/reservations/planning/{ids['tennis']}/?jour={ids['court_day']}",
        wait_until="load",
    )
    assert "Martin" in page.inner_text("main")
    checks.check("tennis planning")

    # A phone call: someone without an account wants to collect their passport.
    page.goto(
        f"{base}/admin/reservations/guichet/{ids['identity']}/"
        f"?type={ids['kind']}&jour={ids['day']}",
        wait_until="load",
    )
    checks.check("counter booking")
    first_slot = page.locator("input[name='booking-slot']").first
    first_slot.focus()
    page.keyboard.press("Space")
    assert first_slot.is_checked()
    page.get_by_label("Par téléphone").check()
    page.locator("#id_person-first_name").fill("Jean")
    page.locator("#id_person-last_name").fill("Dupont")
    page.locator("#id_person-phone").fill("01 99 00 12 34")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la réservation").press("Enter")
    assert "/admin/reservations/reservations/inspect/" in page.url, page.inner_text("main")
    main = page.inner_text("main")
    assert "Dupont" in main and "Par téléphone".lower() in main.lower()
    _messages_shown(page)
    checks.check("booking page")

    page.goto(
        f"{base}/admin/reservations/listes/jour/{ids['identity']}/{ids['day']}/",
        wait_until="load",
    )
    assert "Dupont" in page.inner_text("table")
    checks.check("printable day list")

    page.goto(f"{base}/admin/reservations/agendas/edit/{ids['tennis']}/", wait_until="load")
    page.get_by_role("tab", name="Ressources et tarifs").click()
    checks.check("agenda form")
    checks.assert_clean()
