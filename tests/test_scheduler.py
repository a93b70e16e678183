from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatarchive.models import ChatSchedule, RecapSpec, SourceSpec
from chatarchive.scheduler import (
    ChatEndTrigger,
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
