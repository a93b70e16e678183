"""Peak memory of ``chatarchive import`` alone, by default at 1M posts (the issue's target).

    python benchmarks/peak_rss.py                      # 1M posts, every format
    python benchmarks/peak_rss.py --sizes 100k --formats twarc

Each import runs as a subprocess into a fresh archive; its peak RSS is that of the import and
its worker together (common.timed_run). import_speed.py reports the same figure beside
throughput; this script skips the ceiling and the peer, for when only memory is in question.
Target: under 300 MB.
"""

from __future__ import annotations

import argparse

import synth
from common import FORMATS, Result, log, parse_size, report, size_label
from import_speed import RSS_LIMIT_MB, archive_path, run_chatarchive


def run(sizes: tuple[int, ...], formats: tuple[str, ...] = FORMATS) -> list[Result]:
    """Measure every format at every size."""
    results = []
    for count in sizes:
        for fmt in formats:
            case = f"{fmt} {size_label(count)}"
            log(f"{case}: chatarchive import ...")
            ours, _, chats = run_chatarchive(synth.ensure(fmt, count),
                                             archive_path("chatarchive", fmt, count))
            results.append(Result(
                "peak RSS", case, "chatarchive import", ours.max_rss_mb, "MB",
                f"< {RSS_LIMIT_MB} MB", ours.max_rss_mb < RSS_LIMIT_MB,
                f"{ours.seconds:.1f} s (cpu {ours.cpu_seconds:.1f} s), {chats} chats assembled",
            ))
    return results


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1M", help="comma-separated post counts")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    sizes = tuple(parse_size(s) for s in args.sizes.split(",") if s)
    report("peak_rss", run(sizes, tuple(f for f in args.formats.split(",") if f)))


if __name__ == "__main__":
    main()
