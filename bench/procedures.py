"""Online procedures benchmark on PostgreSQL with the production settings (DEBUG off,
manifest static files, secure cookies, database task queue), through Django's full
request stack (middleware, sessions, CSRF-free test client), in one process:

1. submitting a 3-page form with an attachment (a one-page PDF checked by content): the
   server time of the three page POSTs and of the final « Envoyer » POST (validation of
   the whole submission, numbering under a row lock, receipt e-mail queued), against
   rendering the empty form's first page, measured in the same runs (interleaved).
   Figures: medians in ms and the ratios.
2. the agents' inbox with N generated requests (50,000 by default) over two services:
   the list and a filtered list (procedure + open + assigned to me + overdue) as an
   agent of one service (the page of 50, the count, the header counts), medians in ms,
   the number of SQL queries of each page, and PostgreSQL's EXPLAIN of the page query
   of each, to show the index used.

Database ``parvis_bench_procedures`` on 127.0.0.1:5432 (dropped and recreated each run,
dropped at the end). Attachments go to a temporary private folder, removed at the end.

    .venv/bin/python bench/procedures.py                      # 5 runs, 50,000 requests
    .venv/bin/python bench/procedures.py --runs 3 --journeys 10 --requests 5000  # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import RESULTS_DIR, load_average, log, machine_facts, psql  # noqa: E402

DB = "parvis_bench_procedures"
WORKDIR = Path(tempfile.mkdtemp(prefix="parvis-bench-procedures-"))
INBOX_PAGE = "/admin/demarches/demandes/"


def setup_django() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "parvis.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
            "PARVIS_TASKS_BACKEND": "database",
            "STATIC_ROOT": str(WORKDIR / "static"),
            "MEDIA_ROOT": str(WORKDIR / "media"),
            "PRIVATE_MEDIA_ROOT": str(WORKDIR / "private"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DJANGO_DEBUG", None)
    import django

    django.setup()


def recreate_database() -> None:
    from django.core.management import call_command

    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DB}"')
    log("· migrating the bench database")
    call_command("migrate", verbosity=0)
    log("· collectstatic (manifest storage of the production settings)")
    call_command("collectstatic", interactive=False, verbosity=0)


# --- set-up ---------------------------------------------------------------------------------


def _field(kind, key, label, **values):
    value = {"key": key, "label": label, "help_text": "", "required": True}
    value.update(values)
    return {"type": kind, "value": value}


def _page(title, fields):
    return {"type": "page", "value": {"title": title, "intro": "", "fields": fields}}


THREE_PAGES = [
    _page(
        "Vous",
        [
            _field("identity", "demandeur", "Vos nom et prénoms", with_birth=False),
            _field("phone", "telephone", "Téléphone"),
            _field("choice", "motif", "Motif", choices="Naissance\nMariage\nDécès"),
        ],
    ),
    _page(
        "Le lieu",
        [
            _field("address", "adresse", "Adresse", with_point=False),
            _field("date", "date_souhaitee", "Date souhaitée", constraint="future"),
            _field("long_text", "details", "Précisions", max_length=2000),
        ],
    ),
    _page(
        "Pièces",
        [
            _field("file", "justificatif", "Justificatif", accept=["pdf"], max_size_mb=5),
            _field("checkbox", "certifie", "Je certifie l'exactitude de ces informations"),
        ],
    ),
]


def make_procedure(service, slug="bench-3-pages"):
    from parvis.procedures.models import Procedure
    from parvis.procedures.services.definitions import procedure_publish

    procedure = Procedure.objects.create(
        slug=slug,
        title="Démarche en trois étapes",
        service=service,
        audience="verified_email",
        form=json.dumps(THREE_PAGES),
    )
    procedure_publish(procedure=procedure, actor=None)
    procedure.refresh_from_db()
    return procedure


def pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Justificatif de domicile")
    return bytes(pdf.output())


def resident(number: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    return get_user_model().objects.create_user(
        email=f"habitant{number}@example.org",
        password=None,
        first_name="Camille",
        last_name=f"Bench{number}",
        email_verified_at=timezone.now(),
    )


# --- 1. the form ------------------------------------------------------------------------------


def _timed(call):
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def journey(procedure, user, pdf: bytes) -> dict:
    """GET the empty first page, then POST the three pages and send; seconds of each."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    slug = procedure.slug

    def page(number):
        return reverse("procedures:form_page", kwargs={"slug": slug, "page": number})

    render, response = _timed(lambda: client.get(page(1)))
    if response.status_code != 200:
        raise RuntimeError(f"empty form answered {response.status_code}")
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    posts = [
        (
            page(1),
            {
                "demandeur__last_name": "Martin",
                "demandeur__first_names": "Camille",
                "telephone": "06 39 98 00 12",
                "motif": "Mariage",
            },
        ),
        (
            page(2),
            {
                "adresse__street": "12 rue des Exemples",
                "adresse__complement": "",
                "adresse__postcode": "13850",
                "adresse__city": "Gréasque",
                "date_souhaitee": day,
                "details": "Copie intégrale demandée pour un dossier de mariage. " * 5,
            },
        ),
        (
            page(3),
            {
                "justificatif": SimpleUploadedFile("justificatif.pdf", pdf, "application/pdf"),
                "certifie": "on",
            },
        ),
    ]
    pages = 0.0
    for url, data in posts:
        elapsed, response = _timed(lambda url=url, data=data: client.post(url, data))
        if response.status_code != 302:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:800]}")
        pages += elapsed
    review = reverse("procedures:form_review", kwargs={"slug": slug})
    send, response = _timed(lambda: client.post(review, {}))
    if response.status_code != 302 or "/formulaire/" in response["Location"]:
        raise RuntimeError(f"sending answered {response.status_code}: {response.content[:800]}")
    return {"render_s": render, "pages_s": pages, "send_s": send, "journey_s": pages + send}


def bench_form(procedure, runs: int, journeys: int) -> dict:
    from parvis.procedures.models import Attachment, Request

    pdf = pdf_bytes()
    before = Request.objects.count()
    # Warm-up: templates, connections, caches.
    for number in range(3):
        journey(procedure, resident(900_000 + number), pdf)
    per_run = []
    user_number = 0
    for run in range(runs):
        samples = []
        for _ in range(journeys):
            user_number += 1
            samples.append(journey(procedure, resident(user_number), pdf))
        result = {
            key: statistics.median(sample[key] for sample in samples)
            for key in ("render_s", "pages_s", "send_s", "journey_s")
        }
        per_run.append(result)
        log(
            f"run {run + 1}: empty form {result['render_s'] * 1000:.1f} ms; "
            f"3 page POSTs {result['pages_s'] * 1000:.1f} ms; "
            f"send {result['send_s'] * 1000:.1f} ms"
        )
    made = Request.objects.count() - before
    expected = 3 + runs * journeys
    if made != expected:
        raise RuntimeError(f"{made} requests made, {expected} expected")
    if Attachment.objects.filter(request__procedure=procedure).count() != expected:
        raise RuntimeError("an attachment is missing")
    summary = {
        key: statistics.median(run[key] for run in per_run)
        for key in ("render_s", "pages_s", "send_s", "journey_s")
    }
    summary["send_ratio"] = summary["send_s"] / summary["render_s"]
    summary["journey_ratio"] = summary["journey_s"] / summary["render_s"]
    summary["runs"] = per_run
    return summary


# --- 2. the inbox -----------------------------------------------------------------------------


def agent_client(agent):
    """A client signed in with a verified second factor, as the back office demands."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=agent, name="bench", confirmed=True)
    client = Client()
    client.force_login(agent)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def fill_inbox(count: int, services, agents, procedures) -> None:
    """``count`` requests over the procedures (two services), spread over two years, in
    every status, a third assigned, some overdue."""
    from django.utils import timezone

    from parvis.procedures.models import ProcedureStatus, Request, RequestCounter

    rng = random.Random(7)
    now = timezone.now()
    statuses = {
        procedure.pk: list(ProcedureStatus.objects.filter(procedure=procedure))
        for procedure in procedures
    }
    batch = []
    # Numbers follow those already given (the form benchmark's requests).
    numbers: dict[int, int] = dict(RequestCounter.objects.values_list("year", "last"))
    for index in range(count):
        procedure = procedures[index % len(procedures)]
        status = rng.choices(statuses[procedure.pk], weights=[3, 4, 1, 6, 1, 2])[0]
        submitted = now - dt.timedelta(minutes=rng.randint(0, 730 * 24 * 60))
        year = timezone.localtime(submitted).year
        numbers[year] = numbers.get(year, 0) + 1
        agent_pool = agents[procedure.service_id]
        batch.append(
            Request(
                number=f"{year}-{numbers[year]:06d}",
                procedure=procedure,
                version=procedure.current_version,
                service_id=procedure.service_id,
                email=f"demandeur{index}@example.org",
                requester_name=f"Demandeur {index}",
                status_code=status.code,
                status_kind=status.kind,
                status_label=status.label,
                data={"motif": "Naissance"},
                assigned_to=rng.choice(agent_pool) if rng.random() < 0.35 else None,
                submitted_at=submitted,
                due_at=submitted + dt.timedelta(days=procedure.processing_days),
                closed_at=submitted + dt.timedelta(days=3) if status.is_final else None,
            )
        )
        if len(batch) == 5000:
            Request.objects.bulk_create(batch)
            batch = []
    if batch:
        Request.objects.bulk_create(batch)
    for year, last in numbers.items():
        RequestCounter.objects.update_or_create(year=year, defaults={"last": last})
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_request")


def bench_inbox(client, agent, procedure, runs: int, samples: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parvis.procedures import selectors

    views = {
        "list": ({}, selectors.InboxFilters()),
        "filtered": (
            {"procedure": procedure.pk, "status": "open", "assignee": "me", "overdue": "on"},
            selectors.InboxFilters(
                procedure=procedure.pk, status="open", assignee="me", overdue=True
            ),
        ),
        "search": ({"q": "demandeur4242"}, selectors.InboxFilters(q="demandeur4242")),
    }
    result = {}
    for name, (params, filters) in views.items():
        response = client.get(INBOX_PAGE, params)  # warm-up
        if response.status_code != 200:
            raise RuntimeError(f"inbox {name} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get(INBOX_PAGE, params)
        # Read now: the next request's request_started signal empties the log.
        queries = len(captured.captured_queries)
        per_run = []
        for _run in range(runs):
            times = []
            for _ in range(samples):
                elapsed, response = _timed(lambda params=params: client.get(INBOX_PAGE, params))
                times.append(elapsed)
            per_run.append(statistics.median(times))
        queryset = selectors.inbox_requests(agent, filters)
        plan = queryset[:50].explain(analyze=True)
        count_plan = queryset.order_by().explain(analyze=True)
        result[name] = {
            "median_s": statistics.median(per_run),
            "runs_s": per_run,
            "queries": queries,
            "rows": queryset.count(),
            "explain_page": plan,
            "explain_count": count_plan,
            "request_table": request_table_access(plan),
        }
        log(
            f"inbox {name}: {result[name]['median_s'] * 1000:.1f} ms, "
            f"{result[name]['queries']} queries, {result[name]['rows']} matching rows"
        )
    return result


def request_table_access(plan: str) -> str:
    """How the plan reads ``procedures_request``: the indexes used, or a sequential scan."""
    indexes = re.findall(
        r"Index (?:Only )?Scan(?: Backward)? using (\S+) on procedures_request\b", plan
    )
    indexes += [
        name
        for name in re.findall(r"Bitmap Index Scan on (procedures_\S+)", plan)
        if not name.startswith("procedures_procedure")
    ]
    parts = [f"index {name}" for name in dict.fromkeys(indexes)]
    if re.search(r"Seq Scan on procedures_request\b", plan):
        parts.append("sequential scan")
    return ", ".join(parts) or "?"


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--journeys", type=int, default=20, help="form journeys per run")
    parser.add_argument("--requests", type=int, default=50_000, help="requests in the inbox")
    parser.add_argument("--samples", type=int, default=10, help="inbox GETs per run")
    args = parser.parse_args()

    setup_django()
    log(f"load average at start: {load_average()}")
    try:
        recreate_database()
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        shutil.rmtree(WORKDIR, ignore_errors=True)


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from parvis.core.models import Service

    civil = Service.objects.create(name="État civil (bench)", slug="bench-etat-civil")
    works = Service.objects.create(name="Services techniques (bench)", slug="bench-travaux")
    users = get_user_model().objects
    agents = {}
    for service in (civil, works):
        group = Group.objects.create(name=f"Agents {service.slug}")
        group.permissions.add(
            *Permission.objects.filter(
                codename__in=["access_admin", "view_request", "change_request"],
                content_type__app_label__in=["wagtailadmin", "procedures"],
            )
        )
        service.groups.add(group)
        agents[service.pk] = []
        for number in range(4):
            agent = users.create_user(
                email=f"agent{number}.{service.slug}@example.org",
                password=None,
                is_staff=True,
                first_name="Agent",
                last_name=f"{service.slug} {number}",
            )
            agent.groups.add(group)
            agents[service.pk].append(agent)

    log(f"· form: {args.runs} runs of {args.journeys} journeys")
    form = make_procedure(civil)
    form_result = bench_form(form, args.runs, args.journeys)

    log(f"· inbox: generating {args.requests:,} requests")
    procedures = [
        make_procedure(civil, slug="bench-acte"),
        make_procedure(civil, slug="bench-livret"),
        make_procedure(works, slug="bench-signalement"),
    ]
    began = time.perf_counter()
    fill_inbox(args.requests, [civil, works], agents, procedures)
    log(f"  generated in {time.perf_counter() - began:.1f} s")
    agent = agents[civil.pk][0]
    inbox_result = bench_inbox(agent_client(agent), agent, procedures[0], args.runs, args.samples)

    summary = {
        "machine": machine_facts(),
        "settings": "parvis.settings.production (DEBUG off), PostgreSQL, locmem cache",
        "runs": args.runs,
        "journeys_per_run": args.journeys,
        "inbox_requests": args.requests,
        "form": form_result,
        "inbox": inbox_result,
        "load_average_end": load_average(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "procedures.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str)
    )
    f = form_result
    out = io.StringIO()
    out.write(f"\nmedians of {args.runs} runs (each the median of its samples):\n")
    out.write(f"  {'measure':<46}{'ms':>10}{'ratio':>10}\n")
    out.write(f"  {'empty form, first page (GET)':<46}{f['render_s'] * 1000:>10.1f}{1:>10.2f}\n")
    out.write(
        f"  {'3 page POSTs (with a PDF on page 3)':<46}{f['pages_s'] * 1000:>10.1f}"
        f"{f['pages_s'] / f['render_s']:>10.2f}\n"
    )
    out.write(
        f"  {'send (final POST: validate, number, store)':<46}{f['send_s'] * 1000:>10.1f}"
        f"{f['send_ratio']:>10.2f}\n"
    )
    out.write(
        f"  {'whole submission (3 pages + send)':<46}{f['journey_s'] * 1000:>10.1f}"
        f"{f['journey_ratio']:>10.2f}\n"
    )
    out.write(f"\n  inbox with {args.requests:,} requests (agent of one service):\n")
    out.write(f"  {'view':<12}{'ms':>10}{'queries':>10}{'rows':>10}  procedures_request read by\n")
    for name, item in inbox_result.items():
        out.write(
            f"  {name:<12}{item['median_s'] * 1000:>10.1f}{item['queries']:>10}"
            f"{item['rows']:>10}  {item['request_table']}\n"
        )
    for name, item in inbox_result.items():
        out.write(f"\n  EXPLAIN ({name}, page query):\n")
        out.write("".join(f"    {line}\n" for line in item["explain_page"].splitlines()))
    log(out.getvalue())


if __name__ == "__main__":
    main()
