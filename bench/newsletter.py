#!/usr/bin/env python3
"""Newsletter sending: e-mails per second to a local SMTP sink, with the configured rate
limit and with none, and the web's latency (GET /) while the worker sends against idle,
in the same run.

    .venv/bin/python bench/newsletter.py                 # figures of bench/README.md
    .venv/bin/python bench/newsletter.py --quick         # smoke run

Set-up (all on 127.0.0.1, all stopped at the end, also on Ctrl-C): a throw-away SQLite
database (WAL) in a temporary folder with the demo site and N contacts subscribed by
e-mail; an aiosmtpd sink in this process; one web server (``manage.py runserver
--noreload``, the embedded mode) and one ``manage.py send_outbox`` worker, both
processes on that database. For each run a campaign to every contact is enqueued, the
worker sends it; a probe thread GETs / every 50 ms and records latencies, during an idle
period before the worker starts and while it sends. Results: bench/results/newsletter.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from benchlib import (  # noqa: E402
    HOST,
    PYTHON,
    REPO,
    RESULTS_DIR,
    free_port,
    http_get,
    log,
    machine_facts,
    median,
    stop_on_sigterm,
    wait_ready,
)


class Sink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


class Probe(threading.Thread):
    """GET ``url`` every ``interval`` seconds; latencies in ms, tagged by phase."""

    def __init__(self, url: str, interval: float = 0.05):
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.phase = "warmup"
        self.samples: dict[str, list[float]] = {}
        self.errors = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                status, _h, _b = http_get(self.url)
                if status >= 500:
                    self.errors += 1
            except OSError:
                self.errors += 1
            elapsed = time.perf_counter() - started
            self.samples.setdefault(self.phase, []).append(elapsed * 1000)
            self.stop.wait(max(self.interval - elapsed, 0))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=None, help="default: the setting (20/s)")
    parser.add_argument(
        "--rated-contacts",
        type=int,
        default=1_000,
        help="recipients of the rate-limited runs (10,000 at 20/s would take 8 min a run)",
    )
    parser.add_argument("--idle", type=float, default=8.0, help="idle probe seconds per run")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.contacts, args.runs, args.rated_contacts, args.idle = 1_000, 1, 100, 3.0
    stop_on_sigterm()

    workdir = Path(tempfile.mkdtemp(prefix="parvis-bench-newsletter-"))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.newsletter_worker_settings",
        PARVIS_BENCH="1",
        SQLITE_PATH=str(workdir / "bench.sqlite3"),
        PYTHONPATH=str(REPO),
    )
    os.environ.update(env)
    from aiosmtpd.controller import Controller

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname=HOST, port=smtp_port)
    controller.start()
    env["PARVIS_TEST_SMTP_PORT"] = os.environ["PARVIS_TEST_SMTP_PORT"] = str(smtp_port)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    configured = int(os.environ.get("PARVIS_NEWSLETTER_EMAIL_RATE", 20))  # env.py's default
    rate = args.rate if args.rate is not None else configured
    web = None
    results: dict = {"machine": machine_facts(), "runs": []}
    try:
        log(f"· database {settings.DATABASES['default']['NAME']}")
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        from django.utils import timezone

        from parvis.newsletter.models import (
            Campaign,
            CampaignStatus,
            Contact,
            Subscription,
            SubscriptionStatus,
            Topic,
        )
        from parvis.newsletter.services import sending

        topic = Topic.objects.create(name="Banc d'essai", slug="banc-essai")
        contacts = Contact.objects.bulk_create(
            [
                Contact(email=f"banc{i}@example.org", token=f"bench-{i}")
                for i in range(args.contacts)
            ],
            batch_size=2000,
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    contact_id=c.pk,
                    channel="email",
                    topic=topic,
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=timezone.now(),
                )
                for c in Contact.objects.all()
            ],
            batch_size=2000,
        )
        rated_topic = Topic.objects.create(name="Banc limité", slug="banc-limite")
        Subscription.objects.bulk_create(
            [
                Subscription(
                    contact_id=pk,
                    channel="email",
                    topic=rated_topic,
                    status=SubscriptionStatus.ACTIVE,
                    confirmed_at=timezone.now(),
                )
                for pk in Contact.objects.order_by("pk").values_list("pk", flat=True)[
                    : args.rated_contacts
                ]
            ],
            batch_size=2000,
        )
        del contacts

        web_port = free_port()
        web_log = workdir / "web.log"
        web = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"{HOST}:{web_port}"],
            cwd=REPO,
            env=env,
            stdout=web_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        url = f"http://{HOST}:{web_port}/"
        wait_ready(url, web, web_log)
        status, _h, body = http_get(url)
        log(f"· GET / answers {status} ({len(body)} bytes)")

        # Whatever the demo queued (confirmation e-mails…) leaves before the measured runs.
        subprocess.run([PYTHON, "manage.py", "send_outbox"], cwd=REPO, env=env, check=True)
        plans = [("none", 0, topic, args.contacts)] * args.runs + [
            ("rate", rate, rated_topic, args.rated_contacts)
        ] * args.runs
        for n, (label, run_rate, run_topic, expected) in enumerate(plans, 1):
            campaign = Campaign.objects.create(
                channel="email",
                title=f"Banc {n}",
                subject="Lettre d'information de la commune",
                body=[
                    {"type": "text", "heading": "Travaux", "text": "La voie sera fermée."},
                    {"type": "button", "label": "En savoir plus", "url": "/actualites/"},
                ],
                status=CampaignStatus.APPROVED,
            )
            campaign.topics.add(run_topic)
            # Dummy task backend: queued only. The demo's contacts may join the audience.
            expected = sending.campaign_enqueue(campaign=campaign)
            probe = Probe(url)
            probe.phase = "idle"
            probe.start()
            time.sleep(args.idle)
            before = sink.count
            probe.phase = "sending"
            started = time.perf_counter()
            worker = subprocess.run(
                [PYTHON, "manage.py", "send_outbox", "--batch", "100"],
                cwd=REPO,
                env={**env, "PARVIS_BENCH_EMAIL_RATE": str(run_rate)},
                capture_output=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
            probe.stop.set()
            probe.join()
            received = sink.count - before
            if worker.returncode != 0 or received != expected:
                log(worker.stderr.decode()[-2000:])
                raise RuntimeError(f"run {n}: {received} received, {expected} expected")
            idle, busy = probe.samples.get("idle", []), probe.samples.get("sending", [])
            run = {
                "limit": label,
                "rate_setting": run_rate,
                "messages": received,
                "seconds": round(elapsed, 2),
                "per_second": round(received / elapsed, 1),
                "idle_ms_median": round(statistics.median(idle), 1),
                "idle_ms_p95": round(percentile(idle, 95), 1),
                "sending_ms_median": round(statistics.median(busy), 1),
                "sending_ms_p95": round(percentile(busy, 95), 1),
                "probe_errors": probe.errors,
            }
            results["runs"].append(run)
            log(f"· run {n}: {json.dumps(run)}")
        summary = {}
        for label in ("none", "rate"):
            runs = [r for r in results["runs"] if r["limit"] == label]
            summary[label] = {
                key: median([r[key] for r in runs])
                for key in (
                    "messages",
                    "per_second",
                    "idle_ms_median",
                    "idle_ms_p95",
                    "sending_ms_median",
                    "sending_ms_p95",
                )
            }
            summary[label]["rate_setting"] = runs[0]["rate_setting"]
        results["summary"] = summary
        log(json.dumps(summary, indent=2))
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / "newsletter.json").write_text(json.dumps(results, indent=2))
        return 0
    finally:
        if web is not None:
            web.terminate()
            try:
                web.wait(timeout=10)
            except subprocess.TimeoutExpired:
                web.kill()
        controller.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
