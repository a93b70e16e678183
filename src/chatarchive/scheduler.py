"""Run jobs on time: one APScheduler 3.x job per schedule (the only module importing apscheduler).

A schedule's cron gives the start of each chat in the chat's own time zone. Its job fires when
the chat ends and again every ``REFETCH_EVERY`` through the look-back window, so late posts are
picked up; each firing catches up everything that is due for that schedule.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice, takewhile
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from .models import ChatSchedule

log = logging.getLogger(__name__)

REFETCH_EVERY = timedelta(minutes=30)
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
    trigger = cron_trigger(schedule.cron, schedule.timezone)
    previous: datetime | None = None
    moment = start - timedelta(microseconds=1)
    while (fire := trigger.get_next_fire_time(previous, moment)) is not None:
        yield fire.astimezone(UTC)
        previous, moment = fire, fire


def occurrences(schedule: ChatSchedule, start: datetime, end: datetime) -> list[datetime]:
    """The chat start times (aware UTC) of a schedule in [start, end]."""
    return list(takewhile(lambda fire: fire <= end, iter_occurrences(schedule, start)))


class ChatEndTrigger(BaseTrigger):
    """Fires at each chat's end, then every REFETCH_EVERY until the look-back window closes."""

    def __init__(self, schedule: ChatSchedule) -> None:
        self.schedule = schedule
        self.cron = cron_trigger(schedule.cron, schedule.timezone)

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


def _log_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its run at %s; it catches up at its next run",
                    event.job_id, event.scheduled_run_time)
    elif event.exception is not None:
        log.error("job %s failed: %s", event.job_id, event.exception)


def run_forever(
    schedules: list[ChatSchedule], job: Callable[[ChatSchedule], None],
    reload: Callable[[], list[ChatSchedule]] | None = None,
    reload_every: timedelta = timedelta(minutes=5),
) -> None:
    """Run ``job(schedule)`` at each schedule's firings until interrupted."""
    scheduler = BlockingScheduler(timezone=UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    scheduler.add_listener(_log_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    _install_jobs(scheduler, schedules, job)
    if reload is not None:
        scheduler.add_job(lambda: _install_jobs(scheduler, reload(), job), "interval",
                          seconds=reload_every.total_seconds(), id="reload-schedules",
                          replace_existing=True)
    log.info("scheduler started with %d schedule(s)", len(schedules))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


def _install_jobs(scheduler: BlockingScheduler, schedules: list[ChatSchedule],
                  job: Callable[[ChatSchedule], None]) -> None:
    wanted = {f"schedule:{s.name}": s for s in schedules}
    for existing in scheduler.get_jobs():
        if existing.id.startswith("schedule:") and existing.id not in wanted:
            existing.remove()
    for job_id, schedule in wanted.items():
        scheduler.add_job(job, ChatEndTrigger(schedule), args=[schedule], id=job_id,
                          name=schedule.title, replace_existing=True)
