"""The header's link to the personal space (« Se connecter » / « Mon compte ») and the
anonymous page cache: a signed-in person never gets the anonymous page from the cache, an
anonymous visitor never gets a signed-in person's page."""

import re

import pytest

from . import factories

pytestmark = pytest.mark.django_db

LOGIN_LINK = re.compile(r'<a class="account-link[^"]*" href="([^"]*)"[^>]*>Se connecter</a>')
ACCOUNT_LINK = re.compile(r'<a class="account-link[^"]*" href="/comptes/"[^>]*>Mon compte</a>')


def login_hrefs(html: str) -> list[str]:
    return LOGIN_LINK.findall(html)


def test_anonymous_visitors_get_a_sign_in_link_back_to_the_page(client, site):
    html = client.get(site["contact"].url).content.decode()
    hrefs = login_hrefs(html)
    assert hrefs and set(hrefs) == {f"/comptes/connexion/?next={site['contact'].url}"}
    assert "Mon compte" not in html

    search = client.get("/recherche/", {"q": "école maternelle"}).content.decode()
    assert login_hrefs(search)[0] == (
        "/comptes/connexion/?next=/recherche/%3Fq%3D%25C3%25A9cole%2Bmaternelle"
    )


def test_the_sign_in_link_leads_back_to_the_page_after_login(client, site):
    factories.make_user("habitant@example.org")
    href = login_hrefs(client.get(site["contact"].url).content.decode())[0]
    response = client.post(
        href, {"username": "habitant@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == site["contact"].url


def test_the_login_page_links_to_itself_without_next(client, site):
    html = client.get("/comptes/connexion/").content.decode()
    assert 'href="/comptes/connexion/" aria-current="page">Se connecter</a>' in html
    assert "?next=" not in "".join(login_hrefs(html))


def test_signed_in_people_get_a_link_to_their_account(client, site):
    client.force_login(factories.make_user("habitant@example.org"))
    html = client.get("/").content.decode()
    assert ACCOUNT_LINK.search(html)
    assert not login_hrefs(html)
    account = client.get("/comptes/").content.decode()
    assert 'href="/comptes/" aria-current="page">Mon compte</a>' in account


def test_no_cached_anonymous_page_for_a_signed_in_person_and_back(client, site):
    path = site["contact"].url
    anonymous = client.get("/")
    assert anonymous["X-Parvis-Cache"] == "miss"
    assert client.get("/")["X-Parvis-Cache"] == "hit"
    # The browser's own cache must not reuse the anonymous page once the session cookie
    # is sent either.
    assert "Cookie" in anonymous["Vary"]

    factories.make_user("habitant@example.org")
    client.post(
        f"/comptes/connexion/?next={path}",
        {"username": "habitant@example.org", "password": factories.PASSWORD},
    )
    signed_in = client.get("/")
    assert "X-Parvis-Cache" not in signed_in
    assert "public" not in signed_in.get("Cache-Control", "")
    html = signed_in.content.decode()
    assert ACCOUNT_LINK.search(html) and not login_hrefs(html)

    # Signed out: the anonymous page again, never the page drawn for the signed-in person.
    client.logout()
    client.cookies.clear()
    after = client.get("/")
    assert after["X-Parvis-Cache"] == "hit"
    assert login_hrefs(after.content.decode()) and "Mon compte" not in after.content.decode()


def test_a_signed_in_visit_first_is_not_stored_for_anonymous_visitors(client, site):
    client.force_login(factories.make_user("habitant@example.org"))
    assert "Mon compte" in client.get("/").content.decode()
    client.logout()
    client.cookies.clear()
    response = client.get("/")
    assert response["X-Parvis-Cache"] == "miss"
    html = response.content.decode()
    assert login_hrefs(html) and "Mon compte" not in html


def test_signing_out_from_the_account_page_returns_home_signed_out(client, site):
    resident = factories.make_user("sortie@example.org")
    client.force_login(resident)
    assert client.get("/comptes/").status_code == 200

    response = client.post("/comptes/deconnexion/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Se connecter" in home.content.decode()
    assert client.get("/comptes/").status_code == 302  # back to the login page
