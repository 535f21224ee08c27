"""The directory of the demo site in a real Chromium, at a frozen Tuesday 10:00: the
« ouvert maintenant » filter, the map's markers, the list used with the keyboard alone,
and axe-core on the directory, map and place pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from parvis.core import hours

from .test_browser_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

# The demo places open on an ordinary Tuesday at 10:00, read from their hours in
# parvis/directory/demo/content.py (the library opens at 14:00, the stadium at 16:00, the
# museum and the miners' association on Wednesdays, the nurses' practice at 17:00, the
# tennis club's house at 17:00; the village hall and two associations give no hours; the
# photo club is a draft).
OPEN_TUESDAY_10 = {
    "Mairie de Gréasque",  # Mo-Fr 08:30-12:00,13:30-17:00
    "Groupe scolaire des Cardelines",  # Mo,Tu,Th,Fr 08:20-11:30,13:20-16:30
    "Crèche Les Petits Galibots",  # Mo-Fr 07:30-18:30
    "Courts de tennis municipaux",  # Mo-Su 08:00-21:00
    "Agence postale communale",  # Mo-Fr 09:00-12:00
    "Cimetière communal",  # Mo-Su 08:00-18:00
    "Entraide gréasquéenne",  # Tu 09:00-11:30
    "Boulangerie du Chevalement",  # Tu-Sa 06:30-13:00,15:30-19:30
    "Pharmacie de la Place",  # Mo-Fr 08:30-12:30,14:30-19:30
    "Épicerie du village",  # Mo-Sa 08:00-12:30,16:00-19:30
    "Café des Mineurs",  # Mo-Sa 07:00-20:00
    "Cabinet médical des Platanes",  # Mo-Fr 08:00-12:00,14:00-19:00
    "Départ du sentier des Mines",  # 24/7
}

MARKER_TOTAL = """() => {
    let total = 0;
    for (const el of document.querySelectorAll('#carte .leaflet-marker-icon')) {
        total += el.classList.contains('marker-cluster') ? parseInt(el.textContent, 10) : 1;
    }
    return total;
}"""


def ordinary_tuesday_10() -> dt.datetime:
    """The next Tuesday, 10:00 in Paris, that is no public holiday and lies outside the
    demo's dated exceptions (the library's August closure, Christmas week)."""
    day = dt.date.today() + dt.timedelta(days=1)
    while True:
        day += dt.timedelta(days=(1 - day.weekday()) % 7)
        outside = not (
            day.month == 8
            or (day.month == 12 and day.day >= 20)
            or (day.month == 1 and day.day <= 5)
        )
        if outside and not hours.public_holiday(day):
            return dt.datetime.combine(day, dt.time(10, 0), tzinfo=hours.PARIS)
        day += dt.timedelta(days=1)


def card_names(page) -> set[str]:
    return {name.strip() for name in page.locator("main .place-card__link").all_inner_texts()}


def test_open_now_filter_shows_the_open_places_in_the_list_and_on_the_map(
    demo, open_context, time_machine
):
    time_machine.move_to(ordinary_tuesday_10(), tick=True)
    visit = open_context()
    page = visit.page
    page.goto(demo.url("/annuaire/"), wait_until="load")
    everything = card_names(page)
    assert OPEN_TUESDAY_10 < everything, OPEN_TUESDAY_10 - everything
    assert "Club photo du bassin minier" not in everything  # a draft

    page.get_by_label("Ouvert maintenant").check()
    with page.expect_navigation():
        page.locator("main form[role=search] button[type=submit]").click()
    assert "ouvert=on" in page.url
    assert card_names(page) == OPEN_TUESDAY_10
    status = page.locator("main [role=status]").first.inner_text()
    assert status.startswith(f"{len(OPEN_TUESDAY_10)} lieux"), status
    states = page.locator("main .place-card .status").all_inner_texts()
    assert len(states) == len(OPEN_TUESDAY_10)
    assert all(state.strip().startswith("Ouvert") for state in states), states

    # The same filters on the map: one marker per open place (clusters count theirs).
    with page.expect_navigation():
        page.get_by_role("link", name="Voir ces lieux sur la carte").click()
    assert "ouvert=on" in page.url
    assert card_names(page) == OPEN_TUESDAY_10  # the list under the map
    page.wait_for_selector("#carte[data-map-ready]")
    assert page.get_attribute("#carte", "data-map-ready") == str(len(OPEN_TUESDAY_10)), (
        page.get_attribute("#carte", "data-map-error")
    )
    try:
        page.wait_for_function(f"() => ({MARKER_TOTAL})() === {len(OPEN_TUESDAY_10)}")
    except Exception:  # noqa: BLE001 - report the count seen
        pytest.fail(f"markers on the map: {page.evaluate(MARKER_TOTAL)}")

    # A marker's popup links to its place page (clusters zoom in when clicked).
    for _ in range(6):
        single = page.locator("#carte .leaflet-marker-icon:not(.marker-cluster)")
        if single.count():
            break
        page.locator("#carte .marker-cluster").first.click()
        page.wait_for_timeout(600)
    single.first.click()
    link = page.locator("#carte .leaflet-popup a").first
    link.wait_for()
    name = link.inner_text().strip()
    assert name in OPEN_TUESDAY_10
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").first.inner_text().strip() == name

    assert not visit.csp_errors(), visit.csp_errors()
    assert not visit.page_errors, visit.page_errors
    third_party = [r.url for r in visit.requests if not r.url.startswith(demo.base_url)]
    assert not third_party, third_party


def _focus_is(page, selector: str) -> bool:
    return page.evaluate(
        "(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector
    )


def test_directory_list_is_usable_with_the_keyboard_alone(demo, open_context):
    page = open_context().page
    page.goto(demo.url("/annuaire/"), wait_until="load")

    for _ in range(60):
        page.keyboard.press("Tab")
        if _focus_is(page, "#annuaire-q"):
            break
    else:
        pytest.fail("the search field of the directory is not reachable with Tab")
    page.keyboard.type("médiathèque")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=m%C3%A9diath%C3%A8que" in page.url
    assert card_names(page) == {"Médiathèque municipale"}

    for _ in range(80):
        page.keyboard.press("Tab")
        if _focus_is(page, ".place-card__link"):
            break
    else:
        pytest.fail("no result link is reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == demo.url("/annuaire/mediatheque/")
    assert page.locator("h1").first.inner_text().strip() == "Médiathèque municipale"
    # The place page gives its hours and the poster.
    assert page.locator("table.place-hours").is_visible()
    assert page.get_by_role("link", name="Imprimer l'affiche des horaires").is_visible()


def test_no_axe_violation_on_directory_pages_once_the_maps_are_drawn(demo, open_context):
    visit = open_context(axe=True)
    page = visit.page
    failures = []
    for label, path, has_map in [
        ("directory", "/annuaire/", False),
        ("directory filtered", "/annuaire/?type=association&categorie=sport", False),
        ("directory invalid filter", "/annuaire/?type=sous-marin", False),
        ("map", "/annuaire/carte/", True),
        ("place", "/annuaire/mairie/", True),
        ("place without hours", "/annuaire/randonneurs-du-regagnas/", False),
        ("poster", "/annuaire/mairie/affiche/", False),
        ("widget", "/widgets/lieux/mairie/", False),
    ]:
        response = page.goto(demo.url(path), wait_until="load")
        if response is None or response.status != 200:
            failures.append(f"{label} ({path}): HTTP {response and response.status}")
            continue
        if has_map:
            page.wait_for_selector("[data-map][data-map-ready]")
        violations = axe_violations(page)
        if violations:
            failures.append(describe(label, path, violations))
    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    assert not visit.csp_errors(), visit.csp_errors()
    assert not visit.page_errors, visit.page_errors


def test_place_page_map_and_embed_code(demo, open_context):
    page = open_context().page
    page.goto(demo.url("/annuaire/mairie/"), wait_until="load")
    page.wait_for_selector("[data-map][data-map-ready='1']")
    assert page.locator("[data-map] .leaflet-marker-icon").count() == 1
    code = page.locator("#code-integration").input_value()
    assert re.fullmatch(
        r'<iframe src="https?://[^"]+/widgets/lieux/mairie/" title="Mairie de Gréasque" '
        r'width="100%" height="360" loading="lazy"></iframe>',
        code,
    ), code
