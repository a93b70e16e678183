"""Run jobs on time: one APScheduler 3.x job per schedule (the only module importing apscheduler).

A schedule's cron gives the start of each chat in the chat's own time zone. Its job fires when
the chat ends and again every ``REFETCH_EVERY`` through the look-back window, so late posts are
picked up; each firing catches up everything that is due for that schedule, so a firing that is
skipped or missed loses nothing: the next one (or the catch-up run that replaces it) does it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice, takewhile
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .models import ChatSchedule

log = logging.getLogger(__name__)

REFETCH_EVERY = timedelta(minutes=30)
MISFIRE_GRACE = timedelta(minutes=15)
WORKERS = 4
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _crontab_weekdays(field: str) -> str:
    # APScheduler 3.x counts weekdays from Monday = 0; crontab counts from Sunday = 0.
    return re.sub(r"\d+", lambda m: _WEEKDAYS[int(m.group())] if int(m.group()) < 8 else
                  m.group(), field)


def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    """A trigger for a 5-field crontab expression in a time zone; ValueError when invalid."""
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError("a crontab expression has 5 fields")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_crontab_weekdays(weekday), timezone=ZoneInfo(timezone))


def iter_occurrences(schedule: ChatSchedule, start: datetime) -> Iterator[datetime]:
    """The chat start times (aware UTC) of a schedule from ``start`` on, safe across DST."""
    zone = ZoneInfo(schedule.timezone)
    trigger = cron_trigger(schedule.cron, schedule.timezone)
    previous: datetime | None = None
    moment = start - timedelta(microseconds=1)
    last_wall: datetime | None = None
    while (fire := trigger.get_next_fire_time(previous, moment)) is not None:
        # When clocks fall back, a local time happens twice; the chat happens once (the first).
        wall = fire.astimezone(zone).replace(tzinfo=None)
        if wall != last_wall:
            yield fire.astimezone(UTC)
        previous, moment, last_wall = fire, fire, wall


def occurrences(schedule: ChatSchedule, start: datetime, end: datetime) -> list[datetime]:
    """The chat start times (aware UTC) of a schedule in [start, end]."""
    return list(takewhile(lambda fire: fire <= end, iter_occurrences(schedule, start)))


class ChatEndTrigger(BaseTrigger):
    """Fires at each chat's end, then every REFETCH_EVERY until the look-back window closes."""

    def __init__(self, schedule: ChatSchedule) -> None:
        self.schedule = schedule
        self.cron = cron_trigger(schedule.cron, schedule.timezone)

    def __str__(self) -> str:
        return f"end of each chat '{self.schedule.cron}' ({self.schedule.timezone})"

    def _fire_times(self, chat_start: datetime) -> list[datetime]:
        first = chat_start + self.schedule.duration
        steps = int(self.schedule.lookback / REFETCH_EVERY)
        return [first + REFETCH_EVERY * i for i in range(steps + 1)] + [
            first + self.schedule.lookback
        ]

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> Any:
        """The first firing after both ``previous_fire_time`` and ``now``."""
        after = max(now, previous_fire_time + timedelta(microseconds=1)) \
            if previous_fire_time else now
        span = self.schedule.duration + self.schedule.lookback
        for chat_start in islice(iter_occurrences(self.schedule, after - span), 10_000):
            later = [t for t in self._fire_times(chat_start) if t >= after]
            if later:
                return min(later)
        return None


def next_occurrence(schedule: ChatSchedule, after: datetime) -> datetime | None:
    """The start of the first chat strictly after ``after``."""
    return next(iter_occurrences(schedule, after + timedelta(seconds=1)), None)


def schedule_job_id(name: str) -> str:
    """The explicit APScheduler job id of a schedule."""
    return f"schedule:{name}"


class JobScheduler:
    """A BlockingScheduler with one job per schedule and control jobs on their own thread.

    Jobs coalesce, never run two instances at once, and run up to MISFIRE_GRACE late. A listener
    logs failed, missed and skipped firings; ``on_skipped(job_id)`` hears of firings skipped
    because the job was still running, and a missed firing is replaced by a run right away.
    """

    def __init__(
        self, workers: int = WORKERS, misfire_grace: timedelta = MISFIRE_GRACE,
        on_skipped: Callable[[str], None] | None = None,
    ) -> None:
        self._on_skipped = on_skipped
        self._grace = misfire_grace
        self._scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(workers), "control": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(misfire_grace.total_seconds())},
        )
        self._scheduler.add_listener(
            self._log_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)

    def set_schedule(
        self, schedule: ChatSchedule, job: Callable[[ChatSchedule], None],
        also_every: timedelta | None = None, run_now: bool = True,
    ) -> None:
        """Add or replace a schedule's job (also every ``also_every``); run it now to catch up."""
        trigger: BaseTrigger = ChatEndTrigger(schedule)
        if also_every is not None:
            trigger = OrTrigger([trigger, IntervalTrigger(
                seconds=also_every.total_seconds(), timezone=UTC)])
        extra: dict[str, Any] = {"next_run_time": datetime.now(UTC)} if run_now else {}
        self._scheduler.add_job(job, trigger, args=[schedule], id=schedule_job_id(schedule.name),
                                name=schedule.name, replace_existing=True, **extra)

    def remove_schedule(self, name: str) -> None:
        """Remove a schedule's job; a run in progress finishes."""
        try:
            self._scheduler.remove_job(schedule_job_id(name))
        except JobLookupError:
            log.debug("no job for schedule %s", name)

    def next_firing(self, name: str) -> datetime | None:
        """When a schedule's job fires next, if it is scheduled."""
        job = self._scheduler.get_job(schedule_job_id(name))
        when = getattr(job, "next_run_time", None) if job else None
        return when if isinstance(when, datetime) else None

    def every(self, job_id: str, interval: timedelta, action: Callable[[], None]) -> None:
        """Run a control action every ``interval`` on the control thread."""
        self._scheduler.add_job(action, IntervalTrigger(seconds=interval.total_seconds(),
                                                        timezone=UTC),
                                id=job_id, executor="control", replace_existing=True)

    def run(self) -> None:
        """Start and block until ``stop`` is called (from a job or another thread)."""
        # The control job runs every second: keep its bookkeeping out of the logs.
        logging.getLogger("apscheduler.executors.control").setLevel(logging.WARNING)
        self._scheduler.start()

    def stop(self) -> None:
        """Stop firing jobs and let ``run`` return; runs in progress are not waited for here."""
        if self._scheduler.state != STATE_STOPPED:
            self._scheduler.shutdown(wait=False)

    def _log_event(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_MAX_INSTANCES:
            log.info("job %s is still running; it runs again when it finishes", event.job_id)
            if self._on_skipped is not None:
                self._on_skipped(event.job_id)
        elif event.code == EVENT_JOB_MISSED and isinstance(event, JobExecutionEvent):
            log.warning("job %s missed its run at %s by more than %s; catching up now",
                        event.job_id, event.scheduled_run_time, self._grace)
            self._run_soon(event.job_id)
        elif isinstance(event, JobExecutionEvent) and event.exception is not None:
            log.error("job %s failed: %s: %s", event.job_id, type(event.exception).__name__,
                      event.exception)

    def _run_soon(self, job_id: str) -> None:
        try:
            self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
        except JobLookupError:
            log.debug("job %s is gone; nothing to catch up", job_id)
