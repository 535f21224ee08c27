#!/usr/bin/env python3
"""Weight of the demo site's home page as a resident's browser receives it.

    .venv/bin/python bench/page_weight.py [--loads 5] [--reuse-db]

Builds the same production-like stack as ``throughput.py`` (gunicorn with production
settings on PostgreSQL, whitenoise for static files) with nginx in front as in
production: it serves ``/media/`` from MEDIA_ROOT, compresses HTML, and proxies the rest.
Then Debian's Chromium (through Playwright) loads the home page ``--loads`` times, each
time cold (a new browser context, HTTP cache disabled), at a desktop and at a phone
viewport, and prints the medians of:

- requests: every request the page made until the network was idle (document included);
- DOM nodes: ``document.getElementsByTagName('*').length``;
- transferred: bytes on the wire as Chromium counts them (``encodedDataLength`` of each
  finished response, headers included), next to the decoded body sizes;

against the budgets 25 requests, 800 nodes, 500 KB. Exit status 1 when over budget.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import log, median  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET = {"requests": 25, "dom_nodes": 800, "transferred_bytes": 500 * 1024}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def measure_once(browser, url: str, viewport: dict) -> dict:
    context = browser.new_context(viewport=viewport, service_workers="block")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        wire = {"bytes": 0, "failed": 0}
        cdp.on(
            "Network.loadingFinished",
            lambda event: wire.__setitem__("bytes", wire["bytes"] + event["encodedDataLength"]),
        )
        cdp.on(
            "Network.loadingFailed",
            lambda event: wire.__setitem__("failed", wire["failed"] + 1),
        )
        requests: list[str] = []
        responses = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("response", lambda response: responses.append(response))
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{url}: {response}"
        page.wait_for_load_state("networkidle")
        dom_nodes = page.evaluate("document.getElementsByTagName('*').length")
        body_bytes = 0
        statuses = {}
        for item in responses:
            statuses[item.status] = statuses.get(item.status, 0) + 1
            try:
                body_bytes += len(item.body())
            except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
                pass
        third_party = [u for u in requests if not u.startswith((url.rstrip("/"), "data:"))]
        return {
            "requests": len(requests),
            "dom_nodes": dom_nodes,
            "transferred_bytes": wire["bytes"],
            "body_bytes": body_bytes,
            "failed": wire["failed"],
            "statuses": statuses,
            "third_party": third_party,
            "urls": requests,
        }
    finally:
        context.close()


def measure(url: str, loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is not installed: apt-get install -y chromium")
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, viewport in VIEWPORTS.items():
                runs = [measure_once(browser, url, viewport) for _ in range(loads)]
                results[name] = {
                    "requests": median([r["requests"] for r in runs]),
                    "dom_nodes": median([r["dom_nodes"] for r in runs]),
                    "transferred_bytes": median([r["transferred_bytes"] for r in runs]),
                    "body_bytes": median([r["body_bytes"] for r in runs]),
                    "failed_requests": max(r["failed"] for r in runs),
                    "statuses": runs[-1]["statuses"],
                    "third_party_requests": sorted({u for r in runs for u in r["third_party"]}),
                    "urls": runs[-1]["urls"],
                }
        finally:
            browser.close()
    return results


def report(results: dict, loads: int) -> bool:
    ok = True
    log(f"\nHome page, median of {loads} cold loads (cache disabled):")
    log(f"  {'viewport':9}{'requests':>10}{'DOM nodes':>11}{'transferred':>14}{'bodies':>12}")
    for name, row in results.items():
        log(
            f"  {name:9}{row['requests']:>10.0f}{row['dom_nodes']:>11.0f}"
            f"{row['transferred_bytes'] / 1024:>11.1f} KB{row['body_bytes'] / 1024:>9.1f} KB"
        )
        over = [key for key, limit in BUDGET.items() if row[key] > limit]
        if over or row["third_party_requests"] or row["failed_requests"]:
            ok = False
        verdict = "within" if not over else "OVER: " + ", ".join(over)
        log(
            f"  {'':9}budget 25 / 800 / 500 KB: {verdict}"
            f"; HTTP statuses {row['statuses']}; failed {row['failed_requests']}; "
            f"third-party requests {len(row['third_party_requests'])}"
        )
    log("  resources of the last load:")
    for resource in results["phone"]["urls"]:
        log(f"    {resource}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="cold loads per viewport")
    parser.add_argument("--reuse-db", action="store_true", help="keep parvis_bench as it is")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and configs")
    args = parser.parse_args()
    if not 1 <= args.loads <= 20:
        parser.error("--loads must be 1..20")
    benchlib.require_nginx()
    benchlib.stop_on_sigterm()

    with benchlib.production_stack(
        fresh_db=not args.reuse_db, keep_workdir=args.keep_workdir
    ) as stack:
        gunicorn = stack.start_gunicorn(workers=2)
        upstream = gunicorn.removeprefix("http://")
        front = stack.start_nginx(
            f"""        gzip on;
        gzip_proxied any;
        gzip_types text/css application/javascript image/svg+xml application/json;
        location /media/ {{ alias {benchlib.MEDIA_ROOT}/; expires 30d; }}
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
""",
            workers=2,
        )
        results = measure(front + "/", args.loads)

    ok = report(results, args.loads)
    benchlib.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = benchlib.RESULTS_DIR / "page_weight.json"
    out.write_text(
        json.dumps(
            {"loads": args.loads, "budget": BUDGET, "results": results, "ok": ok},
            indent=2,
            ensure_ascii=False,
        )
    )
    log(f"\nWritten to {out.relative_to(benchlib.REPO)}; {'within budget' if ok else 'OVER'}.")
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        sys.exit(130)
