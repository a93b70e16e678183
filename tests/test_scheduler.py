import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatarchive.models import ChatSchedule, RecapSpec, SourceSpec
from chatarchive.scheduler import (
    ChatEndTrigger,
    JobScheduler,
    cron_trigger,
    next_occurrence,
    occurrences,
)


def schedule(cron: str = "0 13 * * wed", tz: str = "America/New_York") -> ChatSchedule:
    return ChatSchedule(
        name="solopr", path=Path("solopr.toml"), hashtag="solopr", title="#solopr chat",
        timezone=tz, cron=cron, duration=timedelta(minutes=60), lookback=timedelta(hours=1),
        source=SourceSpec("path", "x.jsonl"), recap=RecapSpec("solopr"),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_occurrences_follow_local_time_across_dst() -> None:
    # US daylight saving time began on Sunday 8 March 2026.
    found = occurrences(schedule(), utc(2026, 3, 1), utc(2026, 3, 19))
    assert found == [utc(2026, 3, 4, 18), utc(2026, 3, 11, 17), utc(2026, 3, 18, 17)]


def test_numeric_weekdays_count_from_sunday_as_in_crontab() -> None:
    assert occurrences(schedule("0 13 * * 3"), utc(2026, 3, 1), utc(2026, 3, 8)) == [
        utc(2026, 3, 4, 18)
    ]
    assert occurrences(schedule("0 20 * * 0", "UTC"), utc(2026, 3, 1), utc(2026, 3, 8)) == [
        utc(2026, 3, 1, 20)
    ]


def test_invalid_cron_raises_value_error() -> None:
    with pytest.raises(ValueError):
        cron_trigger("0 25 * * *", "UTC")


def test_trigger_fires_at_the_end_then_through_the_lookback() -> None:
    trigger = ChatEndTrigger(schedule())
    fires = []
    previous = None
    now = utc(2026, 3, 4, 17)
    for _ in range(5):
        previous = trigger.get_next_fire_time(previous, now)
        fires.append(previous)
        now = previous
    assert fires == [utc(2026, 3, 4, 19), utc(2026, 3, 4, 19, 30), utc(2026, 3, 4, 20),
                     utc(2026, 3, 11, 18), utc(2026, 3, 11, 18, 30)]


def test_next_occurrence() -> None:
    assert next_occurrence(schedule(), utc(2026, 3, 4, 18)) == utc(2026, 3, 11, 17)


def test_an_ambiguous_local_time_gives_one_chat_when_clocks_fall_back() -> None:
    # US daylight saving time ended on Sunday 1 November 2026: 01:30 happened twice.
    found = occurrences(schedule("30 1 * * *"), utc(2026, 10, 31), utc(2026, 11, 3))
    assert found == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_a_skipped_local_time_runs_just_after_clocks_spring_forward() -> None:
    # 02:30 did not exist on 8 March 2026 in New York; that chat starts at 03:30 EDT.
    found = occurrences(schedule("30 2 * * *"), utc(2026, 3, 7), utc(2026, 3, 10))
    assert found == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]


def test_a_lookback_shorter_than_the_refetch_interval_fires_twice() -> None:
    short = replace(schedule(), lookback=timedelta(minutes=10))
    trigger = ChatEndTrigger(short)
    first = trigger.get_next_fire_time(None, utc(2026, 3, 4, 18, 30))
    second = trigger.get_next_fire_time(first, first)
    assert (first, second) == (utc(2026, 3, 4, 19), utc(2026, 3, 4, 19, 10))
    assert str(trigger) == "end of each chat '0 13 * * wed' (America/New_York)"


def far_schedule(name: str = "solopr") -> ChatSchedule:
    return replace(schedule("0 13 1 1 *"), name=name)  # fires next on 1 January only


def running(jobs: JobScheduler) -> threading.Thread:
    thread = threading.Thread(target=jobs.run, daemon=True)
    thread.start()
    return thread


def test_job_scheduler_catches_up_at_once_and_reports_skipped_firings() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    skipped: list[str] = []

    def job(chat: ChatSchedule) -> None:
        ran.append(chat.name)
        started.set()
        release.wait(5)

    jobs = JobScheduler(workers=2, on_skipped=skipped.append)
    jobs.set_schedule(far_schedule(), job)
    thread = running(jobs)
    try:
        assert started.wait(5)
        # At the end of the next chat (18:00 UTC start, 60 minutes).
        assert jobs.next_firing("solopr") == datetime(2027, 1, 1, 19, tzinfo=UTC)
        jobs.set_schedule(far_schedule(), job)  # due now again while the first run goes on
        deadline = time.monotonic() + 5
        while not skipped and time.monotonic() < deadline:
            time.sleep(0.02)
        assert skipped == ["schedule:solopr"]
        assert ran == ["solopr"]
    finally:
        release.set()
        jobs.stop()
        thread.join(5)
    assert not thread.is_alive()


def test_job_scheduler_control_job_stops_it_and_schedules_can_be_removed() -> None:
    ticks: list[tuple[datetime | None, datetime | None]] = []
    jobs = JobScheduler()
    jobs.set_schedule(far_schedule("a"), lambda chat: None, run_now=False)
    jobs.set_schedule(far_schedule("b"), lambda chat: None, run_now=False)
    jobs.remove_schedule("b")
    jobs.remove_schedule("never-added")

    def tick() -> None:
        ticks.append((jobs.next_firing("a"), jobs.next_firing("b")))
        if len(ticks) == 3:
            jobs.stop()

    jobs.every("control", timedelta(seconds=0.05), tick)
    thread = running(jobs)
    thread.join(5)
    assert not thread.is_alive()
    assert ticks == [(datetime(2027, 1, 1, 19, tzinfo=UTC), None)] * 3


def test_job_scheduler_logs_a_failed_job(caplog: pytest.LogCaptureFixture) -> None:
    done = threading.Event()

    def job(chat: ChatSchedule) -> None:
        done.set()
        raise RuntimeError("boom")

    jobs = JobScheduler()
    jobs.set_schedule(far_schedule(), job)
    thread = running(jobs)
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while "failed" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.02)
    jobs.stop()
    thread.join(5)
    assert "job schedule:solopr failed: RuntimeError: boom" in caplog.text
