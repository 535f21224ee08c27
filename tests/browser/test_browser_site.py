"""What a resident notices on the demo site, in a real Chromium: the home page, the menu
with the keyboard alone and on a phone, the search, and an event added to a calendar."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from icalendar import Calendar

from .conftest import PHONE, search_word

pytestmark = pytest.mark.browser

BUDGET_REQUESTS = 25
BUDGET_DOM_NODES = 800
BUDGET_BYTES = 500 * 1024


# Header text (glyph boxes, not element boxes: text may overflow its box) lying under an
# element; visually hidden text (clipped to a 1px box) does not count.
TEXT_UNDER = """(element) => {
    const box = element.getBoundingClientRect();
    const covered = [];
    const root = element.closest('header') || document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.textContent.trim() || element.contains(node)) continue;
        let hidden = false;
        for (let el = node.parentElement; el && !hidden; el = el.parentElement) {
            const r = el.getBoundingClientRect();
            hidden = r.width <= 1 || r.height <= 1;
        }
        if (hidden) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
            if (r.width && r.height && r.left < box.right && r.right > box.left
                && r.top < box.bottom && r.bottom > box.top) {
                covered.push(node.textContent.trim());
                break;
            }
        }
    }
    return covered;
}"""


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el ? el.tagName.toLowerCase() : null,
                text: el ? (el.innerText || el.value || el.getAttribute('aria-label') || '').trim()
                         : '',
                href: el && el.getAttribute('href'),
                id: el && el.id,
                className: el && el.className && String(el.className),
                inNav: !!(el && el.closest('#navigation')),
            };
        }"""
    )


def test_home_page_shows_the_commune_its_news_and_events_lightly_and_without_csp_errors(
    demo, open_context
):
    visit = open_context(cache_disabled=True)
    page = visit.page
    response = page.goto(demo.url("home"), wait_until="load")
    page.wait_for_load_state("networkidle")
    problems = []

    assert response.status == 200
    heading = page.locator("h1").first
    assert heading.is_visible(), "the home page has no visible h1"
    commune = demo.commune_name
    assert commune in page.locator("header").inner_text(), f"{commune!r} not in the header"

    main = page.locator("main")
    for news in demo.latest_news:
        link = main.locator(f'a[href="{news.path}"]').first
        if not (link.count() and link.is_visible()):
            problems.append(f"latest news {news.title!r} is not linked on the home page")
        elif news.title not in main.inner_text():
            problems.append(f"latest news title {news.title!r} is not shown")
    for event in demo.upcoming_events[:2]:
        link = main.locator(f'a[href="{event.path}"]').first
        if not (link.count() and link.is_visible()):
            problems.append(f"upcoming event {event.title!r} is not linked on the home page")

    # The strict Content-Security-Policy breaks nothing the page needs.
    csp = visit.csp_errors()
    if csp or visit.page_errors:
        problems.append(f"console CSP errors / page errors: {csp + visit.page_errors}")

    # Nothing the page asks for is missing.
    broken = [f"{r.status} {r.url}" for r in visit.responses if r.status >= 400]
    if broken:
        problems.append(f"failed resources: {broken}")

    # Page budget (eco-design): requests, DOM size, bytes including images.
    requests = [r.url for r in visit.requests]
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    sizes = []
    for item in visit.responses:
        try:
            sizes.append((len(item.body()), item.url))
        except Exception:  # noqa: BLE001 - redirects have no body
            sizes.append((0, item.url))
    total = sum(size for size, _url in sizes)
    print(f"home page budget: {len(requests)} requests, {nodes} DOM nodes, {total} bytes")
    if len(requests) > BUDGET_REQUESTS:
        problems.append(f"{len(requests)} requests > {BUDGET_REQUESTS}: {requests}")
    if nodes > BUDGET_DOM_NODES:
        problems.append(f"{nodes} DOM nodes > {BUDGET_DOM_NODES}")
    if total > BUDGET_BYTES:
        heaviest = sorted(sizes, reverse=True)[:8]
        problems.append(f"{total} bytes > {BUDGET_BYTES}; heaviest: {heaviest}")
    third_party = [u for u in requests if not u.startswith((demo.base_url, "data:"))]
    if third_party:
        problems.append(f"third-party requests: {third_party}")

    assert not problems, "\n".join(problems)


def test_main_menu_works_with_the_keyboard_alone_and_on_a_phone(demo, open_context):
    page = open_context().page
    page.goto(demo.url("home"), wait_until="load")

    # Tab from the top: the skip link comes first and leads to the content.
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["tag"] == "a" and first["href"] == "#contenu", f"first Tab stop: {first}"
    assert page.locator("#contenu").count() == 1

    # Then the main menu, within a few more Tab presses (brand link, search box…).
    stops = [first]
    for _ in range(12):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
        if stops[-1]["inNav"]:
            break
    assert stops[-1]["inNav"], f"the main menu is not reached with Tab: {stops}"

    # Tab on to the first submenu button; Enter opens it.
    toggle = page.locator("#navigation [data-submenu-toggle]").first
    assert toggle.count(), "the demo main menu has no submenu"
    for _ in range(20):
        if page.evaluate("el => document.activeElement === el", toggle.element_handle()):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the submenu button is not reachable with Tab")
    submenu = page.locator("#" + toggle.get_attribute("aria-controls"))
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not submenu.is_visible()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true", "Enter does not open the submenu"
    links = submenu.locator("a")
    assert links.count() and links.first.is_visible(), "the submenu's links are not visible"
    page.keyboard.press("Tab")
    assert page.evaluate("el => document.activeElement === el", links.first.element_handle()), (
        f"Tab after opening does not reach the submenu's first link: {_focused(page)}"
    )

    # Escape closes it and gives the focus back to its button.
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false", "Escape does not close the submenu"
    assert not submenu.is_visible()
    assert page.evaluate("el => document.activeElement === el", toggle.element_handle()), (
        f"after Escape the focus is on {_focused(page)}, not on the submenu button"
    )

    # Enter on a menu link follows it.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    target = links.first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == demo.url(target), f"Enter on {target} led to {page.url}"
    assert page.locator("h1").first.is_visible()

    # On a phone, the "Menu" button opens the navigation.
    phone = open_context(viewport=PHONE, has_touch=True, is_mobile=True).page
    phone.goto(demo.url("home"), wait_until="load")
    menu_button = phone.get_by_role("button", name=re.compile(r"^\s*Menu\s*$"))
    assert menu_button.is_visible(), "no visible Menu button at 390×844"
    nav_links = phone.locator("#navigation a")
    assert not nav_links.first.is_visible(), "the phone menu is open before asking"
    menu_button.click()
    assert menu_button.get_attribute("aria-expanded") == "true"
    assert nav_links.first.is_visible(), "the Menu button does not show the navigation"
    box = nav_links.first.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box
    covered = phone.evaluate(TEXT_UNDER, menu_button.element_handle())
    assert not covered, f"the Menu button covers header text at 390×844: {covered}"
    with phone.expect_navigation():
        nav_links.first.click()
    assert phone.locator("h1").first.is_visible()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def test_search_finds_a_news_item_and_an_event_goes_into_a_calendar(demo, open_context):
    news = demo.pages["news"]
    word = search_word(news.title)
    visit = open_context()
    page = visit.page
    page.goto(demo.url("home"), wait_until="load")

    # Search from the header box, submitted with Enter.
    box = page.get_by_role("searchbox").first
    box.fill(word)
    with page.expect_navigation():
        box.press("Enter")
    assert "/recherche/" in page.url and "q=" in page.url, page.url
    result = page.locator(f'main a[href="{demo.paths["news"]}"]').first
    assert result.count(), (
        f"searching {word!r} does not list {news.title!r}:\n{page.locator('main').inner_text()}"
    )
    with page.expect_navigation():
        result.click()
    assert page.url == demo.url("news")
    assert _plain(page.locator("h1").first.inner_text()) == _plain(news.title)

    # An event's "Ajouter à mon agenda" link downloads an .ics that calendars can read.
    event = demo.pages["event"]
    page.goto(demo.url("event"), wait_until="load")
    link = page.get_by_role("link", name=re.compile("Ajouter à mon agenda"))
    assert link.count() == 1, "no single « Ajouter à mon agenda » link on the event page"
    href = link.get_attribute("href")
    assert re.search(r"ics/?$", href), f"the calendar link does not lead to the .ics: {href}"
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(open(download.path(), "rb").read())
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 1
    vevent = vevents[0]
    assert str(vevent["SUMMARY"]) == event.title
    start = vevent.decoded("DTSTART")
    if isinstance(start, dt.datetime):
        assert start == event.start, (start, event.start)
    else:
        assert start == event.start.astimezone(dt.UTC).astimezone(_paris()).date()
    # The page shows that start: a <time> element carries it.
    shown = page.locator("main time[datetime]").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"
    )
    assert any(_same_start(value, event) for value in shown), (
        f"the event page shows no <time datetime> matching {event.start.isoformat()}: {shown}"
    )


def _paris():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def _same_start(value: str, event) -> bool:
    local = event.start.astimezone(_paris())
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    if "T" not in value:
        return parsed.date() == local.date()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_paris())
    return parsed == event.start
