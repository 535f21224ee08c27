#!/usr/bin/env python3
"""Runs every benchmark in turn: throughput (which rebuilds the bench database from the
demo site), then page weight on the same database, then the directory at scale (its own
throw-away SQLite database), then newsletter sending (its own throw-away SQLite database).

    .venv/bin/python bench/run_all.py          # the figures of bench/README.md
    .venv/bin/python bench/run_all.py --quick  # a short smoke run (figures not comparable)

Each script stops the servers it started, also on Ctrl-C; results are written to
bench/results/*.json. Exit status: non-zero when a check or a budget failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 runs of 3 s, 2 cold loads")
    args = parser.parse_args()
    throughput = [sys.executable, str(HERE / "throughput.py")]
    page_weight = [sys.executable, str(HERE / "page_weight.py"), "--reuse-db"]
    directory = [sys.executable, str(HERE / "directory.py")]
    newsletter = [sys.executable, str(HERE / "newsletter.py")]
    if args.quick:
        throughput += ["--duration", "3", "--runs", "2"]
        page_weight += ["--loads", "2"]
        directory += ["--places", "1000", "--runs", "3"]
        newsletter += ["--quick"]
    status = 0
    for command in (throughput, page_weight, directory, newsletter):
        print(
            f"\n=== {' '.join(Path(c).name if c.endswith('.py') else c for c in command[1:])}",
            flush=True,
        )
        process = subprocess.Popen(command)
        try:
            status |= process.wait()
        except KeyboardInterrupt:
            # The script got Ctrl-C too: let it stop its servers before leaving.
            process.wait(timeout=60)
            return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
