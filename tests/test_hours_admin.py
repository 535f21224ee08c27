import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parvis.core.models import CommuneSettings
from parvis.core.widgets import OpeningHoursWidget

TOWN_HALL = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
PREVIEW = "/admin/horaires/apercu/"


def test_preview_url_is_under_the_admin():
    assert reverse("parvis_hours_preview") == PREVIEW


def test_widget_renders_grid_raw_input_and_server_preview(db):
    widget = OpeningHoursWidget()
    html = widget.render("town_hall_hours", TOWN_HALL, attrs={"id": "id_town_hall_hours"})
    for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"):
        assert day in html
    assert "+ ajouter une plage" in html and "Jours fériés" in html
    assert f'value="{TOWN_HALL}"' in html and 'id="id_town_hall_hours"' in html
    assert f'data-preview-url="{PREVIEW}"' in html
    grid = html.split('data-grid="', 1)[1].split('"', 1)[0].replace("&quot;", '"')
    assert json.loads(grid)["days"][0] == [["08:30", "12:00"], ["13:30", "17:00"]]
    assert json.loads(grid)["ph_closed"] is True
    assert "Du lundi au vendredi de 08:30 à 12:00" in html  # the preview, rendered by the server
    assert "<script" not in html and "style=" not in html
    assert "parvis/admin/hours-editor.js" in str(widget.media)
    assert "parvis/admin/hours-editor.css" in str(widget.media)


def test_widget_falls_back_to_raw_text_for_complex_values(db):
    html = OpeningHoursWidget().render("hours", "Mo-Fr 08:00-18:00; SH off", attrs={"id": "id_h"})
    assert 'data-grid=""' in html
    assert "trop complexes pour la grille" in html
    assert 'value="Mo-Fr 08:00-18:00; SH off"' in html


def test_widget_shows_a_located_error_for_an_invalid_value(db):
    html = OpeningHoursWidget().render("hours", "Mo-Fr 9h-12h", attrs={"id": "id_h"})
    assert "(caractère 7)" in html
    assert 'data-position="7"' in html


def test_town_hall_hours_use_the_widget_in_the_settings_form(communication_client, site):
    url = reverse("wagtailsettings:edit", args=["core", "communesettings"])
    response = communication_client.get(url, follow=True)
    if response.status_code == 403:
        pytest.fail("the Communication group must be able to edit the commune's settings")
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-hours-editor" in content
    assert "parvis/admin/hours-editor.js" in content


def test_model_refuses_an_unreadable_value_with_its_position():
    settings = CommuneSettings(name="Gréasque", town_hall_hours="Mo-Fr 08:30-12:00; PH of")
    with pytest.raises(ValidationError) as error:
        settings.full_clean(exclude=["logo"])
    [text] = error.value.message_dict["town_hall_hours"]
    assert text.startswith("Horaires illisibles près de « of » (caractère 23)")


def test_preview_refuses_anonymous_users(client, site):
    response = client.get(PREVIEW, {"value": TOWN_HALL})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_preview_requires_a_verified_second_factor(client, communication, site):
    client.force_login(communication)
    response = client.get(PREVIEW, {"value": TOWN_HALL})
    assert response.status_code == 302
    assert "double-authentification" in response["Location"]


def test_preview_answers_the_week_with_public_holidays(communication_client, site):
    response = communication_client.get(PREVIEW, {"value": TOWN_HALL, "debut": "2026-07-13"})
    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is True
    assert data["grid"]["days"][5] == [["09:00", "12:00"]]
    monday, tuesday = data["days"][0], data["days"][1]
    assert monday["ranges"] == ["08:30–12:00", "13:30–17:00"] and not monday["closed"]
    assert tuesday["closed"] and tuesday["public_holiday"] == "Fête nationale"
    assert "jour férié : Fête nationale" in data["html"]
    assert "mardi 14 juillet" in data["html"]


def test_preview_explains_an_invalid_value(communication_client, site):
    value = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH of"
    data = communication_client.get(PREVIEW, {"value": value}).json()
    assert data["valid"] is False
    assert data["position"] == 51
    assert "près de « of » (caractère 51)" in data["error"]
    assert "caractère 51" in data["html"]


def test_preview_of_a_complex_value_has_no_grid(communication_client, site):
    data = communication_client.get(
        PREVIEW, {"value": "Mo-Fr 08:00-18:00; SH off", "debut": "2026-10-19"}
    ).json()
    assert data["valid"] is True and data["grid"] is None
    assert all(day["closed"] for day in data["days"])  # Toussaint, zone B
