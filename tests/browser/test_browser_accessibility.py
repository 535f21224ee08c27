"""axe-core finds no WCAG 2.1 A/AA violation on any page type of the demo site (RGAA 4.1
is the law for a commune), with the site's Content-Security-Policy enforced."""

from __future__ import annotations

import pytest

from .conftest import AXE_TAGS, PHONE, search_word

pytestmark = pytest.mark.browser

PAGE_TYPES = [
    "home",
    "section",
    "standard",
    "news_index",
    "news",
    "agenda",
    "event",
    "council_index",
    "meeting",
    "register",
    "publications",
    "contact",
    "legal",
    "accessibility",
    "sitemap",
    "login",
    # Directory pages (not Wagtail pages): the list, the map, a place.
    "/annuaire/",
    "/annuaire/carte/",
    "/annuaire/mairie/",
    # Resident accounts (the pages of a signed-in resident: test_browser_accounts.py).
    "/comptes/inscription/",
    "/comptes/mot-de-passe-oublie/",
    # Open data catalogue.
    "/opendata/",
]

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
    });
    return results.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 6).map(n => n.target.join(' ')),
        count: v.nodes.length,
    }));
}"""


def axe_violations(page) -> list[dict]:
    page.wait_for_function("() => typeof window.axe !== 'undefined'")
    return page.evaluate(RUN_AXE, AXE_TAGS)


def describe(label: str, url: str, violations: list[dict]) -> str:
    lines = [f"{label} ({url}):"]
    for v in violations:
        lines.append(f"  - {v['id']} [{v['impact']}] {v['help']} ({v['count']} nodes)")
        lines.extend(f"      {target}" for target in v["nodes"])
    return "\n".join(lines)


def test_no_axe_violation_on_any_page_type(demo, open_context):
    visit = open_context(axe=True)
    page = visit.page
    failures = []
    csp = []

    def check(label: str, url: str, expected_status: int = 200) -> None:
        before = len(visit.console) + len(visit.page_errors)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != expected_status:
            failures.append(f"{label} ({url}): HTTP {response and response.status}")
            return
        violations = axe_violations(page)
        if violations:
            failures.append(describe(label, url, violations))
        errors = [
            text
            for text in (visit.console + visit.page_errors)[before:]
            if "Refused to" in text or "Content Security Policy" in text
        ]
        if errors:
            csp.append(f"{label} ({url}): {errors}")

    for key in PAGE_TYPES:
        check(key, demo.url(key))

    # The API documentation (Swagger UI drawn by its script under the site's policy, in
    # the page of parvis/api/templates/ninja/swagger.html): the operations are listed, and
    # the page passes axe as drawn and with an operation opened.
    before = len(visit.console) + len(visit.page_errors)
    response = page.goto(demo.url("/api/docs"), wait_until="load")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/places").first
    try:
        operation.wait_for()
    except Exception:  # noqa: BLE001 - report what the page shows instead
        failures.append(f"/api/docs: no operation drawn: {page.locator('body').inner_text()[:300]}")
    else:
        assert response.status == 200
        violations = axe_violations(page)
        if violations:
            failures.append(describe("/api/docs", page.url, violations))
        page.locator(".opblock-summary-control").first.click()
        page.locator(".opblock-body .parameters").first.wait_for()
        violations = axe_violations(page)
        if violations:
            failures.append(describe("/api/docs, operation open", page.url, violations))
    errors = [
        text
        for text in (visit.console + visit.page_errors)[before:]
        if "Refused to" in text or "Content Security Policy" in text
    ]
    if errors:
        csp.append(f"/api/docs: {errors}")

    # Search results for a word of a news title.
    word = search_word(demo.pages["news"].title)
    check("search results", demo.url(f"/recherche/?q={word}"))
    check("search without results", demo.url("/recherche/?q=zzzxqwv"))
    check("404 page", demo.url("not_found"), expected_status=404)

    # The contact form sent empty: the error state (server-side validation; the browser's
    # own checks of `required` fields are switched off so that the form reaches Django).
    page.goto(demo.url("contact"), wait_until="load")
    form = page.locator("main form:has(textarea)").first
    assert form.count(), "no contact form with a message field"
    form.evaluate("f => { f.noValidate = true; }")
    with page.expect_navigation():
        form.locator('[type="submit"]').first.click()
    invalid = page.locator('main [aria-invalid="true"]')
    if not invalid.count():
        failures.append("contact sent empty: no field is marked aria-invalid")
    violations = axe_violations(page)
    if violations:
        failures.append(describe("contact (errors)", page.url, violations))

    # The phone layout of the home page, menu open.
    phone = open_context(axe=True, viewport=PHONE, is_mobile=True, has_touch=True).page
    phone.goto(demo.url("home"), wait_until="load")
    phone.locator("[data-nav-toggle]").click()
    violations = axe_violations(phone)
    if violations:
        failures.append(describe("home, phone, menu open", phone.url, violations))

    assert not failures, "axe-core violations:\n" + "\n".join(failures)
    assert not csp, "Content-Security-Policy errors:\n" + "\n".join(csp)
