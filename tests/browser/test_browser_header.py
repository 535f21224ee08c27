"""The header's account link in a real Chromium: « Se connecter » next to the search on a
desktop and at the bottom of the menu panel on a phone, back to the page after login,
then « Mon compte »; the main menu still holds on one line at 1280 px."""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE
from .helpers import RESIDENT, demo_password

pytestmark = pytest.mark.browser


def test_a_resident_finds_the_login_then_their_account_from_the_header(demo, open_context):
    visit = open_context()
    page = visit.page
    contact = demo.url("contact")
    page.goto(contact, wait_until="load")

    header = page.locator("header .header-bar")
    login = header.get_by_role("link", name="Se connecter")
    assert login.is_visible(), "no visible « Se connecter » in the header bar at 1280 px"
    search = header.get_by_role("searchbox")
    login_box, search_box = login.bounding_box(), search.bounding_box()
    assert (
        abs(login_box["y"] + login_box["height"] / 2 - (search_box["y"] + search_box["height"] / 2))
        < 4
    ), f"the link is not beside the search box: {login_box} / {search_box}"
    assert login_box["x"] + login_box["width"] <= 1280, login_box

    # The main menu still holds on one line.
    tops = page.locator("#navigation .menu > .menu__item").evaluate_all(
        "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    assert tops and len(set(tops)) == 1, f"the main menu wraps at 1280 px: {tops}"
    # The phone copy of the link is not shown (nor reachable) on a desktop.
    assert not page.locator("#navigation").get_by_role("link", name="Se connecter").is_visible()

    with page.expect_navigation():
        login.click()
    page.get_by_label("Adresse e-mail").fill(RESIDENT)
    page.get_by_label("Mot de passe").fill(demo_password())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == contact, f"login did not lead back to the page: {page.url}"
    account = header.get_by_role("link", name="Mon compte")
    assert account.is_visible(), "no « Mon compte » in the header once signed in"
    assert not header.get_by_role("link", name="Se connecter").count()
    with page.expect_navigation():
        account.click()
    assert page.locator("h1").inner_text() == "Mon compte"
    assert account.get_attribute("aria-current") == "page"


def test_on_a_phone_the_account_link_is_in_the_menu_panel(demo, open_context):
    page = open_context(viewport=PHONE, has_touch=True, is_mobile=True).page
    page.goto(demo.url("home"), wait_until="load")
    assert (
        not page.locator("header .header-bar").get_by_role("link", name="Se connecter").is_visible()
    )
    page.get_by_role("button", name=re.compile(r"^\s*Menu\s*$")).click()
    link = page.locator("#navigation").get_by_role("link", name="Se connecter")
    assert link.is_visible(), "« Se connecter » is not in the open phone menu"
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 44, f"the link is too small to tap: {box}"
    assert link.get_attribute("href") == "/comptes/connexion/?next=/"
