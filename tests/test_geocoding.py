"""Geocoding providers: the BAN client against a local server answering like the BAN,
the offline fake, and the territory check."""

import json
import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parvis.directory.geocoding import (
    BanGeocoder,
    FakeGeocoder,
    GeocodingUnavailable,
    get_geocoder,
    in_french_territory,
)

FOUND = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.544312, 43.433109]},
            "properties": {
                "label": "1 Place Félix Gouin 13850 Gréasque",
                "score": 0.91,
                "citycode": "13046",
                "postcode": "13850",
                "city": "Gréasque",
            },
        }
    ],
}


class BanHandler(BaseHTTPRequestHandler):
    """Answers according to the first word of ``q``: found, nothing, weak, error, slow,
    garbage."""

    requests: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        parsed = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        BanHandler.requests.append((parsed.path, query))
        mode = query["q"][0].split()[0]
        if mode == "slow":
            time.sleep(1.5)
        if mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"Internal Server Error")
            return
        if mode == "garbage":
            body = b"<html>maintenance</html>"
        elif mode == "nothing":
            body = json.dumps({"type": "FeatureCollection", "features": []}).encode()
        elif mode == "weak":
            weak = json.loads(json.dumps(FOUND))
            weak["features"][0]["properties"]["score"] = 0.2
            body = json.dumps(weak).encode()
        else:
            body = json.dumps(FOUND).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass


@pytest.fixture
def ban_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BanHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    BanHandler.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_ban_success_gives_point_label_and_insee_code(ban_url):
    result = BanGeocoder(ban_url).geocode(
        street="found 1 place Félix Gouin", postcode="13850", city="Gréasque"
    )
    assert result.latitude == Decimal("43.433109")
    assert result.longitude == Decimal("5.544312")
    assert result.label == "1 Place Félix Gouin 13850 Gréasque"
    assert result.insee_code == result.citycode == "13046"
    assert result.score == pytest.approx(0.91)
    path, query = BanHandler.requests[0]
    assert path == "/search/"
    assert query["postcode"] == ["13850"]
    assert query["limit"] == ["1"]
    assert "Gréasque" in query["q"][0]


def test_ban_no_result_and_weak_result_are_not_found(ban_url):
    geocoder = BanGeocoder(ban_url)
    assert geocoder.geocode(street="nothing rue inconnue", postcode="13850", city="") is None
    assert geocoder.geocode(street="weak rue floue", postcode="", city="Gréasque") is None


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_ban_server_error_is_unavailable(ban_url, mode):
    with pytest.raises(GeocodingUnavailable) as caught:
        BanGeocoder(ban_url).geocode(street=f"{mode} rue", postcode="13850", city="Gréasque")
    assert "placez le point sur la carte" in str(caught.value)


def test_ban_timeout_is_unavailable(ban_url):
    started = time.monotonic()
    with pytest.raises(GeocodingUnavailable):
        BanGeocoder(ban_url, timeout=0.3).geocode(street="slow rue", postcode="", city="")
    assert time.monotonic() - started < 1.4


def test_ban_unreachable_server_is_unavailable():
    with pytest.raises(GeocodingUnavailable):
        BanGeocoder("http://127.0.0.1:9", timeout=1).geocode(street="1 rue", city="Gréasque")


def test_ban_default_timeout_is_five_seconds(settings):
    settings.PARVIS_GEOCODER_URL = "https://adresse.example.org/"
    geocoder = BanGeocoder()
    assert geocoder.timeout == 5
    assert geocoder.url == "https://adresse.example.org"


def test_fake_geocoder_is_deterministic_and_ignores_accents():
    fake = FakeGeocoder()
    first = fake.geocode(street="3 place Félix-Gouin", postcode="13850", city="Gréasque")
    again = fake.geocode(street="3 PLACE FELIX GOUIN", postcode="13850", city="Gréasque")
    assert first == again
    assert first.insee_code == "13046"
    assert fake.geocode(street="1 rue de Rivoli", postcode="75001", city="Paris") is None
    assert fake.geocode(street="3 place Félix Gouin", postcode="75001", city="Paris") is None


def test_settings_choose_the_provider(settings):
    assert isinstance(get_geocoder(), FakeGeocoder)
    settings.PARVIS_GEOCODER = "parvis.directory.geocoding.BanGeocoder"
    assert isinstance(get_geocoder(), BanGeocoder)


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        ("43.4331", "5.5443", True),  # Gréasque
        ("42.70", "9.45", True),  # Bastia
        ("-20.88", "55.45", True),  # Saint-Denis de La Réunion
        ("16.24", "-61.53", True),  # Pointe-à-Pitre
        ("4.93", "-52.33", True),  # Cayenne
        ("5.5443", "43.4331", False),  # swapped
        ("43.4331", "-5.5443", False),  # sign lost: the Atlantic
        ("40.4168", "-3.7038", False),  # Madrid
    ],
)
def test_french_territory(lat, lon, inside):
    assert in_french_territory(Decimal(lat), Decimal(lon)) is inside
