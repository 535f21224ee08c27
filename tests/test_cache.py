import pytest

from . import factories

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cacheable_and_revalidate(client, site):
    first = client.get("/")
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert first.has_header("ETag")
    second = client.get("/")
    assert second["X-Parvis-Cache"] == "hit"
    not_modified = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304


def test_publishing_invalidates_the_cache(client, site, django_capture_on_commit_callbacks):
    home = site["home"]
    assert "Bienvenue à Gréasque" in client.get("/").content.decode()
    assert client.get("/")["X-Parvis-Cache"] == "hit"
    home.hero_title = "Bonnes fêtes à tous"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Bonnes fêtes à tous" in html


def test_a_new_news_item_appears_at_once(client, site, django_capture_on_commit_callbacks):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_news(site["news_index"], "Collecte des encombrants")
    assert "Collecte des encombrants" in client.get("/").content.decode()


def test_logged_in_people_are_never_served_from_cache(client, site):
    client.get("/")
    user = factories.make_user("habitant@example.org")
    client.force_login(user)
    response = client.get("/")
    assert "X-Parvis-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_forms_with_a_csrf_token_are_not_cached(client, site):
    client.get(site["contact"].url)
    response = client.get(site["contact"].url)
    assert response.get("X-Parvis-Cache") != "hit"
