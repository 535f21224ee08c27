"""Shared steps of the browser journeys: signing in through the real forms, checking a
page with axe-core and for Content-Security-Policy violations, and reaching the database
between two stretches of browser work."""

from __future__ import annotations

from contextlib import contextmanager

from .conftest import _Loop
from .test_browser_accessibility import axe_violations, describe

RESIDENT = "camille.martin@example.org"
STAFF = "communication@example.org"

# Reports every violation of the page's policy to the console, where Visit collects it,
# even one that Chromium would only count in a report (a blocked inline style attribute
# set by a script, for instance).
CSP_LISTENER = """() => {
    document.addEventListener('securitypolicyviolation', (event) => {
        console.error('Content Security Policy violation: ' + event.violatedDirective
            + ' blocked ' + (event.blockedURI || 'inline') + ' at '
            + (event.sourceFile || '') + ':' + event.lineNumber);
    });
}"""


@contextmanager
def django_side():
    """Lift Playwright's running-loop mark while the ORM is used, then put it back."""
    _Loop.django()
    try:
        yield
    finally:
        _Loop.playwright()


def demo_password() -> str:
    from parvis.cms.demo.accounts import DEMO_PASSWORD

    return DEMO_PASSWORD


def watch_csp(visit) -> None:
    visit.context.add_init_script(script=f"({CSP_LISTENER})()")


def sign_in(page, base_url: str, email: str, *, next_url: str = "/comptes/") -> None:
    """Password sign-in through the login form, landing on ``next_url``."""
    page.goto(f"{base_url}/comptes/connexion/?next={next_url}", wait_until="load")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(demo_password())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def sign_in_staff(page, base_url: str, email: str, *, next_url: str = "/admin/") -> None:
    """Password, then the demo account's TOTP code typed in the second-factor form."""
    from django_otp.oath import totp

    from parvis.cms.demo.accounts import demo_totp_key

    sign_in(page, base_url, email, next_url=next_url)
    field = page.get_by_label("Code à 6 chiffres de votre application d'authentification")
    field.wait_for()
    field.fill(f"{totp(bytes.fromhex(demo_totp_key(email))):06d}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


class PageChecks:
    """Collects, page after page, axe-core violations, CSP violations and script errors
    of one visit; ``assert_clean()`` fails with all of them at once."""

    def __init__(self, visit):
        self.visit = visit
        self.failures: list[str] = []
        self._seen = 0

    def check(self, label: str) -> None:
        page = self.visit.page
        violations = axe_violations(page)
        if violations:
            self.failures.append(describe(label, page.url, violations))
        self.collect(label)

    def collect(self, label: str) -> None:
        """Console CSP reports and script errors since the previous check."""
        reports = self.visit.console + self.visit.page_errors
        new, self._seen = reports[self._seen :], len(reports)
        bad = [
            text
            for text in new
            if "Refused to" in text
            or "Content Security Policy" in text
            or text.startswith("[pageerror]")
        ]
        if bad:
            self.failures.append(f"{label} ({self.visit.page.url}): {bad}")

    def assert_clean(self) -> None:
        self.collect("end")
        assert not self.failures, "\n".join(self.failures)
