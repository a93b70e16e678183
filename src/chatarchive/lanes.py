"""Sharing the assembly of many chats with a worker process on a second core.

An import of a large export touches hundreds of chats. Their stretches of posts are independent
(jobs.Stretch), so this process assembles half of them while a worker process, opened on the
same archive file, assembles the other half; SQLite (WAL, busy timeout) takes their writes in
turn, each chat in its own transaction. Small jobs, in-memory archives and one-core machines
stay in this process. The worker is a fresh interpreter (``python -m chatarchive.lanes``) and
exits if this process dies, so a killed import leaves no writer behind.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from . import archive
from .archive.state import archive_file

# Below this many posts a worker's start-up (about 0.3 s) costs more than it saves.
WORTH_A_WORKER = 20_000


class Weighed(Protocol):
    """A unit of work that says how big it is."""

    @property
    def posts(self) -> int: ...


_Unit = TypeVar("_Unit", bound=Weighed)
Work = Callable[[archive.Archive, Sequence[_Unit]], list[str]]


def share(db: archive.Archive, units: Sequence[_Unit], work: Work[_Unit]) -> list[str]:
    """Run ``work`` over every unit: half of them in a worker process when that pays."""
    path = archive_file(db)
    if (path is None or len(units) < 2 or (os.cpu_count() or 1) < 2
            or sum(unit.posts for unit in units) < WORTH_A_WORKER):
        return work(db, units)
    mine, theirs = halves(units)
    # A plain child interpreter rather than multiprocessing: it needs nothing of this process
    # (whose main module may be anyone's script) but the work and its units, sent pickled.
    worker = subprocess.Popen(
        [sys.executable, "-m", "chatarchive.lanes", str(os.getpid())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    try:
        assert worker.stdin is not None and worker.stdout is not None
        pickle.dump((str(path), work, theirs), worker.stdin)
        worker.stdin.close()
        done = work(db, mine)
        status, value = pickle.load(worker.stdout)
    except BaseException:
        worker.kill()
        raise
    finally:
        worker.wait()
    if status != "done":
        raise RuntimeError(f"the assembly worker failed:\n{value}")
    return done + list(value)


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
    """The worker: read the archive path, the work and its units; write back chat ids."""
    _watch_parent(int(sys.argv[1]))
    path, work, units = pickle.load(sys.stdin.buffer)
    try:
        db = archive.open_archive(path)
        try:
            result: tuple[str, object] = ("done", work(db, units))
        finally:
            db.close()
    except Exception:
        result = ("failed", traceback.format_exc())
    pickle.dump(result, sys.stdout.buffer)
    sys.stdout.flush()


def _watch_parent(parent: int) -> None:
    """Exit as soon as the process that started this worker is gone (kill -9)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    main()
