"""Materialised opening intervals: what makes « ouvert maintenant » cheap over many places.

Each row is one stretch of time during which a place is open, in UTC, never longer than
one local day (intervals are cut at Europe/Paris midnight), so that "is this place open
at T" is a bounded index range: ``start`` in ``(T - MAX_INTERVAL, T]`` and ``end > T``.
Rows only exist inside the window recorded in :class:`OpenIntervalWindow`; outside it
nothing is known and readers evaluate the hours themselves.

Rows are derived data, rebuilt by :func:`parvis.directory.hours_index.hours_index_refresh`;
nothing else writes them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Place

# A local day lasts 25 hours on the day clocks go back: no stored interval is longer.
MAX_INTERVAL = dt.timedelta(hours=25)


class PlaceOpenInterval(models.Model):
    """The place is open from ``start`` (included) to ``end`` (excluded)."""

    place = models.ForeignKey(
        Place, verbose_name=_("lieu"), on_delete=models.CASCADE, related_name="open_intervals"
    )
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))

    class Meta:
        verbose_name = _("plage d'ouverture calculée")
        verbose_name_plural = _("plages d'ouverture calculées")
        indexes = [
            models.Index(fields=["place", "start"], name="directory_interval_place"),
            models.Index(fields=["start", "end"], name="directory_interval_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="directory_interval_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place_id}: {self.start.isoformat()} → {self.end.isoformat()}"


class OpenIntervalWindow(models.Model):
    """The span of time the interval rows cover (one row at most).

    Absent until the first full refresh: then every reader falls back to evaluating the
    hours in Python, which is always right, only slower.
    """

    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    refreshed_at = models.DateTimeField(_("calculé le"))

    class Meta:
        verbose_name = _("fenêtre des plages d'ouverture")
        verbose_name_plural = _("fenêtres des plages d'ouverture")

    def __str__(self) -> str:
        return f"{self.start.isoformat()} → {self.end.isoformat()}"

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end
