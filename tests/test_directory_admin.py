"""The directory in the Wagtail admin: permissions by group, create and edit through the
services (audit entries), clear messages for bad input with nothing half-saved, photos,
geocoding endpoint, categories."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from parvis.core.models import AuditLogEntry
from parvis.directory.exceptions import DuplicateIdentifier, GeocodingUnavailable, PlaceInvalid
from parvis.directory.geocoding import Geocoder
from parvis.directory.models import Category, Place, PlaceException, PlaceStatus
from parvis.directory.services.places import (
    place_archive,
    place_create,
    place_publish,
    place_update,
)

from . import factories
from .conftest import verified_login

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/directory/place/"
ADD_URL = "/admin/snippets/directory/place/add/"


def edit_url(place):
    return f"/admin/snippets/directory/place/edit/{place.pk}/"


class DownGeocoder(Geocoder):
    def geocode(self, *, street, postcode="", city=""):
        raise GeocodingUnavailable()


def form_data(**overrides):
    data = {
        "kind": "business",
        "reference": "",
        "name": "Boulangerie du Puits",
        "slug": "",
        "summary": "Pain au levain et viennoiseries.",
        "description": rich_text("<p>Fournil ouvert depuis 1987.</p>"),
        "photos": inline_formset([]),
        "social_links": inline_formset([]),
        "street_number": "3",
        "street": "place Félix Gouin",
        "postcode": "13850",
        "city": "Gréasque",
        "insee_code": "13046",
        "latitude": "43.433100",
        "longitude": "5.544300",
        "phone": "01 99 00 12 34",
        "email": "boulangerie@example.org",
        "website": "",
        "opening_hours": "Tu-Sa 07:00-12:30,15:30-19:00; Su 07:00-12:30",
        "hours_note": "",
        "exceptions": inline_formset([]),
        "wheelchair": "yes",
        "accessibility_notes": "",
        "siret": "",
        "rna": "",
        "equipment_theme": "",
        "equipment_code": "",
        "equipment_type": "",
        "erp_type": "",
        "erp_category": "",
        "contact_name": "Camille Exemple",
        "contact_email": "camille@example.org",
        "contact_phone": "06 39 98 00 01",
        "status": "published",
        "last_verified": "",
    }
    data.update(overrides)
    multiple = {key: data.pop(key) for key in ("categories", "representatives") if key in data}
    return {**nested_form_data(data), **multiple}


def assert_denied(response):
    """Wagtail turns a refusal into a redirect to the dashboard with a message."""
    assert response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    ), response.status_code


def make_place(name="Boulangerie X", **fields):
    fields.setdefault("kind", "business")
    return place_create(actor=None, data={"name": name, **fields})


@pytest.fixture
def accueil(db):
    return factories.make_user("accueil@example.org", groups=["Accueil"])


@pytest.fixture
def elu(db):
    return factories.make_user("elu@example.org", groups=["Élus"])


@pytest.fixture
def accueil_client(client, accueil):
    return verified_login(client, accueil)


# --- permissions ------------------------------------------------------------------------
@pytest.mark.parametrize("group", ["Communication", "Accueil"])
def test_managing_groups_list_add_and_import(client, group):
    user = factories.make_user("agent@example.org", groups=[group])
    verified_login(client, user)
    place = make_place()
    assert client.get(LIST_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 200
    assert client.get(edit_url(place)).status_code == 200
    assert client.get("/admin/annuaire/importer/").status_code == 200
    assert client.get("/admin/annuaire/a-verifier/").status_code == 200
    assert client.get("/admin/snippets/directory/category/add/").status_code == 200
    menu = client.get("/admin/").content.decode()
    assert "Annuaire" in menu


def test_elus_read_but_cannot_change(client, elu):
    verified_login(client, elu)
    place = make_place()
    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    assert "Boulangerie X" in listing.content.decode()
    assert_denied(client.get(ADD_URL))
    assert_denied(client.post(edit_url(place), form_data(name="Renommée")))
    place.refresh_from_db()
    assert place.name == "Boulangerie X"
    assert_denied(client.get("/admin/annuaire/importer/"))
    assert_denied(client.get("/admin/annuaire/geocoder/?street=cours+Ferrer"))
    assert client.get("/admin/annuaire/exporter/").status_code == 200


def test_redacteur_sees_no_directory(client, redacteur):
    verified_login(client, redacteur)
    assert_denied(client.get(LIST_URL))
    assert_denied(client.get("/admin/annuaire/exporter/"))
    assert ">Annuaire<" not in client.get("/admin/").content.decode()


# --- create and edit ---------------------------------------------------------------------
def test_create_through_admin_saves_everything_and_audits(accueil_client, accueil):
    category = Category.objects.create(name="Commerces", slug="commerces")
    data = form_data(
        categories=[str(category.pk)],
        exceptions=inline_formset(
            [
                {
                    "start_date": "2026-08-10",
                    "end_date": "2026-08-24",
                    "opening_hours": "",
                    "label": "Congés d'été",
                }
            ]
        ),
    )
    response = accueil_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["form"].errors
    place = Place.objects.get()
    assert place.slug == "boulangerie-du-puits"
    assert place.status == PlaceStatus.PUBLISHED
    assert list(place.categories.all()) == [category]
    assert place.exceptions.get().label == "Congés d'été"
    entry = AuditLogEntry.objects.get(action="directory.place.create")
    assert entry.actor == accueil
    assert entry.object_id == str(place.pk)
    assert "name" in entry.data["fields"]


def test_slug_is_unique_when_names_collide(accueil_client):
    make_place("Boulangerie du Puits")
    response = accueil_client.post(ADD_URL, form_data())
    assert response.status_code == 302
    assert sorted(Place.objects.values_list("slug", flat=True)) == [
        "boulangerie-du-puits",
        "boulangerie-du-puits-2",
    ]


def test_edit_through_admin_audits_changed_fields(accueil_client, accueil):
    place = make_place("Boulangerie du Puits", street="place Félix Gouin", postcode="13850")
    AuditLogEntry.objects.all().delete()
    response = accueil_client.post(
        edit_url(place), form_data(phone="01 99 00 55 66", slug=place.slug)
    )
    assert response.status_code == 302, response.context["form"].errors
    place.refresh_from_db()
    assert place.phone == "01 99 00 55 66"
    entry = AuditLogEntry.objects.get(action="directory.place.update")
    assert entry.actor == accueil
    assert "phone" in entry.data["fields"]


def test_duplicate_siret_names_the_other_entry(accueil_client):
    make_place("Boulangerie X", siret="12345678901234")
    response = accueil_client.post(ADD_URL, form_data(siret="12345678901234"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le SIRET 12345678901234 est déjà celui de « Boulangerie X »." in html.replace(
        "&laquo;", "«"
    ).replace("&raquo;", "»").replace("&#x27;", "'")
    assert Place.objects.count() == 1
    assert not AuditLogEntry.objects.filter(action="directory.place.create", actor__isnull=False)


def test_malformed_hours_are_refused_with_the_engine_message(accueil_client):
    response = accueil_client.post(ADD_URL, form_data(opening_hours="lundi 9h-12h"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "opening_hours" in errors
    assert "Horaires illisibles" in errors["opening_hours"][0]
    assert not Place.objects.exists()


def test_bad_exception_saves_nothing_at_all(accueil_client):
    data = form_data(
        exceptions=inline_formset(
            [
                {
                    "start_date": "2026-08-10",
                    "end_date": "2026-08-24",
                    "opening_hours": "n'importe quoi",
                    "label": "Congés",
                }
            ]
        )
    )
    response = accueil_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert not Place.objects.exists()
    assert not PlaceException.objects.exists()
    assert not AuditLogEntry.objects.filter(action__startswith="directory.").exists()


def test_edit_with_bad_input_keeps_the_entry_unchanged(accueil_client):
    place = make_place("Boulangerie du Puits", phone="01 99 00 12 34")
    response = accueil_client.post(
        edit_url(place), form_data(phone="01 99 00 99 99", postcode="138", slug=place.slug)
    )
    assert response.status_code == 200
    assert "Un code postal a 5 chiffres." in response.content.decode()
    place.refresh_from_db()
    assert place.phone == "01 99 00 12 34"


def test_point_outside_france_saves_with_a_warning(accueil_client):
    response = accueil_client.post(
        ADD_URL, form_data(latitude="5.544300", longitude="43.433100"), follow=True
    )
    assert Place.objects.count() == 1
    html = response.content.decode()
    assert "Le point est hors de France" in html


def test_place_form_has_tabs_map_and_geocode_button(accueil_client):
    html = accueil_client.get(ADD_URL).content.decode()
    for tab in (
        "Fiche",
        "Adresse et carte",
        "Horaires",
        "Accessibilité",
        "Identifiants",
        "Contact privé",
        "Publication",
    ):
        assert tab in html
    assert "Géocoder l&#x27;adresse" in html or "Géocoder l'adresse" in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "parvis/admin/directory-place.js" in html
    assert 'data-geocode-url="/admin/annuaire/geocoder/"' in html


# --- photos --------------------------------------------------------------------------------
def test_place_photo_is_saved_from_the_image_chooser(accueil_client):
    image = factories.make_image("Devanture")
    data = form_data(photos=inline_formset([{"image": str(image.pk), "caption": "La vitrine"}]))
    response = accueil_client.post(ADD_URL, data)
    assert response.status_code == 302
    assert Place.objects.get().photos.get().image == image


def test_oversized_photo_is_refused_in_french(accueil_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2000
    buffer = io.BytesIO()
    PILImage.effect_noise((300, 300), 80).convert("RGB").save(buffer, "PNG")
    upload = SimpleUploadedFile("vitrine.png", buffer.getvalue(), "image/png")
    response = accueil_client.post(
        "/admin/images/chooser/create/",
        {"image-chooser-upload-title": "Vitrine", "image-chooser-upload-file": upload},
    )
    assert response.status_code == 200
    assert "Ce fichier est trop gros" in response.content.decode()
    assert not Image.objects.exists()


# --- geocoding endpoint ----------------------------------------------------------------------
def test_geocode_endpoint_fills_coordinates(accueil_client):
    response = accueil_client.get(
        "/admin/annuaire/geocoder/",
        {
            "street_number": "3",
            "street": "place Félix Gouin",
            "postcode": "13850",
            "city": "Gréasque",
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert data["insee_code"] == "13046"
    assert data["latitude"].startswith("43.43")


def test_geocode_endpoint_address_not_found(accueil_client):
    response = accueil_client.get(
        "/admin/annuaire/geocoder/", {"street": "rue Imaginaire", "postcode": "13850"}
    )
    assert response.status_code == 404
    assert "Adresse introuvable" in response.json()["message"]


def test_geocode_endpoint_service_down(accueil_client, settings):
    settings.PARVIS_GEOCODER = "tests.test_directory_admin.DownGeocoder"
    response = accueil_client.get("/admin/annuaire/geocoder/", {"street": "cours Ferrer"})
    assert response.status_code == 503
    assert response.json()["message"] == (
        "Le service d'adresses ne répond pas : placez le point sur la carte."
    )


# --- list ------------------------------------------------------------------------------------
def test_list_filters_and_open_now_column(accueil_client, django_assert_max_num_queries):
    for index in range(12):
        make_place(
            f"Association {index:02d}",
            kind="association",
            opening_hours="Mo-Su 00:00-24:00",
            status="published",
        )
    make_place("Mairie", kind="service", opening_hours="", status="published")
    with django_assert_max_num_queries(40):
        response = accueil_client.get(LIST_URL, {"kind": "association"})
    html = response.content.decode()
    assert "Association 00" in html
    assert "Mairie" not in html
    assert "Ouvert" in html
    response = accueil_client.get(LIST_URL, {"q": "Mairie"})
    assert "Mairie" in response.content.decode()
    assert "Association 00" not in response.content.decode()


def test_list_filter_to_verify(accueil_client):
    make_place("Ancienne", status="published", last_verified=dt.date(2020, 1, 1))
    make_place("Récente", status="published", last_verified=dt.date.today())
    html = accueil_client.get(LIST_URL, {"to_verify": "on"}).content.decode()
    assert "Ancienne" in html
    assert "Récente" not in html


# --- categories ------------------------------------------------------------------------------
def test_category_in_use_cannot_be_deleted(accueil_client):
    category = Category.objects.create(name="Sport", slug="sport")
    make_place("Tennis club", kind="association", categories=[category])
    url = f"/admin/snippets/directory/category/delete/{category.pk}/"
    response = accueil_client.post(url, follow=True)
    assert Category.objects.filter(pk=category.pk).exists()
    assert "est utilisée par 1 fiche(s)" in response.content.decode()


def test_unused_category_is_deleted(accueil_client):
    category = Category.objects.create(name="Divers", slug="divers")
    accueil_client.post(f"/admin/snippets/directory/category/delete/{category.pk}/")
    assert not Category.objects.filter(pk=category.pk).exists()


def test_category_cannot_be_its_own_ancestor(accueil_client):
    sport = Category.objects.create(name="Sport", slug="sport")
    tennis = Category.objects.create(name="Tennis", slug="tennis", parent=sport)
    response = accueil_client.post(
        f"/admin/snippets/directory/category/edit/{sport.pk}/",
        {"name": "Sport", "slug": "sport", "parent": str(tennis.pk), "position": "0"},
    )
    assert response.status_code == 200
    sport.refresh_from_db()
    assert sport.parent is None


# --- services --------------------------------------------------------------------------------
def test_service_refuses_duplicate_rna_and_saves_nothing(communication):
    make_place("Club de pétanque", kind="association", rna="W131001234")
    with pytest.raises(DuplicateIdentifier) as caught:
        place_create(
            actor=communication,
            data={"name": "Autre club", "kind": "association", "rna": "W131001234"},
        )
    assert str(caught.value.message) == (
        "Le numéro RNA W131001234 est déjà celui de « Club de pétanque »."
    )
    assert Place.objects.count() == 1


def test_service_validation_errors_by_field(communication):
    with pytest.raises(PlaceInvalid) as caught:
        place_create(
            actor=communication,
            data={
                "name": "Sans type",
                "kind": "business",
                "postcode": "ABCDE",
                "opening_hours": "toujours",
            },
        )
    assert set(caught.value.errors) == {"postcode", "opening_hours"}
    assert not Place.objects.exists()


def test_publish_archive_and_update_are_audited_once(communication):
    place = make_place("Épicerie")
    place_publish(actor=communication, place=place)
    place_publish(actor=communication, place=place)
    place_archive(actor=communication, place=place)
    place_update(actor=communication, place=place, data={"name": "Épicerie"})
    actions = list(
        AuditLogEntry.objects.filter(actor=communication).values_list("action", flat=True)
    )
    assert sorted(actions) == ["directory.place.archive", "directory.place.publish"]
    place.refresh_from_db()
    assert place.status == PlaceStatus.ARCHIVED


def test_hours_index_is_refreshed_after_commit(communication, django_capture_on_commit_callbacks):
    from parvis.directory.hours_index import hours_index_refresh
    from parvis.directory.models import PlaceOpenInterval

    hours_index_refresh()  # the daily run opens the window
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place = make_place("Piscine", kind="facility", opening_hours="Mo-Su 10:00-19:00")
    assert not PlaceOpenInterval.objects.filter(place=place).exists()
    for callback in callbacks:
        callback()
    assert PlaceOpenInterval.objects.filter(place=place).exists()
    with django_capture_on_commit_callbacks(execute=True):
        place_update(actor=communication, place=place, data={"opening_hours": ""})
    assert not PlaceOpenInterval.objects.filter(place=place).exists()
