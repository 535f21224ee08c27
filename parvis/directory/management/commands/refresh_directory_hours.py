"""Rolls the « ouvert maintenant » index to today and rebuilds every place's intervals.

Run it once a day, just after midnight (systemd timer or cron), and once after deploying.
Idempotent: running it twice in a day gives the same rows. ``--if-stale`` does nothing when
the index was already rolled to today (for a loop that runs it every minute).
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parvis.directory.hours_index import current_window, hours_index_refresh, window_for


class Command(BaseCommand):
    help = "Recalcule les plages d'ouverture de tous les lieux (fenêtre glissante)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Jour de référence AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).",
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Ne rien faire si l'index couvre déjà la fenêtre du jour.",
        )

    def handle(self, *args, date=None, if_stale=False, **options):
        if if_stale and not date:
            window = current_window()
            wanted_start, _wanted_end = window_for(timezone.localdate())
            if window is not None and window.start == wanted_start:
                return
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date attend AAAA-MM-JJ, reçu « {date} ».") from exc
        started = time.monotonic()
        rows = hours_index_refresh(today=today)
        window = current_window()
        elapsed = time.monotonic() - started
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{rows} plages d'ouverture du {window.start.isoformat()} "
                f"au {window.end.isoformat()} ({elapsed:.1f} s)"
            )
