#!/usr/bin/env python3
"""The directory at scale: 10,000 places, « ouvert maintenant », the API and the GeoJSON.

    .venv/bin/python bench/directory.py [--places 10000] [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parvis_h3 .venv/bin/python bench/directory.py

What it does (figures in bench/README.md):

1. builds a throw-away database: a new SQLite file in a temporary folder, or the
   PostgreSQL database of ``DATABASE_URL`` (it must be a throw-away one: its tables are
   dropped and re-created); ``migrate``;
2. generates ``--places`` published places with realistic, varied opening hours (about
   200 distinct values: split days, lunch breaks, Saturdays, overnight bars, 24/7,
   ``PH off``...), dated exceptions (closures, special hours) on 5 % of them, a tree of
   categories, coordinates around Gréasque;
3. refreshes the interval index (``hours_index_refresh``) and reports the time it took;
4. measures in the same process, interleaved, ``--runs`` times each after a warm-up,
   with Django's test client (no network, page cache off so every page is rendered):
   (a) the reference: listing 50 places with no filter (``place_list()[:50]`` and their
   categories, no HTTP); (b) ``/annuaire/``; (c) ``/annuaire/?ouvert=on``;
   (d) ``/opendata/places.geojson``; (e) ``/api/v1/places?limit=50``; and
   ``/api/v1/places?limit=50&open_now=true``;
5. prints the medians, each ratio to (a), and (c)/(b) against the target ≤ 2, then writes
   bench/results/directory.json. Exit status 1 when the target is missed.

Nothing listens on a port; only the local database is used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_SETS = ["Mo-Fr", "Mo-Sa", "Tu-Sa", "Mo-Su", "Mo,We,Fr", "Tu,Th", "We-Su", "Mo-Th"]
RANGES = [
    "08:30-12:00,13:30-17:00",
    "09:00-12:00,14:00-18:00",
    "08:00-12:30,14:30-19:00",
    "09:00-19:00",
    "10:00-18:00",
    "07:00-13:00",
    "14:00-18:30",
    "08:00-20:00",
    "09:30-12:30,15:00-19:30",
    "18:00-02:00",
    "11:30-14:30,19:00-23:00",
    "06:30-13:00,16:00-19:30",
]
SATURDAYS = ["", "; Sa 09:00-12:00", "; Sa 10:00-17:00", "; Su 09:00-12:30"]
SPECIAL = ["", "09:00-12:00", "10:00-16:00", "14:00-18:00"]


def hours_values(rng: random.Random, count: int = 200) -> list[str]:
    """About ``count`` distinct, valid, realistic values."""
    values = {"24/7", "Mo-Su 00:00-24:00", "Fr-Sa 19:00-03:00; PH off"}
    while len(values) < count:
        days = rng.choice(DAY_SETS)
        value = f"{days} {rng.choice(RANGES)}"
        if days in ("Mo-Fr", "Mo-Th") and rng.random() < 0.6:
            value += rng.choice(SATURDAYS)
        if rng.random() < 0.5:
            value += "; PH off"
        values.add(value)
    return sorted(values)


def generate(count: int, seed: int = 2026) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from parvis.directory.models import Category, Place, PlaceException, PlaceKind, PlaceStatus
    from parvis.directory.models.places import sort_key

    rng = random.Random(seed)
    values = hours_values(rng)
    roots = [Category.objects.create(name=f"Catégorie {i}", slug=f"cat-{i}") for i in range(8)]
    leaves = [
        Category.objects.create(
            name=f"Sous-catégorie {i}", slug=f"sous-cat-{i}", parent=roots[i % 8]
        )
        for i in range(24)
    ]
    kinds = [kind.value for kind in PlaceKind]
    today = timezone.localdate()
    with transaction.atomic():
        places = [
            Place(
                kind=rng.choice(kinds),
                name=f"Lieu {rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}{index:05d}",
                slug=f"lieu-{index:05d}",
                street_number=str(rng.randint(1, 120)),
                street=rng.choice(["Avenue des Pins", "Rue du Puits", "Chemin de la Mine"]),
                postcode="13850",
                city="Gréasque",
                latitude=round(43.40 + rng.random() * 0.06, 6),
                longitude=round(5.51 + rng.random() * 0.07, 6),
                phone=f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
                wheelchair=rng.choice(["", "yes", "yes", "limited", "no"]),
                opening_hours=rng.choice(values),
                status=PlaceStatus.PUBLISHED,
            )
            for index in range(count)
        ]
        for place in places:
            place.sort_name = sort_key(place.name)
        Place.objects.bulk_create(places, batch_size=1000)
        ids = list(Place.objects.values_list("pk", flat=True))
        through = Place.categories.through
        through.objects.bulk_create(
            [through(place_id=pk, category_id=rng.choice(leaves + roots).pk) for pk in ids],
            batch_size=2000,
        )
        exceptions = []
        for pk in rng.sample(ids, count // 20):
            start = today + dt_days(rng.randint(-2, 15))
            exceptions.append(
                PlaceException(
                    place_id=pk,
                    start_date=start,
                    end_date=start + dt_days(rng.randint(0, 6)),
                    opening_hours=rng.choice(SPECIAL),
                    label="Fermeture exceptionnelle",
                )
            )
        PlaceException.objects.bulk_create(exceptions, batch_size=1000)
    return {"places": count, "distinct_hours": len(values), "exceptions": len(exceptions)}


def dt_days(days: int):
    import datetime as dt

    return dt.timedelta(days=days)


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15, help="measurements per target")
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    if not 100 <= args.places <= 100_000 or not 1 <= args.runs <= 200:
        parser.error("--places must be 100..100000 and --runs 1..200")

    workdir = Path(tempfile.mkdtemp(prefix="parvis-bench-directory-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "parvis.settings.test"
    os.environ["PARVIS_PAGE_CACHE_SECONDS"] = "0"  # render every page
    os.environ.setdefault("SQLITE_PATH", str(workdir / "bench.sqlite3"))
    engine = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    try:
        return run(args, engine, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, engine: str, workdir: Path) -> int:
    import django

    django.setup()
    import benchlib
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from parvis.directory import selectors
    from parvis.directory.hours_index import hours_index_refresh

    settings.ALLOWED_HOSTS = ["*"]
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    print(f"· database: {engine} ({settings.DATABASES['default']['NAME']})", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    started = time.perf_counter()
    facts = generate(args.places)
    print(f"· generated {facts} in {time.perf_counter() - started:.1f} s", flush=True)

    refresh_runs = []
    for _ in range(3):
        started = time.perf_counter()
        rows = hours_index_refresh()
        refresh_runs.append(time.perf_counter() - started)
    print(
        f"· interval index: {rows} rows; full refresh {statistics.median(refresh_runs):.2f} s "
        f"(median of 3: {', '.join(f'{s:.2f}' for s in refresh_runs)})",
        flush=True,
    )
    started = time.perf_counter()
    hours_index_refresh(places=list(range(1, 101)))
    partial = time.perf_counter() - started

    client = Client()

    def get(path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)

        return call

    def reference():
        list(selectors.place_list().prefetch_related("categories")[:50])

    targets = {
        "a_reference_50_places": reference,
        "b_directory": get("/annuaire/"),
        "c_directory_open_now": get("/annuaire/?ouvert=on"),
        "d_places_geojson": get("/opendata/places.geojson"),
        "e_api_places": get("/api/v1/places?limit=50"),
        "e2_api_places_open_now": get("/api/v1/places?limit=50&open_now=true"),
    }
    counts = {
        "published": selectors.place_list().count(),
        "open_now": selectors.place_list(open_at=timezone.now()).count(),
    }
    print(f"· places published: {counts['published']}, open now: {counts['open_now']}", flush=True)
    for function in targets.values():
        for _ in range(args.warmup):
            function()
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.runs):  # interleaved: load on the machine hits every target alike
        for name, function in targets.items():
            samples[name] += timed(function, 1)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    reference_ms = medians["a_reference_50_places"]
    print(f"\nMedian latency over {args.runs} runs (ms), ratio to (a):")
    for name, value in medians.items():
        print(f"  {name:26} {value:9.1f} ms  ×{value / reference_ms:7.1f}")
    ratio = medians["c_directory_open_now"] / medians["b_directory"]
    api_ratio = medians["e2_api_places_open_now"] / medians["e_api_places"]
    print(f"\n  (c)/(b) open now / unfiltered directory page: {ratio:.2f} (target ≤ 2)")
    print(f"  API open_now / unfiltered: {api_ratio:.2f}")
    print(f"  partial refresh of 100 places: {partial * 1000:.0f} ms")

    facts_machine = {"nproc": str(os.cpu_count()), "load_average_at_end": benchlib.load_average()}
    with contextlib.suppress(OSError, StopIteration):
        facts_machine["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    benchlib.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = benchlib.RESULTS_DIR / f"directory-{engine}.json"
    out.write_text(
        json.dumps(
            {
                "machine": facts_machine,
                "engine": engine,
                "data": {**facts, **counts, "interval_rows": rows},
                "refresh_seconds": refresh_runs,
                "partial_refresh_100_places_seconds": partial,
                "runs": args.runs,
                "samples_ms": samples,
                "medians_ms": medians,
                "ratio_open_now_to_unfiltered_page": ratio,
                "ratio_api_open_now_to_unfiltered": api_ratio,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nWritten to {out.relative_to(REPO)}")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
