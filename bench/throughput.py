#!/usr/bin/env python3
"""Anonymous throughput of three public pages: Parvis under gunicorn versus nginx serving
the very same HTML as static files, measured in the same run.

    .venv/bin/python bench/throughput.py [--duration 10] [--runs 5] [--connections 4]

What it does, in order (see bench/README.md for the figures):

1. builds a production-like Parvis: settings ``parvis.settings.production``, a generated
   secret key, PostgreSQL database ``parvis_bench`` (dropped and recreated unless
   ``--reuse-db``), ``migrate``, ``load_demo``, ``collectstatic`` into a temporary
   STATIC_ROOT, Redis database 15 as cache;
2. starts gunicorn (2 sync workers) and, unless ``--no-uncached``, a second gunicorn with
   the page cache off (``PARVIS_PAGE_CACHE_SECONDS=0``) to show the cost of rendering;
3. checks the HTTP caching headers: Cache-Control and ETag/Last-Modified on anonymous
   pages, 304 on a conditional GET with If-None-Match;
4. saves the three pages' HTML and serves it with nginx (same number of workers);
5. runs ``--runs`` fixed-duration measurements per URL and server, interleaved, with
   ``wrk`` (or a bounded Python client when wrk is absent), and prints the medians and
   the ratio gunicorn/nginx;
6. publishes a new revision of the home page with another hero title through
   ``manage.py shell`` and checks that the very next GET shows it (cache invalidated);
7. stops every server it started (also on Ctrl-C) and writes bench/results/throughput.json.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import http_get, log, median  # noqa: E402

DISCOVER_SCRIPT = """
import json
from parvis.cms.models import EventIndexPage, HomePage, NewsPage

def path_of(page):
    return page.get_url_parts()[2]

home = HomePage.objects.live().first()
news = NewsPage.objects.live().public().order_by("-date", "-pk").first()
agenda = EventIndexPage.objects.live().public().first()
print("BENCH_JSON=" + json.dumps({
    "home": path_of(home), "news": path_of(news), "agenda": path_of(agenda),
    "hero_title": home.hero_title,
}))
"""

PUBLISH_SCRIPT = """
from parvis.cms.models import HomePage

home = HomePage.objects.live().first().specific
home.hero_title = {title!r}
home.save_revision().publish()
print("BENCH_PUBLISHED")
"""


def discover_urls(stack: benchlib.Stack) -> dict[str, str]:
    out = stack.manage("shell", "-c", DISCOVER_SCRIPT)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON="))
    return json.loads(line.removeprefix("BENCH_JSON="))


def check_http_caching(base: str, paths: dict[str, str]) -> list[dict]:
    """Anonymous pages are publicly cacheable, carry a validator, and answer 304."""
    checks = []
    for name, path in paths.items():
        http_get(base + path)  # fills the page cache
        status, headers, _body = http_get(base + path)
        validator = headers.get("etag") or headers.get("last-modified")
        conditional_status = None
        if headers.get("etag"):
            conditional_status, _h, _b = http_get(
                base + path, headers={"If-None-Match": headers["etag"]}
            )
        elif headers.get("last-modified"):
            conditional_status, _h, _b = http_get(
                base + path, headers={"If-Modified-Since": headers["last-modified"]}
            )
        ok = (
            status == 200
            and "public" in headers.get("cache-control", "")
            and "max-age" in headers.get("cache-control", "")
            and bool(validator)
            and conditional_status == 304
        )
        checks.append(
            {
                "page": name,
                "path": path,
                "status": status,
                "cache_control": headers.get("cache-control"),
                "etag": headers.get("etag"),
                "last_modified": headers.get("last-modified"),
                "x_parvis_cache": headers.get("x-parvis-cache"),
                "conditional_status": conditional_status,
                "ok": ok,
            }
        )
        log(
            f"  {'OK ' if ok else 'BAD'} {name:7} {path:45} Cache-Control: "
            f"{headers.get('cache-control')!s:28} ETag: {headers.get('etag')!s:36} "
            f"X-Parvis-Cache: {headers.get('x-parvis-cache')}  If-None-Match → "
            f"{conditional_status}"
        )
    return checks


def save_html(base: str, paths: dict[str, str], root: Path) -> None:
    """The HTML gunicorn serves, written where nginx finds it under the same path."""
    for path in paths.values():
        status, _headers, body = http_get(base + path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        target = root / path.lstrip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    for directory in [root, *root.rglob("*")]:
        if directory.is_dir():
            directory.chmod(0o755)


def check_publish_invalidates(stack: benchlib.Stack, base: str, home_path: str) -> dict:
    http_get(base + home_path)
    _status, headers, _body = http_get(base + home_path)
    before = headers.get("x-parvis-cache")
    title = f"Titre publie pour le banc {int(time.time()) % 100000}"
    started = time.monotonic()
    stack.manage("shell", "-c", PUBLISH_SCRIPT.format(title=title))
    status, headers, body = http_get(base + home_path)
    elapsed = time.monotonic() - started
    shown = title.encode() in body
    result = {
        "cached_before": before,
        "status_after": status,
        "x_parvis_cache_after": headers.get("x-parvis-cache"),
        "new_title_shown": shown,
        "seconds_publish_to_get": round(elapsed, 2),
        "ok": shown and before == "hit",
    }
    log(
        f"  {'OK ' if result['ok'] else 'BAD'} home page cached before publishing "
        f"(X-Parvis-Cache: {before}); after publishing a revision with the hero title "
        f"{title!r}, the next GET shows it: {shown} (X-Parvis-Cache: "
        f"{headers.get('x-parvis-cache')})"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--runs", type=int, default=5, help="measurements per URL and server")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--reuse-db", action="store_true", help="keep parvis_bench as it is")
    parser.add_argument("--no-uncached", action="store_true", help="skip the cache-off server")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and configs")
    args = parser.parse_args()
    if not 1 <= args.duration <= 120 or not 1 <= args.runs <= 20:
        parser.error("--duration must be 1..120 s and --runs 1..20")
    benchlib.require_nginx()
    benchlib.stop_on_sigterm()

    facts = benchlib.machine_facts()
    facts["load_average_at_start"] = benchlib.load_average()
    log("Machine: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    tool = "wrk" if benchlib.WRK else "python thread-pool client (apt-get install -y wrk)"
    log(
        f"Load: {tool}, {args.connections} connections, {args.threads} thread(s), "
        f"{args.duration} s per measurement, {args.runs} runs per URL and server"
    )

    with benchlib.production_stack(
        fresh_db=not args.reuse_db, keep_workdir=args.keep_workdir
    ) as stack:
        info = discover_urls(stack)
        paths = {"home": info["home"], "news": info["news"], "agenda": info["agenda"]}
        log(f"· pages: {paths}")
        targets: dict[str, str] = {}
        targets["gunicorn"] = stack.start_gunicorn(workers=2)
        if not args.no_uncached:
            targets["gunicorn-nocache"] = stack.start_gunicorn(
                workers=2, extra_env={"PARVIS_PAGE_CACHE_SECONDS": "0"}
            )

        log("\nHTTP caching of anonymous pages (gunicorn):")
        caching = check_http_caching(targets["gunicorn"], paths)

        html_root = stack.workdir / "html"
        save_html(targets["gunicorn"], paths, html_root)
        targets["nginx"] = stack.start_nginx(
            f"        root {html_root};\n"
            "        location / { try_files $uri $uri/index.html =404; }\n",
            workers=2,
        )
        for path in paths.values():
            same = http_get(targets["nginx"] + path)[2] == http_get(targets["gunicorn"] + path)[2]
            if not same:
                log(f"  note: {path} differs between nginx and gunicorn (time-dependent HTML)")

        log("\nMeasurements (requests/s):")
        samples: dict[str, dict[str, list[float]]] = {
            target: {name: [] for name in paths} for target in targets
        }
        errors = 0
        for run in range(1, args.runs + 1):
            for name, path in paths.items():
                for target, base in targets.items():
                    http_get(base + path)  # warm: the page cache holds it, as in real use
                    result = benchlib.run_load(
                        base + path,
                        duration=args.duration,
                        connections=args.connections,
                        threads=args.threads,
                    )
                    errors += result.errors
                    samples[target][name].append(result.requests_per_second)
                    log(
                        f"  run {run} {name:7} {target:17} {result.requests_per_second:9.1f} "
                        f"req/s ({result.requests} requests, {result.errors} errors)"
                    )

        log("\nCache invalidation on publish:")
        publish = check_publish_invalidates(stack, targets["gunicorn"], paths["home"])

    summary = {}
    log(f"\nMedian requests/s over {args.runs} runs of {args.duration} s:")
    header = f"  {'page':8}{'gunicorn':>12}{'nginx':>12}{'ratio g/n':>11}"
    if "gunicorn-nocache" in samples:
        header += f"{'no cache':>12}{'ratio nc/n':>12}"
    log(header)
    for name in paths:
        g = median(samples["gunicorn"][name])
        n = median(samples["nginx"][name])
        row = {"gunicorn": round(g, 1), "nginx": round(n, 1), "ratio": round(g / n, 3)}
        line = f"  {name:8}{g:12.1f}{n:12.1f}{g / n:11.3f}"
        if "gunicorn-nocache" in samples:
            nc = median(samples["gunicorn-nocache"][name])
            row.update({"gunicorn_nocache": round(nc, 1), "ratio_nocache": round(nc / n, 4)})
            line += f"{nc:12.1f}{nc / n:12.4f}"
        summary[name] = row
        log(line)

    ok = all(c["ok"] for c in caching) and publish["ok"] and errors == 0
    benchlib.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = benchlib.RESULTS_DIR / "throughput.json"
    out.write_text(
        json.dumps(
            {
                "machine": facts,
                "load": {
                    "tool": "wrk" if benchlib.WRK else "python",
                    "connections": args.connections,
                    "threads": args.threads,
                    "duration_s": args.duration,
                    "runs": args.runs,
                },
                "paths": paths,
                "samples": samples,
                "medians": summary,
                "http_caching": caching,
                "publish_invalidation": publish,
                "load_errors": errors,
                "ok": ok,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    log(f"\nWritten to {out.relative_to(benchlib.REPO)}; checks {'passed' if ok else 'FAILED'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        sys.exit(130)
