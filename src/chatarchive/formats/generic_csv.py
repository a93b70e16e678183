"""Any CSV of tweets, read through a column mapping given as options (or guessed from its header).

Mapping keys: text, id, author (the handle), author_id, display_name, created_at, date (a date
without a time), url, permalink, in_reply_to_id, lang, like_count, repost_count, hashtags. When
a row gives only a date, the time comes from the tweet's snowflake id. ``permalink`` is the
address of the poster's own post: when its id differs from ``id`` (search services list a
retweet under the original's id), the row is the retweet and ``id`` is what it reposts.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from chatarchive.errors import FormatError
from chatarchive.formats._posttext import hashtags_in_text, is_hashtag, links_in_text
from chatarchive.formats.csvtools import (
    CsvRow,
    count,
    header_of,
    list_cell,
    optional_id,
    parse_time,
    read_messages,
    required_cell,
    required_text,
    status_id_of,
    tweet_id,
)
from chatarchive.formats.reading import RecordError, head_text
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import expand_text, make_author, snowflake_time, tweet_message
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

# Header names tried, in order, for each key the mapping does not give.
GUESSES: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "content", "tweet", "full_text", "body"),
    "id": ("id", "id_str", "tweet_id", "status_id"),
    "author": (
        "author", "user", "screen_name", "username", "from_user", "user_screen_name",
        "trackback_author_nick",
    ),
    "author_id": ("author_id", "user_id", "from_user_id_str", "user_id_str"),
    "display_name": ("display_name", "name", "user_name"),
    "created_at": ("created_at", "time", "timestamp", "datetime"),
    "date": ("date", "firstpost_date"),
    "url": ("url", "tweet_url", "status_url"),
    "permalink": ("trackback_permalink", "permalink"),
    "in_reply_to_id": ("in_reply_to_id", "in_reply_to_status_id", "in_reply_to_status_id_str"),
    "lang": ("lang", "language"),
    "like_count": ("like_count", "favorite_count", "likes"),
    "repost_count": ("repost_count", "retweet_count", "retweets"),
    "hashtags": ("hashtags",),
}  # fmt: skip
KEYS = tuple(GUESSES)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%d.%m.%Y")


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column holds each mapped field (None when the file has none)."""

    text: str
    author: str
    id: str | None = None
    author_id: str | None = None
    display_name: str | None = None
    created_at: str | None = None
    date: str | None = None
    url: str | None = None
    permalink: str | None = None
    in_reply_to_id: str | None = None
    lang: str | None = None
    like_count: str | None = None
    repost_count: str | None = None
    hashtags: str | None = None


def _guess(names: Sequence[str], key: str) -> str | None:
    lower = {name.lower(): name for name in reversed(names)}
    return next((lower[g] for g in GUESSES[key] if g in lower), None)


def resolve_columns(
    names: Sequence[str], options: Mapping[str, str], origin: str, *, guess: bool = True
) -> Mapping[str, str]:
    """Return the column of each key: the options' mapping first, then guesses from the header."""
    unknown = sorted(set(options) - set(KEYS))
    if unknown:
        raise FormatError(origin, f"unknown column key {unknown[0]!r}; keys: {', '.join(KEYS)}")
    missing = [column for column in options.values() if column not in names]
    if missing:
        raise FormatError(
            origin, f"no column {missing[0]!r} in the file; its columns: {', '.join(names)}"
        )
    columns = dict(options)
    for key in KEYS:
        found = _guess(names, key) if guess and key not in columns else None
        if found is not None:
            columns[key] = found
    needed = [key for key in ("text", "author") if key not in columns]
    if "id" not in columns and "url" not in columns and "permalink" not in columns:
        needed.append("id")
    if needed:
        flags = " ".join(f"--column {key}=COLUMN" for key in needed)
        raise FormatError(
            origin,
            f"cannot tell which column holds the {', '.join(needed)}; name it with {flags} "
            f"(the file's columns: {', '.join(names)})",
        )
    return columns


def parse_date(value: str) -> date | None:
    """Parse a date-only cell ('2014-06-19', US '06/19/14'); None if it is not a bare date."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def time_on_date(native_id: str, day: date, location: str) -> datetime:
    """Return the post's time from its snowflake id when it falls on ``day``, else ``day`` 00:00."""
    try:
        derived = snowflake_time(native_id)
    except (RecordError, ValueError, OverflowError):
        derived = None
    if derived is not None and derived.date() == day:
        return derived
    logger.warning(
        "%s: the id %s does not carry a time on %s; using 00:00 UTC", location, native_id, day
    )
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _created_at(row: CsvRow, cols: Columns, native_id: str, reposted: bool) -> datetime:
    stamp, day_cell = row.get(cols.created_at), row.get(cols.date)
    if stamp is not None and parse_date(stamp) is None:
        if reposted:
            # The row's time is the original's; the retweet's own time is in its id.
            with suppress(RecordError, ValueError, OverflowError):
                return snowflake_time(native_id)
        return parse_time(stamp, native_id)
    day_cell = day_cell or stamp
    if day_cell is None:
        return snowflake_time(native_id)
    day = parse_date(day_cell)
    if day is None:
        raise RecordError(f"unreadable date: {day_cell!r}")
    return time_on_date(native_id, day, row.location)


def _hashtags(cell: str | None, text: str) -> list[str]:
    # Only what could be a hashtag in a text counts in the cell too (not "n/a", not "1").
    listed = [tag.lower() for tag in list_cell(cell) if is_hashtag(tag)]
    return listed or hashtags_in_text(text)


def message_from_row(row: CsvRow, cols: Columns) -> Message:
    """Normalize one row read through a column mapping."""
    own_id = status_id_of(row.get(cols.permalink))
    try:
        listed_id = tweet_id(row, cols.id, cols.url)
    except RecordError:
        if own_id is None:
            raise
        listed_id = own_id
    handle = required_cell(row, cols.author, f"no author (column {cols.author} is empty)")
    text = required_text(row, cols.text, f"no text (column {cols.text} is empty)")
    native_id = own_id or listed_id
    repost_of = listed_id if listed_id != native_id else None
    handle = handle.lstrip("@")
    author = make_author(optional_id(row, cols.author_id), handle, row.get(cols.display_name))
    text = expand_text(text, {}).strip()
    reply_to = optional_id(row, cols.in_reply_to_id)
    return tweet_message(
        native_id,
        author,
        text,
        _created_at(row, cols, native_id, repost_of is not None),
        reply_to=reply_to,
        repost_of=repost_of,
        likes=count(row.get(cols.like_count)),
        reposts=count(row.get(cols.repost_count)),
        lang=row.get(cols.lang),
        hashtags=_hashtags(row.get(cols.hashtags), text),
        links=links_in_text(text),
    )


def read_mapped(
    path: Path, origin: str, options: Mapping[str, str], *, guess: bool = True
) -> Iterator[ParsedRecord | Rejected]:
    """Read a CSV of tweets row by row through a column mapping (guessing unmapped columns)."""
    resolved: list[Columns] = []

    def build(row: CsvRow) -> Message:
        if not resolved:
            # The header is only known once the first row is read.
            mapping = resolve_columns(list(row.cells), options, origin, guess=guess)
            logger.info("%s: reading columns %s", origin, mapping)
            resolved.append(Columns(**mapping))
        return message_from_row(row, resolved[0])

    return read_messages(path, origin, build)


def _has_table_shape(head: bytes) -> bool:
    """Tell whether the first data row of a file's start has as many fields as its header."""
    text = head_text(head)
    if not header_of(head):
        return False
    try:
        records = list(itertools.islice(csv.reader(io.StringIO(text)), 2))
    except csv.Error:
        return False
    return len(records) == 2 and len(records[1]) == len(records[0])


def sniff(head: bytes, name: str) -> int:
    """Score any CSV low, so that every format that knows its columns wins over this one."""
    if not _has_table_shape(head):
        return 0
    header = header_of(head)
    return 10 if _guess(header, "text") and _guess(header, "author") else 5


@register(
    name="csv",
    description="any CSV of tweets, read through a column mapping (--column text=COLUMN ...)",
    origin_hint="spreadsheets and other tools' CSV exports; columns guessed when not given",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a CSV of tweets through the column mapping in ``options``."""
    return read_mapped(path, origin, options)
