"""Import throughput and peak memory, against the ceiling and against twitter-to-sqlite.

    python benchmarks/import_speed.py                       # 10k and 100k, every format
    python benchmarks/import_speed.py --sizes 1M --formats twarc
    python benchmarks/import_speed.py --full                # 10k, 100k and 1M
    python benchmarks/import_speed.py --profile twarc --sizes 100k   # where the time goes

For each size and format, on the same synthetic export (see synth.py), three timed runs, each a
subprocess timed from outside (interpreter start-up included for all three):

- ``chatarchive import`` into a fresh archive: raw records kept, full-text index, participants,
  and every chat the posts touch assembled;
- the ceiling (ceiling.py): parse and executemany the same message columns, nothing else;
- for tweets.js, twitter-to-sqlite ``import`` of the same posts as an archive folder holding
  ``tweet.js`` (the only name it reads), installed in its own virtualenv on first use.

Peak RSS is that of the import and its worker together (common.timed_run). Targets from the
issue: at least 50% of the ceiling's posts/s; at least 2x twitter-to-sqlite's posts/s with at
most half its peak memory; peak RSS under 300 MB for 1M posts.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import synth
from common import (
    CHATARCHIVE,
    FORMATS,
    OUT,
    Result,
    Run,
    log,
    report,
    size_label,
    sizes_arg,
    timed_run,
)

DBS = OUT / "dbs"
T2S_VENV = OUT / "t2s-venv"
T2S = T2S_VENV / "bin" / "twitter-to-sqlite"
CEILING_SHARE = 0.5
PEER_SPEEDUP = 2.0
PEER_MEMORY_SHARE = 0.5
RSS_LIMIT_MB = 300
# twitter-to-sqlite decodes the whole tweet.js at once: about 12 KB of memory per post here.
T2S_KB_PER_POST = 12
_TOTAL = re.compile(r"Total: (\d+) read, (\d+) new.*?; (\d+) chat")


def archive_path(tool: str, fmt: str, count: int) -> Path:
    """Where a benchmark's database for this tool, format and size goes (kept for Datasette)."""
    return DBS / f"{tool}-{fmt}-{size_label(count)}.db"


def fresh(path: Path) -> Path:
    """Remove a database and its WAL files, so a run starts from nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def fastest(command: Callable[[], list[str | Path]], repeat: int) -> Run:
    """Run a command ``repeat`` times, each into a fresh database; keep the fastest run."""
    runs = [timed_run(command()) for _ in range(max(1, repeat))]
    return min(runs, key=lambda run: run.seconds)


def run_chatarchive(export: Path, db: Path, repeat: int = 1) -> tuple[Run, int, int]:
    """Time ``chatarchive import``; return the run, the posts it read and the chats assembled."""
    run = fastest(lambda: [CHATARCHIVE, "import", fresh(db), export], repeat)
    match = _TOTAL.search(run.stderr)
    if run.returncode != 0 or match is None:
        raise RuntimeError(f"chatarchive import failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return run, int(match.group(1)), int(match.group(3))


def run_ceiling(fmt: str, export: Path, db: Path, repeat: int = 1) -> tuple[Run, str]:
    """Time the ceiling loader; return the run and the JSON library it used."""
    here = Path(__file__).resolve().parent
    run = fastest(lambda: [sys.executable, here / "ceiling.py", fmt, export, fresh(db)], repeat)
    if run.returncode != 0:
        raise RuntimeError(f"ceiling failed:\n{run.stderr[-2000:]}")
    return run, run.stdout.strip().rsplit("(", 1)[-1].rstrip(")")


def ensure_t2s() -> str | None:
    """Install twitter-to-sqlite in its own virtualenv if needed; None, or why it cannot run."""
    if T2S.exists():
        return None
    log(f"installing twitter-to-sqlite into {T2S_VENV} ...")
    steps = [[sys.executable, "-m", "venv", str(T2S_VENV)],
             [str(T2S_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
              "twitter-to-sqlite"]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{' '.join(step[:3])}: {error}"
        if done.returncode != 0:
            return f"{' '.join(step[:3])} failed: {done.stderr.strip()[-300:]}"
    return None if T2S.exists() else "pip installed no twitter-to-sqlite command"


def t2s_folder(export: Path) -> Path:
    """A folder holding the tweets.js as tweet.js, the archive file name twitter-to-sqlite reads."""
    folder = export.parent / "t2s"
    folder.mkdir(exist_ok=True)
    link = folder / "tweet.js"
    if link.is_symlink() and not link.exists():
        link.unlink()  # left dangling by a renamed folder
    if not link.exists():
        link.symlink_to(Path("..") / export.name)
    return folder


def run_t2s(export: Path, db: Path, repeat: int = 1) -> tuple[Run, int]:
    """Time twitter-to-sqlite importing the same posts; return the run and the rows it wrote."""
    run = fastest(lambda: [T2S, "import", fresh(db), t2s_folder(export)], repeat)
    if run.returncode != 0:
        raise RuntimeError(f"twitter-to-sqlite failed:\n{run.stderr[-2000:]}")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select count(*) from archive_tweet").fetchone()[0]
    return run, int(rows)


def measure(fmt: str, count: int, peer: bool, repeat: int = 1) -> list[Result]:
    """Every figure for one format and size (the fastest of ``repeat`` runs of each)."""
    case = f"{fmt} {size_label(count)}"
    export = synth.ensure(fmt, count)
    log(f"{case}: ceiling ...")
    ceiling, lib = run_ceiling(fmt, export, archive_path("ceiling", fmt, count), repeat)
    log(f"{case}: chatarchive import ...")
    ours, read, chats = run_chatarchive(export, archive_path("chatarchive", fmt, count), repeat)
    if read != count:
        raise RuntimeError(f"{case}: chatarchive read {read} posts, expected {count}")
    speed, top = count / ours.seconds, count / ceiling.seconds
    results = [
        Result("import", case, "chatarchive", speed, "posts/s",
               note=f"{ours.seconds:.1f} s (cpu {ours.cpu_seconds:.1f} s), {chats} chats"),
        Result("import", case, f"ceiling ({lib})", top, "posts/s",
               note=f"{ceiling.seconds:.1f} s (cpu {ceiling.cpu_seconds:.1f} s)"),
        Result("import", case, "share of ceiling", 100 * speed / top, "%",
               f">= {CEILING_SHARE:.0%}", speed >= CEILING_SHARE * top,
               f"on cpu time: {100 * ceiling.cpu_seconds / ours.cpu_seconds:.0f}%"),
        Result("import", case, "chatarchive peak RSS", ours.max_rss_mb, "MB",
               f"< {RSS_LIMIT_MB} MB at 1M",
               ours.max_rss_mb < RSS_LIMIT_MB if count >= 1_000_000 else None),
    ]
    if peer and fmt == "tweets-js":
        results += measure_peer(case, export, count, ours, repeat)
    return results


def available_mb() -> float:
    """Memory the machine has available now (MemAvailable), in MB."""
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")  # not Linux: let it try


def measure_peer(case: str, export: Path, count: int, ours: Run, repeat: int = 1) -> list[Result]:
    """twitter-to-sqlite on the same posts, and how chatarchive compares."""
    needed, free = count * T2S_KB_PER_POST / 1024, available_mb()
    if needed * 1.5 > free:
        log(f"{case}: twitter-to-sqlite skipped: needs about {needed:,.0f} MB, {free:,.0f} free")
        return [Result("import", case, "twitter-to-sqlite", 0, "posts/s",
                       note=f"skipped: needs about {needed / 1024:.0f} GB, "
                       f"{free / 1024:.0f} GB available")]
    log(f"{case}: twitter-to-sqlite import ...")
    theirs, rows = run_t2s(export, archive_path("t2s", "tweets-js", count), repeat)
    if rows != count:
        raise RuntimeError(f"{case}: twitter-to-sqlite wrote {rows} rows, expected {count}")
    speed, peer_speed, rss = count / ours.seconds, count / theirs.seconds, ours.max_rss_mb
    return [
        Result("import", case, "twitter-to-sqlite", peer_speed, "posts/s",
               note=f"{theirs.seconds:.1f} s (cpu {theirs.cpu_seconds:.1f} s), "
               f"{theirs.max_rss_mb:.0f} MB peak"),
        Result("import", case, "speed vs twitter-to-sqlite", speed / peer_speed, "x",
               f">= {PEER_SPEEDUP:g}x", speed >= PEER_SPEEDUP * peer_speed,
               f"on cpu time: {theirs.cpu_seconds / ours.cpu_seconds:.2f}x"),
        Result("import", case, "peak RSS vs twitter-to-sqlite", 100 * rss / theirs.max_rss_mb,
               "%", f"<= {PEER_MEMORY_SHARE:.0%}", rss <= PEER_MEMORY_SHARE * theirs.max_rss_mb),
    ]


def run(sizes: tuple[int, ...], formats: tuple[str, ...] = FORMATS,
        repeat: int = 1) -> list[Result]:
    """Measure every format at every size; the entry point run.py calls."""
    unavailable = ensure_t2s() if "tweets-js" in formats else None
    if unavailable:
        log(f"twitter-to-sqlite unavailable, no peer comparison: {unavailable}")
    results: list[Result] = []
    for count in sizes:
        for fmt in formats:
            results += measure(fmt, count, unavailable is None, repeat)
    return results


# Functions whose cumulative time shows how an import splits into stages (by name, so the
# summary survives code moving between modules).
STAGES = ("import_export", "parse", "save", "reassemble", "windows_near", "detect_sessions",
          "assemble_window", "assemble_chat", "messages_between", "save_chat")


def stage_summary(stats: Any) -> list[tuple[str, float]]:
    """Cumulative seconds of each stage function of chatarchive in a cProfile run."""
    found: dict[str, float] = {}
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():
        if name in STAGES and "chatarchive" in filename:
            label = f"{Path(filename).stem}.{name}"
            found[label] = max(found.get(label, 0.0), cumulative)
    return sorted(found.items(), key=lambda pair: -pair[1])


def profile(fmt: str, count: int, top: int = 30) -> None:
    """Run one chatarchive import under cProfile and print where the time goes."""
    import pstats

    export = synth.ensure(fmt, count)
    stats_path = OUT / f"profile-{fmt}-{size_label(count)}.prof"
    db = fresh(archive_path("profile", fmt, count))
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats_path), str(CHATARCHIVE),
                    "import", str(db), str(export)], check=True, stdout=subprocess.DEVNULL)
    stats = pstats.Stats(str(stats_path))
    stats.sort_stats("tottime").print_stats(top)
    total = max(float(getattr(stats, "total_tt", 0.0)), 1e-9)
    print("Stages (cumulative time under the profiler, share of the whole run):")
    for label, seconds in stage_summary(stats):
        print(f"  {label:<40} {seconds:8.1f} s  {100 * seconds / total:5.1f}%")
    print(f"profile saved to {stats_path} (open with: python -m pstats {stats_path})")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated post counts, e.g. 10k,100k,1M")
    parser.add_argument("--full", action="store_true", help="add 1M posts to the default sizes")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help=f"comma-separated, from {', '.join(FORMATS)}")
    parser.add_argument("--repeat", type=int, default=1,
                        help="time each import this many times and keep the fastest")
    parser.add_argument("--profile", metavar="FORMAT", choices=FORMATS,
                        help="profile one chatarchive import of this format instead")
    args = parser.parse_args()
    sizes = sizes_arg(args.sizes, args.full)
    if args.profile:
        profile(args.profile, sizes[-1])
        return
    formats = tuple(f for f in args.formats.split(",") if f)
    report("import_speed", run(sizes, formats, args.repeat))


if __name__ == "__main__":
    main()
