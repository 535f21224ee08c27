"""Bookings rush benchmark: N residents press « Réserver » for M places at once.

The stack is the production one (``benchlib.production_stack``): gunicorn (sync workers)
in front of PostgreSQL, sessions and cache in Redis, the demo site loaded. A throw-away
event agenda gets one session of M free places (the rush) and one large session (the
idle reference). N verified resident accounts are created with a signed-in session each,
so that each client sends exactly one booking request: the real form POST
(``/reservations/<agenda>/reserver/?seance=<id>``, CSRF token included).

1. idle: ``--idle`` bookings, one after the other, on the large session: the booking
   request's latency when nothing else happens (p50, p95).
2. rush: N clients start at random moments spread over ``--spread`` seconds (default
   1,000 clients within 10 s) and post their booking for the M-place session. Each
   answer must be a redirect to the new booking (a place) or the form again with « Cette
   séance est complète » (no place); anything else (5xx, connection error, timeout) is
   an error. Afterwards the database must hold exactly M occupying bookings and the
   session's counter must say M.

Figures: confirmed (must equal M), errors (must be 0), p50/p95 of the booking request
during the rush, p95 idle, and the ratio rush p95 / idle p95 — medians over ``--runs``
rushes (each on a fresh session). Exit status 1 when a run confirms a number other than
M or has an error.

    .venv/bin/python bench/bookings.py                      # 1,000 clients, 100 places, 3 runs
    .venv/bin/python bench/bookings.py --clients 300 --places 50 --runs 1
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from benchlib import (  # noqa: E402
    RESULTS_DIR,
    load_average,
    log,
    machine_facts,
    production_stack,
    stop_on_sigterm,
)

SETUP = r"""
import json, sys, datetime as dt
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from importlib import import_module
from django.conf import settings
from parvis.accounts.models import User
from parvis.core.models import Service
from parvis.bookings.models import Agenda, AgendaKind, Session, TicketCategory

params = json.loads(open(PARAMS).read())
store = import_module(settings.SESSION_ENGINE).SessionStore
service, _ = Service.objects.get_or_create(slug="bench", defaults={"name": "Banc d'essai"})
agenda, _ = Agenda.objects.get_or_create(
    slug="banc-essai-ruee",
    defaults=dict(kind=AgendaKind.EVENT, title="Banc d'essai : ruée", service=service,
                  status=Agenda.Status.PUBLISHED, waiting_list=False,
                  max_places_per_booking=1),
)
start = timezone.now() + dt.timedelta(days=30)
def session(capacity, title):
    s = Session.objects.create(agenda=agenda, title=title, start=start,
                               end=start + dt.timedelta(hours=2), capacity=capacity)
    TicketCategory.objects.create(session=s, name="Entrée libre", price_cents=0)
    return s
idle = session(10_000, "Référence")
rushes = [session(params["places"], f"Ruée {i + 1}") for i in range(params["runs"])]
users = []
existing = {u.email: u for u in User.objects.filter(email__startswith="banc.")}
new = []
for i in range(params["accounts"]):
    email = f"banc.{i:05d}@example.org"
    if email not in existing:
        user = User(email=email, first_name="Banc", last_name=f"Essai {i}",
                    email_verified_at=timezone.now())
        user.set_unusable_password()
        new.append(user)
User.objects.bulk_create(new, batch_size=500)
cookies = []
for user in User.objects.filter(email__startswith="banc.").order_by("email")[: params["accounts"]]:
    s = store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    cookies.append(s.session_key)
category = {s.pk: s.categories.get().pk for s in [idle, *rushes]}
open(OUTPUT, "w").write(json.dumps({
    "slug": agenda.slug, "idle": idle.pk, "rushes": [s.pk for s in rushes],
    "category": category, "sessions": cookies,
    "session_cookie": settings.SESSION_COOKIE_NAME, "csrf_cookie": settings.CSRF_COOKIE_NAME,
}))
"""

COUNT = r"""
import json
from parvis.bookings.models import Booking, Session, OCCUPYING
out = {}
for pk in json.loads(open(PARAMS).read())["sessions"]:
    session = Session.objects.get(pk=pk)
    out[pk] = {"occupying": Booking.objects.filter(session=session, status__in=OCCUPYING).count(),
               "taken": session.taken, "capacity": session.capacity}
open(OUTPUT, "w").write(json.dumps(out))
"""

FULL_MARK = "complète"


def run_script(stack, code: str, params: dict, workdir: Path) -> dict:
    params_path = workdir / f"params-{secrets.token_hex(4)}.json"
    output_path = workdir / f"output-{secrets.token_hex(4)}.json"
    params_path.write_text(json.dumps(params))
    prelude = f"PARAMS = {str(params_path)!r}\nOUTPUT = {str(output_path)!r}\n"
    stack.manage("shell", "-c", prelude + code)
    return json.loads(output_path.read_text())


class Client:
    """One resident: a signed-in session cookie and a CSRF secret of their own."""

    def __init__(self, base: str, setup: dict, session_key: str):
        self.base = base
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        self.cookie = f"{setup['session_cookie']}={session_key}; {setup['csrf_cookie']}={self.csrf}"
        self.opener = urllib.request.build_opener(NoRedirect())

    def book(self, slug: str, session_id: int, category_id: int) -> tuple[str, float]:
        """('booked' | 'full' | 'error: …', seconds) for one booking POST."""
        url = f"{self.base}/reservations/{slug}/reserver/?seance={session_id}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.csrf,
                "places": "1",
                "phone": "",
                "p1-category": str(category_id),
                "p1-who": "me",
            }
        ).encode()
        request = urllib.request.Request(
            url,
            data=body,
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": url,
                "Origin": self.base,
            },
        )
        began = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except Exception as error:  # noqa: BLE001 - any failure is an error of the run
            return f"error: {type(error).__name__}: {error}", time.perf_counter() - began
        elapsed = time.perf_counter() - began
        if status == 302:
            return "booked", elapsed
        if status == 200 and FULL_MARK in text:
            return "full", elapsed
        snippet = re.sub(r"\s+", " ", text)[:200]
        return f"error: HTTP {status} {snippet}", elapsed


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def idle_run(clients: list[Client], setup: dict, count: int) -> list[float]:
    times = []
    for client in clients[:count]:
        outcome, elapsed = client.book(
            setup["slug"], setup["idle"], setup["category"][str(setup["idle"])]
        )
        if outcome != "booked":
            raise RuntimeError(f"idle booking failed: {outcome}")
        times.append(elapsed)
    return times


def rush_run(clients: list[Client], setup: dict, session_id: int, spread: float, seed: int):
    rng = random.Random(seed)
    offsets = sorted(rng.uniform(0, spread) for _ in clients)
    results: list[tuple[str, float]] = [("error: not run", 0.0)] * len(clients)
    category = setup["category"][str(session_id)]
    start = time.perf_counter() + 0.5

    def worker(index: int, client: Client, offset: float) -> None:
        delay = start + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        results[index] = client.book(setup["slug"], session_id, category)

    threads = [
        threading.Thread(target=worker, args=(i, client, offsets[i]), daemon=True)
        for i, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=spread + 180)
    wall = time.perf_counter() - start
    return results, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument(
        "--spread", type=float, default=10.0, help="seconds over which clients start"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=int, default=100, help="idle bookings for the reference")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--reuse-db", action="store_true")
    args = parser.parse_args()
    stop_on_sigterm()
    accounts = args.clients + args.idle
    report: dict = {"machine": machine_facts(), "args": vars(args), "runs": []}
    failed = False
    with production_stack(fresh_db=not args.reuse_db) as stack:
        stack.env["PARVIS_TASKS_BACKEND"] = "database"  # e-mails queued, as with a worker
        stack.env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        log(f"· creating {accounts} signed-in residents and {args.runs} rush sessions")
        setup = run_script(
            stack,
            SETUP,
            {"places": args.places, "runs": args.runs, "accounts": accounts},
            stack.workdir,
        )
        base = stack.start_gunicorn(workers=args.workers)
        log(f"· gunicorn with {args.workers} workers at {base}; load {load_average()}")
        clients = [Client(base, setup, key) for key in setup["sessions"]]
        idle_clients, rush_clients = clients[: args.idle], clients[args.idle :]
        idle_times = idle_run(idle_clients, setup, args.idle)
        idle_p50, idle_p95 = percentile(idle_times, 50), percentile(idle_times, 95)
        log(
            f"· idle: {len(idle_times)} bookings, "
            f"p50 {idle_p50 * 1000:.1f} ms, p95 {idle_p95 * 1000:.1f} ms"
        )
        report["idle"] = {
            "p50_ms": idle_p50 * 1000,
            "p95_ms": idle_p95 * 1000,
            "n": len(idle_times),
        }
        for number, session_id in enumerate(setup["rushes"], start=1):
            results, wall = rush_run(rush_clients, setup, session_id, args.spread, seed=number)
            counts = run_script(stack, COUNT, {"sessions": [session_id]}, stack.workdir)[
                str(session_id)
            ]
            booked = [t for outcome, t in results if outcome == "booked"]
            full = [t for outcome, t in results if outcome == "full"]
            errors = [outcome for outcome, _ in results if outcome.startswith("error")]
            times = [t for outcome, t in results if not outcome.startswith("error")]
            run = {
                "clients": len(results),
                "places": args.places,
                "booked_answers": len(booked),
                "full_answers": len(full),
                "errors": len(errors),
                "error_samples": errors[:5],
                "occupying_in_db": counts["occupying"],
                "session_counter": counts["taken"],
                "p50_ms": percentile(times, 50) * 1000,
                "p95_ms": percentile(times, 95) * 1000,
                "max_ms": max(times) * 1000 if times else float("nan"),
                "wall_s": wall,
            }
            run["p95_ratio"] = run["p95_ms"] / (idle_p95 * 1000)
            report["runs"].append(run)
            ok = (
                counts["occupying"] == args.places
                and counts["taken"] == args.places
                and len(booked) == args.places
                and not errors
            )
            failed |= not ok
            log(
                f"· rush {number}: {len(booked)} booked, {len(full)} told full, "
                f"{len(errors)} errors; "
                f"{counts['occupying']} occupying in the database (counter {counts['taken']}); "
                f"p50 {run['p50_ms']:.0f} ms, p95 {run['p95_ms']:.0f} ms "
                f"({run['p95_ratio']:.1f}× idle p95), {wall:.1f} s {'OK' if ok else 'FAILED'}"
            )
            if errors:
                log("  errors: " + " | ".join(errors[:3]))
    runs = report["runs"]
    summary = {
        "confirmed": [r["occupying_in_db"] for r in runs],
        "errors": [r["errors"] for r in runs],
        "rush_p50_ms_median": statistics.median(r["p50_ms"] for r in runs),
        "rush_p95_ms_median": statistics.median(r["p95_ms"] for r in runs),
        "idle_p95_ms": report["idle"]["p95_ms"],
        "p95_ratio_median": statistics.median(r["p95_ratio"] for r in runs),
    }
    report["summary"] = summary
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "bookings.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"| {args.clients} clients, {args.places} places, spread {args.spread:.0f} s | value |")
    print("| --- | ---: |")
    print(f"| confirmed per run | {', '.join(map(str, summary['confirmed']))} |")
    print(f"| errors per run | {', '.join(map(str, summary['errors']))} |")
    print(f"| booking p95, idle | {summary['idle_p95_ms']:.0f} ms |")
    rush = f"{summary['rush_p50_ms_median']:.0f} / {summary['rush_p95_ms_median']:.0f} ms"
    print(f"| booking p50 / p95 during the rush (median of runs) | {rush} |")
    print(f"| ratio rush p95 / idle p95 | {summary['p95_ratio_median']:.1f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
