"""The CSV export of twitter-web-exporter, the userscript that saves what the web app loads.

Its columns come from the web app's GraphQL tweets: ``full_text`` (``&amp;`` still encoded, t.co
links unexpanded), ``screen_name`` and ``name``, the ids of the post replied to, retweeted and
quoted, counts, and ``created_at`` in the browser's zone ("2024-01-01 20:00:00 +08:00").
It has no tweet language and no user id (both are read if a version adds them): the author's id
is then their handle. Rows normalize exactly as the same rows of its JSON export do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from chatarchive.formats._posttext import hashtags_in_text, links_in_text
from chatarchive.formats.csvtools import (
    CsvRow,
    count,
    has_columns,
    header_of,
    optional_id,
    parse_time,
    read_messages,
    required_cell,
    required_text,
    tweet_id,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import expand_text, make_author, tweet_message
from chatarchive.models import Message, ParsedRecord, Rejected

_MARKERS = ("id", "created_at", "full_text", "screen_name", "name")
_EXTRA = ("bookmark_count", "views_count", "retweeted_status", "quoted_status", "in_reply_to")


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a twitter-web-exporter CSV."""
    header = header_of(head)
    if not has_columns(header, *_MARKERS):
        return 0
    return 95 if has_columns(header, *_EXTRA) else 80


def message_from_row(row: CsvRow) -> Message:
    """Normalize one twitter-web-exporter row."""
    native_id = tweet_id(row, "id", "url")
    handle, text = required_cell(row, "screen_name"), required_text(row, "full_text")
    user_id = optional_id(row, "user_id") or optional_id(row, "user_id_str")
    author = make_author(user_id, handle.lstrip("@"), row.get("name"))
    text = expand_text(text, {}).strip()
    return tweet_message(
        native_id,
        author,
        text,
        parse_time(row.get("created_at") or "", native_id),
        reply_to=optional_id(row, "in_reply_to"),
        quoted=optional_id(row, "quoted_status"),
        repost_of=optional_id(row, "retweeted_status"),
        likes=count(row.get("favorite_count")),
        reposts=count(row.get("retweet_count")),
        lang=row.get("lang"),
        hashtags=hashtags_in_text(text),
        links=links_in_text(text),
    )


@register(
    name="twitter-web-exporter-csv",
    description="twitter-web-exporter CSV (id, created_at, full_text, screen_name, name, ...)",
    origin_hint="the twitter-web-exporter userscript (prinsss): Export Data > CSV",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a twitter-web-exporter CSV row by row."""
    return read_messages(path, origin, message_from_row)
