"""Opening hours of Parvis: OpenStreetMap ``opening_hours`` values evaluated in
Europe/Paris, with French public holidays (``PH``), the commune's school holidays
(``SH``) and dated exceptions.

This is the one hours engine of the product: the town hall's hours, the directory's
places, the "open now" filter and the booking desks all use it. Values are validated on
input with :func:`validate_opening_hours`; every function takes aware datetimes and
returns aware Europe/Paris datetimes. Parsed values are cached (``lru_cache``), so
evaluating thousands of places parses each distinct value once.

Examples::

    >>> from parvis.core import hours
    >>> value = "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
    >>> at = dt.datetime(2026, 11, 26, 10, 0, tzinfo=hours.PARIS)   # a Thursday
    >>> hours.is_open(value, at)
    True
    >>> hours.next_change(value, at)
    datetime.datetime(2026, 11, 26, 12, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    >>> hours.status_label(value, at)
    'Ouvert · ferme à 12:00'
    >>> summer = hours.HoursException(dt.date(2026, 8, 3), dt.date(2026, 8, 21),
    ...                               label="congés d'été")
    >>> hours.week(value, dt.date(2026, 8, 3), exceptions=[summer])[0].label
    "congés d'été"
    >>> hours.intervals(value, at, at + dt.timedelta(days=1))   # [(start, end), …]
    >>> hours.describe(value)
    'Du lundi au vendredi de 08:30 à 12:00 et de 13:30 à 17:00 ; le samedi de 09:00 à
    12:00. Fermé les jours fériés.'

Public API: :func:`is_open`, :func:`next_change`, :func:`week` (:class:`DayHours`),
:func:`status_label`, :func:`intervals`, :func:`validate_opening_hours`,
:func:`describe`, :class:`HoursException`, :data:`PARIS`.

Semantics
---------
* Parsing and evaluation are opening-hours-py's (country ``FR`` for ``PH``). Values
  without ``SH`` and without exceptions go straight through it.
* Daylight saving: evaluation happens on Paris wall-clock time, so ``01:00-04:00`` on
  the last Sunday of March lasts two real hours and on the last Sunday of October
  four; ``24/7`` and ``Mo-Su 00:00-24:00`` never change state. A boundary in the hour
  that repeats in October is read at its first occurrence (``22:00-02:00`` closes when
  the clock first shows 02:00), the same way by every function. Internally instants are
  compared in UTC (PEP 495: aware datetimes of one zone compare by wall clock).
* Dated exceptions (:class:`HoursException`) replace the usual hours for whole local
  days, from 00:00 to 24:00: the exception's own value (or "closed") is evaluated on
  those days. A range of the usual hours that passes midnight into an exception day is
  cut at midnight; a range of a day before the exception that passes midnight still
  opens the first hours of the next, ordinary, day. When several exceptions cover a
  day, the shortest one wins (then the last listed).
* ``SH`` (school holidays): opening-hours-py has no French school-holiday calendar
  (``SH`` never matches there; a test checks it), so Parvis evaluates it itself with
  :mod:`parvis.core.hours.school_holidays` (official calendar, zone
  ``settings.PARVIS_SCHOOL_ZONE``, ``"B"`` by default for Gréasque). A value with ``SH``
  is compiled twice: as written (the parser's reading for school days) and with every
  weekday selector that contains ``SH`` replaced by ``Mo-Su`` (its reading on school
  holidays, since a selector is a union). Each local day is evaluated with the variant
  of its kind, consecutive days of the same kind in one pass.
  Limits: a range passing midnight between a school day and a holiday day follows the
  variant of the day it falls on; ``SH`` with a day offset (``SH +1 day``) is refused;
  outside the published calendar (see ``school_holidays.LAST_DAY``) ``SH`` matches no day.
* Values accepted by the parser but unusable for residents are refused by
  :func:`validate_opening_hours`: sun times (no coordinates), open ends (``18:00+``),
  ``unknown``, fallback rules (``||``), zero-length ranges, lower-case day names, and
  values that never open in the next two years.
"""

from .engine import (
    DEFAULT_HORIZON_DAYS,
    PARIS,
    DayHours,
    HoursException,
    intervals,
    is_open,
    next_change,
    public_holiday,
    status_label,
    week,
)
from .grid import WeekGrid, describe, grid_to_value, parse_grid
from .validation import EXAMPLE, HoursProblem, find_problem, validate_opening_hours

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "EXAMPLE",
    "PARIS",
    "DayHours",
    "HoursException",
    "HoursProblem",
    "WeekGrid",
    "describe",
    "find_problem",
    "grid_to_value",
    "intervals",
    "is_open",
    "next_change",
    "parse_grid",
    "public_holiday",
    "status_label",
    "validate_opening_hours",
    "week",
]
