"""Geocoding providers (postal address → WGS84 point).

The provider is chosen by ``settings.PARVIS_GEOCODER`` (a dotted path) and reached with
:func:`get_geocoder`. Every provider answers :meth:`Geocoder.geocode` with a
:class:`GeocodeResult`, ``None`` when the address is not found, or raises
:class:`GeocodingUnavailable` when the service cannot be reached; it never raises anything
else for a network or data problem, so callers have exactly three cases to handle.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from .exceptions import GeocodingUnavailable

__all__ = [
    "BanGeocoder",
    "FakeGeocoder",
    "GeocodeResult",
    "Geocoder",
    "GeocodingUnavailable",
    "get_geocoder",
    "in_french_territory",
]

TIMEOUT_SECONDS = 5

# Bounding boxes (south, west, north, east) of metropolitan France with Corsica and of the
# overseas departments and communities. A point outside all of them is most likely a typo
# (latitude and longitude swapped, a missing minus sign).
FRENCH_TERRITORY_BOXES = (
    (41.30, -5.30, 51.15, 9.60),  # metropolitan France and Corsica
    (15.80, -61.85, 16.55, -60.95),  # Guadeloupe
    (14.35, -61.25, 14.90, -60.80),  # Martinique
    (2.10, -54.65, 5.80, -51.50),  # Guyane
    (-21.40, 55.20, -20.85, 55.85),  # La Réunion
    (-13.05, 44.95, -12.60, 45.35),  # Mayotte
    (46.70, -56.45, 47.15, -56.10),  # Saint-Pierre-et-Miquelon
    (17.85, -63.20, 18.15, -62.75),  # Saint-Martin and Saint-Barthélemy
    (-22.75, 163.50, -19.50, 168.20),  # Nouvelle-Calédonie
    (-27.70, -154.80, -7.80, -134.90),  # Polynésie française
    (-14.40, -178.25, -13.15, -176.10),  # Wallis-et-Futuna
)


def in_french_territory(latitude, longitude) -> bool:
    """True when the point lies in metropolitan France or an overseas territory."""
    lat, lon = float(latitude), float(longitude)
    return any(
        south <= lat <= north and west <= lon <= east
        for south, west, north, east in FRENCH_TERRITORY_BOXES
    )


@dataclass(frozen=True)
class GeocodeResult:
    latitude: Decimal
    longitude: Decimal
    label: str
    score: float
    insee_code: str = ""
    citycode: str = ""

    def as_dict(self) -> dict:
        return {
            "latitude": str(self.latitude),
            "longitude": str(self.longitude),
            "label": self.label,
            "score": self.score,
            "insee_code": self.insee_code,
            "citycode": self.citycode,
        }


def _coordinate(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001"))


class Geocoder:
    """Base class of the geocoding providers."""

    def geocode(self, *, street: str, postcode: str = "", city: str = "") -> GeocodeResult | None:
        """The best point for the address, ``None`` when not found.

        Raises :class:`GeocodingUnavailable` when the service cannot answer.
        """
        raise NotImplementedError


class BanGeocoder(Geocoder):
    """The Base Adresse Nationale (api-adresse.data.gouv.fr or a self-hosted addok).

    ``GET {url}/search/?q=…&postcode=…&limit=1`` answers a GeoJSON FeatureCollection.
    Answers under ``min_score`` are treated as "not found": the agent places the pin.
    """

    min_score = 0.4

    def __init__(self, url: str | None = None, timeout: float = TIMEOUT_SECONDS):
        self.url = (url or settings.PARVIS_GEOCODER_URL).rstrip("/")
        self.timeout = timeout

    def geocode(self, *, street: str, postcode: str = "", city: str = "") -> GeocodeResult | None:
        query = " ".join(part for part in (street, postcode, city) if part).strip()
        if len(query) < 3:
            return None
        params = {"q": query, "limit": "1"}
        if postcode:
            params["postcode"] = postcode
        url = f"{self.url}/search/?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "Parvis"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise GeocodingUnavailable() from exc
        try:
            features = payload.get("features") or []
            if not features:
                return None
            feature = features[0]
            properties = feature.get("properties") or {}
            longitude, latitude = feature["geometry"]["coordinates"][:2]
            score = float(properties.get("score") or 0)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise GeocodingUnavailable() from exc
        if score < self.min_score:
            return None
        citycode = str(properties.get("citycode") or "")
        return GeocodeResult(
            latitude=_coordinate(latitude),
            longitude=_coordinate(longitude),
            label=str(properties.get("label") or query),
            score=score,
            insee_code=citycode,
            citycode=citycode,
        )


def _normalise(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(char for char in value if not unicodedata.combining(char))
    return " ".join(value.lower().replace("-", " ").replace("'", " ").split())


class FakeGeocoder(Geocoder):
    """A fixed table of Gréasque streets, for development and tests (offline, deterministic).

    The street name is matched without accents, case or house number; the house number only
    shifts the point by a few metres so that two places of one street do not overlap.
    """

    GREASQUE = {"postcode": "13850", "city": "Gréasque", "insee_code": "13046"}
    STREETS = {
        "place felix gouin": ("Place Félix Gouin", "43.433100", "5.544300"),
        "cours ferrer": ("Cours Ferrer", "43.432500", "5.545100"),
        "avenue ferdinand arnaud": ("Avenue Ferdinand Arnaud", "43.430900", "5.547800"),
        "chemin des mines": ("Chemin des Mines", "43.436200", "5.538900"),
        "route de fuveau": ("Route de Fuveau", "43.428700", "5.551200"),
        "rue du puits hely d oissel": ("Rue du Puits Hély d'Oissel", "43.434800", "5.541700"),
    }

    def geocode(self, *, street: str, postcode: str = "", city: str = "") -> GeocodeResult | None:
        words = _normalise(street).split()
        number = words.pop(0) if words and words[0].isdigit() else ""
        name = " ".join(words)
        if name not in self.STREETS:
            return None
        if postcode and postcode != self.GREASQUE["postcode"]:
            return None
        display, latitude, longitude = self.STREETS[name]
        shift = Decimal(int(number) % 50 if number else 0) * Decimal("0.00001")
        label = " ".join(part for part in (number, display, self.GREASQUE["postcode"]) if part)
        return GeocodeResult(
            latitude=Decimal(latitude) + shift,
            longitude=Decimal(longitude),
            label=f"{label} {self.GREASQUE['city']}",
            score=0.95,
            insee_code=self.GREASQUE["insee_code"],
            citycode=self.GREASQUE["insee_code"],
        )


def get_geocoder() -> Geocoder:
    """The provider named by ``settings.PARVIS_GEOCODER``."""
    return import_string(settings.PARVIS_GEOCODER)()
