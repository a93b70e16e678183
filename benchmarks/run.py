"""Run every benchmark and print one table: the ``make bench`` entry point.

    python benchmarks/run.py                 # 10k and 100k posts
    python benchmarks/run.py --full          # and 1M posts (minutes, and a few GB of disk)
    python benchmarks/run.py --sizes 10k --only import,startup

Benchmarks: import (throughput and peak memory against the ceiling and twitter-to-sqlite),
datasette (query latency), startup (``chatarchive --help``), and recap (recap time against chat
size) when benchmarks/recap_speed.py is present. Every benchmark also runs alone (see each
script's --help). Generated exports and archives go to benchmarks/out/ (git-ignored) and are
reused; the table is also saved as benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import datasette_latency
import import_speed
import startup
from common import HERE, OUT, Result, load_note, log, save_results, sizes_arg, table

BENCHMARKS = ("import", "datasette", "startup", "recap")


def recap_results() -> list[Result]:
    """Run recap_speed.py if present; take its rows from benchmarks/out/recap_speed.json.

    A benchmark joins the table by saving its rows with ``common.report`` (or save_results);
    one that saves nothing has its output printed as it is.
    """
    script = HERE / "recap_speed.py"
    if not script.exists():
        log("recap: benchmarks/recap_speed.py is not there yet; skipped")
        return []
    saved = OUT / "recap_speed.json"
    saved.unlink(missing_ok=True)
    log("recap: running recap_speed.py ...")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    if done.returncode != 0:
        log(f"recap_speed.py failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return []
    if not saved.exists():
        log(f"recap_speed.py output:\n{done.stdout}")
        return []
    rows = json.loads(saved.read_text(encoding="utf-8"))
    return [Result(**{k: v for k, v in row.items() if k in Result.__slots__}) for row in rows]


def revision() -> str:
    """The commit measured, and whether src/ had changes not committed yet."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=HERE.parent,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown revision"
    return f"{head} + uncommitted changes in src/" if dirty else head


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated post counts, e.g. 10k,100k,1M")
    parser.add_argument("--full", action="store_true", help="add 1M posts to the default sizes")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each import this many times and keep the fastest")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated, from {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    sizes, only = sizes_arg(args.sizes, args.full), set(args.only.split(","))
    started = time.perf_counter()
    load_before = load_note()
    results: list[Result] = []
    if "import" in only:
        results += import_speed.run(sizes, repeat=args.repeat)
    if "datasette" in only:
        results += datasette_latency.run(sizes)
    if "startup" in only:
        results += startup.run()
    if "recap" in only:
        results += recap_results()
    print(table(results))
    failed = sum(1 for r in results if r.ok is False)
    print(f"\n{len(results)} figures, {failed} below target, in "
          f"{time.perf_counter() - started:.0f} s, measuring {revision()}; saved to "
          f"{save_results('results', results).relative_to(HERE.parent)}")
    print(f"Machine: {load_before} before, {load_note()} after.")


if __name__ == "__main__":
    main()
