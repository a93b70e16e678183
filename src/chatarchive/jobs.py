"""Compose the stages: fetch → parse → archive → assemble → summarize → render → write.

Both the CLI and the scheduled job call these functions; they hold no stage logic themselves.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from . import archive, formats, lanes, sources
from .assemble import assemble_chat, detect_sessions
from .assemble import chat_id as make_chat_id
from .errors import ChatArchiveError, FormatError
from .models import Chat, ChatSchedule, ChatWindow, Message, RawExport
from .posts import between
from .schedules import load_schedule

# scheduler (apscheduler), summarize (nltk, numpy) and render (jinja2) are imported where they
# are used: an import of a local file needs none of them, and they cost most of its start-up.

log = logging.getLogger(__name__)

# How far around newly imported posts to look for the chat they belong to.
SESSION_MARGIN = timedelta(hours=3)
# Detection reads a hashtag's stream in bursts split at silences this long; a busy stream is
# read in pieces of at most LONGEST_BURST, and bursts too small to be a chat are skipped.
SESSION_GAP = timedelta(minutes=90)
LONGEST_BURST = timedelta(hours=12)
MIN_CHAT_POSTS = 10
_UNSAFE_NAME = re.compile(r"[^\w.-]")
# Someone is a first-timer unless they posted with the hashtag before this run-up to the chat.
SAME_CHAT_RUN_UP = timedelta(hours=12)

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


def import_export(
    db: archive.Archive, raw: RawExport, fmt: str = "auto",
    options: Mapping[str, str] | None = None,
) -> archive.ImportResult:
    """Parse one export (with format options such as a column mapping) and archive its posts.

    The import stays unfinished until ``finish_imports`` after its chats are assembled, so an
    interrupted run is completed by the next one. A large file of JSON lines is read in two
    halves at once, the second by a worker process (lanes.py).
    """
    if archive.already_imported(db, raw.sha256):
        return archive.ImportResult(origin=raw.origin, format=fmt, unchanged=True)
    name, records = formats.parse(raw, fmt, options)
    halves = _halves(db, raw, name)
    if halves is None:
        return archive.save(db, raw, name, records)
    result = archive.start_import(db, raw, name)
    if result.earlier:
        return result
    with lanes.beside(db, save_part, raw, name, options, result.import_id, halves[1]) as other:
        archive.save_records(db, result, formats.parse(raw, name, options, halves[0])[1])
        archive.add_part(result, other.result())
    return archive.end_import(db, result)


def _halves(
    db: archive.Archive, raw: RawExport, name: str
) -> tuple[formats.Part, formats.Part] | None:
    if raw.path.stat().st_size < lanes.LARGE_FILE or not lanes.available(db):
        return None
    return formats.halves(raw, name)


def save_part(
    db: archive.Archive, raw: RawExport, name: str, options: Mapping[str, str] | None,
    import_id: int, part: formats.Part,
) -> archive.ImportResult:
    """Archive one part of an export under an import begun elsewhere (in a worker process)."""
    result = archive.ImportResult(origin=raw.origin, format=name, import_id=import_id)
    archive.save_records(db, result, formats.parse(raw, name, options, part)[1])
    return result


def import_sources(
    db: archive.Archive, source_args: Sequence[str], fmt: str = "auto",
    schedule: ChatSchedule | None = None, report: Report | None = None,
    options: Mapping[str, str] | None = None,
) -> tuple[list[archive.ImportResult], list[Skipped], list[str]]:
    """Import every export the sources name, then (re)assemble the chats the new posts touch."""
    # A large file is read, and its chats assembled, by two processes: the worker starts while
    # the file is hashed (the command line starts it sooner still) and serves both steps.
    with lanes.keeping(warm=lanes.available(db) and any(map(lanes.large_file, source_args))):
        return _import_sources(db, source_args, fmt, schedule, report, options)


def _import_sources(
    db: archive.Archive, source_args: Sequence[str], fmt: str,
    schedule: ChatSchedule | None, report: Report | None, options: Mapping[str, str] | None,
) -> tuple[list[archive.ImportResult], list[Skipped], list[str]]:
    results: list[archive.ImportResult] = []
    skipped: list[Skipped] = []
    for source in source_args:
        in_folder = not (source == "-" or sources.is_url(source) or Path(source).is_file())
        for raw in exports_for(source):
            try:
                result = import_export(db, raw, fmt, options)
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
    finish_imports(db, results)
    return results, skipped, chats


def finish_imports(db: archive.Archive, results: Iterable[archive.ImportResult]) -> None:
    """Mark imports done once the chats their posts touch are assembled."""
    for result in results:
        if not result.unchanged:
            archive.finish_import(db, result.import_id)


def reassemble(
    db: archive.Archive, results: Iterable[archive.ImportResult],
    schedule: ChatSchedule | None = None,
) -> list[str]:
    """Assemble again every chat whose time span new posts fall in; return their ids.

    Without a schedule, the chats are found in the hashtags' streams; a large import shares
    that work with a worker on a second core (lanes.py).
    """
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for result in results:
        for tag, span in result.spans.items():
            if schedule is None or tag in (schedule.hashtag, *schedule.aliases):
                spans.setdefault(tag, []).append(span)
    if schedule is not None:
        windows = [w for tag, tag_spans in spans.items() for first, last in tag_spans
                   for w in windows_near(db, tag, first, last, schedule)]
        chats = (assemble_window(db, window) for window in windows)
        return sorted({chat.id for chat in chats if chat is not None})
    stretches = [s for tag, tag_spans in spans.items() for s in _stretches(db, tag, tag_spans)]
    return sorted(set(lanes.share(db, stretches, assemble_stretches)))


def windows_near(
    db: archive.Archive, tag: str, first: datetime, last: datetime, schedule: ChatSchedule | None
) -> list[ChatWindow]:
    """The chat windows that posts of a hashtag between two times belong to."""
    if schedule is not None:
        from . import scheduler

        span = schedule.duration + schedule.lookback
        starts = scheduler.occurrences(schedule, first - span, last)
        return [schedule_window(schedule, start) for start in starts]
    return [window for stretch in _stretches(db, tag, [(first, last)])
            for window, _ in _windows(db, stretch)]


@dataclass(frozen=True)
class Stretch:
    """Part of a hashtag's stream to (re)assemble the chats of, on its own.

    Stretches of one hashtag are two days apart or more, so that no two of them can name a
    chat of the same day: each can go to another process.
    """

    tag: str
    known: tuple[ChatWindow, ...]  # the hashtag's chats already archived near the new posts
    assemble_known: bool  # this stretch (the hashtag's first) assembles those again
    bursts: tuple[tuple[datetime, datetime], ...]  # where to look for new chats
    posts: int  # how many posts the bursts hold, to share the work out evenly


# Stretches of a hashtag split where its posts pause this long (more than a calendar day in
# any time zone, so each date's chats stay together).
_STRETCH_PAUSE = timedelta(days=2)
# The posts read to find a chat are kept to assemble it; read this much around its stretch of
# posts, a chat's window (whole minutes, a late reply) may reach a little beyond the stretch.
_LOADED_MARGIN = timedelta(minutes=30)
Loaded = tuple[datetime, datetime, list[Message]]


def _stretches(
    db: archive.Archive, tag: str, spans: Sequence[tuple[datetime, datetime]]
) -> list[Stretch]:
    """The stretches of a hashtag's stream around new posts (in time order)."""
    known: list[ChatWindow] = []
    bursts: set[tuple[datetime, datetime, int]] = set()
    for first, last in _merged(spans, 2 * SESSION_MARGIN):
        near = (tag, first - SESSION_MARGIN, last + SESSION_MARGIN)
        # Chats already in the archive keep their windows (and schedules): late posts join them.
        known.extend(w for w in archive.chats_overlapping(db, *near) if w not in known)
        bursts.update(archive.bursts(db, *near, SESSION_GAP, LONGEST_BURST, MIN_CHAT_POSTS))
    groups: list[list[tuple[datetime, datetime, int]]] = []
    for burst in sorted(bursts):
        if groups and burst[0] - groups[-1][-1][1] < _STRETCH_PAUSE:
            groups[-1].append(burst)
        else:
            groups.append([burst])
    return [
        Stretch(tag, tuple(known), number == 0, tuple((b[0], b[1]) for b in group),
                sum(b[2] for b in group))
        for number, group in enumerate(groups or [[]])
    ]


def _merged(
    spans: Sequence[tuple[datetime, datetime]], gap: timedelta
) -> list[tuple[datetime, datetime]]:
    """Spans of new posts (one per export) joined where they come within ``gap``, so that
    the same stretch of posts is never read twice with different edges."""
    merged: list[tuple[datetime, datetime]] = []
    for first, last in sorted(spans):
        if merged and first - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _windows(db: archive.Archive, stretch: Stretch) -> Iterator[tuple[ChatWindow, Loaded | None]]:
    """A stretch's chat windows, each new one with the posts read to find it (one burst's
    posts in memory at a time)."""
    if stretch.assemble_known:
        yield from ((window, None) for window in stretch.known)
    found: list[ChatWindow] = []
    for start, end in stretch.bursts:
        loaded = (start - _LOADED_MARGIN, end + _LOADED_MARGIN, archive.messages_between(
            db, [stretch.tag], start - _LOADED_MARGIN, end + _LOADED_MARGIN))
        for window in detect_sessions(between(loaded[2], [stretch.tag], start, end), stretch.tag):
            # Pieces of a very long burst overlap: a chat in both is found twice.
            if not any(_overlap(window, w) for w in (*found, *stretch.known)):
                found.append(window)
                yield window, loaded


def assemble_stretches(db: archive.Archive, stretches: Iterable[Stretch]) -> list[str]:
    """Assemble and store the chats of some stretches; return their ids."""
    chats = (assemble_window(db, window, loaded=loaded)
             for stretch in stretches for window, loaded in _windows(db, stretch))
    return [chat.id for chat in chats if chat is not None]


def _overlap(one: ChatWindow, other: ChatWindow) -> bool:
    return one.starts_at <= other.ends_at and other.starts_at <= one.ends_at


def with_chat_id(db: archive.Archive, window: ChatWindow) -> ChatWindow:
    """Give a window its chat id: ``<hashtag>-<local date>``, or with ``-HHMM`` (local start)
    when another chat of the hashtag already holds that id on the same day."""
    if window.chat_id is not None:
        return window
    base = make_chat_id(window.hashtag, window.starts_at, window.timezone)
    others = [w for w in archive.chat_ids_on(db, base) if w.chat_id is not None]
    for other in others:
        if _overlap(window, other):
            return replace(window, chat_id=other.chat_id)
    if not any(w.chat_id == base for w in others):
        return replace(window, chat_id=base)
    local = window.starts_at.astimezone(ZoneInfo(window.timezone))
    return replace(window, chat_id=f"{base}-{local:%H%M}")


def schedule_window(schedule: ChatSchedule, start: datetime) -> ChatWindow:
    """The window of the chat a schedule holds at ``start``."""
    return ChatWindow(
        hashtag=schedule.hashtag, starts_at=start, ends_at=start + schedule.duration,
        timezone=schedule.timezone, title=schedule.title, schedule=schedule.name,
        hosts=schedule.hosts, guests=schedule.guests, lookback=schedule.lookback,
    )


def assemble_window(
    db: archive.Archive, window: ChatWindow, aliases: Sequence[str] = (),
    loaded: Loaded | None = None,
) -> Chat | None:
    """Assemble one chat from the archive and store its derived rows; None if it has no posts.

    ``loaded`` (first, last, posts) are the posts of the hashtag already read for that time;
    they are used instead of reading the archive again when they cover the window.
    """
    window = with_chat_id(db, window)
    tags = [window.hashtag, *aliases]
    end = window.ends_at + window.lookback
    if loaded is not None and not aliases and loaded[0] <= window.starts_at and end <= loaded[1]:
        messages = between(loaded[2], tags, window.starts_at, end)
    else:
        messages = archive.messages_between(db, tags, window.starts_at, end)
    if not messages:
        return None
    # Posts earlier on the chat's own day (reminders, "see you at 1pm") don't make a regular.
    returning = archive.returning_authors(db, tags, window.starts_at - SAME_CHAT_RUN_UP,
                                          (m.author.id for m in messages))
    chat = assemble_chat(messages, window, returning)
    archive.save_chat(db, chat)
    return chat


def recap_markdown(db: archive.Archive, chat_id: str, schedule: ChatSchedule | None = None) -> str:
    """Regenerate the Markdown recap of a chat from the archive alone."""
    from . import scheduler
    from .render import render_markdown
    from .summarize import summarize

    window = archive.chat_window(db, chat_id)
    chat = assemble_window(db, window, schedule.aliases if schedule else ())
    if chat is None:
        raise ChatArchiveError(f"Chat '{chat_id}' has no posts in the archive any more.")
    quotes = schedule.recap.quotes_per_question if schedule else 3
    next_chat = scheduler.next_occurrence(schedule, window.starts_at) if schedule else None
    recap = summarize(chat, quotes, schedule.do_not_quote if schedule else (), next_chat)
    return render_markdown(recap, _template_text(schedule))


def schedule_of(db: archive.Archive, chat_id: str, schedules_dir: Path) -> ChatSchedule | None:
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
    db: archive.Archive, chat_id: str, recaps_base: Path, schedule: ChatSchedule | None = None
) -> tuple[Path, int, bool]:
    """Write a chat's recap file and store a new version if it changed."""
    markdown = recap_markdown(db, chat_id, schedule)
    path = recap_path(recaps_base, schedule.recap.dir if schedule else
                      archive.chat_window(db, chat_id).hashtag, chat_id)
    version, changed = archive.save_recap(db, chat_id, markdown, str(path))
    if changed or not path.exists():
        write_atomically(path, markdown)
    return path, version, changed


def recap_path(recaps_base: Path, folder: str, chat_id: str) -> Path:
    """Where a chat's recap goes: always inside ``recaps_base``, whatever the names hold."""
    parts = [_safe_name(part) for part in Path(folder).parts if part not in ("/", "..", ".")]
    path = recaps_base.joinpath(*parts, _safe_name(chat_id) + ".md")
    if not path.resolve().is_relative_to(recaps_base.resolve()):
        raise ChatArchiveError(f"The recap of {chat_id!r} would be written outside"
                               f" {recaps_base}; check the schedule's recap.dir")
    return path


def _safe_name(name: str) -> str:
    # Hashtags and dates make chat ids; anything else (a path separator, a leading dot) is
    # replaced so that a name can never leave its folder.
    return _UNSAFE_NAME.sub("_", name).lstrip(".") or "_"


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temp, path)
