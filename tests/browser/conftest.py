"""Real Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright against the demo site
served by pytest-django's live server.

- One browser for the whole browser run; one context (fresh cookies and cache) per page
  visit that needs it.
- Each test loads the demo site once (``manage.py load_demo``) into a transactional test
  database restored from its post-migration state, then checks several pages: the live
  server thread reads the committed data on SQLite and PostgreSQL alike.
- ``/media/`` is not served by Django when DEBUG is off (nginx serves it in production),
  so the browser contexts answer media requests from ``MEDIA_ROOT`` themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def search_word(title: str) -> str:
    """The longest word of a title, as a resident would type it in the search box."""
    words = re.findall(r"[^\W\d_]{5,}", title)
    assert words, f"no searchable word in {title!r}"
    return max(words, key=len)


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = "Debian's chromium is not installed: apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests, never skip them)", pytrace=False)
    pytest.skip(reason)


class _Loop:
    """Keeps Django's database connections and Playwright's event loop apart.

    Playwright's synchronous API runs an asyncio loop in a greenlet of the main thread and
    marks it as the thread's running loop between its calls. Django then believes it runs
    inside an event loop: it refuses ORM calls, and asgiref hands out *other* connection
    objects than the thread's own (so pytest-django's flush and restore of the test
    database would act on a connection that is not the live server's). So the mark is
    lifted whenever Django works (database fixtures, ``load_demo``) and put back before
    each stretch of Playwright calls. Test bodies only drive the browser; what they need
    from the database is read beforehand by the ``demo`` fixture.
    """

    playwright_loop = None

    @classmethod
    def playwright(cls) -> None:
        if cls.playwright_loop is not None and asyncio._get_running_loop() is None:
            asyncio._set_running_loop(cls.playwright_loop)

    @classmethod
    def django(cls) -> None:
        running = asyncio._get_running_loop()
        if running is not None:
            cls.playwright_loop = running
            asyncio._set_running_loop(None)


def _require_axe() -> None:
    if AXE_PATH.exists():
        return
    reason = f"axe-core is not installed ({AXE_PATH}): run npm ci"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests of the run (they run one after the other:
    pytest-django orders every transactional test together), stopped right after them."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _Loop.django()
        try:
            yield chromium
        finally:
            _Loop.playwright()
            chromium.close()
    _Loop.playwright_loop = None


def _serve_media(route) -> None:
    """Answer ``/media/…`` from MEDIA_ROOT, as nginx does in production."""
    root = Path(settings.MEDIA_ROOT).resolve()
    relative = unquote(urlsplit(route.request.url).path).removeprefix(settings.MEDIA_URL)
    target = (root / relative).resolve()
    if target.is_file() and target.is_relative_to(root):
        route.fulfill(path=target)
    else:
        route.fulfill(status=404, body="not found")


@dataclass
class Visit:
    """A page in its own browser context, with what the console and network reported."""

    context: object
    page: object
    console: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    responses: list = field(default_factory=list)

    def csp_errors(self) -> list[str]:
        return [
            text
            for text in self.console + self.page_errors
            if "Refused to" in text or "Content Security Policy" in text
        ]


@pytest.fixture
def open_context(browser, live_server):
    """``open_context(viewport=..., axe=False)`` → a :class:`Visit` on a blank page.

    The Content-Security-Policy stays enforced in every context. axe-core is injected as
    an init script (through the DevTools protocol, which a page's CSP does not govern)
    rather than with ``add_script_tag``, whose inline ``<script>`` the strict
    ``script-src 'self'`` would block: so axe checks exactly what a visitor gets.
    """
    contexts = []

    def factory(*, viewport=None, axe=False, cache_disabled=False, **options) -> Visit:
        _Loop.playwright()
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            accept_downloads=True,
            service_workers="block",
            **options,
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        context.route(f"{live_server.url}{settings.MEDIA_URL}**", _serve_media)
        if axe:
            _require_axe()
            context.add_init_script(path=str(AXE_PATH))
        page = context.new_page()
        visit = Visit(context=context, page=page)
        page.on("console", lambda msg: visit.console.append(f"[{msg.type}] {msg.text}"))
        page.on("pageerror", lambda error: visit.page_errors.append(f"[pageerror] {error}"))
        page.on("request", lambda request: visit.requests.append(request))
        page.on("response", lambda response: visit.responses.append(response))
        if cache_disabled:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        return visit

    yield factory
    _Loop.playwright()
    for context in contexts:
        context.close()
    _Loop.django()


@dataclass
class PageInfo:
    title: str
    path: str
    start: dt.datetime | None = None


@dataclass
class DemoSite:
    """Where the demo site's pages of each type live on the live server, and what the
    tests expect to see there (read from the database before the browser starts)."""

    base_url: str
    pages: dict[str, PageInfo]
    commune_name: str
    latest_news: list[PageInfo]
    upcoming_events: list[PageInfo]

    @property
    def paths(self) -> dict[str, str]:
        return {key: info.path for key, info in self.pages.items()}

    def url(self, key_or_path: str) -> str:
        if key_or_path in self.pages:
            return self.base_url + self.pages[key_or_path].path
        if key_or_path.startswith(("http://", "https://")):
            return key_or_path
        return self.base_url + key_or_path


def _info(page) -> PageInfo:
    parts = page.get_url_parts()
    assert parts is not None, f"{page!r} is not routable: check the demo Site's root page"
    return PageInfo(title=page.title, path=parts[2], start=getattr(page, "start", None))


def _discover(base_url: str) -> DemoSite:
    from wagtail.models import Site

    from parvis.cms.models import (
        AccessibilityStatementPage,
        ActsRegisterPage,
        ContactPage,
        CouncilIndexPage,
        CouncilMeetingPage,
        EventIndexPage,
        EventPage,
        HomePage,
        LegalPage,
        NewsIndexPage,
        NewsPage,
        PublicationIndexPage,
        SitemapPage,
        StandardPage,
    )
    from parvis.core.models import CommuneSettings

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage), f"the default site's root is {home!r}"

    def first(model, *order):
        query = model.objects.live().public().descendant_of(home)
        page = query.order_by(*order).first() if order else query.first()
        assert page is not None, f"the demo site has no live {model.__name__}"
        return page

    upcoming = list(EventPage.objects.descendant_of(home).upcoming()[:4])
    assert upcoming, "the demo site has no upcoming event"
    latest_news = list(
        NewsPage.objects.live().public().descendant_of(home).order_by("-date", "-pk")[:3]
    )
    pages = {
        "home": home,
        "standard": first(StandardPage, "-depth", "path"),
        "section": first(StandardPage, "depth", "path"),
        "news_index": first(NewsIndexPage),
        "news": latest_news[0] if latest_news else first(NewsPage),
        "agenda": first(EventIndexPage),
        "event": upcoming[0],
        "council_index": first(CouncilIndexPage),
        "meeting": first(CouncilMeetingPage, "-date"),
        "register": first(ActsRegisterPage),
        "publications": first(PublicationIndexPage),
        "contact": first(ContactPage),
        "legal": first(LegalPage, "path"),
        "accessibility": first(AccessibilityStatementPage),
        "sitemap": first(SitemapPage),
    }
    infos = {key: _info(page) for key, page in pages.items()}
    infos["login"] = PageInfo(title="Connexion", path="/comptes/connexion/")
    infos["not_found"] = PageInfo(title="", path="/cette-page-n-existe-pas/")
    return DemoSite(
        base_url=base_url,
        pages=infos,
        commune_name=CommuneSettings.load(request_or_site=site).name,
        latest_news=[_info(page) for page in latest_news],
        upcoming_events=[_info(page) for page in upcoming],
    )


@pytest.fixture
def demo(live_server, transactional_db, django_db_serialized_rollback):
    """The demo site, loaded once for the test into the live server's database.

    ``transactional_db`` commits, so the live server's thread sees the data (on SQLite the
    in-memory database is shared with it, on PostgreSQL it has its own connection);
    ``django_db_serialized_rollback`` restores what migrations created (Wagtail's root
    page, the default site, staff groups) after the previous test's flush.
    """
    from parvis.core import cache as page_cache

    _Loop.django()
    call_command("load_demo", stdout=io.StringIO())
    # Pages cached by an earlier test under the same live server address must not be served.
    page_cache.invalidate()
    yield _discover(live_server.url)
    # The test database is flushed right after this, on the thread's own connection.
    _Loop.django()
