"""The opening-hours editor and the map of the directory's place form, in the Wagtail admin
of a real Chromium, used by a Communication staff member signed in with a second factor."""

from __future__ import annotations

import dataclasses
import re

import pytest

from parvis.core.hours import grid as hours_grid

from .helpers import STAFF, django_side, sign_in_staff, watch_csp

pytestmark = pytest.mark.browser

MONDAY = (("09:00", "12:00"), ("14:00", "18:00"))


def _expected_value(before: str) -> str:
    """What the editor must write: the place's week with Monday's two ranges added,
    in the canonical form the server itself builds."""
    grid = hours_grid.parse_grid(before)
    assert grid is not None, f"{before!r} does not fit the grid"
    assert not grid.days[0], "the test needs a place closed on Mondays"
    days = (MONDAY, *grid.days[1:])
    return hours_grid.grid_to_value(dataclasses.replace(grid, days=days))


def test_staff_sets_monday_hours_with_the_grid_and_places_the_pin(demo, open_context):
    from parvis.directory.models import Place

    place = Place.objects.get(slug="boulangerie-du-chevalement")
    before = place.opening_hours
    expected = _expected_value(before)
    edit_path = f"/admin/snippets/directory/place/edit/{place.pk}/"

    visit = open_context()
    watch_csp(visit)
    page = visit.page
    sign_in_staff(page, demo.base_url, STAFF, next_url=edit_path)
    assert page.url == demo.base_url + edit_path, page.url
    assert page.locator("#id_name").input_value() == place.name

    page.get_by_role("tab", name="Horaires").click()
    raw = page.locator("#id_opening_hours")
    editor = page.locator("[data-hours-editor]:has(#id_opening_hours)")
    preview = editor.locator("[data-preview]")
    assert raw.input_value() == before
    monday = editor.locator("[data-day='0']")
    assert monday.is_visible()
    assert "parvis-hours__day--closed" in monday.get_attribute("class")

    # An invalid value typed by hand: the preview says what is wrong and where.
    raw.fill("Mo 09:00-12:00; Tx 10:00-11:00")
    error = preview.locator(".parvis-hours__preview-error")
    error.wait_for()
    assert error.get_attribute("data-position") not in (None, "")
    assert "Tx 10:00-11:00" in error.inner_text()
    assert raw.get_attribute("aria-invalid") == "true"
    # Back to the stored value: the grid comes back with it.
    raw.fill(before)
    preview.locator(".parvis-hours__week").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#id_opening_hours').getAttribute('aria-invalid') === 'false'"
    )

    # Monday with the keyboard: « ajouter une plage » twice, the second range retyped.
    add = monday.get_by_role("button", name=re.compile("ajouter une plage"))
    add.focus()
    page.keyboard.press("Enter")
    starts = monday.locator("[data-start]")
    ends = monday.locator("[data-end]")
    assert starts.count() == 1
    assert (starts.nth(0).input_value(), ends.nth(0).input_value()) == MONDAY[0]
    add.focus()
    page.keyboard.press("Enter")
    assert starts.count() == 2
    assert page.evaluate("() => document.activeElement.matches('[data-start]')")
    starts.nth(1).fill(MONDAY[1][0])
    ends.nth(1).fill(MONDAY[1][1])
    ends.nth(1).dispatch_event("change")
    assert raw.input_value() == expected
    # A third range added then removed: the value comes back, the focus on « ajouter ».
    add.focus()
    page.keyboard.press("Enter")
    assert starts.count() == 3 and raw.input_value() != expected
    monday.get_by_role("button", name="Supprimer cette plage").nth(2).click()
    assert starts.count() == 2
    assert page.evaluate("() => document.activeElement.matches('[data-add]')")
    assert raw.input_value() == expected
    assert expected.startswith("Mo 09:00-12:00,14:00-18:00; ")
    # The server preview follows: a Monday with both ranges.
    page.wait_for_function(
        """(ranges) => [...document.querySelectorAll(
                '[data-hours-editor]:has(#id_opening_hours) .parvis-hours__week-day')]
            .some(li => li.innerText.startsWith('lundi') && li.innerText.includes(ranges))""",
        arg="09:00–12:00, 14:00–18:00",
    )

    # The map: Leaflet draws it, a click places the pin and fills the coordinates.
    page.get_by_role("tab", name="Adresse et carte").click()
    canvas = page.locator("[data-directory-map-canvas]")
    canvas.wait_for()
    page.wait_for_selector("[data-directory-map-canvas].leaflet-container")
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    old = (latitude.input_value(), longitude.input_value())
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150, box
    canvas.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.3})
    new = (latitude.input_value(), longitude.input_value())
    assert new != old and all(re.fullmatch(r"-?\d+\.\d{6}", value) for value in new), new
    assert page.locator("[data-directory-map-canvas] .leaflet-marker-icon").count() == 1

    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "/admin/snippets/directory/place/" in page.url
    assert not page.locator(".error-message, .help-critical").count()
    csp = visit.csp_errors()
    assert not csp, csp
    assert not visit.page_errors, visit.page_errors

    with django_side():
        place.refresh_from_db()
        assert place.opening_hours == expected
        assert (f"{place.latitude:.6f}", f"{place.longitude:.6f}") == new
