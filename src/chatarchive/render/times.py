"""Dates and times as a recap shows them: "Wednesday 4 March 2026", "1:00–2:00 pm EST"."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(moment: datetime) -> str:
    """Return a date as "Wednesday 4 March 2026"."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def _meridiem(moment: datetime) -> str:
    return "am" if moment.hour < 12 else "pm"


def _zone(moment: datetime) -> str:
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name  # zones without an abbreviation: "-03"


def moment_text(moment: datetime) -> str:
    """Return a time as "1:00 pm EST"."""
    return f"{_clock(moment)} {_meridiem(moment)} {_zone(moment)}"


def time_range(start: datetime, end: datetime) -> str:
    """Return "1:00–2:00 pm EST", naming the meridiem or zone twice only when they change."""
    if _zone(start) != _zone(end):
        return (
            f"{_clock(start)} {_meridiem(start)} {_zone(start)}–"
            f"{_clock(end)} {_meridiem(end)} {_zone(end)}"
        )
    if _meridiem(start) != _meridiem(end):
        return f"{_clock(start)} {_meridiem(start)}–{_clock(end)} {_meridiem(end)} {_zone(end)}"
    return f"{_clock(start)}–{_clock(end)} {_meridiem(end)} {_zone(end)}"


def timezone(name: str) -> tzinfo:
    """Return the named time zone; UTC (with a warning) when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r; showing times in UTC", name)
        return ZoneInfo("UTC")
