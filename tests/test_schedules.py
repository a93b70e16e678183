from datetime import date, timedelta
from pathlib import Path

import pytest

from chatarchive.errors import ScheduleError
from chatarchive.schedules import load_schedule, load_schedules, parse_duration

GOOD = """
hashtag = "#SoloPR"
aliases = ["solopr2"]
title = "#solopr chat"
timezone = "America/New_York"
cron = "0 13 * * wed"
duration = "60m"
lookback = "1h30m"
hosts = ["@KellyECrane"]
guests = ["guest1"]
do_not_quote = ["spammer"]
since = 2026-03-04

[source]
url = "https://example.org/exports/solopr-{date}.jsonl"

[recap]
dir = "recaps/solopr"
quotes_per_question = 2
"""


def write(tmp_path: Path, text: str, name: str = "solopr.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_schedule_is_normalised(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, GOOD))
    assert schedule.name == "solopr"
    assert schedule.hashtag == "solopr"
    assert schedule.hosts == ("kellyecrane",)
    assert schedule.duration == timedelta(hours=1)
    assert schedule.lookback == timedelta(hours=1, minutes=30)
    assert schedule.source.kind == "url"
    assert schedule.source.format == "auto"
    assert schedule.recap.dir == "recaps/solopr"
    assert schedule.recap.quotes_per_question == 2
    assert schedule.since == date(2026, 3, 4)


def test_defaults(tmp_path: Path) -> None:
    text = 'hashtag="edchat"\ntimezone="UTC"\ncron="0 19 * * 2"\n[source]\npath="x.jsonl"\n'
    schedule = load_schedule(write(tmp_path, text))
    assert schedule.title == "#edchat chat"
    assert schedule.duration == timedelta(minutes=60)
    assert schedule.lookback == timedelta(hours=2)
    assert schedule.recap.dir == "edchat"
    assert schedule.recap.quotes_per_question == 3


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (('timezone = "America/New_York"', 'timezone = "Mars/Olympus"'), "timezone",
         "unknown time zone"),
        (('cron = "0 13 * * wed"', 'cron = "0 13 * *"'), "cron", "5 fields"),
        (('cron = "0 13 * * wed"', 'cron = "0 25 * * wed"'), "cron", "not a valid cron"),
        (('duration = "60m"', 'duration = "an hour"'), "duration", "not a duration"),
        (('duration = "60m"', 'duraton = "60m"'), "duraton", "did you mean 'duration'"),
        (('hosts = ["@KellyECrane"]', 'hosts = "kelly"'), "hosts", "list of strings"),
        (('url = "https://', 'path = "x"\nurl = "https://'), "source", "exactly one of"),
        (("quotes_per_question = 2", "quotes_per_question = 0"), "recap.quotes_per_question",
         "1 to 20"),
        (("since = 2026-03-04", 'since = "last week"'), "since", "must be a date"),
        (('hashtag = "#SoloPR"', ""), "hashtag", "is required"),
    ],
)
def test_bad_schedule_names_file_and_key(
    tmp_path: Path, change: tuple[str, str], key: str, words: str
) -> None:
    assert change[0] in GOOD
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert caught.value.key == key
    assert str(path) in str(caught.value)
    assert words in str(caught.value)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'hashtag = "solopr"\ntimezone = \n')
    with pytest.raises(ScheduleError, match=r"not valid TOML.*line 2"):
        load_schedule(path)


def test_folder_loads_every_schedule_sorted(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "b.toml")
    write(tmp_path, GOOD.replace("#SoloPR", "journchat"), "a.toml")
    write(tmp_path, "not a schedule", "notes.txt")
    assert [s.name for s in load_schedules(tmp_path)] == ["a", "b"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="not a folder"):
        load_schedules(tmp_path / "nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("60m", timedelta(minutes=60)), ("2h", timedelta(hours=2)),
     ("1h30m", timedelta(minutes=90)), ("45s", timedelta(seconds=45)), ("soon", None), ("", None)],
)
def test_parse_duration(text: str, expected: timedelta | None) -> None:
    assert parse_duration(text) == expected


def test_source_columns_become_format_options(tmp_path: Path) -> None:
    text = GOOD.replace('[recap]', '[source.columns]\ntext = "content"\nauthor = "nick"\n\n[recap]')
    schedule = load_schedule(write(tmp_path, text))
    assert schedule.source.options == (("author", "nick"), ("text", "content"))
    bad = GOOD.replace('[recap]', '[source.columns]\ntext = 3\n\n[recap]')
    with pytest.raises(ScheduleError, match=r"source\.columns"):
        load_schedule(write(tmp_path, bad))


def test_empty_bluesky_query_searches_the_hashtag(tmp_path: Path) -> None:
    text = GOOD.replace('url = "https://example.org/exports/solopr-{date}.jsonl"', 'bluesky = ""')
    schedule = load_schedule(write(tmp_path, text))
    assert (schedule.source.kind, schedule.source.value) == ("bluesky", "#solopr")
