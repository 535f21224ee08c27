"""Formatting of dates, times and amounts for the resident pages (French typography:
« mardi 12 janvier », « 10 h 42 », « 12,50 € »), shared by the views, the forms and the
personal-space section. Times are always shown in Europe/Paris."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parvis.payments.formatting import euros

__all__ = [
    "day_label",
    "day_long",
    "euros",
    "hm",
    "local",
    "range_label",
    "slot_count_label",
    "when_label",
]


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def hm(moment: dt.datetime | dt.time) -> str:
    """``10 h 42``, ``9 h`` (local time)."""
    if isinstance(moment, dt.datetime):
        moment = local(moment).time()
    if moment.minute:
        return _("%(h)s h %(m)02d") % {"h": moment.hour, "m": moment.minute}
    return _("%(h)s h") % {"h": moment.hour}


def day_label(day: dt.date) -> str:
    """``mardi 12 janvier``."""
    return date_format(day, "l j F")


def day_long(day: dt.date) -> str:
    """``mardi 12 janvier 2027``."""
    return date_format(day, "l j F Y")


def when_label(moment: dt.datetime) -> str:
    """``mardi 12 janvier 2027 à 9 h 30``."""
    return _("%(day)s à %(time)s") % {"day": day_long(local(moment).date()), "time": hm(moment)}


def range_label(start: dt.datetime, end: dt.datetime | None) -> str:
    """``mardi 12 janvier 2027, de 9 h à 10 h`` (or over several days)."""
    if end is None:
        return when_label(start)
    start_local, end_local = local(start), local(end)
    if start_local.date() == end_local.date():
        return _("%(day)s, de %(start)s à %(end)s") % {
            "day": day_long(start_local.date()),
            "start": hm(start),
            "end": hm(end),
        }
    return _("du %(start)s au %(end)s") % {"start": when_label(start), "end": when_label(end)}


def slot_count_label(count: int) -> str:
    return ngettext("%(n)s créneau libre", "%(n)s créneaux libres", count) % {"n": count}
