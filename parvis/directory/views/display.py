"""What the public pages show of a place: its state now, its week, its usual week,
its schema.org description and the QR code of its address.

Pure functions of a place whose exceptions (and categories) were prefetched: no query.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

import qrcode
import qrcode.image.svg
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from parvis.core import hours

from ..models import Place, PlaceKind

SCHEMA_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SCHEMA_TYPES = {
    PlaceKind.SERVICE: "GovernmentOffice",
    PlaceKind.FACILITY: "CivicStructure",
    PlaceKind.ASSOCIATION: "NGO",
    PlaceKind.BUSINESS: "LocalBusiness",
    PlaceKind.HEALTH: "MedicalBusiness",
    PlaceKind.TOURISM: "TouristAttraction",
}


def format_ranges(ranges) -> list[str]:
    """``[(08:30, 12:00)]`` → ``["08:30–12:00"]`` (wall-clock times)."""
    return [f"{begin:%H:%M}–{end:%H:%M}" for begin, end in ranges]


@dataclass(frozen=True)
class PlaceState:
    """« Ouvert · ferme à 12:00 »; ``label`` is empty when the place gives no hours."""

    label: str
    is_open: bool

    @property
    def css(self) -> str:
        return "status--open" if self.is_open else "status--closed"


def place_state(place: Place, now: dt.datetime) -> PlaceState:
    if not place.opening_hours:
        return PlaceState(label="", is_open=False)
    exceptions = place.hours_exceptions()
    return PlaceState(
        label=hours.status_label(place.opening_hours, now, exceptions=exceptions),
        is_open=hours.is_open(place.opening_hours, now, exceptions=exceptions),
    )


def week_days(place: Place, now: dt.datetime) -> list[dict]:
    """The seven days from today with their ranges, exceptions applied, and a note: the
    label of the exception that changes a day, or the public holiday's name."""
    if not place.opening_hours:
        return []
    today = timezone.localtime(now).date()
    exceptions = place.hours_exceptions()
    days = []
    for day in hours.week(place.opening_hours, today, exceptions=exceptions):
        if day.is_exception:
            note = day.label or _("Horaires exceptionnels")
        else:
            note = day.public_holiday
        days.append(
            {
                "date": day.date,
                "is_today": day.date == today,
                "ranges": format_ranges(day.ranges),
                "note": note,
            }
        )
    return days


def usual_week(value: str, today: dt.date) -> list[dict]:
    """Monday to Sunday with the usual ranges (no dated exception). A day closed this
    week only because of a public holiday takes the ranges of the same day next week."""
    if not value:
        return []
    this_week = hours.week(value, today)
    next_week = hours.week(value, today + dt.timedelta(days=7))
    by_weekday = {}
    for day, later in zip(this_week, next_week, strict=True):
        by_weekday[day.date.weekday()] = (day.date, day.ranges or later.ranges)
    result = []
    for weekday in range(7):
        date, ranges = by_weekday[weekday]
        result.append(
            {
                "weekday": weekday,
                "name": formats.date_format(date, "l"),
                "ranges": format_ranges(ranges),
                "raw": ranges,
            }
        )
    return result


def exception_ranges(exception) -> list[tuple[dt.time, dt.time]]:
    """The open ranges of a dated exception's day (none for a closure)."""
    if not exception.opening_hours:
        return []
    return list(hours.week(exception.opening_hours, exception.start_date)[0].ranges)


def describe_exception(exception) -> str:
    """« Fermé » or « 09:00–12:00 » for one exception."""
    ranges = exception_ranges(exception)
    if not ranges:
        return _("Fermé")
    return ", ".join(format_ranges(ranges))


def place_json_ld(
    place: Place,
    *,
    url: str,
    today: dt.date,
    image_urls: list[str] = (),
    exceptions=(),
) -> dict:
    """schema.org description of a place: type by kind, address, geo, contact, usual
    hours (``openingHoursSpecification``) and dated exceptions
    (``specialOpeningHoursSpecification``; a closure opens and closes at 00:00)."""
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(place.kind, "Place"),
        "name": place.name,
        "url": url,
    }
    if place.summary:
        data["description"] = place.summary
    address = {"@type": "PostalAddress", "addressCountry": "FR"}
    if place.address_line:
        address["streetAddress"] = place.address_line
    if place.postcode:
        address["postalCode"] = place.postcode
    if place.city:
        address["addressLocality"] = place.city
    data["address"] = address
    if place.has_coordinates:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    if place.phone:
        data["telephone"] = place.phone
    if place.email:
        data["email"] = place.email
    same_as = [link.url for link in place.social_links.all()]
    if place.website:
        same_as.insert(0, place.website)
    if same_as:
        data["sameAs"] = same_as
    if image_urls:
        data["image"] = list(image_urls)

    grouped: dict[tuple[str, str], list[str]] = {}
    for day in usual_week(place.opening_hours, today):
        for begin, end in day["raw"]:
            key = (f"{begin:%H:%M}", f"{end:%H:%M}")
            grouped.setdefault(key, []).append(SCHEMA_DAY_NAMES[day["weekday"]])
    specs = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"https://schema.org/{name}" for name in days],
            "opens": opens,
            "closes": closes,
        }
        for (opens, closes), days in sorted(
            grouped.items(), key=lambda item: (SCHEMA_DAY_NAMES.index(item[1][0]), item[0])
        )
    ]
    if specs:
        data["openingHoursSpecification"] = specs

    special = []
    for exception in exceptions:
        base = {
            "@type": "OpeningHoursSpecification",
            "validFrom": exception.start_date.isoformat(),
            "validThrough": exception.end_date.isoformat(),
        }
        if exception.label:
            base["description"] = exception.label
        ranges = exception_ranges(exception)
        if not ranges:
            special.append({**base, "opens": "00:00", "closes": "00:00"})
        for begin, end in ranges:
            special.append({**base, "opens": f"{begin:%H:%M}", "closes": f"{end:%H:%M}"})
    if special:
        data["specialOpeningHoursSpecification"] = special
    return data


def qr_svg(text: str, *, label: str) -> SafeString:
    """An inline SVG QR code of ``text`` (vector, sharp at any print size), labelled for
    assistive technologies. No ``style`` attribute: the strict CSP holds."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    svg = svg.replace(
        "<svg ",
        f'<svg class="qr-code" role="img" aria-label={quoteattr(label)} ',
        1,
    )
    return mark_safe(svg.replace(">", f"><title>{escape(label)}</title>", 1))  # noqa: S308
