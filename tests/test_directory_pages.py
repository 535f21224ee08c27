"""The public directory as a resident meets it: the list with its search and filters, the
map and its JSON, a place's page, the printable poster, the embeddable widget and the
home page's town-hall card fed by the town-hall place."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import qrcode
import qrcode.image.svg
from django.conf import settings as django_settings
from django.core.management import call_command

from parvis.core import hours
from parvis.core.models import CommuneSettings, MainMenu
from parvis.directory.demo import content as demo_content
from parvis.directory.demo import load_directory_demo
from parvis.directory.models import (
    Category,
    DirectorySettings,
    Place,
    PlaceException,
    PlaceLink,
    PlacePhoto,
)

from . import factories

pytestmark = pytest.mark.django_db

# A Tuesday, 10:00 in Paris, in an ordinary week (no public holiday).
TUESDAY_10 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=hours.PARIS)
PRIVATE = {
    "contact_name": "Gisèle Privée-Contact",
    "contact_email": "gisele.prive@example.org",
    "contact_phone": "06 39 98 77 66",
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PARVIS_PAGE_CACHE_SECONDS = 0


def make_place(name, **fields) -> Place:
    categories = fields.pop("categories", [])
    exceptions = fields.pop("exceptions", [])
    slug = fields.pop("slug", re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))
    fields.setdefault("kind", "facility")
    fields.setdefault("status", "published")
    fields.setdefault("city", "Gréasque")
    fields.setdefault("postcode", "13850")
    place = Place(name=name, slug=slug, **fields)
    place.categories = categories
    place.exceptions = exceptions
    place.save()
    return place


def card_names(response) -> list[str]:
    assert response.status_code == 200
    text = response.content.decode()
    return [
        html.unescape(name)
        for name in re.findall(r'class="place-card__link" href="[^"]+">([^<]+)</a>', text)
    ]


def json_ld_blocks(text: str) -> list[dict]:
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    ]


@pytest.fixture
def tree(site):
    sport = Category.objects.create(name="Sport", slug="sport")
    tennis = Category.objects.create(name="Tennis", slug="tennis", parent=sport)
    food = Category.objects.create(name="Alimentation", slug="alimentation")
    places = {
        "tennis": make_place(
            "Courts de tennis",
            categories=[tennis],
            opening_hours="Mo-Su 08:00-21:00",
            latitude=Decimal("43.429300"),
            longitude=Decimal("5.550800"),
            street="chemin du Stade",
        ),
        "stade": make_place(
            "Stade municipal",
            categories=[sport],
            opening_hours="Mo-Fr 16:00-22:00",
            wheelchair="limited",
            latitude=Decimal("43.428900"),
            longitude=Decimal("5.549600"),
        ),
        "boulangerie": make_place(
            "Boulangerie du Chevalement",
            kind="business",
            categories=[food],
            opening_hours="Tu-Sa 06:30-13:00,15:30-19:30",
            wheelchair="yes",
            summary="Pains au levain et fougasses.",
            street_number="18",
            street="boulevard de la Mine",
            latitude=Decimal("43.433900"),
            longitude=Decimal("5.545900"),
        ),
        "asso": make_place(
            "Amicale des anciens mineurs",
            kind="association",
            description="<p>Archives et témoignages sur la houillère de Provence.</p>",
        ),
        "brouillon": make_place("Club photo", kind="association", status="draft"),
        "archive": make_place("Ancienne poste", kind="service", status="archived"),
    }
    return {"cat_sport": sport, "cat_tennis": tennis, "cat_food": food, **places}


# --- list and filters -------------------------------------------------------------------


def test_directory_lists_published_places_only_with_count(client, tree):
    response = client.get("/annuaire/")
    names = card_names(response)
    assert names == [
        "Amicale des anciens mineurs",
        "Boulangerie du Chevalement",
        "Courts de tennis",
        "Stade municipal",
    ]
    text = response.content.decode()
    assert re.search(r'role="status"[^>]*>\s*4 lieux trouvés', text)
    assert "Club photo" not in text and "Ancienne poste" not in text


def test_filters_kind_category_with_children_and_wheelchair(client, tree):
    assert card_names(client.get("/annuaire/", {"type": "business"})) == [
        "Boulangerie du Chevalement"
    ]
    # A category includes its sub-categories: Sport › Tennis.
    assert card_names(client.get("/annuaire/", {"categorie": "sport"})) == [
        "Courts de tennis",
        "Stade municipal",
    ]
    assert card_names(client.get("/annuaire/", {"categorie": "tennis"})) == ["Courts de tennis"]
    # « accessible » means fully accessible, not « partial access ».
    assert card_names(client.get("/annuaire/", {"fauteuil": "on"})) == [
        "Boulangerie du Chevalement"
    ]
    assert card_names(client.get("/annuaire/", {"type": "facility", "fauteuil": "on"})) == []


def test_category_select_shows_the_tree(client, tree):
    text = client.get("/annuaire/").content.decode()
    select = re.search(r'<select name="categorie".*?</select>', text, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    labels = [(value, html.unescape(label)) for value, label in options]
    assert labels.index(("sport", "Sport")) + 1 == labels.index(("tennis", "\u2014\u00a0Tennis"))


def test_invalid_filter_gets_an_error_next_to_its_field_and_others_still_apply(client, tree):
    response = client.get("/annuaire/", {"type": "sous-marin", "categorie": "tennis"})
    text = response.content.decode()
    assert response.status_code == 200
    error = re.search(
        r'<div class="field__errors" id="annuaire-type_error">(.*?)</div>', text, re.S
    )
    assert error and "sous-marin" in html.unescape(error.group(1))
    assert card_names(response) == ["Courts de tennis"]


def test_open_now_at_a_frozen_tuesday_morning(client, tree, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    make_place(
        "Médiathèque",
        opening_hours="Tu 14:00-18:00; We 09:30-12:30",
    )
    make_place(
        "Crèche",
        opening_hours="Mo-Fr 07:30-18:30; PH off",
        exceptions=[
            PlaceException(
                start_date=TUESDAY_10.date(),
                end_date=TUESDAY_10.date() + dt.timedelta(days=2),
                label="Formation du personnel",
            )
        ],
    )
    response = client.get("/annuaire/", {"ouvert": "on"})
    assert card_names(response) == ["Boulangerie du Chevalement", "Courts de tennis"]
    text = html.unescape(response.content.decode())
    assert "Ouvert · ferme à 13:00" in text
    assert "Ouvert · ferme à 21:00" in text
    # Without the filter, the closed places say when they open.
    everything = html.unescape(client.get("/annuaire/").content.decode())
    assert "Fermé · ouvre à 16:00" in everything  # the stadium, later today
    assert "Fermé (Formation du personnel)" in everything  # the crèche's exception


def test_full_text_search_combined_with_filters(client, tree):
    call_command("update_index", stdout=io.StringIO())
    # A word of the description only: the full-text index finds it.
    assert card_names(client.get("/annuaire/", {"q": "houillère"})) == [
        "Amicale des anciens mineurs"
    ]
    # A word being typed (prefix of a name) still finds the place.
    assert card_names(client.get("/annuaire/", {"q": "boulang"})) == ["Boulangerie du Chevalement"]
    # Search and a filter together.
    assert card_names(client.get("/annuaire/", {"q": "chevalement", "type": "facility"})) == []
    empty = client.get("/annuaire/", {"q": "xylophone"})
    assert card_names(empty) == []
    assert "Aucun lieu ne correspond" in empty.content.decode()


def test_search_never_returns_a_draft(client, tree):
    call_command("update_index", stdout=io.StringIO())
    assert card_names(client.get("/annuaire/", {"q": "Club photo"})) == []


def test_pagination_24_a_page_keeps_the_filters(client, site):
    for i in range(30):
        make_place(f"Association {i:02d}", kind="association", slug=f"association-{i:02d}")
    make_place("Boucherie", kind="business")
    first = client.get("/annuaire/", {"type": "association"})
    assert len(card_names(first)) == 24
    text = first.content.decode()
    assert "30 lieux trouvés" in text
    assert 'href="/annuaire/?type=association&amp;page=2"' in text
    second = client.get("/annuaire/", {"type": "association", "page": 2})
    assert card_names(second) == [f"Association {i:02d}" for i in range(24, 30)]


# --- map ----------------------------------------------------------------------------------


def test_map_json_has_the_located_filtered_places(client, tree, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    data = client.get("/annuaire/carte.json").json()
    names = [place["name"] for place in data["places"]]
    # The association has no coordinates: it is in the list, not on the map.
    assert names == ["Boulangerie du Chevalement", "Courts de tennis", "Stade municipal"]
    assert data["count"] == 3
    bakery = data["places"][0]
    assert bakery["url"] == "/annuaire/boulangerie-du-chevalement/"
    assert (bakery["lat"], bakery["lon"]) == (43.4339, 5.5459)
    assert bakery["kind"] == "business"
    assert bakery["open"] is True
    assert bakery["state"] == "Ouvert · ferme à 13:00"
    assert not (set(bakery) & set(PRIVATE))

    only_sport = client.get("/annuaire/carte.json", {"categorie": "sport", "ouvert": "on"}).json()
    assert [place["name"] for place in only_sport["places"]] == ["Courts de tennis"]


def test_map_page_pairs_the_map_with_the_list(client, tree):
    response = client.get("/annuaire/carte/", {"categorie": "sport"})
    text = response.content.decode()
    assert card_names(response) == ["Courts de tennis", "Stade municipal"]
    assert 'data-places-url="/annuaire/carte.json?categorie=sport"' in text
    assert 'data-tile-url=""' in text  # tests run offline: no tile server
    assert 'href="#liste-des-lieux"' in text and 'id="liste-des-lieux"' in text
    assert "vendor/leaflet/leaflet.js" in text
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in text
    assert "parvis/js/map.js" in text
    # Static files really exist (collected from node_modules).
    from django.contrib.staticfiles import finders

    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "parvis/js/map.js",
    ):
        assert finders.find(path), path


def test_csp_allows_the_tile_origin_only_when_a_tile_url_is_set(client, tree, settings):
    settings.PARVIS_MAP_TILE_URL = ""
    policy = client.get("/annuaire/carte/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy
    settings.PARVIS_MAP_TILE_URL = "https://{s}.tuiles.example.net/{z}/{x}/{y}.png"
    policy = client.get("/annuaire/carte/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tuiles.example.net;" in policy
    assert "script-src 'self';" in policy  # nothing else changes
    assert "connect-src 'self';" in policy


# --- place page ---------------------------------------------------------------------------


@pytest.fixture
def town_hall(site):
    image = factories.make_image("Façade de la mairie")
    image.description = "La façade de la mairie et ses drapeaux."
    image.save()
    admin = Category.objects.create(name="Services publics", slug="services-publics")
    mairie = Category.objects.create(name="Mairie", slug="mairie-cat", parent=admin)
    place = make_place(
        "Mairie de Gréasque",
        slug="mairie",
        kind="service",
        categories=[mairie],
        summary="Accueil, état civil, urbanisme.",
        description="<p>Toutes vos <b>démarches</b>.</p>",
        street_number="1",
        street="place de la Mairie",
        latitude=Decimal("43.433100"),
        longitude=Decimal("5.544900"),
        phone="01 99 00 13 50",
        email="mairie@example.org",
        website="https://www.example.org/greasque",
        opening_hours="Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off",
        wheelchair="yes",
        accessibility_notes="Boucle magnétique à l'accueil.",
        exceptions=[
            PlaceException(
                start_date=dt.date(2026, 3, 13),
                end_date=dt.date(2026, 3, 13),
                label="Inventaire",
            ),
            PlaceException(
                start_date=dt.date(2026, 3, 21),
                end_date=dt.date(2026, 3, 21),
                opening_hours="10:00-11:00",
                label="Permanence réduite",
            ),
            PlaceException(  # beyond the 60 days shown
                start_date=dt.date(2026, 8, 3), end_date=dt.date(2026, 8, 21), label="Été"
            ),
        ],
        **PRIVATE,
    )
    place.social_links = [PlaceLink(network="mastodon", url="https://social.example.org/@mairie")]
    place.photos = [PlacePhoto(image=image, caption="L'hôtel de ville")]
    place.save()
    return place


def test_place_page_shows_state_week_exceptions_contact_and_links(client, town_hall, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    response = client.get("/annuaire/mairie/")
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "<h1>Mairie de Gréasque</h1>" in text
    assert "Ouvert · ferme à 12:00" in text
    # The next seven days, the exception applied on Friday the 13th.
    week = re.search(r'<table class="hours place-hours">.*?</table>', text, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>", week, re.S)
    cells = {re.sub(r"<[^>]+>", "", th): re.sub(r"<[^>]+>", "", td) for th, td in rows}
    assert cells["Aujourd'hui"] == "08:30–12:00, 13:30–17:00"
    assert cells["vendredi 13"].startswith("Fermé") and "Inventaire" in cells["vendredi 13"]
    assert cells["samedi 14"] == "09:00–12:00"
    # Upcoming exceptions of the next 60 days, not the summer one.
    assert "Inventaire" in text and "Permanence réduite" in text and "10:00–11:00" in text
    assert "Été" not in text
    # Photo: a rendition, lazy, alt from the image's description.
    assert re.search(r'<img [^>]*alt="La façade de la mairie et ses drapeaux\."', text)
    assert 'loading="lazy"' in text
    assert "Toutes vos <b>démarches</b>." in text
    assert 'href="tel:+33199001350"' in text
    assert 'href="mailto:mairie@example.org"' in text
    assert 'href="https://www.example.org/greasque"' in text
    assert 'href="https://social.example.org/@mairie"' in text
    assert "Services publics › Mairie" in text
    assert "Boucle magnétique à l'accueil." in text
    assert 'href="/annuaire/mairie/affiche/"' in text
    assert 'href="/annuaire/mon-association/revendiquer/mairie/"' in text
    assert '<iframe src="http://127.0.0.1:8000/widgets/lieux/mairie/"' in text or (
        f'<iframe src="{django_settings.PARVIS_SITE_URL.rstrip("/")}/widgets/lieux/mairie/"' in text
    )
    assert 'data-lat="43.433100"' in text and 'data-lon="5.544900"' in text


def test_private_contact_is_never_shown(client, town_hall, tree):
    urls = [
        "/annuaire/",
        "/annuaire/carte/",
        "/annuaire/carte.json",
        "/annuaire/mairie/",
        "/annuaire/mairie/affiche/",
        "/widgets/lieux/mairie/",
    ]
    for url in urls:
        text = html.unescape(client.get(url).content.decode())
        for value in PRIVATE.values():
            assert value not in text, (url, value)
        assert "06 39 98 77 66".replace(" ", "") not in text.replace(" ", "")


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_unpublished_place_is_not_found_anywhere(client, site, status):
    make_place("Club photo", slug="club-photo", status=status, latitude=1, longitude=1)
    for url in (
        "/annuaire/club-photo/",
        "/annuaire/club-photo/affiche/",
        "/widgets/lieux/club-photo/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/annuaire/carte.json").json()["places"] == []
    assert client.get("/annuaire/nexiste-pas/").status_code == 404


def test_place_json_ld_has_type_address_geo_and_opening_hours(client, town_hall, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    text = client.get("/annuaire/mairie/").content.decode()
    blocks = [b for b in json_ld_blocks(text) if b.get("name") == "Mairie de Gréasque"]
    assert len(blocks) == 1
    data = blocks[0]
    assert data["@type"] == "GovernmentOffice"
    assert data["address"]["streetAddress"] == "1 place de la Mairie"
    assert data["address"]["postalCode"] == "13850"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 43.4331, "longitude": 5.5449}
    assert data["telephone"] == "01 99 00 13 50"
    specs = {
        (tuple(spec["dayOfWeek"]), spec["opens"], spec["closes"])
        for spec in data["openingHoursSpecification"]
    }
    weekdays = tuple(
        f"https://schema.org/{day}"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    )
    assert specs == {
        (weekdays, "08:30", "12:00"),
        (weekdays, "13:30", "17:00"),
        (("https://schema.org/Saturday",), "09:00", "12:00"),
    }
    special = data["specialOpeningHoursSpecification"]
    assert {
        "@type": "OpeningHoursSpecification",
        "validFrom": "2026-03-13",
        "validThrough": "2026-03-13",
        "opens": "00:00",
        "closes": "00:00",
        "description": "Inventaire",
    } in special
    assert any(s["validFrom"] == "2026-03-21" and s["opens"] == "10:00" for s in special)
    assert "contact_email" not in json.dumps(data) and PRIVATE["contact_email"] not in text


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [("facility", "CivicStructure"), ("association", "NGO"), ("business", "LocalBusiness")],
)
def test_json_ld_type_follows_the_kind(client, site, kind, schema_type):
    make_place("Un lieu", slug="un-lieu", kind=kind)
    text = client.get("/annuaire/un-lieu/").content.decode()
    assert [b["@type"] for b in json_ld_blocks(text) if b.get("name") == "Un lieu"] == [schema_type]


# --- poster and widget --------------------------------------------------------------------


def test_poster_has_usual_hours_closures_and_a_qr_code_to_the_place(
    client, town_hall, settings, time_machine
):
    time_machine.move_to(TUESDAY_10, tick=False)
    settings.PARVIS_SITE_URL = "https://www.greasque.example.org/"
    response = client.get("/annuaire/mairie/affiche/")
    text = html.unescape(response.content.decode())
    assert "parvis/css/poster.css" in text
    assert '<h1 class="poster__title">Mairie de Gréasque</h1>' in text
    # The usual week, Monday first (no exception applied here).
    table = re.search(r'<table class="poster__table">.*?</table>', text, re.S).group(0)
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split() for row in re.findall(r"<tr.*?</tr>", table, re.S)
    ]
    assert [row[0] for row in rows] == [
        "Lundi",
        "Mardi",
        "Mercredi",
        "Jeudi",
        "Vendredi",
        "Samedi",
        "Dimanche",
    ]
    assert rows[4][1:] == ["08:30–12:00", "·", "13:30–17:00"]  # Friday, despite the 13th
    assert rows[6][1:] == ["Fermé"]
    assert "Inventaire" in text
    # The QR code is an inline SVG encoding the place's absolute address.
    expected_url = "https://www.greasque.example.org/annuaire/mairie/"
    assert expected_url in text
    svg = re.search(r"<svg [^>]*class=\"qr-code\".*?</svg>", text, re.S).group(0)
    reference = (
        qrcode.make(
            expected_url,
            image_factory=qrcode.image.svg.SvgPathImage,
            box_size=10,
            error_correction=qrcode.constants.ERROR_CORRECT_M,
        )
        .to_string()
        .decode()
    )
    path = re.search(r' d="([^"]+)"', svg).group(1)
    assert path == re.search(r' d="([^"]+)"', reference).group(1)
    assert "style=" not in svg
    css = (Path(django_settings.BASE_DIR) / "parvis/static/parvis/css/poster.css").read_text()
    assert re.search(r"@page\s*{\s*size:\s*A4", css)


def test_widget_is_frameable_without_cookies(client, town_hall, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    response = client.get("/widgets/lieux/mairie/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert not response.cookies
    text = html.unescape(response.content.decode())
    assert "Ouvert · ferme à 12:00" in text
    assert "parvis/css/widget.css" in text
    assert 'target="_blank"' in text
    # The place page itself must not be framed.
    page = client.get("/annuaire/mairie/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


# --- town hall on the home page -----------------------------------------------------------


def test_home_page_takes_town_hall_hours_and_contact_from_the_place(client, site, time_machine):
    time_machine.move_to(TUESDAY_10, tick=False)
    commune = CommuneSettings.load()
    commune.town_hall_hours = "Mo-Fr 14:00-15:00"
    commune.phone = "01 99 00 00 01"
    commune.street = "Ancienne adresse"
    commune.save()
    place = make_place(
        "Mairie",
        slug="mairie",
        kind="service",
        opening_hours="Mo-Sa 07:15-19:45",
        phone="01 99 00 13 50",
        street_number="1",
        street="place de la Mairie",
        exceptions=[
            PlaceException(
                start_date=TUESDAY_10.date() + dt.timedelta(days=1),
                end_date=TUESDAY_10.date() + dt.timedelta(days=1),
                label="Journée de formation",
            )
        ],
    )
    # No town-hall place yet: the commune settings.
    text = html.unescape(client.get("/").content.decode())
    assert "14:00–15:00" in text and "01 99 00 00 01" in text

    directory = DirectorySettings.load()
    directory.town_hall = place
    directory.save()
    text = html.unescape(client.get("/").content.decode())
    card = re.search(r'<div class="town-hall">.*?</table>', text, re.S).group(0)
    assert "Ouvert · ferme à 19:45" in card
    assert "07:15–19:45" in card and "14:00–15:00" not in card
    assert "01 99 00 13 50" in card and "1 place de la Mairie" in card
    wednesday = re.search(r"mercredi 11</th>\s*<td>(.*?)</td>", card, re.S).group(1)
    assert wednesday == "Fermé"  # the exception of the place
    data = [b for b in json_ld_blocks(text) if b.get("@type") == "GovernmentOffice"]
    assert data and data[0]["openingHoursSpecification"]

    # An unpublished town-hall place is not used.
    place.status = "draft"
    place.save()
    text = html.unescape(client.get("/").content.decode())
    assert "14:00–15:00" in text


# --- bounded queries ----------------------------------------------------------------------


def _grow(n, offset, category):
    for i in range(n):
        make_place(
            f"Lieu {offset + i:03d}",
            slug=f"lieu-{offset + i:03d}",
            kind="business",
            categories=[category],
            opening_hours="Mo-Fr 08:00-18:00",
            exceptions=[
                PlaceException(start_date=dt.date(2026, 3, 12), end_date=dt.date(2026, 3, 12))
            ],
            latitude=Decimal("43.43"),
            longitude=Decimal("5.54"),
        )


@pytest.mark.parametrize(
    "url",
    [
        "/annuaire/",
        "/annuaire/?ouvert=on&categorie=sport",
        "/annuaire/carte/",
        "/annuaire/carte.json",
        "/annuaire/mairie/",
        "/annuaire/mairie/affiche/",
        "/widgets/lieux/mairie/",
        "/",
    ],
)
def test_queries_are_bounded(client, town_hall, tree, django_assert_max_num_queries, url):
    directory = DirectorySettings.load()
    directory.town_hall = town_hall
    directory.save()
    _grow(3, 0, tree["cat_sport"])
    client.get(url)  # warm renditions and caches
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    _grow(30, 100, tree["cat_tennis"])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries)


# --- demo ---------------------------------------------------------------------------------


def test_demo_directory_is_idempotent_and_sets_the_town_hall(site):
    created = load_directory_demo()
    assert created["lieux de l'annuaire"] == len(demo_content.PLACES)
    again = load_directory_demo()
    assert sum(again.values()) == 0
    assert Place.objects.count() == len(demo_content.PLACES)

    town_hall = DirectorySettings.load().town_hall
    assert town_hall.reference == "DEMO-MAIRIE"
    assert town_hall.opening_hours == "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
    assert (town_hall.equipment_code, town_hall.equipment_type) == ("01010401-001", "Mairie")
    assert Category.objects.get(slug="tennis").parent.slug == "sport"
    menu_urls = list(MainMenu.load().items.values_list("link_url", flat=True))
    assert menu_urls.count("/annuaire/") == 1

    for place in Place.objects.all():
        assert not place.phone or place.phone.startswith(("01 99 00", "06 39 98")), place
        assert not place.email or place.email.endswith("@example.org"), place
        if place.latitude is not None:  # within about 2 km of the village centre
            assert abs(place.latitude - Decimal("43.433")) < Decimal("0.02"), place
            assert abs(place.longitude - Decimal("5.545")) < Decimal("0.025"), place
    library = Place.objects.get(reference="DEMO-MEDIATHEQUE")
    assert library.exceptions.get().start_date.month == 8
    creche = Place.objects.get(reference="DEMO-CRECHE")
    assert creche.exceptions.get().start_date.day == 24


def test_footer_tag_takes_the_town_hall_contact_from_the_place(rf, site):
    from django.template import Context, Template

    commune = CommuneSettings.load()
    commune.phone = "01 99 00 00 01"
    commune.street = "Ancienne adresse"
    commune.save()
    template = Template("{% load directory_tags %}{% directory_site_footer %}")
    request = rf.get("/")
    assert "01 99 00 00 01" in template.render(Context({"request": request}))

    place = make_place("Mairie", slug="mairie", phone="01 99 00 13 50", street="place de la Mairie")
    directory = DirectorySettings.load()
    directory.town_hall = place
    directory.save()
    text = template.render(Context({"request": rf.get("/")}))
    assert "01 99 00 13 50" in text and "place de la Mairie" in text
    assert "01 99 00 00 01" not in text and "Ancienne adresse" not in text


def test_places_are_listed_in_french_alphabetical_order(client, site):
    """Accented and lower-case names sit where a reader expects them, not after Z."""
    for name in ("Zumba Club", "Épicerie du village", "atelier de poterie", "Boulangerie"):
        make_place(name, kind="business")
    assert card_names(client.get("/annuaire/", {"type": "business"})) == [
        "atelier de poterie",
        "Boulangerie",
        "Épicerie du village",
        "Zumba Club",
    ]
