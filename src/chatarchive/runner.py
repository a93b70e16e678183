"""The scheduled job's work for one schedule: catch up every occurrence that is due.

For each occurrence (a chat start time from the schedule's cron) that has ended and is not final
in the run ledger: fetch the schedule's source, archive it, assemble the chat in its window and
write the recap. An occurrence is final ("done") once its look-back window has passed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import archive, scheduler, sources
from .errors import ChatArchiveError, FormatError, SourceError
from .jobs import assemble_window, import_export, schedule_window, write_recap
from .models import ChatSchedule

log = logging.getLogger(__name__)


def source_value(schedule: ChatSchedule, occurrence: datetime) -> str:
    """A schedule's source for one occurrence: templates filled, paths made absolute."""
    local = occurrence.astimezone(ZoneInfo(schedule.timezone))
    value = schedule.source.value.replace("{date}", local.date().isoformat()).replace(
        "{hashtag}", schedule.hashtag)
    if schedule.source.kind in ("path", "inbox") and not Path(value).is_absolute():
        value = str(schedule.path.parent / value)
    return value


def due_occurrences(db: archive.Archive, schedule: ChatSchedule, now: datetime) -> list[datetime]:
    """Occurrences that have ended and are not yet final in the run ledger."""
    ended_by = now - schedule.duration
    if schedule.since is not None:
        start = datetime.combine(schedule.since, time(0), ZoneInfo(schedule.timezone))
    else:
        start = archive.last_run(db, schedule.name) or _latest_before(schedule, ended_by)
    found = scheduler.occurrences(schedule, start.astimezone(UTC), ended_by)
    return [o for o in found if archive.run_status(db, schedule.name, o) != "done"]


def _latest_before(schedule: ChatSchedule, moment: datetime) -> datetime:
    week_ago = moment - timedelta(days=35)
    found = scheduler.occurrences(schedule, week_ago, moment)
    return found[-1] if found else moment


def run_schedule(
    db: archive.Archive, schedule: ChatSchedule, recaps_base: Path, now: datetime | None = None
) -> list[Path]:
    """Catch up every due occurrence of one schedule; return the recap files written."""
    now = now or datetime.now(UTC)
    written: list[Path] = []
    fetched: set[str] = set()
    for occurrence in due_occurrences(db, schedule, now):
        archive.record_run(db, schedule.name, occurrence, "running")
        try:
            value = source_value(schedule, occurrence)
            if value not in fetched:
                fetched.add(value)
                _fetch_schedule_source(db, schedule, value)
            window = schedule_window(schedule, occurrence)
            chat = assemble_window(db, window, schedule.aliases)
            if chat is not None:
                written.append(write_recap(db, chat.id, recaps_base, schedule)[0])
        except ChatArchiveError as error:
            archive.record_run(db, schedule.name, occurrence, "failed", str(error))
            log.error("%s, chat of %s: %s", schedule.name, occurrence.isoformat(), error)
            continue
        final = now >= occurrence + schedule.duration + schedule.lookback
        archive.record_run(db, schedule.name, occurrence, "done" if final else "pending",
                           chat_id=chat.id if chat else None)
    return written


def _fetch_schedule_source(db: archive.Archive, schedule: ChatSchedule, value: str) -> None:
    kind = schedule.source.kind
    if kind in ("mastodon", "bluesky"):
        raise SourceError(value, f"'{kind}' sources are not supported yet; export the posts to a"
                          " file and use source.path")
    if kind == "url":
        etag, modified = archive.fetch_validators(db, value)
        raw = sources.fetch_url(value, etag, modified)
        if raw is None:
            return
        try:
            result = import_export(db, raw, schedule.source.format)
        finally:
            sources.discard(raw)
        archive.remember_fetch(db, value, raw.etag, raw.last_modified, raw.sha256)
        _log_result(schedule, result)
        return
    for raw in sources.local_exports(value):
        try:
            _log_result(schedule, import_export(db, raw, schedule.source.format))
        except FormatError as error:
            if Path(value).is_file():
                raise
            log.warning("%s: skipped %s: %s", schedule.name, raw.origin, error.problem)


def _log_result(schedule: ChatSchedule, result: archive.ImportResult) -> None:
    log.info("%s: %s: %d read, %d new, %d duplicate, %d rejected", schedule.name,
             result.origin, result.read, result.new, result.duplicate, result.rejected)

