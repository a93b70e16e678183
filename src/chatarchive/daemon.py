"""``chatarchive run``: the unattended job, or one catch-up pass with ``--once``.

Signals: SIGTERM and SIGINT stop after the current step (exit 0); SIGHUP reloads the schedules
folder at once (it is also looked at every ``reload_every``). Handlers only set flags; a control
job on the scheduler's own thread acts on them within a second, and the runs check them between
steps. A schedule file that turns invalid keeps its last good version running.
"""

from __future__ import annotations

import hashlib
import logging
import logging.handlers
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from . import archive, runner
from .archive import state
from .errors import ChatArchiveError, ScheduleError
from .models import ChatSchedule
from .scheduler import WORKERS, JobScheduler
from .schedules import load_schedule, load_schedules

log = logging.getLogger(__name__)

POLL = timedelta(seconds=1)
RELOAD_EVERY = timedelta(seconds=30)
INBOX_EVERY = timedelta(minutes=1)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class DaemonConfig:
    """What ``chatarchive run`` works on, and how often it looks for changes."""

    archive_path: Path
    schedules_dir: Path
    recaps_dir: Path
    reload_every: timedelta = RELOAD_EVERY
    inbox_every: timedelta = INBOX_EVERY
    workers: int = WORKERS


@dataclass
class Signals:
    """Requests from signal handlers: plain attribute writes, safe at any moment."""

    stop: str | None = None  # the name of the signal that asked to stop
    reload: bool = False


def setup_logging(verbose: int, log_file: str | None, daemon: bool) -> None:
    """Log to stderr or a file; the daemon logs at INFO (-v: DEBUG), --once at WARNING."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose + daemon, 2)]
    handler: logging.Handler = logging.StreamHandler(sys.stderr)
    if log_file:
        try:
            # WatchedFileHandler reopens the file after logrotate moves it away.
            handler = logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")
        except OSError as error:
            raise ChatArchiveError(f"--log-file {log_file} cannot be opened ({error.strerror});"
                                   " check that its folder exists and is writable") from error
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler narrates every run at INFO; our listener reports what matters.
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose >= 2 else logging.ERROR)


@contextmanager
def handling_signals(signals: Signals) -> Iterator[Signals]:
    """Turn SIGTERM/SIGINT into a stop request and SIGHUP into a reload, until the block ends."""

    def stop(number: int, frame: FrameType | None) -> None:
        name = signal.Signals(number).name
        if signals.stop is None:
            signals.stop = name
            return
        # Asked twice: leave at once, as kill -9 would; the next start completes the run.
        os.write(2, f"{name} again: exiting without waiting for the current step\n".encode())
        os._exit(1)

    def reload(number: int, frame: FrameType | None) -> None:
        signals.reload = True

    wanted = {signal.SIGTERM: stop, signal.SIGINT: stop}
    if hasattr(signal, "SIGHUP"):  # not on Windows
        wanted[signal.SIGHUP] = reload
    previous = {number: signal.signal(number, handler) for number, handler in wanted.items()}
    try:
        yield signals
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@dataclass
class ScheduleFolder:
    """A folder's schedules, reloaded file by file; a broken file keeps its last good version."""

    folder: Path
    schedules: dict[str, ChatSchedule] = field(default_factory=dict)
    _seen: dict[str, str] = field(default_factory=dict)  # name -> digest of the file read

    def load(self) -> list[ChatSchedule]:
        """Load every schedule; the first bad file fails (start-up must not guess)."""
        loaded = load_schedules(self.folder)
        self.schedules = {s.name: s for s in loaded}
        self._seen = {s.name: _digest(s.path) for s in loaded}
        return loaded

    def refresh(self, force: bool = False) -> tuple[list[ChatSchedule], list[str]]:
        """Re-read new and changed files: (schedules added or changed, names removed)."""
        if not self.folder.is_dir():
            log.error("%s: the schedules folder is gone; keeping the schedules loaded", self.folder)
            return [], []
        paths = {p.stem: p for p in sorted(self.folder.glob("*.toml"))}
        removed = sorted(set(self.schedules) - set(paths))
        for name in removed:
            del self.schedules[name]
            self._seen.pop(name, None)
        changed = []
        for name, path in paths.items():
            digest = _digest(path)
            if digest == self._seen.get(name) and not force:
                continue
            self._seen[name] = digest
            schedule = self._read(path)
            if schedule is not None and self.schedules.get(name) != schedule:
                self.schedules[name] = schedule
                changed.append(schedule)
        return changed, removed

    def _read(self, path: Path) -> ChatSchedule | None:
        try:
            return load_schedule(path)
        except ScheduleError as error:
            keeping = "keeping its last good version running" if path.stem in self.schedules \
                else "not scheduled until it is fixed"
            log.error("%s; %s", error, keeping)
            return None


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def run_once(config: DaemonConfig, echo: Callable[[Path], None]) -> None:
    """Catch up every schedule's due occurrences, ``echo`` each recap written, then return."""
    signals = Signals()
    started = datetime.now(UTC)
    with handling_signals(signals):
        schedules = _load_startup(config)
        db = archive.open_archive(config.archive_path)
        try:
            options = runner.RunOptions(should_stop=lambda: signals.stop is not None)
            for schedule in schedules:
                if signals.stop:
                    break
                for path in runner.run_job(db, schedule, config.recaps_dir, options=options):
                    echo(path)
            failed = state.failed_runs(db, state.current_owner(), started)
        finally:
            db.close()
    if signals.stop:
        log.warning("%s: stopped after the current step; the rest runs next time", signals.stop)
    if failed:
        names = ", ".join(f"{r['schedule']} {r['occurrence']}" for r in failed)
        raise ChatArchiveError(f"{len(failed)} chat(s) could not be processed ({names}); the"
                               " errors are logged above, and they are tried again next run")


def _load_startup(config: DaemonConfig) -> list[ChatSchedule]:
    schedules = load_schedules(config.schedules_dir)
    _require_some(config, schedules)
    return schedules


def _require_some(config: DaemonConfig, schedules: list[ChatSchedule]) -> None:
    if not schedules:
        raise ChatArchiveError(f"{config.schedules_dir} holds no schedule files (*.toml); see"
                               " the README's 'Schedules' section")


def run_daemon(config: DaemonConfig) -> None:
    """Run until SIGTERM or SIGINT: each schedule's job at its firings, reloading schedules."""
    with handling_signals(Signals()) as signals:
        Daemon(config, signals).run()


class Daemon:
    """The scheduler, the schedules folder, and the bookkeeping of runs in progress."""

    def __init__(self, config: DaemonConfig, signals: Signals) -> None:
        self.config = config
        self.signals = signals
        self.folder = ScheduleFolder(config.schedules_dir)
        self.jobs = JobScheduler(config.workers, on_skipped=self._skipped)
        self._rerun: set[str] = set()
        self._active = 0
        self._idle = threading.Condition()
        self._last_look = time.monotonic()
        self.options = runner.RunOptions(should_stop=lambda: signals.stop is not None)

    def run(self) -> None:
        """Start-up catch-up, then the schedules' firings, until a stop is requested."""
        schedules = self.folder.load()
        _require_some(self.config, schedules)
        # Create or upgrade the archive once, before several runs open it at the same time.
        archive.open_archive(self.config.archive_path).close()
        for schedule in schedules:
            self._install(schedule)
        self.jobs.every("control", POLL, self._tick)
        log.info("running %d schedule(s) from %s on %s (pid %d); SIGHUP reloads, SIGTERM stops",
                 len(schedules), self.config.schedules_dir, self.config.archive_path, os.getpid())
        self.jobs.run()
        with self._idle:
            if self._active:
                log.info("waiting for %d run(s) to finish their current step", self._active)
            self._idle.wait_for(lambda: self._active == 0)
        log.info("stopped (%s)", self.signals.stop or "scheduler shut down")

    def _install(self, schedule: ChatSchedule) -> None:
        every = self.config.inbox_every if schedule.source.kind == "inbox" else None
        self.jobs.set_schedule(schedule, self._job, also_every=every)

    def _tick(self) -> None:
        """The control job: act on stop and reload requests, look at the folder now and then."""
        if self.signals.stop:
            log.info("%s received: stopping after the current step", self.signals.stop)
            self.jobs.stop()
            return
        force, self.signals.reload = self.signals.reload, False
        if force or time.monotonic() - self._last_look >= self.config.reload_every.total_seconds():
            self._last_look = time.monotonic()
            self._reload(force)

    def _reload(self, force: bool) -> None:
        if force:
            log.info("SIGHUP received: reloading %s", self.config.schedules_dir)
        changed, removed = self.folder.refresh(force)
        for name in removed:
            self.jobs.remove_schedule(name)
            log.info("schedule %s removed", name)
        for schedule in changed:
            self._install(schedule)
            log.info("schedule %s loaded from %s; catching up now", schedule.name, schedule.path)

    def _skipped(self, job_id: str) -> None:
        with self._idle:
            self._rerun.add(job_id.partition(":")[2])

    def _job(self, schedule: ChatSchedule) -> None:
        """A schedule's job: catch up, and again if a firing came while it ran."""
        with self._idle:
            self._active += 1
        current: ChatSchedule | None = schedule
        try:
            while current is not None and not self.signals.stop:
                with self._idle:
                    self._rerun.discard(current.name)
                self._run(current)
                with self._idle:
                    again = current.name in self._rerun
                # The latest version of the schedule, or None once its file is removed.
                current = self.folder.schedules.get(current.name) if again else None
            if not self.signals.stop:
                # An inbox is looked at every minute: say so only when asked (-v).
                level = logging.DEBUG if schedule.source.kind == "inbox" else logging.INFO
                log.log(level, "%s: next run at %s", schedule.name,
                        self.jobs.next_firing(schedule.name))
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _run(self, schedule: ChatSchedule) -> None:
        db = archive.open_archive(self.config.archive_path)
        try:
            runner.run_job(db, schedule, self.config.recaps_dir, options=self.options)
        finally:
            db.close()
