"""School holidays of mainland France (zones A, B and C), for the ``SH`` rule.

Source: the national school calendar published by the Ministry of Education
(education.gouv.fr « Calendrier scolaire », open data set ``fr-en-calendrier-scolaire``;
arrêté du 7 décembre 2022 for 2023-2024 to 2025-2026, arrêté du 22 octobre 2025 for
2026-2027, arrêté du 21 juillet 2026 for 2027-2028).

Each period is written as published: ``start`` is the « fin des cours » date (pupils have
no class from that day, usually a Saturday) and ``end`` the « reprise des cours » date
(excluded). The days in between are school-holiday days. Toussaint, Noël and the summer
are the same for the three zones; winter and spring rotate between zones.

Not included: the « pont de l'Ascension » (a school bridge, not a holiday period) and the
Overseas académies (they have their own calendars). The rentrée 2028 is not published
yet, so the 2028 summer stops on :data:`LAST_DAY`; after it, ``SH`` matches no day.
Add the next school year here when the ministry publishes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

ZONES = ("A", "B", "C")
ALL = frozenset(ZONES)

TOUSSAINT = "Vacances de la Toussaint"
NOEL = "Vacances de Noël"
HIVER = "Vacances d'hiver"
PRINTEMPS = "Vacances de printemps"
ETE = "Vacances d'été"


@dataclass(frozen=True)
class SchoolHolidayPeriod:
    """From ``start`` (included) to ``end`` (the day classes resume, excluded)."""

    name: str
    zones: frozenset[str]
    start: dt.date
    end: dt.date

    def days(self):
        day = self.start
        while day < self.end:
            yield day
            day += dt.timedelta(days=1)


def _period(name, zones, start, end):
    return SchoolHolidayPeriod(
        name, frozenset(zones), dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    )


PERIODS: tuple[SchoolHolidayPeriod, ...] = (
    # Summer 2024 (end of 2023-2024), up to the rentrée of 2 September 2024.
    _period(ETE, ALL, "2024-07-06", "2024-09-02"),
    # 2024-2025
    _period(TOUSSAINT, ALL, "2024-10-19", "2024-11-04"),
    _period(NOEL, ALL, "2024-12-21", "2025-01-06"),
    _period(HIVER, "A", "2025-02-22", "2025-03-10"),
    _period(HIVER, "B", "2025-02-08", "2025-02-24"),
    _period(HIVER, "C", "2025-02-15", "2025-03-03"),
    _period(PRINTEMPS, "A", "2025-04-19", "2025-05-05"),
    _period(PRINTEMPS, "B", "2025-04-05", "2025-04-22"),  # resumes Tuesday (Easter Monday)
    _period(PRINTEMPS, "C", "2025-04-12", "2025-04-28"),
    _period(ETE, ALL, "2025-07-05", "2025-09-01"),
    # 2025-2026
    _period(TOUSSAINT, ALL, "2025-10-18", "2025-11-03"),
    _period(NOEL, ALL, "2025-12-20", "2026-01-05"),
    _period(HIVER, "A", "2026-02-07", "2026-02-23"),
    _period(HIVER, "B", "2026-02-14", "2026-03-02"),
    _period(HIVER, "C", "2026-02-21", "2026-03-09"),
    _period(PRINTEMPS, "A", "2026-04-04", "2026-04-20"),
    _period(PRINTEMPS, "B", "2026-04-11", "2026-04-27"),
    _period(PRINTEMPS, "C", "2026-04-18", "2026-05-04"),
    _period(ETE, ALL, "2026-07-04", "2026-09-01"),
    # 2026-2027
    _period(TOUSSAINT, ALL, "2026-10-17", "2026-11-02"),
    _period(NOEL, ALL, "2026-12-19", "2027-01-04"),
    _period(HIVER, "A", "2027-02-13", "2027-03-01"),
    _period(HIVER, "B", "2027-02-20", "2027-03-08"),
    _period(HIVER, "C", "2027-02-06", "2027-02-22"),
    _period(PRINTEMPS, "A", "2027-04-10", "2027-04-26"),
    _period(PRINTEMPS, "B", "2027-04-17", "2027-05-03"),
    _period(PRINTEMPS, "C", "2027-04-03", "2027-04-19"),
    _period(ETE, ALL, "2027-07-03", "2027-09-02"),
    # 2027-2028
    _period(TOUSSAINT, ALL, "2027-10-23", "2027-11-08"),
    _period(NOEL, ALL, "2027-12-18", "2028-01-03"),
    _period(HIVER, "A", "2028-02-19", "2028-03-06"),
    _period(HIVER, "B", "2028-02-05", "2028-02-21"),
    _period(HIVER, "C", "2028-02-12", "2028-02-28"),
    _period(PRINTEMPS, "A", "2028-04-22", "2028-05-09"),  # resumes Tuesday (8 May)
    _period(PRINTEMPS, "B", "2028-04-08", "2028-04-24"),
    _period(PRINTEMPS, "C", "2028-04-15", "2028-05-02"),  # resumes Tuesday (1 May)
    # Classes end on Wednesday 5 July 2028; the rentrée 2028 is not published yet.
    _period(ETE, ALL, "2028-07-05", "2028-09-01"),
)

FIRST_DAY = min(period.start for period in PERIODS)
LAST_DAY = dt.date(2028, 8, 31)


def current_zone() -> str:
    """The commune's zone: ``settings.PARVIS_SCHOOL_ZONE`` (``"B"`` when unset)."""
    from django.conf import settings

    zone = (getattr(settings, "PARVIS_SCHOOL_ZONE", "") or "B").strip().upper()
    if zone.startswith("ZONE"):
        zone = zone[4:].strip()
    if zone not in ZONES:
        raise ValueError(f"PARVIS_SCHOOL_ZONE must be one of {ZONES}, not {zone!r}")
    return zone


@lru_cache(maxsize=8)
def _days(zone: str) -> dict[dt.date, str]:
    days: dict[dt.date, str] = {}
    for period in PERIODS:
        if zone in period.zones:
            for day in period.days():
                if day <= LAST_DAY:
                    days[day] = period.name
    return days


def school_holiday(day: dt.date, zone: str | None = None) -> str:
    """The name of the school holiday on ``day`` in ``zone`` (the commune's by default),
    or ``""`` on a school day or outside the published calendar."""
    return _days(zone or current_zone()).get(day, "")


def is_school_holiday(day: dt.date, zone: str | None = None) -> bool:
    return bool(school_holiday(day, zone))
