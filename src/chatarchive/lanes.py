"""Sharing work with a worker process on a second core: a large export's second half, and
the assembly of many chats.

An import of a large export reads, in the worker, the second half of a file of JSON lines
while this process reads the first (both write to the archive, SQLite taking their batches in
turn). It then touches hundreds of chats. Their stretches of posts are independent
(jobs.Stretch), so this process assembles half of them while a worker process, opened on the
same archive file, assembles the other half; SQLite (WAL, busy timeout) takes their writes in
turn, each chat in its own transaction. Small jobs, in-memory archives and one-core machines
stay in this process. The worker is a fresh interpreter (``python -m chatarchive.lanes``) and
exits if this process dies, so a killed import leaves no writer behind. Inside ``keeping()``
one worker serves job after job (an export's second half, then its share of the chats).
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .errors import ChatArchiveError

if TYPE_CHECKING:
    from . import archive

# The archive (and sqlite-utils) is imported where it is used, so that the command line can
# start a worker before it loads the rest of chatarchive.

# Below this many posts a worker's start-up (about 0.3 s) costs more than it saves.
WORTH_A_WORKER = 20_000
# Exports smaller than this are read by one process: a worker's start-up would cost more.
LARGE_FILE = 32 * 1024 * 1024


class Weighed(Protocol):
    """A unit of work that says how big it is."""

    @property
    def posts(self) -> int: ...


_Unit = TypeVar("_Unit", bound=Weighed)
Work = Callable[["archive.Archive", Sequence[_Unit]], list[str]]


def available(db: archive.Archive) -> bool:
    """Whether work on this archive can go to a worker: a file, a second core, and an
    interpreter to start."""
    from .archive.state import archive_file

    return archive_file(db) is not None and _can_start()


def large_file(source: str) -> bool:
    """Whether a command-line source is a local file large enough to read in two halves."""
    path = Path(source)
    return source != "-" and path.is_file() and path.stat().st_size >= LARGE_FILE


def _can_start() -> bool:
    return ((os.cpu_count() or 1) >= 2 and bool(sys.executable)
            and os.access(sys.executable, os.X_OK))


def share(db: archive.Archive, units: Sequence[_Unit], work: Work[_Unit]) -> list[str]:
    """Run ``work`` over every unit: half of them in a worker process when that pays."""
    if (not available(db) or len(units) < 2
            or sum(unit.posts for unit in units) < WORTH_A_WORKER):
        return work(db, units)
    mine, theirs = halves(units)
    with beside(db, work, theirs) as worker:
        done = work(db, mine)
        return done + list(worker.result())


class Worker:
    """A worker process running ``work(archive, *args)`` on the same archive file, one job at a
    time: a worker kept between jobs (``keeping``) saves the next one its start-up."""

    def __init__(self) -> None:
        # A plain child interpreter rather than multiprocessing: it needs nothing of this
        # process (whose main module may be anyone's script) but the work, sent pickled, and
        # the same module path.
        search_path = os.pathsep.join(entry for entry in sys.path if entry)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chatarchive.lanes", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": search_path},
        )
        self.busy = False  # a job started whose result is not read yet

    def start(self, path: Path, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Hand the worker a job; it starts at once (or once its interpreter is up)."""
        assert self.process.stdin is not None
        pickle.dump((str(path), work, args), self.process.stdin)
        self.process.stdin.flush()
        self.busy = True

    def result(self) -> Any:
        """Wait for the job's return value; raise what went wrong in the worker."""
        assert self.process.stdout is not None
        try:
            status, value = pickle.load(self.process.stdout)
        except EOFError:
            status, value = "failed", f"it exited with status {self.process.wait()}"
        self.busy = False
        if status == "error":
            raise ChatArchiveError(value)
        if status != "done":
            raise RuntimeError(f"the chatarchive worker failed: {value}")
        return value

    def stop(self) -> None:
        """End the worker: an idle one at once (it holds no archive open between jobs), a busy
        one once its job is done (closing its input ends its loop)."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with suppress(OSError):  # it had already gone
                self.process.stdin.close()
        if not self.busy:
            self.process.kill()
        self.process.wait()


class _Kept(threading.local):
    """Per thread (the daemon runs jobs in threads): whether a ``keeping`` block is open, and
    the idle worker it keeps for the next job."""

    def __init__(self) -> None:
        self.open = False
        self.workers: list[Worker] = []


_kept = _Kept()


@contextmanager
def keeping(warm: bool = False) -> Iterator[None]:
    """Keep a worker between the jobs of this block (one import's halves, then its chats);
    ``warm`` starts it now, so its start-up overlaps whatever comes first (hashing a file)."""
    if _kept.open:
        yield
        return
    _kept.open = True
    try:
        if warm and _can_start():
            _kept.workers.append(Worker())
        yield
    finally:
        _kept.open = False
        while _kept.workers:
            _kept.workers.pop().stop()


@contextmanager
def beside(db: archive.Archive, work: Callable[..., Any], *args: Any) -> Iterator[Worker]:
    """Start ``work(archive, *args)`` in a worker process; it is stopped if the block fails."""
    from .archive.state import archive_file

    path = archive_file(db)
    if path is None:
        raise ValueError("a worker needs an archive file")
    kept = _kept.workers.pop() if _kept.workers else None
    worker = kept if kept is not None and kept.process.poll() is None else Worker()
    try:
        worker.start(path, work, args)
        yield worker
    except BaseException:
        worker.process.kill()
        worker.process.wait()
        raise
    if _kept.open and not worker.busy and worker.process.poll() is None:
        _kept.workers.append(worker)
    else:
        worker.stop()


def halves(units: Sequence[_Unit]) -> tuple[list[_Unit], list[_Unit]]:
    """Two shares of about the same number of posts, each keeping the units' order."""
    load = [0, 0]
    lane_of: dict[int, int] = {}
    for index in sorted(range(len(units)), key=lambda i: -units[i].posts):
        lane = 0 if load[0] <= load[1] else 1
        lane_of[index] = lane
        load[lane] += units[index].posts
    return ([u for i, u in enumerate(units) if lane_of[i] == 0],
            [u for i, u in enumerate(units) if lane_of[i] == 1])


def main() -> None:
    """The worker: read the archive path, the work and its arguments; write back the result."""
    # Ctrl-C reaches the whole process group: the parent stops the worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent(int(sys.argv[1]))
    # The results go on stdout: anything the work prints goes to stderr instead.
    out, sys.stdout = sys.stdout.buffer, sys.stderr
    # The work comes from jobs.py: load it while the first job is on its way.
    importlib.import_module("chatarchive.jobs")
    while True:
        try:
            path, work, args = pickle.load(sys.stdin.buffer)
        except EOFError:
            return  # the parent is done with this worker
        pickle.dump(_run(path, work, args), out)
        out.flush()


def _run(path: str, work: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, object]:
    from . import archive

    try:
        db = archive.open_archive(path)
        try:
            return ("done", work(db, *args))
        finally:
            db.close()
    except ChatArchiveError as error:
        return ("error", str(error))
    except Exception:
        return ("failed", traceback.format_exc())


def _watch_parent(parent: int) -> None:
    """Exit as soon as the process that started this worker is gone (kill -9)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    main()
