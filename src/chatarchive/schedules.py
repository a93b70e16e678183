"""Load and validate ``schedules/<chat>.toml`` files (DESIGN.md §5)."""

from __future__ import annotations

import difflib
import re
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ScheduleError
from .models import ChatSchedule, RecapSpec, SourceSpec

TOP_KEYS = {
    "hashtag", "aliases", "title", "timezone", "cron", "duration", "lookback", "hosts",
    "guests", "do_not_quote", "since", "source", "recap",
}
SOURCE_KINDS = ("path", "url", "inbox", "mastodon", "bluesky")
SOURCE_KEYS = {*SOURCE_KINDS, "format", "columns"}
RECAP_KEYS = {"dir", "quotes_per_question", "template"}
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")
_HASHTAG = re.compile(r"^\w+$")


def load_schedules(folder: str | Path) -> list[ChatSchedule]:
    """Load every ``*.toml`` schedule in a folder, sorted by name; fail on the first bad one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScheduleError(folder, None, "is not a folder of schedule files (*.toml)")
    return [load_schedule(path) for path in sorted(folder.glob("*.toml"))]


def load_schedule(path: str | Path) -> ChatSchedule:
    """Load one schedule file, naming the file and the key of any mistake."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScheduleError(path, None, f"cannot be read ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScheduleError(path, None, f"is not valid TOML: {error}") from error
    return _build(path, data)


def _build(path: Path, data: dict[str, Any]) -> ChatSchedule:
    _check_keys(path, data, TOP_KEYS, "")
    hashtag = _text(path, data, "hashtag", required=True).lstrip("#").lower()
    if not _HASHTAG.match(hashtag):
        raise ScheduleError(path, "hashtag", f"'{hashtag}' is not a hashtag (letters, digits, _)")
    timezone = _text(path, data, "timezone", required=True)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ScheduleError(path, "timezone", f"unknown time zone '{timezone}'; use an IANA"
                            " name such as 'America/New_York'") from error
    cron = _text(path, data, "cron", required=True)
    _check_cron(path, cron, timezone)
    return ChatSchedule(
        name=path.stem, path=path.resolve(), hashtag=hashtag,
        title=_text(path, data, "title") or f"#{hashtag} chat", timezone=timezone, cron=cron,
        duration=_duration(path, data, "duration", "60m"),
        lookback=_duration(path, data, "lookback", "2h"),
        source=_source(path, data.get("source"), hashtag),
        recap=_recap(path, data.get("recap"), hashtag),
        aliases=_handles(path, data, "aliases"), hosts=_handles(path, data, "hosts"),
        guests=_handles(path, data, "guests"), do_not_quote=_handles(path, data, "do_not_quote"),
        since=_since(path, data),
    )


def _check_keys(path: Path, table: dict[str, Any], allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {sorted(allowed)}"
            raise ScheduleError(path, prefix + key, f"unknown key{hint}")


def _text(path: Path, data: dict[str, Any], key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ScheduleError(path, key, "is required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ScheduleError(path, key, f"must be a non-empty string, not {value!r}")
    return value.strip()


def _handles(path: Path, data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScheduleError(path, key, 'must be a list of strings, e.g. ["kellyecrane"]')
    return tuple(v.strip().lstrip("@#").lower() for v in value if v.strip())


def parse_duration(text: str) -> timedelta | None:
    """Parse '60m', '2h', '1h30m' or '90s'; None when the text is not a duration."""
    match = _DURATION.match(text.strip().lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _duration(path: Path, data: dict[str, Any], key: str, default: str) -> timedelta:
    value = data.get(key, default)
    parsed = parse_duration(value) if isinstance(value, str) else None
    if parsed is None or parsed <= timedelta(0):
        raise ScheduleError(path, key, f"{value!r} is not a duration; write e.g. '60m', '2h'"
                            " or '1h30m'")
    return parsed


def _since(path: Path, data: dict[str, Any]) -> date | None:
    value = data.get("since")
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    raise ScheduleError(path, "since", f"{value!r} must be a date such as 2026-03-04 (no quotes)")


def _check_cron(path: Path, cron: str, timezone: str) -> None:
    from .scheduler import cron_trigger  # the scheduler owns cron parsing (apscheduler)

    if len(cron.split()) != 5:
        raise ScheduleError(path, "cron", f"'{cron}' must have 5 fields: minute hour day"
                            " month weekday, e.g. '0 13 * * wed'")
    try:
        cron_trigger(cron, timezone)
    except ValueError as error:
        raise ScheduleError(path, "cron", f"'{cron}' is not a valid cron expression: {error}")\
            from error


def _source(path: Path, table: object, hashtag: str) -> SourceSpec:
    if not isinstance(table, dict):
        raise ScheduleError(path, "source", "a [source] table is required, with one of: "
                            + ", ".join(SOURCE_KINDS))
    _check_keys(path, table, SOURCE_KEYS, "source.")
    kinds = [k for k in SOURCE_KINDS if k in table]
    if len(kinds) != 1:
        raise ScheduleError(path, "source", "needs exactly one of: " + ", ".join(SOURCE_KINDS)
                            + (f" (found {', '.join(kinds)})" if kinds else ""))
    value = table[kinds[0]]
    if kinds[0] == "bluesky" and value == "":
        value = f"#{hashtag}"  # search for the chat's own hashtag
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(path, f"source.{kinds[0]}", "must be a non-empty string")
    fmt = table.get("format", "auto")
    if not isinstance(fmt, str):
        raise ScheduleError(path, "source.format", "must be a format name; see"
                            " 'chatarchive formats'")
    columns = table.get("columns", {})
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise ScheduleError(path, "source.columns", 'must be a table of strings, e.g.'
                            ' { text = "content", author = "screen_name" }')
    return SourceSpec(kind=kinds[0], value=value.strip(), format=fmt,
                      options=tuple(sorted(columns.items())))


def _recap(path: Path, table: object, hashtag: str) -> RecapSpec:
    if table is None:
        return RecapSpec(dir=hashtag)
    if not isinstance(table, dict):
        raise ScheduleError(path, "recap", "must be a table: [recap]")
    _check_keys(path, table, RECAP_KEYS, "recap.")
    quotes = table.get("quotes_per_question", 3)
    if not isinstance(quotes, int) or isinstance(quotes, bool) or not 1 <= quotes <= 20:
        raise ScheduleError(path, "recap.quotes_per_question", "must be a whole number, 1 to 20")
    directory = table.get("dir", hashtag)
    template = table.get("template")
    if not isinstance(directory, str) or not directory.strip():
        raise ScheduleError(path, "recap.dir", "must be a folder name, e.g. 'recaps/solopr'")
    if Path(directory).is_absolute() or ".." in Path(directory).parts:
        raise ScheduleError(path, "recap.dir", f"'{directory}' must stay inside run's --recaps"
                            " folder: a relative folder name without '..'")
    if template is not None and not isinstance(template, str):
        raise ScheduleError(path, "recap.template", "must be the path of a Jinja2 template")
    return RecapSpec(dir=directory.strip(), quotes_per_question=quotes, template=template)
