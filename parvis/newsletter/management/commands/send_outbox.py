"""Send the newsletter outbox: once (for cron / systemd timers) or in a loop (a worker)."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from parvis.newsletter.services.sending import (
    Limiters,
    claim_timeout,
    deliveries_process,
    deliveries_recover,
)


class Command(BaseCommand):
    help = (
        "Envoie les messages en attente (e-mails et SMS des campagnes et messages "
        "transactionnels). Sans --loop : jusqu'à ce que la file soit vide, puis s'arrête."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="tourner en continu")
        parser.add_argument("--batch", type=int, default=100, help="messages par lot")
        parser.add_argument(
            "--channel", choices=["email", "sms"], default=None, help="un seul canal"
        )
        parser.add_argument(
            "--idle", type=float, default=5.0, help="pause (s) quand la file est vide"
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="reprendre les envois bloqués depuis N secondes (défaut : réglage)",
        )

    def handle(self, *args, loop, batch, channel, idle, stale_after, **options):
        stop = {"asked": False}

        def ask_stop(signum, frame):  # finish the message in hand, then leave
            stop["asked"] = True

        signal.signal(signal.SIGTERM, ask_stop)
        signal.signal(signal.SIGINT, ask_stop)
        limiters = Limiters()
        stale = claim_timeout() if stale_after is None else stale_after
        total = 0
        last_recover = 0.0
        while not stop["asked"]:
            if time.monotonic() - last_recover > min(max(stale, 1.0), 60.0):
                deliveries_recover(older_than=stale)
                last_recover = time.monotonic()
            claimed = deliveries_process(batch_size=batch, channel=channel, limiters=limiters)
            total += claimed
            if claimed:
                continue
            if not loop:
                break
            slept = 0.0
            while slept < idle and not stop["asked"]:
                time.sleep(0.2)
                slept += 0.2
        self.stdout.write(f"{total} message(s) traité(s).")
