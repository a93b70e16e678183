"""Start-up time of ``chatarchive --help``: the median of 10 runs, each a fresh process.

    python benchmarks/startup.py [--runs 10]

Target from the issue: under 0.3 s. The slowest imports of one run (``python -X importtime``)
are listed, to show what to defer when it is over. For comparison (no target), the same for
``chatarchive import`` of a 200-post export into a fresh archive: the fixed cost every import
pays, whatever its size, with its peak memory.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import synth
from common import CHATARCHIVE, OUT, Result, median_seconds, report, timed_run
from import_speed import fresh

TARGET_SECONDS = 0.3
_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def slowest_imports(count: int = 5) -> list[tuple[str, float]]:
    """The top-level imports of ``chatarchive --help`` that take longest, with seconds."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(CHATARCHIVE), "--help"],
                          capture_output=True, text=True, check=True)
    top: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        # Depth 1 (one space of indent) are the imports the script itself triggered.
        if match and len(match.group(3)) == 1:
            top.append((match.group(4), int(match.group(2)) / 1e6))
    return sorted(top, key=lambda pair: -pair[1])[:count]


def small_import(runs: int = 3) -> Result:
    """The median time of importing 200 posts into a fresh archive: the fixed cost of import."""
    export = synth.ensure("twarc", 200)
    samples, peak = [], 0.0
    for _ in range(runs):
        result = timed_run([CHATARCHIVE, "import", fresh(OUT / "dbs" / "startup-200.db"), export])
        if result.returncode != 0:
            raise RuntimeError(f"chatarchive import failed:\n{result.stderr}")
        samples.append(result.seconds)
        peak = max(peak, result.max_rss_mb)
    return Result("startup", "chatarchive import, 200 posts", f"median of {runs}",
                  median_seconds(samples), "s", note=f"{peak:.0f} MB peak RSS")


def run(runs: int = 10) -> list[Result]:
    """Measure; the entry point run.py calls."""
    samples = []
    for _ in range(runs):
        result = timed_run([CHATARCHIVE, "--help"])
        if result.returncode != 0:
            raise RuntimeError(f"chatarchive --help failed:\n{result.stderr}")
        samples.append(result.seconds)
    seconds = median_seconds(samples)
    heavy = ", ".join(f"{name} {secs * 1000:.0f} ms" for name, secs in slowest_imports(3))
    return [Result("startup", "chatarchive --help", f"median of {runs}", seconds, "s",
                   f"< {TARGET_SECONDS} s", seconds < TARGET_SECONDS, f"slowest imports: {heavy}"),
            small_import()]


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    report("startup", run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
