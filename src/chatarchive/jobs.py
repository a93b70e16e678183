"""Compose the stages: fetch → parse → archive → assemble → summarize → render → write.

Both the CLI and the scheduled job call these functions; they hold no stage logic themselves.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from . import archive, formats, scheduler, sources
from .assemble import assemble_chat, detect_sessions
from .errors import ChatArchiveError, FormatError, SourceError
from .models import Chat, ChatSchedule, ChatWindow, RawExport
from .render import render_markdown
from .schedules import load_schedule
from .summarize import summarize

log = logging.getLogger(__name__)

# How far around newly imported posts to look for the chat they belong to.
SESSION_MARGIN = timedelta(hours=3)

Report = Callable[[archive.ImportResult], None]


@dataclass(frozen=True)
class Skipped:
    """A file in a folder that is not an export chatarchive reads."""

    origin: str
    reason: str


def exports_for(source: str) -> Iterator[RawExport]:
    """The exports one command-line source names: a path, folder, glob, URL or '-'."""
    if source == "-":
        yield sources.stdin_export()
    elif sources.is_url(source):
        raw = sources.fetch_url(source)
        if raw is not None:
            yield raw
    else:
        yield from sources.local_exports(source)


def import_export(db: Database, raw: RawExport, fmt: str = "auto") -> archive.ImportResult:
    """Parse one export and archive its posts."""
    if archive.already_imported(db, raw.sha256):
        return archive.ImportResult(origin=raw.origin, format=fmt, unchanged=True)
    name, records = formats.parse(raw, fmt)
    return archive.save(db, raw, name, records)


def import_sources(
    db: Database, source_args: Sequence[str], fmt: str = "auto",
    schedule: ChatSchedule | None = None, report: Report | None = None,
) -> tuple[list[archive.ImportResult], list[Skipped], list[str]]:
    """Import every export the sources name, then (re)assemble the chats the new posts touch."""
    results: list[archive.ImportResult] = []
    skipped: list[Skipped] = []
    for source in source_args:
        in_folder = not (source == "-" or sources.is_url(source) or Path(source).is_file())
        for raw in exports_for(source):
            try:
                result = import_export(db, raw, fmt)
            except FormatError as error:
                if not in_folder or fmt != "auto":
                    raise
                skipped.append(Skipped(raw.origin, "not an export format chatarchive reads"))
                log.info("%s: %s", raw.origin, error.problem)
                continue
            finally:
                sources.discard(raw)
            results.append(result)
            if report:
                report(result)
    chats = reassemble(db, results, schedule)
    return results, skipped, chats


def reassemble(
    db: Database, results: Iterable[archive.ImportResult], schedule: ChatSchedule | None = None
) -> list[str]:
    """Assemble again every chat whose time span new posts fall in; return their ids."""
    chat_ids: set[str] = set()
    for result in results:
        for tag, (first, last) in result.spans.items():
            if schedule is not None and tag not in (schedule.hashtag, *schedule.aliases):
                continue
            for window in windows_near(db, tag, first, last, schedule):
                chat = assemble_window(db, window)
                if chat is not None:
                    chat_ids.add(chat.id)
    return sorted(chat_ids)


def windows_near(
    db: Database, tag: str, first: datetime, last: datetime, schedule: ChatSchedule | None
) -> list[ChatWindow]:
    """The chat windows that posts of a hashtag between two times belong to."""
    if schedule is not None:
        span = schedule.duration + schedule.lookback
        starts = scheduler.occurrences(schedule, first - span, last)
        return [schedule_window(schedule, start) for start in starts]
    messages = archive.messages_between(db, [tag], first - SESSION_MARGIN, last + SESSION_MARGIN)
    return detect_sessions(messages, tag)


def schedule_window(schedule: ChatSchedule, start: datetime) -> ChatWindow:
    """The window of the chat a schedule holds at ``start``."""
    return ChatWindow(
        hashtag=schedule.hashtag, starts_at=start, ends_at=start + schedule.duration,
        timezone=schedule.timezone, title=schedule.title, schedule=schedule.name,
        hosts=schedule.hosts, guests=schedule.guests, lookback=schedule.lookback,
    )


def assemble_window(db: Database, window: ChatWindow, aliases: Sequence[str] = ()) -> Chat | None:
    """Assemble one chat from the archive and store its derived rows; None if it has no posts."""
    tags = [window.hashtag, *aliases]
    messages = archive.messages_between(db, tags, window.starts_at,
                                        window.ends_at + window.lookback)
    if not messages:
        return None
    returning = archive.returning_authors(db, tags, window.starts_at)
    chat = assemble_chat(messages, window, returning)
    archive.save_chat(db, chat)
    return chat


def recap_markdown(db: Database, chat_id: str, schedule: ChatSchedule | None = None) -> str:
    """Regenerate the Markdown recap of a chat from the archive alone."""
    window = archive.chat_window(db, chat_id)
    chat = assemble_window(db, window, schedule.aliases if schedule else ())
    if chat is None:
        raise ChatArchiveError(f"Chat '{chat_id}' has no posts in the archive any more.")
    quotes = schedule.recap.quotes_per_question if schedule else 3
    next_chat = scheduler.next_occurrence(schedule, window.starts_at) if schedule else None
    recap = summarize(chat, quotes, schedule.do_not_quote if schedule else (), next_chat)
    return render_markdown(recap, _template_text(schedule))


def schedule_of(db: Database, chat_id: str, schedules_dir: Path) -> ChatSchedule | None:
    """The schedule a chat was assembled from, if its file is in ``schedules_dir``."""
    window = archive.chat_window(db, chat_id)
    path = schedules_dir / f"{window.schedule}.toml"
    return load_schedule(path) if window.schedule and path.is_file() else None


def _template_text(schedule: ChatSchedule | None) -> str | None:
    if schedule is None or schedule.recap.template is None:
        return None
    path = schedule.path.parent / schedule.recap.template
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ChatArchiveError(f"{schedule.path}: recap.template {path} cannot be read"
                               f" ({error.strerror})") from error


def write_recap(
    db: Database, chat_id: str, recaps_base: Path, schedule: ChatSchedule | None = None
) -> tuple[Path, int, bool]:
    """Write a chat's recap file and store a new version if it changed."""
    markdown = recap_markdown(db, chat_id, schedule)
    folder = recaps_base / (schedule.recap.dir if schedule else chat_id.rsplit("-", 3)[0])
    path = folder / f"{chat_id}.md"
    version, changed = archive.save_recap(db, chat_id, markdown, str(path))
    if changed or not path.exists():
        write_atomically(path, markdown)
    return path, version, changed


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)


def source_value(schedule: ChatSchedule, occurrence: datetime) -> str:
    """A schedule's source for one occurrence: templates filled, paths made absolute."""
    local = occurrence.astimezone(ZoneInfo(schedule.timezone))
    value = schedule.source.value.replace("{date}", local.date().isoformat()).replace(
        "{hashtag}", schedule.hashtag)
    if schedule.source.kind in ("path", "inbox") and not Path(value).is_absolute():
        value = str(schedule.path.parent / value)
    return value


def due_occurrences(db: Database, schedule: ChatSchedule, now: datetime) -> list[datetime]:
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
    db: Database, schedule: ChatSchedule, recaps_base: Path, now: datetime | None = None
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


def _fetch_schedule_source(db: Database, schedule: ChatSchedule, value: str) -> None:
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

