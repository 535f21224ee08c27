import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from parvis.cms.models import EventPage, NewsPage, StandardPage

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db

PAGE_KEYS = [
    "home",
    "standard",
    "news_index",
    "news",
    "event_index",
    "event",
    "council_index",
    "meeting",
    "register",
    "publications",
    "contact",
    "legal",
    "accessibility",
    "sitemap",
]


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_page_type_renders_in_the_theme(client, site, key):
    page = site[key]
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert page.title in html
    assert 'id="contenu"' in html  # the skip link's target
    assert 'lang="fr"' in html


def test_unknown_url_gives_the_themed_404(client, site):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="contenu"' in html
    assert "Traceback" not in html


def _add_page(client, parent, model, data, action=None):
    url = f"/admin/pages/add/cms/{model._meta.model_name}/{parent.pk}/"
    if action:
        data[action] = "1"
    return client.post(url, data)


def test_communication_creates_and_publishes_a_standard_page_in_the_admin(
    client, site, communication
):
    verified_login(client, communication)
    data = nested_form_data(
        {
            "title": "Urbanisme",
            "slug": "urbanisme",
            "summary": "Permis de construire, déclarations préalables.",
            "body": streamfield(
                [
                    ("heading", "Déposer un permis"),
                    ("paragraph", rich_text("<p>Le dépôt se fait en ligne ou en mairie.</p>")),
                    ("quote", {"quote": "Construire ensemble", "author": "Le maire"}),
                ]
            ),
        }
    )
    response = _add_page(client, site["home"], StandardPage, data, action="action-publish")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StandardPage.objects.get(slug="urbanisme")
    assert page.live
    public = client.get(page.url)
    assert "Le dépôt se fait en ligne ou en mairie." in public.content.decode()
    assert "Construire ensemble" in public.content.decode()


def test_news_and_event_created_in_the_admin(client, site, communication):
    verified_login(client, communication)
    news = nested_form_data(
        {
            "title": "Nouveau marché du dimanche",
            "slug": "marche-dimanche",
            "date": "2026-11-20",
            "category": site["news_category"].pk,
            "summary": "Un marché chaque dimanche matin.",
            "body": streamfield([]),
            "related_links": inline_formset([{"page": site["standard"].pk}]),
        }
    )
    response = _add_page(client, site["news_index"], NewsPage, news, action="action-publish")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = NewsPage.objects.get(slug="marche-dimanche")
    html = client.get(page.url).content.decode()
    assert "Un marché chaque dimanche matin." in html
    assert site["standard"].title in html  # related item

    event = nested_form_data(
        {
            "title": "Concert de Noël",
            "slug": "concert-noel",
            "start": "2030-12-20 20:30",
            "end": "2030-12-20 22:00",
            "location": "Église Saint-Pierre",
            "price": "Gratuit",
            "summary": "Chorale et orgue.",
            "body": streamfield([]),
        }
    )
    response = _add_page(client, site["event_index"], EventPage, event, action="action-publish")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = EventPage.objects.get(slug="concert-noel")
    assert timezone.localtime(page.start).hour == 20
    assert "Concert de Noël" in client.get(site["event_index"].url).content.decode()


def test_invalid_event_keeps_input_and_explains(client, site, communication):
    verified_login(client, communication)
    event = nested_form_data(
        {
            "title": "Événement mal daté",
            "slug": "mal-date",
            "start": "2030-12-20 20:30",
            "end": "2030-12-19 10:00",
            "location": "Salle des fêtes",
            "body": streamfield([]),
        }
    )
    response = _add_page(client, site["event_index"], EventPage, event, action="action-publish")
    assert response.status_code == 200
    html = response.content.decode()
    assert "La fin doit être après le début." in html
    assert "Salle des fêtes" in html  # the rest of the input is kept
    assert not EventPage.objects.filter(slug="mal-date").exists()


def test_redacteur_cannot_publish_but_submits_to_communication(client, site, communication):
    section = site["standard"]
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="Section État civil")
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=section,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    redacteur = factories.make_user(
        "redac@example.org", groups=["Rédacteur de service", "Section État civil"]
    )
    verified_login(client, redacteur)

    data = nested_form_data(
        {
            "title": "Livret de famille",
            "slug": "livret-de-famille",
            "summary": "",
            "body": streamfield([]),
        }
    )
    # Publishing is not offered and not honoured.
    response = _add_page(client, section, StandardPage, dict(data), action="action-publish")
    page = StandardPage.objects.get(slug="livret-de-famille")
    assert not page.live
    # Outside their section they cannot even create a page.
    forbidden = _add_page(
        client, site["home"], StandardPage, dict(data, slug="ailleurs"), action="action-submit"
    )
    assert forbidden.status_code in (302, 403)
    assert not StandardPage.objects.filter(slug="ailleurs").exists()

    # Submit for moderation.
    edit = client.post(f"/admin/pages/{page.pk}/edit/", dict(data, **{"action-submit": "1"}))
    assert edit.status_code == 302
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert not page.live

    # Communication approves: the page goes live.
    client.logout()
    verified_login(client, communication)
    task_state = state.current_task_state
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/",
        {"comment": "Validé"},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200


def test_scheduled_publishing(client, site, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    index = site["news_index"]
    page = index.add_child(
        instance=NewsPage(title="Ouverture de la médiathèque", slug="mediatheque", live=False)
    )
    go_live = timezone.now() + dt.timedelta(days=2)
    page.go_live_at = go_live
    page.save_revision(approved_go_live_at=go_live)
    page.refresh_from_db()
    assert not page.live
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live
    assert client.get("/actualites/mediatheque/").status_code == 404

    time_machine.move_to(go_live + dt.timedelta(minutes=1), tick=False)
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200


def test_revisions_can_be_compared_and_reverted(client, site, communication):
    verified_login(client, communication)
    page = site["standard"]
    first = page.latest_revision
    page.title = "État civil et citoyenneté"
    second = page.save_revision(user=communication)
    second.publish()
    compare = client.get(f"/admin/pages/{page.pk}/revisions/compare/{first.pk}...{second.pk}/")
    assert compare.status_code == 200
    assert "citoyenneté" in compare.content.decode()
    revert = client.get(f"/admin/pages/{page.pk}/revisions/{first.pk}/revert/")
    assert revert.status_code == 200
    assert "État civil" in revert.content.decode()


def test_home_shows_news_events_and_town_hall_hours(client, site):
    from parvis.core.models import CommuneSettings

    settings_obj = CommuneSettings.load()
    settings_obj.town_hall_hours = "Mo-Su 00:00-24:00"
    settings_obj.phone = "01 99 00 12 34"
    settings_obj.save()
    html = client.get("/").content.decode()
    assert site["news"].title in html
    assert site["event"].title in html
    assert "Ouvert" in html
    assert "01 99 00 12 34" in html


def test_search_finds_news(client, site):
    call_command("update_index", verbosity=0)
    html = client.get("/recherche/", {"q": "chemin des Mines"}).content.decode()
    assert site["news"].title in html
    empty = client.get("/recherche/", {"q": "xylophone"})
    assert empty.status_code == 200


def test_sitemap_robots_and_rss(client, site):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    assert site["news"].slug in sitemap.content.decode()
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Disallow: /admin/" in robots.content.decode()
    assert "sitemap.xml" in robots.content.decode()
    rss = client.get(site["news_index"].url + "rss/")
    assert rss.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert site["news"].title in rss.content.decode()


def test_page_tree_has_no_orphan_welcome_page(site):
    assert Page.objects.filter(depth=2).count() == 1
