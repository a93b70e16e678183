"""The scheduled job's work for one schedule: catch up every occurrence that is due.

For each occurrence (a chat start time from the schedule's cron) that has ended and is not final
in the run ledger: take its lease, fetch the schedule's source, archive it, assemble the chat in
its window and write the recap. An occurrence is final ("done") once its look-back window has
passed. A failed one is tried again at later runs, up to MAX_ATTEMPTS times. Between steps the
run checks ``should_stop`` so that a stop request ends it cleanly after the current step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import archive, scheduler, sources
from .archive import state
from .errors import ChatArchiveError, FormatError
from .jobs import (
    assemble_window,
    finish_imports,
    import_export,
    reassemble,
    schedule_window,
    write_recap,
)
from .models import ChatSchedule, RawExport

log = logging.getLogger(__name__)

LEASE_STALE = timedelta(minutes=2)  # a 'running' row whose heartbeat is older is taken over
HEARTBEAT_EVERY = 15.0  # seconds between heartbeats of a lease held
MAX_ATTEMPTS = 10
LIVE_MARGIN = timedelta(minutes=30)  # a live pull starts this long before the chat


class Stopped(Exception):
    """A stop was requested; the run ended between two steps."""


def _never() -> bool:
    return False


@dataclass(frozen=True)
class RunOptions:
    """How a run leases occurrences, retries them, and learns that it should stop."""

    should_stop: Callable[[], bool] = _never
    stale_after: timedelta = LEASE_STALE
    heartbeat_every: float = HEARTBEAT_EVERY
    max_attempts: int = MAX_ATTEMPTS


DEFAULT_OPTIONS = RunOptions()


def source_value(schedule: ChatSchedule, occurrence: datetime) -> str:
    """A schedule's source for one occurrence: templates filled, paths made absolute."""
    kind, value = schedule.source.kind, schedule.source.value
    if kind == "mastodon":
        return value
    local = occurrence.astimezone(ZoneInfo(schedule.timezone)).date()
    value = sources.expand_template(value, local, schedule.hashtag)
    if kind in ("path", "inbox") and not Path(value).expanduser().is_absolute():
        value = str(schedule.path.parent / value)
    return value


def live_window(schedule: ChatSchedule, occurrence: datetime) -> tuple[datetime, datetime]:
    """The span a live pull covers for one occurrence: from before the start to the look-back."""
    return (occurrence - LIVE_MARGIN,
            occurrence + schedule.duration + schedule.lookback)


def due_occurrences(
    db: archive.Archive, schedule: ChatSchedule, now: datetime, max_attempts: int = MAX_ATTEMPTS
) -> list[datetime]:
    """Occurrences that have ended and are not final in the run ledger (nor failed for good)."""
    ended_by = now - schedule.duration
    start = _catch_up_from(db, schedule, ended_by, max_attempts)
    due = []
    for occurrence in scheduler.occurrences(schedule, start, ended_by):
        row = state.run_row(db, schedule.name, occurrence)
        if row is None or row["status"] in (state.RUNNING, state.PENDING) or (
                row["status"] == state.FAILED and (row["attempts"] or 1) < max_attempts):
            due.append(occurrence)
    return due


def _catch_up_from(
    db: archive.Archive, schedule: ChatSchedule, ended_by: datetime, max_attempts: int
) -> datetime:
    name = schedule.name
    first, last = state.first_run(db, name), state.last_run(db, name)
    since = None
    if schedule.since is not None:
        since = datetime.combine(schedule.since, time(0), ZoneInfo(schedule.timezone))
        since = since.astimezone(UTC)
        first_due = next(scheduler.iter_occurrences(schedule, since), None)
        if first is None or first_due is None or first_due < first:
            return since  # the ledger does not reach back to 'since' (new, or 'since' moved)
    if last is None:
        return _latest_before(schedule, ended_by)
    unsettled = state.earliest_unsettled(db, name, max_attempts)
    start = min(unsettled, last) if unsettled else last
    return max(start, since) if since else start


def _latest_before(schedule: ChatSchedule, moment: datetime) -> datetime:
    # Widening steps keep this cheap for a frequent cron and still find a yearly one.
    for days in (1, 8, 35, 370):
        found = scheduler.occurrences(schedule, moment - timedelta(days=days), moment)
        if found:
            return found[-1]
    return moment


def run_job(
    db: archive.Archive, schedule: ChatSchedule, recaps_base: Path, now: datetime | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
) -> list[Path]:
    """One firing of a schedule's job: watch its inbox, then catch up its due occurrences."""
    written: list[Path] = []
    if schedule.source.kind == "inbox":
        try:
            written = watch_inbox(db, schedule, recaps_base, options)
        except ChatArchiveError as error:
            log.error("%s: inbox: %s", schedule.name, error)
    written += [p for p in run_schedule(db, schedule, recaps_base, now, options)
                if p not in written]
    return written


def run_schedule(
    db: archive.Archive, schedule: ChatSchedule, recaps_base: Path, now: datetime | None = None,
    options: RunOptions = DEFAULT_OPTIONS,
) -> list[Path]:
    """Catch up every due occurrence of one schedule; return the recap files written."""
    now = now or datetime.now(UTC)
    owner = state.current_owner()
    written: list[Path] = []
    fetched: dict[str, ChatArchiveError | None] = {}
    for occurrence in due_occurrences(db, schedule, now, options.max_attempts):
        if options.should_stop():
            log.info("%s: stopping; the chat of %s and later ones run next time", schedule.name,
                     _local(schedule, occurrence))
            break
        try:
            path = _run_occurrence(db, schedule, occurrence, recaps_base, now, owner, options,
                                   fetched)
        except Stopped:
            break
        if path is not None:
            written.append(path)
    return written


def _run_occurrence(
    db: archive.Archive, schedule: ChatSchedule, occurrence: datetime, recaps_base: Path,
    now: datetime, owner: state.RunOwner, options: RunOptions,
    fetched: dict[str, ChatArchiveError | None],
) -> Path | None:
    label = f"{schedule.name}, chat of {_local(schedule, occurrence)}"
    claim = state.claim_run(db, schedule.name, occurrence, owner, options.stale_after)
    if not claim.granted:
        log.info("%s: skipped, %s", label, claim.note)
        return None
    if claim.note:
        log.warning("%s: %s", label, claim.note)
    with state.keep_alive(db, schedule.name, occurrence, owner, options.heartbeat_every):
        try:
            chat_id, path = _steps(db, schedule, occurrence, recaps_base, fetched, options)
        except Stopped:
            state.record_run(db, schedule.name, occurrence, state.PENDING,
                             "stopped before it finished; it runs again", owner=owner)
            log.info("%s: stopped before it finished; it runs again next time", label)
            raise
        except ChatArchiveError as error:
            state.record_run(db, schedule.name, occurrence, state.FAILED, str(error),
                             owner=owner)
            log.error("%s: %s", label, error)
            return None
        except Exception as error:
            # A bug: leave no 'running' row behind, and let the scheduler's listener report it.
            state.record_run(db, schedule.name, occurrence, state.FAILED,
                             f"{type(error).__name__}: {error}", owner=owner)
            raise
    final = now >= occurrence + schedule.duration + schedule.lookback
    if not state.record_run(db, schedule.name, occurrence, state.DONE if final else state.PENDING,
                            chat_id=chat_id, owner=owner):
        log.warning("%s: another process took the lease over meanwhile; its record stands", label)
    outcome = f"recap {path}" if path else "recap unchanged" if chat_id else "no posts"
    log.info("%s: %s%s", label, outcome,
             "" if final else " (looking for late posts until the look-back ends)")
    return path


def _steps(
    db: archive.Archive, schedule: ChatSchedule, occurrence: datetime, recaps_base: Path,
    fetched: dict[str, ChatArchiveError | None], options: RunOptions,
) -> tuple[str | None, Path | None]:
    """Fetch and archive the source, assemble the chat, write its recap: (chat id, new recap)."""
    value = source_value(schedule, occurrence)
    key = value if schedule.source.kind not in ("mastodon", "bluesky") else \
        f"{value} {occurrence.isoformat()}"
    if key not in fetched:
        _check(options)
        try:
            fetch_source(db, schedule, occurrence)
        except ChatArchiveError as error:
            fetched[key] = error
            raise
        fetched[key] = None
    elif (earlier := fetched[key]) is not None:
        raise earlier  # the same source failed a moment ago for an earlier chat
    _check(options)
    chat = assemble_window(db, schedule_window(schedule, occurrence), schedule.aliases)
    if chat is None:
        return None, None
    _check(options)
    path, _, changed = write_recap(db, chat.id, recaps_base, schedule)
    return chat.id, path if changed else None


def _check(options: RunOptions) -> None:
    if options.should_stop():
        raise Stopped()


def fetch_source(
    db: archive.Archive, schedule: ChatSchedule, occurrence: datetime
) -> list[archive.ImportResult]:
    """Fetch a schedule's source for one occurrence, archive it, assemble the chats it touches."""
    kind, value = schedule.source.kind, source_value(schedule, occurrence)
    if kind == "url":
        return _fetch_url(db, schedule, value)
    if kind in ("mastodon", "bluesky"):
        since, until = live_window(schedule, occurrence)
        if kind == "mastodon":
            raw = sources.fetch_mastodon(value, schedule.hashtag, since, until)
        else:
            raw = sources.fetch_bluesky(value or f"#{schedule.hashtag}", since, until)
        if raw is None:
            log.info("%s: %s has no posts between %s and %s", schedule.name, value,
                     since.isoformat(), until.isoformat())
            return []
        return _settle(db, schedule, [_import(db, schedule, raw)])
    exports = sources.inbox_exports(Path(value)) if kind == "inbox" \
        else sources.local_exports(value)
    single = kind == "path" and Path(value).is_file()
    return _settle(db, schedule, _import_all(db, schedule, exports, single))


def _fetch_url(db: archive.Archive, schedule: ChatSchedule, url: str) -> list[archive.ImportResult]:
    etag, modified = archive.fetch_validators(db, url)
    raw = sources.fetch_url(url, etag, modified)
    if raw is None:
        return []
    results = _settle(db, schedule, [_import(db, schedule, raw)])
    # Remembered only once settled: an interrupted run fetches the whole export again.
    archive.remember_fetch(db, url, raw.etag, raw.last_modified, raw.sha256)
    return results


def _settle(
    db: archive.Archive, schedule: ChatSchedule, results: list[archive.ImportResult]
) -> list[archive.ImportResult]:
    """Assemble the chats new posts touch, then mark the imports finished."""
    reassemble(db, [r for r in results if not r.unchanged], schedule)
    finish_imports(db, results)
    return results


def _import_all(
    db: archive.Archive, schedule: ChatSchedule, exports: Iterator[RawExport], single: bool
) -> list[archive.ImportResult]:
    results = []
    for raw in exports:
        try:
            results.append(_import(db, schedule, raw))
        except FormatError as error:
            if single:
                raise
            log.warning("%s: skipped %s: %s", schedule.name, raw.origin, error.problem)
    return results


def _import(db: archive.Archive, schedule: ChatSchedule, raw: RawExport) -> archive.ImportResult:
    options = dict(schedule.source.options) or None
    try:
        result = import_export(db, raw, schedule.source.format, options)
    finally:
        sources.discard(raw)
    if result.unchanged:
        log.debug("%s: %s: already imported", schedule.name, result.origin)
    else:
        log.info("%s: %s: %d read, %d new, %d duplicate, %d rejected", schedule.name,
                 result.origin, result.read, result.new, result.duplicate, result.rejected)
    return result


def watch_inbox(
    db: archive.Archive, schedule: ChatSchedule, recaps_base: Path,
    options: RunOptions = DEFAULT_OPTIONS,
) -> list[Path]:
    """Import new or changed inbox files; refresh the recaps of the ended chats they touch."""
    now = datetime.now(UTC)
    folder = Path(source_value(schedule, now))
    results = _import_all(db, schedule, sources.inbox_exports(folder), single=False)
    written = []
    for chat_id in reassemble(db, [r for r in results if not r.unchanged], schedule):
        if options.should_stop():
            break  # the imports stay unfinished, so the next run assembles them again
        if archive.chat_window(db, chat_id).ends_at > now:
            continue  # the chat is still on: its recap is written when it ends
        path, _, changed = write_recap(db, chat_id, recaps_base, schedule)
        if changed:
            log.info("%s: inbox: recap %s", schedule.name, path)
            written.append(path)
    else:
        finish_imports(db, results)
    return written


def _local(schedule: ChatSchedule, moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(schedule.timezone))
    return local.strftime("%Y-%m-%d %H:%M ") + schedule.timezone
