"""Shared pieces of the benchmarks: paths, sizes, result rows, the table, timed subprocesses.

The benchmarks are scripts, run as ``python benchmarks/<name>.py``; each puts this folder on
``sys.path`` (Python does so for the script's own folder), so they import each other by name.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DATA = OUT / "data"
BIN = Path(sys.executable).parent
CHATARCHIVE = BIN / "chatarchive"
DEFAULT_SIZES = (10_000, 100_000)
FULL_SIZES = (10_000, 100_000, 1_000_000)
FORMATS = ("twarc", "twarc2", "tweets-js")


@dataclass(frozen=True, slots=True)
class Result:
    """One measured figure, with its target when the issue sets one."""

    benchmark: str
    case: str
    metric: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None when there is no target to meet
    note: str = ""


@dataclass(frozen=True, slots=True)
class Run:
    """How one timed subprocess went."""

    seconds: float
    cpu_seconds: float  # user + system: less disturbed than wall time by other load
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def parse_size(text: str) -> int:
    """Read a post count such as 10k, 100k, 1M or 2500."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_label(count: int) -> str:
    """Write a post count the short way: 10k, 100k, 1M."""
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count >= 1_000 and count % 1_000 == 0:
        return f"{count // 1_000}k"
    return str(count)


def sizes_arg(text: str | None, full: bool) -> tuple[int, ...]:
    """The sizes a command line asks for: --sizes 10k,100k, else the defaults (--full adds 1M)."""
    if text:
        return tuple(parse_size(part) for part in text.split(",") if part.strip())
    return FULL_SIZES if full else DEFAULT_SIZES


def timed_run(command: Sequence[str | Path], cwd: Path | None = None) -> Run:
    """Run a command to its end; return its wall time, CPU time and peak memory.

    ``max_rss_mb`` is the peak of the process and its worker processes together (their RSS
    summed, sampled every 50 ms from /proc) or the largest single process's own peak (VmHWM),
    whichever is larger. Where /proc cannot tell, it is ru_maxrss from wait4, which on Linux
    also counts the memory of this process when it started the command. CPU time includes the
    workers (wait4 counts reaped children).
    """
    out_path, err_path = OUT / ".stdout.tmp", OUT / ".stderr.tmp"
    OUT.mkdir(parents=True, exist_ok=True)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen([str(c) for c in command], stdout=out, stderr=err, cwd=cwd)
        tree_peak = [0]
        sampler = threading.Thread(target=_sample_tree_rss, args=(process.pid, tree_peak),
                                   daemon=True)
        sampler.start()
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix every child so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak = tree_peak[0] or usage.ru_maxrss * 1024  # kilobytes on Linux
    return Run(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=peak / 1024 / 1024,
        returncode=process.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def _sample_tree_rss(pid: int, peak: list[int]) -> None:
    """Keep in ``peak[0]`` the largest summed RSS (bytes) of ``pid`` and its descendants, or
    the largest peak of one of them (VmHWM, which no sample can miss), whichever is larger."""
    page = os.sysconf("SC_PAGE_SIZE")
    while Path(f"/proc/{pid}").exists():
        members = _tree(pid)
        total = sum(_rss_pages(member) for member in members) * page
        peak[0] = max(peak[0], total, *(_high_water(member) for member in members))
        time.sleep(0.05)


def _high_water(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(status.split("VmHWM:", 1)[1].split()[0]) * 1024  # kB
    except (OSError, IndexError, ValueError):
        return 0


def _tree(pid: int) -> list[int]:
    members, frontier = [pid], [pid]
    while frontier:
        children = []
        for parent in frontier:
            try:
                text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
            except OSError:
                continue
            children.extend(int(child) for child in text.split())
        members.extend(children)
        frontier = children
    return members


def _rss_pages(pid: int) -> int:
    try:
        # /proc/PID/statm: size resident shared text lib data dt (pages)
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def median_seconds(samples: Iterable[float]) -> float:
    """The median of some timings."""
    return statistics.median(list(samples))


def fmt_value(value: float, unit: str) -> str:
    """Print a figure with a sensible number of digits for its unit."""
    if unit in ("posts/s", "MB"):
        return f"{value:,.0f} {unit}"
    if unit == "ms":
        return f"{value:,.1f} {unit}"
    if unit == "s":
        return f"{value:,.3f} {unit}" if value < 10 else f"{value:,.1f} {unit}"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:g} {unit}".strip()


def table(results: Sequence[Result]) -> str:
    """Lay out results as one plain-text table."""
    header = ("benchmark", "case", "metric", "value", "target", "ok", "note")
    rows = [header] + [
        (r.benchmark, r.case, r.metric, fmt_value(r.value, r.unit), r.target,
         "" if r.ok is None else ("yes" if r.ok else "NO"), r.note)
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def save_results(name: str, results: Sequence[Result]) -> Path:
    """Keep the results as JSON under benchmarks/out/, for the README and for comparisons."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")
    return path


def report(name: str, results: Sequence[Result]) -> None:
    """Print a benchmark's table and save its results (a script's output, so print is right)."""
    print(table(results))
    print(f"\nresults saved to {save_results(name, results).relative_to(ROOT)}")


def load_note() -> str:
    """The machine's load, since other work on it slows the figures down."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def log(message: str) -> None:
    """Progress on stderr, so the table on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)
